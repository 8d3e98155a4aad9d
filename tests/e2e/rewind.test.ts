// "Rewind to here" (issue 14) in Chromium, on a fixture lesson (tests/fixtures/rewind-lessons): step A
// writes /root/a.txt, step B makes the container rewind-b; each pass keeps a snapshot. After later work
// (/root/later.txt), a rewind to A, done with the keyboard only, asks first, then the page comes back
// on A's machine and engine: a.txt is there, later.txt and rewind-b are gone, B is to do again, and the
// terminal says it rewound. The costs (snapshot time and bytes, rewind to the prompt) are printed.
//
// DOCKSIDE_SHOTS_DIR=dir also writes screenshots of the lesson pane with the control (desktop and
// phone, zh and en).

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { projectRoot } from '../../src/node/artifacts';
import { CHROMIUM, buildAndServe, chromiumAvailable, launchChromium } from '../helpers/site';
import { required } from '../helpers/requirements';

const present = required(chromiumAvailable, `${CHROMIUM} (apt-get install chromium)`, 'the browser test of rewinding to a lesson step');
const lessonId = '01-rewind/01-steps';
const shots = process.env.DOCKSIDE_SHOTS_DIR;

interface PageWindow {
  dockside?: {
    keeper?: { status: { kind: string }; unsaved: boolean; lastSave?: Record<string, number> & { snapshots: { snapshots: unknown[]; bytes: number } } };
    machine?: { resumed?: unknown };
    readyAt?: number;
  };
}

const step = (page: Page, id: string) => page.locator(`[data-testid="lesson-step"][data-step="${id}"]`);

async function type(page: Page, text: string): Promise<void> {
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(text);
}

async function run(page: Page, command: string, until: RegExp, timeout = 120_000): Promise<string> {
  await type(page, `${command}\n`);
  await page.waitForFunction((source) => new RegExp(source).test(document.querySelector('.xterm-rows')?.textContent ?? ''), until.source, { timeout, polling: 250 });
  return page.locator('.xterm-rows').innerText();
}

/** The keeper's last save once it holds `count` snapshots (the snapshot of a pass is a save). */
async function snapshotSaved(page: Page, count: number): Promise<Record<string, number> & { snapshotBytes: number }> {
  await page.waitForFunction((n) => ((window as PageWindow).dockside?.keeper?.lastSave?.snapshots.snapshots.length ?? 0) >= n, count, { timeout: 120_000, polling: 100 });
  return page.evaluate(() => {
    const save = (window as PageWindow).dockside?.keeper?.lastSave;
    const { snapshots, ...numbers } = save ?? { snapshots: { bytes: -1 } };
    return { ...(numbers as Record<string, number>), snapshotBytes: snapshots.bytes };
  });
}

describe.runIf(present)('Rewind to here', () => {
  let browser: Browser;
  let server: PreviewServer;
  let url: string;
  let outDir: string | undefined;

  beforeAll(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'dockside-rewind-e2e-'));
    const before = process.env.DOCKSIDE_LESSONS_DIR;
    process.env.DOCKSIDE_LESSONS_DIR = join(projectRoot, 'tests/fixtures/rewind-lessons');
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

  it('takes the machine and the engine back to a passed step, after asking', async () => {
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1366, height: 800 } });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.accept();
    });
    try {
      await page.goto(`${url}#/en/${lessonId}`);
      await page.locator('.xterm-rows', { hasText: 'root@dockside:~#' }).waitFor({ timeout: 90_000 });
      await step(page, 'step-a').and(page.locator('[data-state="todo"]')).waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('rewind-step').count()).toBe(0);

      // Step A passes: a snapshot, and its "Rewind to here".
      await type(page, 'echo a > /root/a.txt\n');
      await step(page, 'step-a').and(page.locator('[data-state="done"]')).waitFor({ timeout: 60_000 });
      const first = await snapshotSaved(page, 1);
      console.log(`snapshot after step A: ${JSON.stringify(first)}`);
      await step(page, 'step-a').getByTestId('rewind-step').waitFor({ timeout: 30_000 });
      // Step B passes: a container in the engine.
      await type(page, 'docker run --name rewind-b busybox true\n');
      await step(page, 'step-b').and(page.locator('[data-state="done"]')).waitFor({ timeout: 120_000 });
      const second = await snapshotSaved(page, 2);
      console.log(`snapshot after step B: ${JSON.stringify(second)}`);
      expect(second.freshChunks).toBeLessThan(second.chunks); // only what changed is written
      await step(page, 'step-b').getByTestId('rewind-step').waitFor({ timeout: 30_000 });
      expect(await page.getByTestId('rewind-points').locator('summary').innerText()).toMatch(/Rewind points\s*2/);

      if (shots) {
        for (const [name, viewport] of [['desktop', { width: 1366, height: 800 }], ['phone', { width: 390, height: 844 }]] as const) {
          await page.setViewportSize(viewport);
          for (const lang of ['en', 'zh'] as const) {
            await page.evaluate((hash) => (location.hash = hash), `#/${lang}/${lessonId}`);
            await step(page, 'step-a').getByTestId('rewind-step').waitFor();
            await step(page, 'step-a').getByTestId('rewind-step').focus();
            await page.screenshot({ path: join(shots, `rewind-${name}-${lang}.png`) });
          }
          await page.getByTestId('rewind-points').locator('summary').click();
          await page.screenshot({ path: join(shots, `rewind-points-${name}-zh.png`) });
          await page.getByTestId('rewind-points').locator('summary').click();
        }
        await page.setViewportSize({ width: 1366, height: 800 });
        await page.evaluate((hash) => (location.hash = hash), `#/en/${lessonId}`);
      }

      // Later work, then back to A with the keyboard only.
      await run(page, 'echo later > /root/later.txt; echo wrote=$?', /wrote=0/);
      const rewind = step(page, 'step-a').getByTestId('rewind-step');
      expect(await rewind.innerText()).toContain('Rewind to here');
      await rewind.focus();
      const pressed = Date.now();
      await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.keyboard.press('Enter')]);
      expect(dialogs).toHaveLength(1);
      expect(dialogs[0]).toMatch(/is lost/);
      await page.locator('.xterm-rows', { hasText: 'rewound to the machine as it was when' }).waitFor({ timeout: 90_000 });
      await page.waitForFunction(() => (window as PageWindow).dockside?.readyAt !== undefined, undefined, { timeout: 90_000 });
      console.log(`rewind to the prompt: ${Date.now() - pressed} ms`);
      if (shots) await page.screenshot({ path: join(shots, 'rewound-desktop-en.png') });
      expect(await page.evaluate(() => (window as PageWindow).dockside?.machine?.resumed !== undefined)).toBe(true);

      const text = await run(page, 'echo "L=$(cat /root/later.txt 2>/dev/null || echo gone) A=$(cat /root/a.txt) C=$(docker ps -aq --filter name=rewind-b | wc -l) end"', /L=\S+ A=\S* C=\d+ end/);
      expect(text).toMatch(/L=gone A=a C=0 end/);
      // A stays done with its rewind point; B is to do again and has none.
      await step(page, 'step-a').and(page.locator('[data-state="done"]')).waitFor({ timeout: 30_000 });
      expect(await step(page, 'step-b').getAttribute('data-state')).toBe('todo');
      await step(page, 'step-a').getByTestId('rewind-step').waitFor({ timeout: 30_000 });
      expect(await step(page, 'step-b').getByTestId('rewind-step').count()).toBe(0);
      // Doing B again passes it again, on the rewound machine.
      await type(page, 'docker run --name rewind-b busybox true\n');
      await step(page, 'step-b').and(page.locator('[data-state="done"]')).waitFor({ timeout: 120_000 });
    } finally {
      await context.close();
    }
  }, 900_000);
});
