// The lesson runtime (src/app, src/lessons) in the UI's words (model.ts): the course index, lesson
// content per part (lazy), progress (IndexedDB), the learner's machine (console, LessonEnv) and the
// sessions that check the steps.

import { course, loadLesson as loadRuntimeLesson } from '../../app/course';
import type { DocksideEngine } from '../../app/engine';
import { GuestConsole } from '../../app/guest-console';
import { MachineLessonEnv } from '../../app/lesson-env';
import { openPageProgress } from '../../app/progress-store';
import type { Progress, CourseProgress as RuntimeProgress } from '../../lessons/progress';
import { LessonSession, type SessionState } from '../../lessons/session';
import type { Lang } from '../../lessons/types';
import type { Guest } from '../../vm/guest';
import type { CourseIndex, CourseProgress, LessonContent, LessonSessionView, StepView } from './model';

const index: CourseIndex = {
  parts: course.parts.map((part) => ({
    id: part.id,
    title: part.title,
    lessons: part.lessons.map((lesson) => ({ id: lesson.id, title: lesson.title, requiredSteps: lesson.steps })),
  })),
};

export function courseIndex(): CourseIndex {
  return index;
}

const known = (id: string): boolean => index.parts.some((part) => part.lessons.some((lesson) => lesson.id === id));

/** A lesson's text in one language (loads its part's chunk once), or undefined when there is no such lesson. */
export async function loadLesson(id: string, lang: Lang): Promise<LessonContent | undefined> {
  if (!known(id)) return undefined;
  const lesson = await loadRuntimeLesson(id);
  const text = lesson.content[lang];
  return {
    id,
    lang,
    title: text.title,
    intro: text.intro,
    steps: text.steps.map((step) => ({ id: step.id, title: step.title, html: step.html, optional: lesson.definition.steps[step.id]?.optional ?? false })),
    recap: text.recap,
  };
}

// ---- progress

let progress: Promise<Progress> | undefined;

/** The page's one Progress (the course map and the sessions share it). */
export function pageProgress(): Promise<Progress> {
  progress ??= openPageProgress();
  return progress;
}

/** Lesson id → the ids of its steps done. */
export function doneSteps(data: RuntimeProgress): CourseProgress {
  return new Map(Object.entries(data.lessons).map(([id, lesson]) => [id, new Set(Object.keys(lesson.steps))]));
}

export interface LastPlace {
  lesson: string;
  step?: string;
}

/** Where the learner was last ("continue where you left off"). */
export function lastPlace(data: RuntimeProgress): LastPlace | undefined {
  if (!data.last || !known(data.last)) return undefined;
  return { lesson: data.last, step: data.lessons[data.last]?.lastStep };
}

// ---- the machine

/** The learner's machine as the lessons see it. Make it before the terminal opens, so the console sees the first prompt. */
export interface Machine {
  console: GuestConsole;
  env: MachineLessonEnv;
  dispose(): void;
}

export function openMachine(guest: Guest, engine: DocksideEngine, lang: Lang): Machine {
  const console = new GuestConsole(guest, guest);
  const env = new MachineLessonEnv({ engine, guest, console, lang });
  return {
    console,
    env,
    dispose() {
      env.dispose();
      console.dispose();
    },
  };
}

function views(state: SessionState): StepView[] {
  return state.steps.map((step) => ({
    id: step.id,
    state: step.status === 'done' ? 'done' : 'todo',
    missing: step.status === 'current' ? step.missing : undefined,
    hints: step.status === 'current' && step.hint ? [step.hint] : [],
    solution: step.solution.map((line) => (typeof line === 'string' ? line : line.input)),
  }));
}

/** Opens a lesson on the machine: runs its setup (when no step is done yet) and checks as the machine changes. */
export async function openSession(id: string, machine: Machine): Promise<LessonSessionView> {
  const [lesson, shared] = await Promise.all([loadRuntimeLesson(id), pageProgress()]);
  const session = new LessonSession({ summary: lesson.summary, definition: lesson.definition, host: machine.env, progress: shared });
  let current = views(session.current);
  const listeners = new Set<() => void>();
  const off = session.subscribe((state) => {
    current = views(state);
    for (const listener of [...listeners]) listener();
  });
  void session.start().catch((error: unknown) => console.error(`dockside: the lesson ${id} could not start:`, error));
  return {
    steps: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    run: (commands) => machine.console.type(commands),
    writeFile: (path, text) => machine.console.writeFile(path, text),
    reset: () => session.reset(),
    dispose() {
      off();
      listeners.clear();
      session.dispose();
    },
  };
}
