// The tutorial page in a real browser: a whole lesson walked by its Run (and Write file) buttons, each
// step's tick seen (waiting for data-state="done", no sleeps), progress found again after a reload, the
// language switch, a deep link, back and forward, and a keyboard-only pass.
//
// The lesson walked: DOCKSIDE_WALK_LESSON (PART/LESSON) in DOCKSIDE_WALK_LESSONS_DIR (a lessons folder);
// by default the course's 01-docker/01-client-server when it exists, else the runtime's fixture lesson
// (tests/fixtures/lessons, 01-fixture/01-hello).

import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { projectRoot } from '../../src/node/artifacts';
import { readCourse } from '../../src/lessons/course-files';
import { importDefinition } from '../../src/lessons/node-loader';
import { CHROMIUM, buildAndServe, chromiumAvailable, launchChromium } from '../helpers/site';
import { required } from '../helpers/requirements';

const present = required(chromiumAvailable, `${CHROMIUM} (apt-get install chromium)`, 'the browser walk of the tutorial');

const courseLesson = '01-docker/01-client-server';
const useCourse = existsSync(join(projectRoot, 'lessons', courseLesson, 'lesson.ts'));
const lessonsDir = resolve(projectRoot, process.env.DOCKSIDE_WALK_LESSONS_DIR ?? (useCourse ? 'lessons' : 'tests/fixtures/lessons'));
const lessonId = process.env.DOCKSIDE_WALK_LESSON ?? (useCourse ? courseLesson : '01-fixture/01-hello');
/** What a learner types into the terminal after a step's buttons (a shell opened with `docker run -it`): step id → [wait for, type]. */
const typedAfter: Record<string, [string, string][]> = { interactive: [['/ # ', 'exit']] };

const { index, lessons } = readCourse(lessonsDir);
const summary = index.parts.flatMap((part) => part.lessons).find((lesson) => lesson.id === lessonId);
const files = lessons.get(lessonId);
const definition = files ? await importDefinition(files.definitionFile) : undefined;

const PROMPT = 'root@dockside:~#';
const stepLocator = (page: Page, id: string, state?: 'todo' | 'done') =>
  page.locator(`[data-testid="lesson-step"][data-step="${id}"]${state ? `[data-state="${state}"]` : ''}`);
const waitPrompt = (page: Page): Promise<void> => page.locator('.xterm-rows', { hasText: PROMPT }).waitFor({ timeout: 90_000 });
const activeStep = (page: Page): Promise<string | undefined> =>
  page.evaluate(() => (document.activeElement?.closest('[data-step]') as HTMLElement | null)?.dataset.step);

describe.runIf(present)(`the tutorial page (walking ${lessonId} from ${lessonsDir})`, () => {
  let browser: Browser;
  let server: PreviewServer;
  let url: string;
  let outDir: string;

  beforeAll(async () => {
    if (!summary || !definition) throw new Error(`no lesson ${lessonId} in ${lessonsDir}`);
    outDir = await mkdtemp(join(tmpdir(), 'dockside-tutorial-e2e-'));
    const before = process.env.DOCKSIDE_LESSONS_DIR;
    process.env.DOCKSIDE_LESSONS_DIR = lessonsDir;
    try {
      ({ url, server } = await buildAndServe(outDir));
    } finally {
      if (before === undefined) delete process.env.DOCKSIDE_LESSONS_DIR;
      else process.env.DOCKSIDE_LESSONS_DIR = before;
    }
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  /** A fresh learner: a new context (its own IndexedDB and localStorage), English unless said otherwise. */
  async function learner(locale = 'en-US'): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ locale, viewport: { width: 1366, height: 800 } });
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    const page = await context.newPage();
    page.on('dialog', (dialog) => void dialog.accept());
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    return { context, page };
  }

  /** Does a step the way a learner would: its Run and Write file buttons in order, then what is typed in the terminal; waits for its tick. */
  async function doStep(page: Page, id: string): Promise<void> {
    const step = stepLocator(page, id);
    const buttons = step.locator('[data-testid="run-command"], [data-testid="write-file"]');
    const count = await buttons.count();
    for (let i = 0; i < count; i++) {
      const button = buttons.nth(i);
      const isRun = (await button.getAttribute('data-testid')) === 'run-command';
      if (isRun) await waitPrompt(page);
      await button.click();
    }
    for (const [waitFor, line] of typedAfter[id] ?? []) {
      await page.locator('.xterm-rows', { hasText: waitFor }).waitFor({ timeout: 60_000 });
      await page.locator('.xterm-helper-textarea').focus();
      await page.keyboard.type(`${line}\n`);
    }
    await stepLocator(page, id, 'done').waitFor({ timeout: 90_000 });
  }

  it('walks a whole lesson by its buttons, ticking each step, and finds the progress after a reload', async () => {
    const { context, page } = await learner();
    const steps = summary!.steps.filter((id) => !definition!.steps[id]?.optional);
    await page.goto(`${url}#/en/${lessonId}`);
    expect(await page.getByTestId('lesson-title').innerText()).toBe(summary!.title.en);
    await waitPrompt(page);
    const ids = await page.getByTestId('lesson-step').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.step));
    expect(ids).toEqual(summary!.steps);
    for (const id of summary!.steps) expect(await stepLocator(page, id).getAttribute('data-state')).toBe('todo');

    const half = Math.max(1, Math.floor(steps.length / 2));
    for (const [i, id] of steps.slice(0, half).entries()) {
      await doStep(page, id);
      // The tick is announced, and focus moved on to the next step (the click was in the lesson).
      await page.getByTestId('announcer').filter({ hasText: 'Done' }).waitFor();
      const next = summary!.steps[summary!.steps.indexOf(id) + 1];
      if (next && !typedAfter[id]) await expect.poll(() => activeStep(page)).toBe(next);
      // Later steps are still to do: a check passes only for its own step.
      for (const later of steps.slice(i + 1)) expect(await stepLocator(page, later).getAttribute('data-state')).toBe('todo');
    }

    // Reload mid-lesson: the finished steps are still ticked, the address still names the lesson.
    await page.reload();
    await page.getByTestId('lesson-title').waitFor();
    for (const id of steps.slice(0, half)) await stepLocator(page, id, 'done').waitFor({ timeout: 30_000 });
    for (const id of steps.slice(half)) expect(await stepLocator(page, id).getAttribute('data-state')).toBe('todo');
    expect(new URL(page.url()).hash.startsWith(`#/en/${lessonId}`)).toBe(true);
    await waitPrompt(page);

    for (const id of steps.slice(half)) await doStep(page, id);
    await page.getByTestId('lesson-complete').first().waitFor();

    // The course map ticks the finished lesson.
    await page.getByTestId('course-map-toggle').click();
    const link = page.locator(`[data-testid="lesson-link"][data-lesson="${lessonId}"]`);
    await link.waitFor();
    expect(await link.getAttribute('data-finished')).toBe('true');
    await page.keyboard.press('Escape');

    // The start page offers to continue here.
    await page.goto(`${url}#/en`);
    await page.getByTestId('continue').waitFor();
    expect(await page.getByTestId('continue').getAttribute('href')).toContain(`#/en/${lessonId}`);

    // "Reset this lesson" clears its ticks.
    await page.getByTestId('continue').click();
    await page.getByTestId('lesson-title').waitFor();
    await page.getByTestId('reset-lesson').click();
    for (const id of summary!.steps) await stepLocator(page, id, 'todo').waitFor({ timeout: 30_000 });
    await context.close();
  }, 900_000);

  it('switches language, opens deep links, and goes back and forward', async () => {
    const { context, page } = await learner('zh-CN');
    const step = summary!.steps[summary!.steps.length - 1];
    // A deep link to a step opens the lesson there, in the address's language.
    await page.goto(`${url}#/en/${lessonId}/${step}`);
    await page.getByTestId('lesson-title').waitFor();
    expect(await page.getByTestId('lesson-title').innerText()).toBe(summary!.title.en);
    await expect.poll(() => stepLocator(page, step).evaluate((el) => el.getBoundingClientRect().top < window.innerHeight)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');

    await page.getByTestId('lang-zh').click();
    await page.getByTestId('lesson-title').filter({ hasText: summary!.title.zh }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/zh/${lessonId}/${step}`);
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    expect(await page.getByTestId('reset-lesson').innerText()).toBe('重置本课');
    // The same steps in both languages.
    const ids = await page.getByTestId('lesson-step').evaluateAll((els) => els.map((el) => (el as HTMLElement).dataset.step));
    expect(ids).toEqual(summary!.steps);

    // Back returns to English, forward to Chinese.
    await page.goBack();
    await page.getByTestId('lesson-title').filter({ hasText: summary!.title.en }).waitFor();
    await page.goForward();
    await page.getByTestId('lesson-title').filter({ hasText: summary!.title.zh }).waitFor();

    // The start page in Chinese, then into the lesson from the course map, and back again.
    await page.goto(`${url}#/zh`);
    await page.getByRole('heading', { level: 1, name: '在浏览器里动手学 Docker' }).waitFor();
    await page.getByTestId('course-map-toggle').click();
    await page.locator(`[data-testid="lesson-link"][data-lesson="${lessonId}"]`).click();
    await page.getByTestId('lesson-title').filter({ hasText: summary!.title.zh }).waitFor();
    expect(new URL(page.url()).hash).toBe(`#/zh/${lessonId}`);
    await page.goBack();
    await page.getByRole('heading', { level: 1, name: '在浏览器里动手学 Docker' }).waitFor();
    await page.goForward();
    await page.getByTestId('lesson-title').waitFor();

    // A fresh visit with no address opens in the browser's language and names the place.
    const fresh = await context.newPage();
    await fresh.goto(url);
    await fresh.getByRole('heading', { level: 1 }).first().waitFor();
    expect(new URL(fresh.url()).hash).toBe('#/zh');
    // The terminal-only page is today's page: no tutorial around the terminal.
    await fresh.getByTestId('terminal-only').click();
    await waitPrompt(fresh);
    expect(await fresh.getByTestId('lesson-title').count()).toBe(0);
    expect(await fresh.locator('header').count()).toBe(0);
    await context.close();
  }, 600_000);

  it('works with the keyboard alone', async () => {
    const { context, page } = await learner();
    const first = summary!.steps[0];
    await page.goto(`${url}#/en/${lessonId}`);
    await page.getByTestId('lesson-title').waitFor();
    await waitPrompt(page);

    // Tab order: the skip link, then the header from the start.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toContain('Skip to the terminal');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe('course-map-toggle');
    // The course map opens with Enter, takes focus, and Escape closes it back onto its button.
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe('lesson-link');
    await page.keyboard.press('Escape');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.dataset.testid)).toBe('course-map-toggle');

    // One key to the terminal, and typing there works.
    await page.keyboard.press('Alt+T');
    await expect.poll(() => page.evaluate(() => document.activeElement?.classList.contains('xterm-helper-textarea'))).toBe(true);
    await page.keyboard.type('echo kb-$((20+22))\n');
    await page.locator('.xterm-rows', { hasText: 'kb-42' }).waitFor({ timeout: 30_000 });
    await waitPrompt(page);

    // Alt+L leaves the terminal (which keeps Tab for the shell) for the step to do now.
    await page.keyboard.press('Alt+L');
    await expect.poll(() => activeStep(page)).toBe(first);
    // Tab to the step's first button and press it: Enter does what a click does.
    const firstButton = stepLocator(page, first).locator('[data-testid="run-command"], [data-testid="write-file"]').first();
    for (let i = 0; i < 20 && !(await firstButton.evaluate((el) => el === document.activeElement)); i++) await page.keyboard.press('Tab');
    expect(await firstButton.evaluate((el) => el === document.activeElement)).toBe(true);
    const buttons = await stepLocator(page, first).locator('[data-testid="run-command"], [data-testid="write-file"]').count();
    for (let i = 0; i < buttons; i++) {
      if (i > 0) {
        const next = stepLocator(page, first).locator('[data-testid="run-command"], [data-testid="write-file"]').nth(i);
        while (!(await next.evaluate((el) => el === document.activeElement))) await page.keyboard.press('Tab');
      }
      await waitPrompt(page);
      await page.keyboard.press('Enter');
    }
    await stepLocator(page, first, 'done').waitFor({ timeout: 90_000 });
    // The pass is announced and focus moves on to the next step.
    await page.getByTestId('announcer').filter({ hasText: 'Done' }).waitFor();
    if (summary!.steps[1]) await expect.poll(() => activeStep(page)).toBe(summary!.steps[1]);

    // The splitter is a keyboard control too, and its size is remembered.
    const splitter = page.getByRole('separator').first();
    await splitter.focus();
    const before = Number(await splitter.getAttribute('aria-valuenow'));
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    const after = Number(await splitter.getAttribute('aria-valuenow'));
    expect(after).toBeGreaterThan(before);
    await page.reload();
    await page.getByTestId('lesson-title').waitFor();
    expect(Number(await page.getByRole('separator').first().getAttribute('aria-valuenow'))).toBe(after);
    await context.close();
  }, 600_000);

  it('shows the regions as tabs on a narrow screen', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    await page.goto(`${url}#/en/${lessonId}`);
    await page.getByTestId('lesson-title').waitFor();
    expect(await page.getByRole('separator').count()).toBe(0);
    expect(await page.getByTestId('terminal').isVisible()).toBe(false);
    await page.locator('#tab-terminal').click();
    await waitPrompt(page);
    expect(await page.getByTestId('terminal').isVisible()).toBe(true);
    expect(await page.getByTestId('lesson-title').isVisible()).toBe(false);
    // Arrow keys move between the tabs.
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('#tab-side').getAttribute('aria-selected')).toBe('true');
    expect(await page.locator('#side-region').isVisible()).toBe(true);
    await context.close();
  }, 300_000);
});
