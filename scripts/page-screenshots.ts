// Screenshots of the tutorial page for a human to look at: desktop (1366x800) and phone (390x844), in
// Chinese and English, the start page and a lesson (and, on the phone, its terminal and lesson map tabs).
//   node --import tsx scripts/page-screenshots.ts OUT_DIR [LESSON_ID]
// LESSON_ID defaults to the first lesson of the course map.

import { mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { buildAndServe, chromiumAvailable, CHROMIUM, launchChromium } from '../tests/helpers/site';

const [outArg, lessonArg] = process.argv.slice(2);
if (!outArg) {
  console.error('usage: node --import tsx scripts/page-screenshots.ts OUT_DIR [LESSON_ID]');
  process.exit(2);
}
if (!chromiumAvailable) {
  console.error(`${CHROMIUM} is not installed (apt-get install chromium)`);
  process.exit(1);
}
const out = resolve(outArg);
mkdirSync(out, { recursive: true });

const viewports = { desktop: { width: 1366, height: 800 }, phone: { width: 390, height: 844 } } as const;
const prompt = (page: Page): Promise<void> => page.locator('.xterm-rows', { hasText: 'root@dockside:~#' }).waitFor({ timeout: 90_000 });

const build = await mkdtemp(join(tmpdir(), 'dockside-shots-'));
const { url, server } = await buildAndServe(build);
const browser = await launchChromium();
const written: string[] = [];
try {
  for (const [device, viewport] of Object.entries(viewports)) {
    const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
    const page = await context.newPage();
    page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
    for (const lang of ['zh', 'en'] as const) {
      const shot = async (name: string): Promise<void> => {
        const file = join(out, `${device}-${lang}-${name}.png`);
        await page.screenshot({ path: file });
        written.push(file);
      };
      await page.goto(`${url}#/${lang}`);
      if (device === 'desktop') await prompt(page);
      await page.locator('h1').first().waitFor();
      await shot('start');
      let lesson: string | undefined = lessonArg;
      if (!lesson) {
        await page.getByTestId('course-map-toggle').click();
        await shot('course-map');
        lesson = (await page.getByTestId('lesson-link').first().getAttribute('data-lesson')) ?? undefined;
        await page.keyboard.press('Escape');
      }
      if (!lesson) continue;
      await page.goto(`${url}#/${lang}/${lesson}`);
      await page.getByTestId('lesson-title').waitFor();
      if (device === 'desktop') await prompt(page);
      await shot('lesson');
      if (device === 'phone') {
        await page.locator('#tab-terminal').click();
        await prompt(page);
        await shot('terminal');
        await page.locator('#tab-side').click();
        await shot('map');
        await page.locator('#tab-lesson').click();
      }
    }
    await context.close();
  }
} finally {
  await browser.close();
  await server.close();
  await rm(build, { recursive: true, force: true });
}
console.log(written.join('\n'));
