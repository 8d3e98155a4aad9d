// Progress as the UI shows it: a lesson is finished when all its required steps are done.

import type { CourseIndex, CourseProgress, LessonEntry } from './model';

export function lessonFinished(lesson: LessonEntry, progress: CourseProgress): boolean {
  const done = progress.get(lesson.id);
  return lesson.requiredSteps.length > 0 && done !== undefined && lesson.requiredSteps.every((step) => done.has(step));
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
