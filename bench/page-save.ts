// The learner's machine saved in the page (issue 14), in headless Chromium: what a save costs (the
// machine stopped for save_state, packing the state into chunks in the worker, IndexedDB writes) and
// what it stores, on an idle machine, with nginx pulled, and for a small change after that; and the
// load of a page that resumes the saved machine against one that restores the bundled state. Then the
// lesson steps' snapshots ("Rewind to here"): a snapshot taken at once (as after a pass) and one after a
// container ran, the bytes each adds, and a rewind to the first (the keeper's rewind, then the reload
// onto its pair, to the machine answering).

import type { Browser, Page } from 'playwright-core';
import type { SaveStats } from '../src/app/machine-keeper';

interface BenchWindow {
  dockside?: {
    keeper?: {
      status: { kind: string };
      unsaved: boolean;
      lastSave?: SaveStats;
      snapshot(lesson: string, steps: string[]): Promise<SaveStats | undefined>;
      rewind(lesson: string, step: string): Promise<unknown>;
    }; machine?: { resumed?: unknown; phases?: { readMs: number; unpackMs: number; bootMs: number } }; readyAt?: number };
}

export interface PageSaveBench {
  idle: SaveStats;
  nginx: SaveStats;
  /** A small change (a file in /root) after nginx: only the chunks that changed. */
  again: SaveStats;
  /** IndexedDB and the rest of the origin's storage (navigator.storage.estimate) after each. */
  usage: { idle: number; nginx: number; again: number };
  /** Navigation to the machine answering (the engine started), ms. */
  bundled: number[];
  resumed: number[];
  resumedOk: boolean;
  /** A snapshot right after the 'again' save (nothing ran since), and one after a container ran. */
  snapshotAtOnce: SaveStats;
  snapshotAfterRun: SaveStats;
  /** The keeper's rewind (pointer flip), and the reload onto the snapshot to the machine answering, ms. */
  rewind: { flipMs: number; loadMs: number; resumed: boolean };
  /** The last resume's steps. */
  phases?: { readMs: number; unpackMs: number; bootMs: number };
}

async function typeAndSave(page: Page, command: string): Promise<{ stats: SaveStats; usage: number }> {
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(`${command}\n`);
  // The save starts once the prompt is back and the console has been quiet; wait for one that began after this command.
  await page.waitForFunction(() => (window as BenchWindow).dockside?.keeper?.unsaved === true, undefined, { timeout: 60_000, polling: 50 });
  await page.waitForFunction(
    () => {
      const keeper = (window as BenchWindow).dockside?.keeper;
      return keeper?.status.kind === 'saved' && !keeper.unsaved;
    },
    undefined,
    { timeout: 600_000, polling: 100 },
  );
  return page.evaluate(async () => ({ stats: (window as BenchWindow).dockside?.keeper?.lastSave as SaveStats, usage: (await navigator.storage.estimate()).usage ?? 0 }));
}

/** Takes a snapshot of the machine as it is (what a passed step does). */
async function snapshot(page: Page, step: string): Promise<SaveStats> {
  const stats = await page.evaluate((name) => (window as BenchWindow).dockside?.keeper?.snapshot('bench/lesson', [name]), step);
  if (!stats) throw new Error('the snapshot was not saved');
  return stats;
}

async function readyAt(page: Page): Promise<number> {
  await page.waitForFunction(() => (window as BenchWindow).dockside?.readyAt !== undefined, undefined, { timeout: 120_000, polling: 50 });
  return page.evaluate(() => (window as BenchWindow).dockside?.readyAt ?? -1);
}

export async function benchPageSave(browser: Browser, url: string, runs: number): Promise<PageSaveBench> {
  const bundled: number[] = [];
  const resumed: number[] = [];
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(`${url}?lesson=none`);
    bundled.push(await readyAt(page));
    await page.locator('.xterm-rows', { hasText: 'root@dockside:~#' }).waitFor({ timeout: 60_000 });
    const idle = await typeAndSave(page, 'echo idle > /root/idle');
    const nginx = await typeAndSave(page, 'docker pull nginx >/dev/null');
    const again = await typeAndSave(page, 'echo again > /root/again');
    const snapshotAtOnce = await snapshot(page, 'a');
    await page.keyboard.type('docker run --rm busybox true; echo ran=$?\n');
    await page.locator('.xterm-rows', { hasText: 'ran=0' }).waitFor({ timeout: 120_000 });
    const snapshotAfterRun = await snapshot(page, 'b');
    const flipMs = await page.evaluate(async () => {
      const started = performance.now();
      await (window as BenchWindow).dockside?.keeper?.rewind('bench/lesson', 'a');
      return performance.now() - started;
    });
    await page.reload();
    const rewind = { flipMs, loadMs: await readyAt(page), resumed: await page.evaluate(() => (window as BenchWindow).dockside?.machine?.resumed !== undefined) };
    let resumedOk = true;
    for (let i = 0; i < runs; i++) {
      await page.reload();
      resumed.push(await readyAt(page));
      resumedOk &&= await page.evaluate(() => (window as BenchWindow).dockside?.machine?.resumed !== undefined);
    }
    for (let i = 1; i < runs; i++) {
      const fresh = await browser.newContext();
      const other = await fresh.newPage();
      await other.goto(`${url}?lesson=none`);
      bundled.push(await readyAt(other));
      await fresh.close();
    }
    const phases = await page.evaluate(() => (window as BenchWindow).dockside?.machine?.phases);
    return { phases, snapshotAtOnce, snapshotAfterRun, rewind, idle: idle.stats, nginx: nginx.stats, again: again.stats, usage: { idle: idle.usage, nginx: nginx.usage, again: again.usage }, bundled, resumed, resumedOk };
  } finally {
    await context.close();
  }
}
