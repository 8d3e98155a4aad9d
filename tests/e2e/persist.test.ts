// Nothing is lost on reload (issue 14), in Chromium: a file in /root, a volume's content, a running
// nginx (still answering), and the terminal's last output are all there after the page reloads, as
// the machine and the engine's store are resumed together from IndexedDB. Reset machine goes back to
// the bundled machine; a saved machine of another guest build is not resumed (said once); a browser
// that refuses to store (quota) is said once and the terminal keeps working.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { PreviewServer } from 'vite';
import { CHROMIUM, buildAndServe, chromiumAvailable, launchChromium } from '../helpers/site';
import { readCourse } from '../../src/lessons/course-files';
import { projectRoot } from '../../src/node/artifacts';
import { required } from '../helpers/requirements';

const present = required(chromiumAvailable, `${CHROMIUM} (apt-get install chromium)`, 'the browser test of the saved machine');

interface PageWindow {
  dockside?: {
    keeper?: { status: { kind: string }; unsaved: boolean; lastSave?: Record<string, number>; save(): Promise<unknown> };
    machine?: { resumed?: unknown; fallback?: string; startMs: number; phases?: unknown };
  };
}

const terminalText = (page: Page): Promise<string> => page.locator('.xterm-rows').innerText();

async function type(page: Page, text: string): Promise<void> {
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(text);
}

/** Types a command and waits until its output matches (the viewport's text). */
async function run(page: Page, command: string, until: RegExp, timeout = 120_000): Promise<string> {
  await type(page, `${command}\n`);
  await page.waitForFunction((source) => new RegExp(source).test(document.querySelector('.xterm-rows')?.textContent ?? ''), until.source, { timeout, polling: 250 });
  return terminalText(page);
}

/** Waits until the machine has been saved with nothing changed since. */
async function saved(page: Page): Promise<Record<string, number>> {
  await page.waitForFunction(() => {
    const keeper = (window as PageWindow).dockside?.keeper;
    return keeper?.status.kind === 'saved' && !keeper.unsaved;
  }, undefined, { timeout: 120_000, polling: 250 });
  return page.evaluate(() => ({ ...(window as PageWindow).dockside?.keeper?.lastSave }));
}

/** After a load: the machine is up (resumed or not) and the engine serves docker. */
async function started(page: Page): Promise<{ resumed: boolean; fallback?: string; startMs: number; phases?: unknown }> {
  await page.waitForFunction(() => (window as PageWindow).dockside?.machine !== undefined, undefined, { timeout: 120_000, polling: 100 });
  return page.evaluate(() => {
    const machine = (window as PageWindow).dockside?.machine;
    return { resumed: machine?.resumed !== undefined, fallback: machine?.fallback, startMs: machine?.startMs ?? -1, phases: machine?.phases };
  });
}

describe.runIf(present)('the saved machine in the page', () => {
  let browser: Browser;
  let server: PreviewServer;
  let url: string;
  let outDir: string | undefined;

  beforeAll(async () => {
    // Its own build directory: the other browser tests build theirs at the same time.
    outDir = await mkdtemp(join(tmpdir(), 'dockside-persist-e2e-'));
    ({ url, server } = await buildAndServe(outDir));
    browser = await launchChromium();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (outDir) await rm(outDir, { recursive: true, force: true });
  });

  describe('reload, reset, another build', () => {
    let context: BrowserContext;
    let page: Page;
    beforeAll(async () => {
      context = await browser.newContext();
      page = await context.newPage();
      await page.goto(`${url}?lesson=none`);
      await page.locator('.xterm-rows', { hasText: 'root@dockside:~#' }).waitFor({ timeout: 60_000 });
      expect(await started(page)).toMatchObject({ resumed: false });
    }, 300_000);
    afterAll(async () => {
      await context?.close();
    });

    it('resumes files, volumes, a running nginx and the terminal after a reload', async () => {
      await run(
        page,
        "mkdir -p /root/app && echo hi > /root/app/x && docker volume create keepme >/dev/null && docker run --rm -v keepme:/d busybox sh -c 'echo precious > /d/f' && docker run -d --name web nginx >/dev/null; echo setup=$?",
        /setup=\d/,
        240_000,
      );
      expect(await terminalText(page)).toContain('setup=0');
      const save = await saved(page);
      console.log(`saved with nginx running: ${JSON.stringify(save)}`);
      expect(save.bytesHeld).toBeGreaterThan(0);

      await page.reload();
      const resumed = await started(page);
      console.log(`resumed in ${Math.round(resumed.startMs)} ms: ${JSON.stringify(resumed.phases)}`);
      expect(resumed).toMatchObject({ resumed: true });
      // The last session's output is shown again.
      await page.locator('.xterm-rows', { hasText: 'setup=0' }).waitFor({ timeout: 10_000 });
      const text = await run(
        page,
        "clear; echo \"R1=$(cat /root/app/x) R2=$(docker run --rm -v keepme:/d busybox cat /d/f) R3=$(docker ps --format '{{.Names}}:{{.Status}}') R4=$(wget -qO- $(docker inspect -f '{{.NetworkSettings.IPAddress}}' web) | grep -c 'nginx is running') end\"",
        /R1=[^$]* end/,
      );
      expect(text).toMatch(/R1=hi R2=precious R3=web:Up [^\n]*? R4=[1-9] end/);
      // The next save writes only what changed.
      const next = await saved(page);
      console.log(`saved again after the reload: ${JSON.stringify(next)}`);
      expect(next.freshChunks).toBeLessThan(next.chunks);
    }, 600_000);

    it('Reset machine says what is lost, asks, and brings back the bundled machine', async () => {
      const dialogs: string[] = [];
      page.once('dialog', (dialog) => {
        dialogs.push(dialog.message());
        void dialog.accept();
      });
      const reset = page.getByTestId('reset-machine');
      await reset.focus(); // keyboard reachable
      await Promise.all([page.waitForEvent('load', { timeout: 60_000 }), page.keyboard.press('Enter')]);
      expect(dialogs).toHaveLength(1);
      expect(dialogs[0]).toMatch(/lose|丢失/);
      expect(dialogs[0]).toMatch(/volume|卷/);
      expect(await started(page)).toMatchObject({ resumed: false });
      await page.locator('.xterm-rows', { hasText: 'root@dockside:~#' }).waitFor({ timeout: 60_000 });
      const text = await run(page, 'echo "A=$(ls /root/app 2>&1 | wc -l) V=$(docker volume ls -q | wc -l) C=$(docker ps -aq | wc -l) done"', /A=\d+ V=\d+ C=\d+ done/);
      expect(text).toMatch(/A=1 V=0 C=0 done/); // ls's "No such file or directory", no volume, no container
      expect(text).not.toContain('setup=0');
    }, 300_000);

    it('does not resume a machine saved by another guest build, and says so once', async () => {
      await run(page, 'echo other > /root/other; echo wrote=$?', /wrote=0/);
      await saved(page);
      await page.evaluate(
        () =>
          new Promise<void>((resolve, reject) => {
            const open = indexedDB.open('dockside-machine');
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const tx = open.result.transaction('machine', 'readwrite');
              const store = tx.objectStore('machine');
              const get = store.get('pointer');
              get.onsuccess = () => store.put({ ...get.result, build: 'an older guest' }, 'pointer');
              tx.oncomplete = () => {
                open.result.close();
                resolve();
              };
              tx.onerror = () => reject(tx.error);
            };
          }),
      );
      await page.reload();
      expect(await started(page)).toMatchObject({ resumed: false, fallback: 'other-build' });
      await page.locator('.xterm-rows', { hasText: 'root@dockside:~#' }).waitFor({ timeout: 60_000 });
      const text = await terminalText(page);
      expect(text.match(/another version of the Docker host|另一个版本的 Docker 宿主机/g)).toHaveLength(1);
      expect(await run(page, 'ls /root/other; echo listed=$?', /listed=\d/)).toContain('listed=1');
    }, 300_000);

    it('resumes in the tutorial page too, whose header has Reset machine in the page language', async () => {
      await run(page, 'echo tutorial > /root/t; echo wrote=$?', /wrote=0/);
      await saved(page);
      await page.goto(`${url}#/zh`);
      expect(await started(page)).toMatchObject({ resumed: true });
      const reset = page.locator('header').getByTestId('reset-machine');
      expect(await reset.innerText()).toBe('重置机器');
      await page.getByRole('heading', { level: 1 }).first().waitFor();
      await page.locator('.xterm-rows', { hasText: 'wrote=0' }).waitFor({ timeout: 10_000 });
      // A lesson's Run button types into the resumed machine's shell and its command runs.
      const first = readCourse(join(projectRoot, 'lessons')).index.parts.flatMap((part) => part.lessons)[0];
      if (first) {
        await page.goto(`${url}#/en/${first.id}`);
        const button = page.getByTestId('run-command').first();
        const commands = JSON.parse((await button.getAttribute('data-commands')) ?? '[]') as string[];
        await button.click();
        await page.locator('.xterm-rows', { hasText: commands[0] }).waitFor({ timeout: 60_000 });
      }
      expect(await run(page, 'echo "T=$(cat /root/t)"', /T=tutorial/)).toContain('T=tutorial');
    }, 300_000);
  });

  it('saves from one tab only: a second tab of the same machine says its changes are not saved', async () => {
    const context = await browser.newContext();
    try {
      const first = await context.newPage();
      await first.goto(`${url}?lesson=none`);
      await first.locator('.xterm-rows', { hasText: 'root@dockside:~#' }).waitFor({ timeout: 60_000 });
      const second = await context.newPage();
      await second.goto(`${url}?lesson=none`);
      await second.getByTestId('other-tab').waitFor({ timeout: 60_000 });
      expect(await second.getByTestId('machine-status').getAttribute('data-status')).toBe('other-tab');
      expect(await first.getByTestId('other-tab').count()).toBe(0);
      expect(await first.getByTestId('machine-status').getAttribute('data-status')).not.toBe('other-tab');
    } finally {
      await context.close();
    }
  }, 300_000);

  it('says once that the browser refused to store the machine, and the terminal keeps working', async () => {
    const context = await browser.newContext();
    await context.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
        if (typeof key === 'string' && key.startsWith('state:')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.call(this, value, key);
      };
    });
    const page = await context.newPage();
    try {
      await page.goto(`${url}?lesson=none`);
      await page.locator('.xterm-rows', { hasText: 'root@dockside:~#' }).waitFor({ timeout: 60_000 });
      await run(page, 'echo one > /root/one; echo first=$?', /first=0/);
      await page.getByTestId('storage-refused').waitFor({ timeout: 60_000 });
      expect(await page.getByTestId('storage-refused').innerText()).toMatch(/refused to save this machine|拒绝保存这台机器/);
      // Another save, refused again: still one message.
      await page.evaluate(() => (window as PageWindow).dockside?.keeper?.save().catch(() => undefined));
      expect(await page.getByTestId('storage-refused').count()).toBe(1);
      expect(await page.getByTestId('machine-status').getAttribute('data-status')).toBe('refused');
      expect(await run(page, 'echo works-$((6*7)) $(cat /root/one)', /works-42 one/)).toContain('works-42 one');
      await page.getByTestId('storage-refused').getByRole('button').click();
      expect(await page.getByTestId('storage-refused').count()).toBe(0);
    } finally {
      await context.close();
    }
  }, 300_000);
});
