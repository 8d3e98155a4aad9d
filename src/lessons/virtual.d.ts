// The page's course, made by src/lessons/vite-plugin.ts at build time (see course.ts).
declare module 'virtual:dockside-lessons' {
  /** Every part and lesson, titles in both languages (small; in the page's first bytes). */
  export const course: import('./course').CourseIndex;
  /** One part's lessons (HTML and lesson.ts), from the part's own chunk. */
  export function loadPart(partId: string): Promise<import('./course').PartContent>;
}
