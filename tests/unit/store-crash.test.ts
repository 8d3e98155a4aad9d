// A write interrupted at any step leaves the old state or the new one: simulated with fault hooks
// that throw between the steps of a write, and for FileStore also with a real process killed by
// SIGKILL in the middle of a stream of updates.

import 'fake-indexeddb/auto';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { digestOf } from '../../src/go/digest';
import { MemoryStore, type FaultHook, type Store } from '../../src/engine/store';
import { FileStore } from '../../src/node/file-store';
import { IdbStore } from '../../src/app/idb-store';

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

async function temporaryDirectory(): Promise<string> {
  const directory = await mkdtemp(join(tmpdir(), 'dockside-crash-'));
  directories.push(directory);
  return directory;
}

class SimulatedCrash extends Error {}

/** A fault hook that "crashes" the first time the named step is reached. */
function crashAt(step: string): FaultHook {
  return (reached) => {
    if (reached === step) throw new SimulatedCrash(`crash at ${step}`);
  };
}

async function seed(store: Store): Promise<void> {
  await store.metadata.update((tx) => {
    tx.put('images/old', { id: 'old' });
    tx.put('tags/busybox:latest', 'old');
  });
}

/** The pull that the crash interrupts: three keys change together. */
function pullNew(store: Store): Promise<void> {
  return store.metadata.update((tx) => {
    tx.put('images/new', { id: 'new' });
    tx.put('tags/busybox:latest', 'new');
    tx.delete('images/old');
  });
}

const oldState = { images: ['images/old'], tag: 'old' };
const newState = { images: ['images/new'], tag: 'new' };

async function stateOf(store: Store): Promise<{ images: string[]; tag: unknown }> {
  return { images: await store.metadata.keys('images/'), tag: await store.metadata.get('tags/busybox:latest') };
}

describe('FileStore, crashing between the steps of a write', () => {
  it('before the metadata rename: reopening sees the old state, and no leftovers', async () => {
    const root = await temporaryDirectory();
    await seed(await FileStore.open(root));
    const crashing = await FileStore.open(root, { fault: crashAt('metadata:temp-written') });
    await expect(pullNew(crashing)).rejects.toBeInstanceOf(SimulatedCrash);
    const reopened = await FileStore.open(root);
    expect(await stateOf(reopened)).toEqual(oldState);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('after the metadata rename: reopening sees the whole new state', async () => {
    const root = await temporaryDirectory();
    await seed(await FileStore.open(root));
    const crashing = await FileStore.open(root, { fault: crashAt('metadata:renamed') });
    await expect(pullNew(crashing)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(await stateOf(await FileStore.open(root))).toEqual(newState);
  });

  it('before a blob rename: the blob is absent and its temporary file is cleaned up', async () => {
    const root = await temporaryDirectory();
    const crashing = await FileStore.open(root, { fault: crashAt('blob:temp-written') });
    const bytes = new TextEncoder().encode('layer bytes');
    await expect(crashing.blobs.put(digestOf(bytes), bytes)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(await readdir(join(root, 'tmp'))).toHaveLength(1);
    const reopened = await FileStore.open(root);
    expect(await reopened.blobs.has(digestOf(bytes))).toBe(false);
    expect(await readdir(join(root, 'tmp'))).toEqual([]);
  });

  it('refuses to open a damaged metadata file instead of starting empty', async () => {
    const root = await temporaryDirectory();
    await seed(await FileStore.open(root));
    await writeFile(join(root, 'metadata.json'), '{"version":1,"documents":{"imag');
    await expect(FileStore.open(root)).rejects.toThrow(/metadata\.json is not valid JSON/);
  });
});

describe('FileStore, killed with SIGKILL in the middle of updates', () => {
  // The child writes, in each update, the same counter under `a` and `b` and adds one `items/`
  // key, and puts a blob first; however it is killed, a === b === number of items, and every
  // stored blob verifies. It reports each committed update; the kill comes once it has committed a
  // given number (counted, not timed, so a slow machine kills it as deep into its work), while it is
  // busy with the next ones, and what it committed is still there.
  const storeModule = resolve(import.meta.dirname, '../../src/node/file-store.ts');
  const digestModule = resolve(import.meta.dirname, '../../src/go/digest.ts');
  const child = `
    import { FileStore } from ${JSON.stringify(storeModule)};
    import { digestOf } from ${JSON.stringify(digestModule)};
    const store = await FileStore.open(process.argv[2]);
    process.stdout.write('ready\\n');
    for (let n = 1; ; n++) {
      const bytes = new TextEncoder().encode('blob ' + n + ' ' + 'x'.repeat(n * 97 % 50000));
      await store.blobs.put(digestOf(bytes), bytes);
      await store.metadata.update((tx) => {
        tx.put('a', n);
        tx.put('items/' + String(n).padStart(6, '0'), 'y'.repeat(n % 300));
        tx.put('b', n);
      });
      process.stdout.write(n + '\\n');
    }
  `;

  it.each([1, 8, 40])('killed after %i committed updates, it reopens consistent', async (committed) => {
    const root = await temporaryDirectory();
    const script = join(root, '..', `${root.split('/').pop()}-child.mts`);
    await writeFile(script, child);
    const process = spawn('node', ['--import', 'tsx', script, root], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((ready, fail) => {
      let text = '';
      process.stdout.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        const lines = text.split('\n');
        if (Number(lines.at(-2)) >= committed) ready();
      });
      process.once('exit', (code) => fail(new Error(`child exited early with ${code}`)));
    });
    const exited = new Promise((done) => process.once('exit', done));
    process.kill('SIGKILL');
    await exited;
    await rm(script, { force: true });

    const reopened = await FileStore.open(root);
    const a = (await reopened.metadata.get('a')) ?? 0;
    const b = (await reopened.metadata.get('b')) ?? 0;
    expect(a).toBe(b);
    expect(a).toBeGreaterThanOrEqual(committed);
    expect(await reopened.metadata.keys('items/')).toHaveLength(a as number);
    for (const digest of await reopened.blobs.list()) await reopened.blobs.get(digest);
  });
});

describe('MemoryStore, failing at commit', () => {
  it('keeps the old state', async () => {
    let armed = false;
    const store = new MemoryStore({ fault: (step) => {
      if (armed && step === 'metadata:before-commit') throw new SimulatedCrash();
    } });
    await seed(store);
    armed = true;
    await expect(pullNew(store)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(await stateOf(store)).toEqual(oldState);
  });
});

describe('IdbStore, a transaction aborted after its first write', () => {
  it('keeps the old state, also for a store opened afresh', async () => {
    let armed = false;
    const store = new IdbStore('dockside-crash', { fault: (step) => {
      if (armed && step === 'metadata:partly-written') throw new SimulatedCrash();
    } });
    await seed(store);
    armed = true;
    await expect(pullNew(store)).rejects.toBeInstanceOf(SimulatedCrash);
    expect(await stateOf(store)).toEqual(oldState);
    expect(await stateOf(new IdbStore('dockside-crash'))).toEqual(oldState);
    armed = false;
    await pullNew(store);
    expect(await stateOf(new IdbStore('dockside-crash'))).toEqual(newState);
  });
});
