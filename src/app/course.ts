// The course in the page: the index (small, in the first bytes) and per-part lazy loading of lesson
// HTML and lesson.ts, both made at build time by src/lessons/vite-plugin.ts. See src/lessons/course.ts
// for the types and the HTML contract of lesson text.

import { course, loadPart as loadPartChunk } from 'virtual:dockside-lessons';
import type { CourseIndex, LoadedLesson, PartContent } from '../lessons/course';

export { course };
export type { CourseIndex, LoadedLesson, PartContent };

const loaded = new Map<string, Promise<PartContent>>();

/** A part's lessons (loaded once, then cached). */
export function loadPart(partId: string): Promise<PartContent> {
  let part = loaded.get(partId);
  if (!part) {
    part = loadPartChunk(partId);
    loaded.set(partId, part);
    part.catch(() => loaded.delete(partId));
  }
  return part;
}

/** One lesson by id (`02-images/01-pull`): loads its part. */
export async function loadLesson(lessonId: string): Promise<LoadedLesson> {
  const partId = lessonId.split('/')[0];
  const part = await loadPart(partId);
  const lesson = part.lessons[lessonId];
  if (!lesson) throw new Error(`no lesson ${lessonId}`);
  return lesson;
}
