// The site in a real browser: it restores the guest, shows a root prompt in the terminal, and runs
// what the learner types. A corrupted download is reported with a retry, never a blank terminal.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/node/artifacts';
import type { Browser, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { CHROMIUM, buildAndServe, chromiumAvailable, launchChromium } from '../helpers/site';
import { required } from '../helpers/requirements';

const present = required(chromiumAvailable, `${CHROMIUM} (apt-get install chromium)`, 'the browser test of the page');

const layout = join(projectRoot, 'vm-images', 'images', 'dist');
const busybox = (JSON.parse(readFileSync(join(layout, 'index.json'), 'utf8')) as { manifests: { digest: string; mediaType: string; annotations: Record<string, string> }[] }).manifests.find(
  (m) => m.annotations['org.opencontainers.image.ref.name'] === 'docker.io/library/busybox:latest',
);

const terminalText = (page: Page): Promise<string> => page.locator('.xterm-rows').innerText();

describe.runIf(present)('the page', () => {
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

  it('lists the offline images, and pulls an image the bundle lacks from Docker Hub through the proxy', async () => {
    if (!busybox) throw new Error('the bundled layout has no busybox');
    const page = await browser.newPage();
    const proxied: string[] = [];
    const cors = { 'access-control-allow-origin': '*', 'access-control-allow-headers': 'authorization, accept', 'access-control-expose-headers': 'content-type' };
    // A fake Docker Hub behind the proxy: i386/busybox is served with the bundled busybox's bytes.
    await page.route(/^https:\/\/proxy\.test\//, async (route) => {
      if (route.request().method() === 'OPTIONS') return route.fulfill({ status: 204, headers: cors });
      const target = new URL(route.request().url()).searchParams.get('url') ?? '';
      proxied.push(target);
      if (target.startsWith('https://auth.docker.io/token')) return route.fulfill({ headers: cors, contentType: 'application/json', body: '{"token":"anonymous"}' });
      const match = /^https:\/\/registry-1\.docker\.io\/v2\/i386\/busybox\/(manifests|blobs)\/(.+)$/.exec(target);
      if (!match) return route.fulfill({ status: 404, headers: cors, body: '' });
      const digest = match[1] === 'manifests' && match[2] === 'latest' ? busybox.digest : match[2];
      const file = join(layout, 'blobs', 'sha256', digest.replace(/^sha256:/, ''));
      if (!existsSync(file)) return route.fulfill({ status: 404, headers: cors, body: '' });
      return route.fulfill({ headers: cors, contentType: match[1] === 'manifests' ? busybox.mediaType : 'application/octet-stream', body: readFileSync(file) });
    });
    await page.goto(`${url}?registry-proxy=${encodeURIComponent('https://proxy.test/?url={url}')}`);
    await page.locator('.xterm-rows', { hasText: 'root@dockside:~#' }).waitFor({ timeout: 30_000 });
    const footer = page.getByTestId('offline-images');
    await footer.waitFor({ timeout: 10_000 });
    const listed = await footer.innerText();
    for (const name of ['busybox:latest', 'debian:bookworm', 'debian:latest', 'hello-world:latest', 'nginx:latest', 'redis:latest']) expect(listed).toContain(name);
    expect(listed).toContain('through proxy.test');
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('docker run --rm i386/busybox echo via-$((40+2)); echo status=$?\n');
    await page.locator('.xterm-rows', { hasText: /status=\d/ }).waitFor({ timeout: 60_000 });
    const text = await terminalText(page);
    expect(text).toContain('Status: Downloaded newer image for i386/busybox:latest');
    expect(text).toContain('via-42');
    expect(text).toContain('status=0');
    expect(proxied.some((target) => target.endsWith(`/v2/i386/busybox/manifests/latest`))).toBe(true);
    // The setting outlives the visit, and `?registry-proxy=` turns it off again.
    expect(await page.evaluate(() => localStorage.getItem('dockside.registry-proxy'))).toBe('https://proxy.test/?url={url}');
    await page.goto(`${url}?registry-proxy=`);
    await page.getByTestId('offline-images').waitFor({ timeout: 30_000 });
    expect(await page.getByTestId('offline-images').innerText()).toContain('(offline)');
    expect(await page.evaluate(() => localStorage.getItem('dockside.registry-proxy'))).toBeNull();
    await page.close();
  });
});
