// Progress as the UI shows it: a lesson is finished when all its steps but the optional ones are done.

import type { CourseIndex, CourseProgress, LessonEntry } from './model';

/**
 * Whether every step of the lesson is done but the optional ones. `optional` knows the lessons whose
 * part is loaded (lesson.ts says which steps are optional); for the others every step counts.
 */
export function lessonFinished(lesson: LessonEntry, progress: CourseProgress, optional: ReadonlyMap<string, ReadonlySet<string>>): boolean {
  const done = progress.get(lesson.id);
  const skip = optional.get(lesson.id);
  return lesson.steps.length > 0 && done !== undefined && lesson.steps.every((step) => done.has(step) || (skip?.has(step) ?? false));
}

export function allLessons(course: CourseIndex): LessonEntry[] {
  return course.parts.flatMap((part) => part.lessons);
}

export function findLesson(course: CourseIndex, id: string): LessonEntry | undefined {
  return allLessons(course).find((lesson) => lesson.id === id);
}

/** The lesson before and after `id` in course order. */
export function neighbours(course: CourseIndex, id: string): { previous?: LessonEntry; next?: LessonEntry } {
  const lessons = allLessons(course);
  const at = lessons.findIndex((lesson) => lesson.id === id);
  if (at < 0) return {};
  return { previous: lessons[at - 1], next: lessons[at + 1] };
}
