// The lesson runtime (src/app/course.ts, src/lessons) in the UI's words (model.ts): the course index,
// lesson content per part (lazy), progress and sessions.
// Sessions and progress: PLACEHOLDER until the runtime's LessonSession, progress store and guest
// console land (branch lesson-runtime); until then Run types into the terminal and no check runs.

import { course, loadLesson as loadRuntimeLesson } from '../../app/course';
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

/** A lesson's text in one language (loads its part's chunk once), or undefined when there is no such lesson. */
export async function loadLesson(id: string, lang: Lang): Promise<LessonContent | undefined> {
  if (!index.parts.some((part) => part.lessons.some((lesson) => lesson.id === id))) return undefined;
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

export async function loadProgress(): Promise<CourseProgress> {
  return new Map();
}

export async function openSession(id: string, guest: Guest): Promise<LessonSessionView> {
  const lesson = await loadRuntimeLesson(id);
  const listeners = new Set<() => void>();
  const views: StepView[] = lesson.summary.steps.map((step) => ({
    id: step,
    state: 'todo',
    hints: [],
    solution: (lesson.definition.steps[step]?.solution ?? []).map((line) => (typeof line === 'string' ? line : line.input)),
  }));
  return {
    steps: () => views,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async run(commands) {
      for (const command of commands) guest.writeConsole(`${command}\r`);
    },
    async writeFile() {
      throw new Error('writing files needs the lesson runtime');
    },
    async reset() {},
    dispose() {
      listeners.clear();
    },
  };
}
