// The course model: parts → lessons → steps, as the page and the tests see it.
//
// Two halves, so the page's first bytes stay small (issue 12's bench: the lesson pane adds ≤ 5 %):
//  - CourseIndex: every part and lesson with titles in both languages, covers and step ids. Small;
//    the page gets it from `virtual:dockside-lessons` (src/lessons/vite-plugin.ts) as `course`.
//  - PartContent: the rendered HTML of every lesson of one part in both languages, and each lesson's
//    lesson.ts (checks, solutions, hints). Loaded per part, lazily: `loadPart('02-images')`.
// In Node (tests, the solution bot, `npm run lesson:check`) node-loader.ts builds the same objects from
// the lessons/ folder with the same parsing code (markdown.ts).
//
// ---- The HTML contract (what markdown.ts renders, what the UI hooks onto) ----
// Lesson HTML (LessonContent.intro, each step's html, recap) is trusted, build-time output of the
// lessons' markdown; the UI inserts it as HTML and attaches handlers by event delegation on a
// container (one click listener that looks at `event.target.closest('button[data-action]')`).
// Every fenced block becomes:
//
//   <div class="lesson-code" data-kind="run|command|file|plain" [data-path="/abs/path"]>
//     <pre><code class="language-LANG">escaped text</code></pre>
//     <div class="lesson-code-actions">            (absent for kind "plain": console/text blocks)
//       …buttons…
//     </div>
//   </div>
//
// Buttons (all `<button type="button" class="lesson-action lesson-action-ACTION" data-action=ACTION>`,
// labels in the lesson's language):
//   - data-action="run"  data-testid="run-command"  data-commands='["docker pull busybox", …]'
//       on ```sh run blocks. data-commands is a JSON array of strings (HTML-escaped in the attribute;
//       read it with JSON.parse(button.dataset.commands)): each one is typed into the terminal and Enter
//       pressed, the next once the prompt is back (a line ending in `\` continues into the next one,
//       kept in the same string). Hand the array to GuestConsole.type() (src/app/guest-console.ts).
//   - data-action="copy"  data-testid="copy"  data-copy="the block's text"
//       on ```sh run, ```sh and file blocks: copy button.dataset.copy to the clipboard.
//   - data-action="write-file"  data-testid="write-file"  data-path="/root/app/Dockerfile"
//     data-content="the block's text, ending in a newline"
//       on any block whose info string has file=/abs/path: GuestConsole.writeFile(path, content).
// Nothing else in lesson HTML is interactive (plain <details> works by itself).
// Step sections are NOT wrapped here: the UI renders each LessonStepContent in its own element
// (data-testid="lesson-step", data-step=ID, data-state="todo|done") with the step title as heading.

import type { Lang, LessonDefinition, Localized } from './types.ts';

/** One step of one language's lesson text. */
export interface LessonStepContent {
  /** The `{#id}` of the `## ` heading (same in both languages; the key in lesson.ts `steps`). */
  id: string;
  /** The heading's text rendered as inline HTML (it may hold `code`). */
  title: string;
  /** The section's HTML (see the contract above). */
  html: string;
}

/** One language's text of a lesson (from index.LANG.md). */
export interface LessonContent {
  lang: Lang;
  /** The front matter's title (plain text). */
  title: string;
  /** The coverage.tsv ids the lesson teaches (front matter). */
  covers: string[];
  /** HTML of everything before the first step. */
  intro: string;
  steps: LessonStepContent[];
  /** HTML of the `## … {.recap}` section, when there is one. */
  recap?: string;
}

/** A lesson in the course index (no HTML, no checks). */
export interface LessonSummary {
  /** `PART/LESSON`, e.g. `02-images/01-pull` (the page's address is `#/zh/02-images/01-pull`). */
  id: string;
  /** The part's folder name, e.g. `02-images`. */
  part: string;
  /** The lesson's folder name, e.g. `01-pull`. */
  slug: string;
  title: Localized;
  covers: string[];
  /** The step ids in order. */
  steps: string[];
  /** The step titles (inline HTML) per language, in the order of `steps`. */
  stepTitles: { zh: string[]; en: string[] };
}

export interface PartSummary {
  /** The folder name, e.g. `02-images`. */
  id: string;
  title: Localized;
  /** The coverage.tsv ids this part must teach (part.json). */
  covers: string[];
  /** In folder order; may be empty while the part has no lessons yet. */
  lessons: LessonSummary[];
}

export interface CourseIndex {
  parts: PartSummary[];
}

/** Everything one lesson needs to run: its text in both languages and its lesson.ts. */
export interface LoadedLesson {
  summary: LessonSummary;
  content: { zh: LessonContent; en: LessonContent };
  definition: LessonDefinition;
}

/** The lessons of one part, by lesson id. */
export interface PartContent {
  part: string;
  lessons: Record<string, LoadedLesson>;
}

/** The part.json of a part folder. */
export interface PartFile {
  title: Localized;
  covers: string[];
}

// ---- helpers over the index (used by the UI and the tests) ----

export function findLesson(course: CourseIndex, lessonId: string): LessonSummary | undefined {
  for (const part of course.parts) {
    const lesson = part.lessons.find((l) => l.id === lessonId);
    if (lesson) return lesson;
  }
  return undefined;
}

/** All lessons in course order. */
export function allLessons(course: CourseIndex): LessonSummary[] {
  return course.parts.flatMap((part) => part.lessons);
}

/** The lesson after `lessonId` in course order (across parts), if any. */
export function nextLesson(course: CourseIndex, lessonId: string): LessonSummary | undefined {
  const lessons = allLessons(course);
  const at = lessons.findIndex((l) => l.id === lessonId);
  return at >= 0 ? lessons[at + 1] : undefined;
}

/** The summary of a lesson built from its two languages' content. */
export function summarize(part: string, slug: string, content: { zh: LessonContent; en: LessonContent }): LessonSummary {
  return {
    id: `${part}/${slug}`,
    part,
    slug,
    title: { zh: content.zh.title, en: content.en.title },
    covers: content.en.covers,
    steps: content.en.steps.map((s) => s.id),
    stepTitles: { zh: content.zh.steps.map((s) => s.title), en: content.en.steps.map((s) => s.title) },
  };
}
