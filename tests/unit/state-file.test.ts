import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadStore, snapshotStore, type MachinePair } from '../../src/app/machine-pair';
import { sha256Hex } from '../../src/go/digest';
import { MemoryStore } from '../../src/engine/store';
import { readStateFile, StateFileError, writeStateFile } from '../../src/node/state-file';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'dockside-state-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function pairWithStore(): Promise<MachinePair> {
  const store = new MemoryStore();
  const blob = new TextEncoder().encode('layer bytes');
  await store.blobs.put(`sha256:${await sha256Hex(blob)}` as const, blob);
  await store.metadata.put('volume/keepme', { name: 'keepme' });
  await store.metadata.put('container/abc', { id: 'abc', state: { status: 'running' } });
  const state = new Uint8Array(300_000).map((_, i) => (i * 7) & 0xff);
  return { state: state.buffer, cursor: { agent: { nextRequest: 812, nextStream: 40 }, processes: 17 }, store: await snapshotStore(store) };
}

describe('the saved machine and store in one file (dockside sh --state)', () => {
  it('reads back what was written, and loads the store into an empty one', async () => {
    const pair = await pairWithStore();
    const path = join(dir, 'm.pair');
    await writeStateFile(path, pair);
    expect(await readdir(dir)).toEqual(['m.pair']); // the temporary file was renamed, none is left
    const read = await readStateFile(path);
    expect(new Uint8Array(read.state)).toEqual(new Uint8Array(pair.state));
    expect(read.cursor).toEqual(pair.cursor);
    const store = new MemoryStore();
    await loadStore(store, read.store);
    expect(await store.metadata.keys()).toEqual(['container/abc', 'volume/keepme']);
    expect(new TextDecoder().decode(await store.blobs.get(pair.store.blobs[0].digest))).toBe('layer bytes');
    await expect(loadStore(store, read.store)).rejects.toThrow(/empty store/);
  });

  it('replaces an older pair whole, and refuses a file that is not one or was cut short', async () => {
    const path = join(dir, 'm.pair');
    await writeFile(path, 'old');
    await expect(readStateFile(path)).rejects.toBeInstanceOf(StateFileError);
    await writeStateFile(path, await pairWithStore());
    const bytes = await readFile(path);
    await writeFile(path, bytes.subarray(0, bytes.byteLength - 10));
    await expect(readStateFile(path)).rejects.toThrow(/truncated/);
  });

  it('refuses a blob whose bytes do not match its digest when the store is loaded', async () => {
    const pair = await pairWithStore();
    pair.store.blobs[0].bytes = new TextEncoder().encode('tampered!!!');
    await expect(loadStore(new MemoryStore(), pair.store)).rejects.toThrow();
  });
});
