// The site in a real browser: it restores the guest, shows a root prompt in the terminal, and runs
// what the learner types. A corrupted download is reported with a retry, never a blank terminal.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { buildAndServe, chromiumAvailable, launchChromium } from '../helpers/site';

if (!chromiumAvailable && process.env.CI) throw new Error('CI must have /usr/bin/chromium (apt-get install chromium)');

const terminalText = (page: Page): Promise<string> => page.locator('.xterm-rows').innerText();

describe.runIf(chromiumAvailable)('the page', () => {
  let browser: Browser;
  let server: PreviewServer;
  let url: string;

  beforeAll(async () => {
    ({ url, server } = await buildAndServe());
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('restores the guest and runs a command typed at the prompt', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('.xterm-rows', { hasText: 'root@dockside:~#' }).waitFor({ timeout: 30_000 });
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('uname -m\n');
    await page.locator('.xterm-rows', { hasText: 'i686' }).waitFor({ timeout: 10_000 });
    expect(await terminalText(page)).toMatch(/uname -m\s+i686/);
    await page.close();
  });

  it('runs docker in the guest shell, pulling from the built-in registry in the page', async () => {
    const page = await browser.newPage();
    await page.goto(url);
    await page.locator('.xterm-rows', { hasText: 'root@dockside:~#' }).waitFor({ timeout: 30_000 });
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('docker run --rm busybox echo hello-from-$((6*7)); echo status=$?\n');
    await page.locator('.xterm-rows', { hasText: 'status=0' }).waitFor({ timeout: 60_000 });
    const text = await terminalText(page);
    expect(text).toContain("Unable to find image 'busybox:latest' locally");
    expect(text).toContain('Status: Downloaded newer image for busybox:latest');
    expect(text).toContain('hello-from-42');
    await page.close();
  });

  it('reports a checksum mismatch and recovers on retry', async () => {
    const page = await browser.newPage();
    let corrupt = true;
    await page.route(/state\..*zst$/, async (route) => {
      const response = await route.fetch();
      const body = await response.body();
      if (corrupt) body[body.length - 1] ^= 0xff;
      await route.fulfill({ response, body });
    });
    await page.goto(url);
    await page.getByRole('alert').waitFor({ timeout: 30_000 });
    expect(await page.getByRole('alert').innerText()).toContain('checksum mismatch');
    corrupt = false;
    await page.getByRole('button', { name: 'Try again' }).click();
    await page.locator('.xterm-rows', { hasText: 'root@dockside:~#' }).waitFor({ timeout: 30_000 });
    await page.close();
  });
});
