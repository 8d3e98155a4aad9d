// The lesson runtime (src/app, src/lessons) in the UI's words (model.ts): the course index, lesson
// content per part (lazy), progress (IndexedDB), the learner's machine (console, LessonEnv) and the
// sessions that check the steps.

import { course, loadLesson as loadRuntimeLesson, loadPart } from '../../app/course';
import type { DocksideEngine } from '../../app/engine';
import { GuestConsole } from '../../app/guest-console';
import { openPageProgress } from '../../app/progress-store';
import type { Progress, CourseProgress as RuntimeProgress } from '../../lessons/progress';
import type { SessionState } from '../../lessons/session';
import { Tutorial } from '../../app/tutorial';
import type { Lang, SolutionLine } from '../../lessons/types';
import type { Guest } from '../../vm/guest';
import type { CourseIndex, CourseProgress, LessonContent, LessonSessionView, StepView } from './model';

const index: CourseIndex = {
  parts: course.parts.map((part) => ({
    id: part.id,
    title: part.title,
    lessons: part.lessons.map((lesson) => ({ id: lesson.id, title: lesson.title, steps: lesson.steps })),
  })),
};

export function courseIndex(): CourseIndex {
  return index;
}

const known = (id: string): boolean => index.parts.some((part) => part.lessons.some((lesson) => lesson.id === id));

const CJK = '\\u2e80-\\u2fff\\u3000-\\u303f\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uff00-\\uffef';
const CJK_SOFT_BREAK = new RegExp(`([${CJK}])\\n(?=[${CJK}])`, 'g');

/**
 * A line break inside a Chinese paragraph of the markdown is no space in Chinese (the browser shows one
 * between the two characters): joined here, outside <pre>. (Better in the renderer, src/lessons/markdown.ts.)
 */
export function joinCjkLines(html: string): string {
  return html
    .split(/(<pre[\s>][\s\S]*?<\/pre>)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(CJK_SOFT_BREAK, '$1')))
    .join('');
}

/** A lesson's text in one language (loads its part's chunk once), or undefined when there is no such lesson. */
export async function loadLesson(id: string, lang: Lang): Promise<LessonContent | undefined> {
  if (!known(id)) return undefined;
  const lesson = await loadRuntimeLesson(id);
  const text = lesson.content[lang];
  return {
    id,
    lang,
    title: text.title,
    intro: lang === 'zh' ? joinCjkLines(text.intro) : text.intro,
    steps: text.steps.map((step) => {
      const definition = lesson.definition.steps[step.id];
      return { id: step.id, title: step.title, html: lang === 'zh' ? joinCjkLines(step.html) : step.html, optional: definition?.optional ?? false, solution: (definition?.solution ?? []).map(solutionText) };
    }),
    recap: text.recap && lang === 'zh' ? joinCjkLines(text.recap) : text.recap,
  };
}

/** Lesson id → its optional steps, for every lesson of a part (loads the part's chunk once). */
export async function optionalSteps(partId: string): Promise<Map<string, Set<string>>> {
  const part = await loadPart(partId);
  return new Map(
    Object.entries(part.lessons).map(([id, lesson]) => [id, new Set(Object.entries(lesson.definition.steps).filter(([, step]) => step.optional).map(([step]) => step))]),
  );
}

/** A solution line as "Show solution" shows it: what is typed (an `input` line goes to the command still running). */
function solutionText(line: SolutionLine): string {
  return typeof line === 'string' ? line : line.input;
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

/**
 * The learner's machine as the lessons see it: the console (made at once, before the terminal opens,
 * so it sees the first prompt) and the runtime's Tutorial (once progress is read).
 */
export interface Machine {
  console: GuestConsole;
  tutorial: Promise<Tutorial>;
  dispose(): void;
}

/** `atPrompt`: the machine was resumed with the host shell's prompt already on the terminal (nothing prints it again). */
export function openMachine(guest: Guest, engine: DocksideEngine, lang: Lang, atPrompt = false): Machine {
  const console = new GuestConsole(guest, guest, { atPrompt });
  let made: Tutorial | undefined;
  let disposed = false;
  const tutorial = pageProgress().then((progress) => {
    made = new Tutorial({ engine, guest, console, progress, lang });
    if (disposed) made.dispose();
    return made;
  });
  return {
    console,
    tutorial,
    dispose() {
      disposed = true;
      made?.dispose();
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
  }));
}

/** Opens a lesson on the machine (closing the one open before): setup runs when no step is done yet, then checks run as the machine changes. */
export async function openSession(id: string, machine: Machine): Promise<LessonSessionView> {
  const tutorial = await machine.tutorial;
  const { session } = await tutorial.open(id);
  let current = views(session.current);
  const listeners = new Set<() => void>();
  const off = session.subscribe((state) => {
    current = views(state);
    for (const listener of [...listeners]) listener();
  });
  return {
    steps: () => current,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    run: (commands) => tutorial.run(commands),
    writeFile: (path, text) => tutorial.act({ kind: 'write-file', path, content: text }),
    reset: () => session.reset(),
    dispose() {
      off();
      listeners.clear();
      if (tutorial.current?.session === session) tutorial.close();
    },
  };
}
