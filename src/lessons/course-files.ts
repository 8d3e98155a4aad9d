// Reading the lessons/ folder (Node only: the Vite plugin at build time, node-loader.ts in tests and
// scripts). Parts are `NN-slug` folders with a part.json; lessons are `NN-slug` folders inside them with
// index.zh.md, index.en.md and lesson.ts. A part without lessons yet is a part with `lessons: []`.

import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { LessonFormatError, parseLessonMarkdown } from './markdown.ts';
import { summarize, type CourseIndex, type LessonContent, type LessonSummary, type PartFile, type PartSummary } from './course.ts';

const NUMBERED = /^\d\d-[a-z0-9-]+$/;

export interface LessonFiles {
  summary: LessonSummary;
  dir: string;
  /** The lesson.ts module's absolute path. */
  definitionFile: string;
  content: { zh: LessonContent; en: LessonContent };
}

export interface CourseFiles {
  root: string;
  index: CourseIndex;
  /** By lesson id. */
  lessons: Map<string, LessonFiles>;
}

function folders(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => NUMBERED.test(name) && statSync(join(dir, name)).isDirectory())
    .sort();
}

export function readPartFile(dir: string): PartFile {
  const file = join(dir, 'part.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as Partial<PartFile>;
  if (!json.title?.zh || !json.title?.en) throw new LessonFormatError(file, 'title must have zh and en');
  return { title: json.title, covers: json.covers ?? [] };
}

/** Reads and renders one lesson folder. */
export function readLesson(partId: string, dir: string, slug: string): LessonFiles {
  const content = {} as { zh: LessonContent; en: LessonContent };
  for (const lang of ['zh', 'en'] as const) {
    const file = join(dir, `index.${lang}.md`);
    if (!existsSync(file)) throw new LessonFormatError(file, 'missing (a lesson has index.zh.md, index.en.md and lesson.ts)');
    content[lang] = parseLessonMarkdown(readFileSync(file, 'utf8'), lang, `lessons/${partId}/${slug}/index.${lang}.md`);
  }
  const definitionFile = join(dir, 'lesson.ts');
  if (!existsSync(definitionFile)) throw new LessonFormatError(definitionFile, 'missing (a lesson has index.zh.md, index.en.md and lesson.ts)');
  return { summary: summarize(partId, slug, content), dir, definitionFile, content };
}

/** Reads the whole lessons/ folder at `root`. */
export function readCourse(root: string): CourseFiles {
  const parts: PartSummary[] = [];
  const lessons = new Map<string, LessonFiles>();
  for (const partId of folders(root)) {
    const partDir = join(root, partId);
    if (!existsSync(join(partDir, 'part.json'))) continue;
    const partFile = readPartFile(partDir);
    const part: PartSummary = { id: partId, title: partFile.title, covers: partFile.covers, lessons: [] };
    for (const slug of folders(partDir)) {
      const lessonDir = join(partDir, slug);
      if (!existsSync(join(lessonDir, 'index.en.md')) && !existsSync(join(lessonDir, 'index.zh.md')) && !existsSync(join(lessonDir, 'lesson.ts'))) continue;
      const lesson = readLesson(partId, lessonDir, slug);
      part.lessons.push(lesson.summary);
      lessons.set(lesson.summary.id, lesson);
    }
    parts.push(part);
  }
  return { root, index: { parts }, lessons };
}
