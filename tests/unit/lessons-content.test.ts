// The course's content in lessons/ against the format of lessons/README.md: both languages agree on
// steps and covers, lesson.ts defines exactly the markdown's steps in order, every covers id exists in
// ../shared/coverage.tsv, and each part that has lessons teaches every id its part.json promises.
// The page's virtual module (src/lessons/vite-plugin.ts) gives the same index as the Node loader.

import { describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { course as pageCourse } from 'virtual:dockside-lessons';
import { loadNodeCourse } from '../../src/lessons/node-loader';
import { projectRoot } from '../../src/node/artifacts';
import { required } from '../helpers/requirements';

const loaded = loadNodeCourse();
const lessons = [...loaded.files.lessons.values()];
const coverageFile = join(projectRoot, '../shared/coverage.tsv');
const hasCoverage = required(existsSync(coverageFile), coverageFile, 'the covers checks of tests/unit/lessons-content.test.ts');
const coverageIds = new Set(
  hasCoverage
    ? readFileSync(coverageFile, 'utf8')
        .split('\n')
        .slice(1)
        .map((line) => line.split('\t')[0])
        .filter(Boolean)
    : [],
);

describe('the course folder', () => {
  it('has the parts of lessons/ with titles in both languages', () => {
    expect(loaded.course.parts.length).toBeGreaterThan(0);
    for (const part of loaded.course.parts) {
      expect(part.id).toMatch(/^\d\d-[a-z0-9-]+$/);
      expect(part.title.zh && part.title.en, part.id).toBeTruthy();
    }
  });

  it('is what the page gets from virtual:dockside-lessons', () => {
    expect(pageCourse).toEqual(loaded.course);
  });

  it.skipIf(!hasCoverage)("names only coverage.tsv ids in every part.json's covers", () => {
    for (const part of loaded.course.parts) {
      const unknown = part.covers.filter((id) => !coverageIds.has(id));
      expect(unknown, `lessons/${part.id}/part.json covers ids missing from coverage.tsv`).toEqual([]);
    }
  });
});

describe.each(loaded.course.parts.filter((part) => part.lessons.length > 0).map((part) => [part.id, part] as const))('part %s', (_id, part) => {
  it.skipIf(!hasCoverage)('teaches every id of its part.json in some lesson', () => {
    const taught = new Set(part.lessons.flatMap((lesson) => lesson.covers));
    const untaught = part.covers.filter((id) => !taught.has(id));
    expect(untaught, `lessons/${part.id}/part.json covers ids no lesson of the part covers`).toEqual([]);
  });
});

describe.each(lessons.map((lesson) => [lesson.summary.id, lesson] as const))('lesson %s', (id, lesson) => {
  const { zh, en } = lesson.content;

  it('has the same steps in the same order in zh and en', () => {
    expect(zh.steps.map((s) => s.id), `lessons/${id}: index.zh.md vs index.en.md`).toEqual(en.steps.map((s) => s.id));
  });

  it('has the same covers in zh and en, each in coverage.tsv', () => {
    expect([...zh.covers].sort(), `lessons/${id}: covers of index.zh.md vs index.en.md`).toEqual([...en.covers].sort());
    expect(en.covers.length, `lessons/${id}: covers is empty`).toBeGreaterThan(0);
    if (hasCoverage) expect(en.covers.filter((c) => !coverageIds.has(c)), `lessons/${id}: covers ids missing from coverage.tsv`).toEqual([]);
  });

  it('has at least one step (the parser has already checked ids and that a recap is last)', () => {
    for (const content of [zh, en]) expect(content.steps.length, `lessons/${id}/index.${content.lang}.md has no {#id} step`).toBeGreaterThan(0);
  });

  it('defines in lesson.ts exactly the markdown steps, in order, each with a solution', async () => {
    const { definition } = await loaded.loadLesson(id);
    expect(Object.keys(definition.steps), `lessons/${id}/lesson.ts steps vs the markdown's {#id}s`).toEqual(en.steps.map((s) => s.id));
    for (const [stepId, step] of Object.entries(definition.steps)) {
      expect(typeof step.check, `${id}#${stepId}: check`).toBe('function');
      expect(step.solution.length, `${id}#${stepId}: solution is empty`).toBeGreaterThan(0);
    }
  });
});
