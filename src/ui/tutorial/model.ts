// What the tutorial UI needs from the lesson runtime (src/lessons, src/app), in the UI's own words.
// adapter.ts fills these from the runtime; the components see nothing else, so the runtime's shapes
// can change in one place.

import type { Lang, Localized } from '../../lessons/types';

export interface LessonEntry {
  /** `PART/LESSON`, e.g. `02-images/01-pull`. */
  id: string;
  title: Localized;
  /** The ids of the steps, in order. */
  steps: readonly string[];
}

export interface PartEntry {
  id: string;
  title: Localized;
  lessons: readonly LessonEntry[];
}

export interface CourseIndex {
  parts: readonly PartEntry[];
}

export interface StepContent {
  id: string;
  /** Inline HTML (it may hold `code`). */
  title: string;
  /** The step's body, rendered at build time; Run / Copy / Write file buttons are in it. */
  html: string;
  optional: boolean;
  /** The commands of "Show solution". */
  solution: readonly string[];
}

export interface LessonContent {
  id: string;
  lang: Lang;
  title: string;
  intro: string;
  steps: readonly StepContent[];
  recap?: string;
}

export type StepState = 'todo' | 'done';

export interface StepView {
  id: string;
  state: StepState;
  /** What the last failed check said is missing (shown after the learner tried). */
  missing?: Localized;
  /** Hints that match the learner's last mistake. */
  hints: readonly Localized[];
}

/** A lesson being worked on: its steps' states, updated as the machine changes. */
export interface LessonSessionView {
  steps(): readonly StepView[];
  /** Calls back whenever a step's state, missing text or hints change. Returns an unsubscribe function. */
  subscribe(listener: () => void): () => void;
  /** Types commands into the terminal as the learner would, each followed by Enter once the prompt is back. */
  run(commands: readonly string[]): Promise<void>;
  /** Writes a file into the guest (directories created). */
  writeFile(path: string, text: string): Promise<void>;
  /** Clears the lesson's progress and runs its setup again. */
  reset(): Promise<void>;
  dispose(): void;
}

/** Per-lesson: the ids of the steps done. */
export type CourseProgress = ReadonlyMap<string, ReadonlySet<string>>;

/** A Run / Copy / Write file button pressed in a lesson (the runtime's HTML contract: src/lessons/course.ts). */
export type BlockAction = { button: HTMLButtonElement } & (
  | { kind: 'run'; commands: readonly string[] }
  | { kind: 'copy'; text: string }
  | { kind: 'write'; path: string; content: string }
);
