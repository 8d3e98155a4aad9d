// The course in Node (tests, the solution bot, `npm run lesson:check`): the same objects as the page's
// `virtual:dockside-lessons`, read from the lessons/ folder with the same parsing code.

import { fileURLToPath, pathToFileURL } from 'node:url';
import { readCourse, type CourseFiles } from './course-files';
import type { CourseIndex, LoadedLesson, PartContent } from './course';
import type { LessonDefinition } from './types';

/** The repository's lessons/ folder. */
export const lessonsRoot = fileURLToPath(new URL('../../lessons', import.meta.url));

export interface NodeCourse {
  files: CourseFiles;
  course: CourseIndex;
  loadPart(partId: string): Promise<PartContent>;
  loadLesson(lessonId: string): Promise<LoadedLesson>;
}

export async function importDefinition(file: string): Promise<LessonDefinition> {
  const module = (await import(pathToFileURL(file).href)) as { default?: LessonDefinition };
  if (!module.default?.steps) throw new Error(`${file}: the default export is not a lesson (export default defineLesson({ … }))`);
  return module.default;
}

export function loadNodeCourse(root: string = lessonsRoot): NodeCourse {
  const files = readCourse(root);
  const loadLesson = async (lessonId: string): Promise<LoadedLesson> => {
    const lesson = files.lessons.get(lessonId);
    if (!lesson) throw new Error(`no lesson ${lessonId} in ${root}`);
    return { summary: lesson.summary, content: lesson.content, definition: await importDefinition(lesson.definitionFile) };
  };
  return {
    files,
    course: files.index,
    loadLesson,
    async loadPart(partId) {
      const part = files.index.parts.find((p) => p.id === partId);
      if (!part) throw new Error(`no part ${partId} in ${root}`);
      const lessons: Record<string, LoadedLesson> = {};
      for (const summary of part.lessons) lessons[summary.id] = await loadLesson(summary.id);
      return { part: partId, lessons };
    },
  };
}
