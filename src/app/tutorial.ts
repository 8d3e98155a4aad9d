// The tutorial's machine side in one object for the page: the learner's console (Run buttons, Write
// file), the LessonEnv over the engine and guest, the learner's Progress, and the LessonSession of the
// lesson open now. The UI (src/ui) renders lessons from src/app/course.ts and this object's session.
//
//   const tutorial = new Tutorial({ engine, guest, console, progress, lang });   // once, after boot
//   const { lesson, session } = await tutorial.open('02-images/01-pull');      // closes the previous one
//   session.subscribe((state) => …);                                          // Svelte: $session
//   container.addEventListener('click', (e) => {                               // lesson HTML buttons
//     const action = lessonActionOf(e.target);
//     if (action) void tutorial.act(action);
//   });

import type { LoadedLesson } from '../lessons/course';
import type { Progress } from '../lessons/progress';
import { LessonSession } from '../lessons/session';
import type { Lang, SolutionLine } from '../lessons/types';
import type { Guest } from '../vm/guest';
import { loadLesson } from './course';
import type { DocksideEngine } from './engine';
import type { GuestConsole } from './guest-console';
import { MachineLessonEnv } from './lesson-env';

/** What a button of lesson HTML asks for (see the HTML contract in src/lessons/course.ts). */
export type LessonAction =
  | { kind: 'run'; commands: string[] }
  | { kind: 'copy'; text: string }
  | { kind: 'write-file'; path: string; content: string };

/** The action of the lesson button at or around `target` (a click's event.target), if any. */
export function lessonActionOf(target: EventTarget | null): LessonAction | undefined {
  const element = target as Element | null;
  const button = element && typeof element.closest === 'function' ? (element.closest('button[data-action]') as HTMLElement | null) : null;
  if (!button) return undefined;
  const data = button.dataset;
  switch (data.action) {
    case 'run': {
      let commands: unknown;
      try {
        commands = JSON.parse(data.commands ?? '[]');
      } catch {
        return undefined;
      }
      return Array.isArray(commands) && commands.every((c) => typeof c === 'string') ? { kind: 'run', commands } : undefined;
    }
    case 'copy':
      return { kind: 'copy', text: data.copy ?? '' };
    case 'write-file':
      return data.path ? { kind: 'write-file', path: data.path, content: data.content ?? '' } : undefined;
    default:
      return undefined;
  }
}

export interface TutorialOptions {
  engine: DocksideEngine;
  guest: Guest;
  /** Created when the guest started (see GuestConsole's constructor). */
  console: GuestConsole;
  /** From openPageProgress() (src/app/progress-store.ts). */
  progress: Progress;
  lang: Lang;
}

export class Tutorial {
  readonly env: MachineLessonEnv;
  private open_: { lesson: LoadedLesson; session: LessonSession } | undefined;

  constructor(private readonly options: TutorialOptions) {
    this.env = new MachineLessonEnv({ engine: options.engine, guest: options.guest, console: options.console, lang: options.lang });
  }

  get progress(): Progress {
    return this.options.progress;
  }

  get console(): GuestConsole {
    return this.options.console;
  }

  /** The lesson open now and its session. */
  get current(): { lesson: LoadedLesson; session: LessonSession } | undefined {
    return this.open_;
  }

  /** The language of the lesson text (check texts are Localized; this is env.lang for checks that use it). */
  setLang(lang: Lang): void {
    this.env.setLang(lang);
  }

  /**
   * Opens a lesson (loading its part), closes the one open before, and starts its session (setup runs
   * when no step is done yet). Resolves once setup ran and the first check finished.
   */
  async open(lessonId: string): Promise<{ lesson: LoadedLesson; session: LessonSession }> {
    if (this.open_?.lesson.summary.id === lessonId) return this.open_;
    const lesson = await loadLesson(lessonId);
    this.close();
    const session = new LessonSession({ summary: lesson.summary, definition: lesson.definition, host: this.env, progress: this.options.progress });
    this.open_ = { lesson, session };
    await session.start();
    return this.open_;
  }

  /** Closes the open lesson's session (the terminal-only page). */
  close(): void {
    this.open_?.session.dispose();
    this.open_ = undefined;
  }

  /** Types lines into the terminal as the learner would (Run buttons; "Show solution" → run). */
  run(lines: readonly SolutionLine[], signal?: AbortSignal): Promise<void> {
    return this.options.console.type(lines, { signal });
  }

  /** Does what a lesson button asks; `copy` goes to the clipboard. */
  async act(action: LessonAction): Promise<void> {
    switch (action.kind) {
      case 'run':
        return this.run(action.commands);
      case 'write-file':
        return this.options.console.writeFile(action.path, action.content);
      case 'copy':
        await navigator.clipboard.writeText(action.text);
        return;
    }
  }

  dispose(): void {
    this.close();
    this.env.dispose();
  }
}
