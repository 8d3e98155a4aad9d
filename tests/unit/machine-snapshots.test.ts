// The lesson steps' snapshots (issue 14, "Rewind to here") in the page's saved machine
// (fake-indexeddb): a snapshot is a saved pair a step names, sharing its chunks and blobs with the
// current pair and the other snapshots; the oldest go beyond the budget of bytes only snapshots hold;
// nothing a kept pair names is deleted and nothing else stays; rewinding makes a snapshot the pair a
// reload resumes.

import 'fake-indexeddb/auto';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { digestOf } from '../../src/go/digest';
import { MachineSaves, SavedMachineStore, type LoadOutcome, type PairToSave } from '../../src/app/machine-save';
import { CHUNK_SIZE, packState, unpackState, type SavedChunks } from '../../src/app/state-chunks';
import { MachineKeeper } from '../../src/app/machine-keeper';
import { beforeLastLine, rewindTo, takeRewindNote } from '../../src/app/rewind';
import { MemoryProgressStore, Progress } from '../../src/lessons/progress';
import type { GuestCursor } from '../../src/vm/guest';

let counter = 0;
const name = (): string => `machine-snapshots-test-${++counter}`;
const cursor: GuestCursor = { agent: { nextRequest: 1, nextStream: 1 } as GuestCursor['agent'], processes: 1 };

/** Bytes that do not compress, the same for the same seed. */
function noise(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  for (let at = 0, block = 0; at < size; at += 32, block++) out.set(createHash('sha256').update(`${seed}:${block}`).digest().subarray(0, Math.min(32, size - at)), at);
  return out;
}

/** A v86-shaped state of `chunks` 256 KiB chunks of noise, chunk i seeded by seeds[i]. */
function machineState(seeds: number[]): Uint8Array {
  const memory = new Uint8Array(seeds.length * CHUNK_SIZE);
  seeds.forEach((seed, i) => memory.set(noise(CHUNK_SIZE, seed), i * CHUNK_SIZE));
  const info = new TextEncoder().encode(JSON.stringify({ buffer_infos: [{ offset: 0, length: memory.byteLength }] }));
  const start = (16 + info.byteLength + 3) & ~3;
  const out = new Uint8Array(start + memory.byteLength);
  const view = new DataView(out.buffer);
  view.setInt32(0, -2039052682, true);
  view.setInt32(12, info.byteLength, true);
  out.set(info, 16);
  out.set(memory, start);
  return out;
}

/** Saves machines as the keeper does: each save packs against the chunks of the pair saved before it. */
class Saver {
  known: SavedChunks = { chunks: {}, packs: {} };
  pinned: SavedChunks = { chunks: {}, packs: {} };
  constructor(
    readonly saves: MachineSaves,
    readonly store: SavedMachineStore,
  ) {}

  async save(seeds: number[], options: Parameters<MachineSaves['save']>[1] = {}): Promise<Awaited<ReturnType<MachineSaves['save']>> & { state: Uint8Array; freshChunks: number }> {
    const raw = machineState(seeds);
    const state = await packState(raw, this.known, this.pinned);
    const pair: PairToSave = { build: 'b', cursor, metadata: await this.store.snapshotMetadata(), blobs: this.store.blobs.snapshot(), state, console: new Uint8Array(0), atPrompt: true };
    const result = await this.saves.save(pair, options);
    this.store.blobs.persisted(pair.blobs.fresh);
    this.known = state.saved;
    this.pinned = result.snapshots.chunks;
    return { ...result, state: raw, freshChunks: state.freshChunks };
  }
}

async function keysOf(database: string): Promise<string[]> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(database);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const keys = await new Promise<string[]>((resolve, reject) => {
    const request = db.transaction('machine').objectStore('machine').getAllKeys();
    request.onsuccess = () => resolve(request.result.map(String));
    request.onerror = () => reject(request.error);
  });
  db.close();
  return keys;
}

async function loadedState(loaded: LoadOutcome): Promise<Uint8Array> {
  if (loaded.kind !== 'saved') throw new Error(`not saved: ${loaded.kind}`);
  return unpackState(loaded.record.state.layout, loaded.head, loaded.record.state.saved, loaded.packs);
}

const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

describe('snapshots of lesson steps', () => {
  it('costs only the chunks that changed, and rewinding resumes the step’s machine and store', async () => {
    const database = name();
    const saves = MachineSaves.open(database);
    const store = await SavedMachineStore.create(saves);
    const saver = new Saver(saves, store);
    // 16 chunks (4 MiB); step A passes with it.
    const base = Array.from({ length: 16 }, (_, i) => i + 1);
    const layer = new TextEncoder().encode('a layer step A pulled');
    await store.blobs.put(digestOf(layer), layer);
    const first = await saver.save(base, { snapshotOf: [{ lesson: 'l1', step: 'a' }] });
    expect(first.snapshots.snapshots.map((s) => s.step)).toEqual(['a']);
    expect(first.snapshots.bytes).toBe(0); // the snapshot is the current pair: it costs nothing more
    // Later work changes two chunks and removes the layer; the next save is no snapshot.
    await store.blobs.delete(digestOf(layer));
    const laterSeeds = base.map((seed, i) => (i < 2 ? seed + 100 : seed));
    const later = await saver.save(laterSeeds);
    // What only the snapshot holds now: its head, the pack of its two old chunks (repacked away from
    // the current pair) at most, and the layer.
    expect(later.snapshots.bytes).toBeGreaterThan(layer.byteLength);
    expect(later.snapshots.bytes).toBeLessThan(first.bytesWritten);
    // The snapshot's blob is kept though the current pair no longer lists it.
    expect(await saves.readBlob(digestOf(layer))).toEqual(layer);

    // Rewind to A: the pair a reload resumes is A's, whole, with the layer in its store.
    await saves.rewindTo('l1', 'a');
    const loaded = await saves.load('b');
    expect(same(await loadedState(loaded), first.state)).toBe(true);
    if (loaded.kind !== 'saved') throw new Error('not saved');
    expect(loaded.record.blobs.map((blob) => blob.digest)).toEqual([digestOf(layer)]);
    // The next save after the rewind goes on from A; the later pair's own chunks are collected.
    const resumedStore = await SavedMachineStore.create(saves, loaded.record);
    const after = new Saver(saves, resumedStore);
    after.known = loaded.record.state.saved;
    const next = await after.save(base);
    expect(next.generation).toBeGreaterThan(later.generation);
    const again = await saves.load('b');
    expect(same(await loadedState(again), first.state)).toBe(true);
    // Only keys the current pair and snapshot A name are left: A's generation, the current one, their packs and the layer.
    const keys = await keysOf(database);
    expect(keys.filter((k) => k.startsWith('record:')).sort()).toEqual([`record:${first.generation}`, `record:${next.generation}`].sort());
    expect(keys).not.toContain(`state:${later.generation}`);
    expect(keys).toContain(`blob:${digestOf(layer)}`);
  });

  it('never packs a snapshot’s chunks again: a later save writes only the chunks that changed', async () => {
    const saves = MachineSaves.open(name());
    const saver = new Saver(saves, await SavedMachineStore.create(saves));
    // 16 chunks: one pack of 4 MiB. 10 of them change: the current pair would need less than half of
    // that pack, which is packed again when no snapshot holds it.
    const base = Array.from({ length: 16 }, (_, i) => i + 1);
    const changed = base.map((seed, i) => (i < 10 ? seed + 1000 : seed));
    const plain = new Saver(MachineSaves.open(name()), await SavedMachineStore.create(saves));
    await plain.save(base);
    expect((await plain.save(changed)).freshChunks).toBe(16); // 10 changed + 6 repacked
    await saver.save(base, { snapshotOf: [{ lesson: 'l1', step: 'a' }] });
    const after = await saver.save(changed);
    expect(after.freshChunks).toBe(10);
    // What only the snapshot holds: none of the 6 chunks it shares with the current pair.
    expect(after.snapshots.bytes).toBeLessThan(after.bytesHeld);
  });

  it('prunes the oldest snapshots beyond the budget and collects what only they held', async () => {
    const database = name();
    const saves = MachineSaves.open(database);
    const store = await SavedMachineStore.create(saves);
    const saver = new Saver(saves, store);
    // Each step changes the whole machine (8 new chunks of noise): each snapshot holds 2 MiB of its own.
    const budget = 5 * 1024 * 1024;
    const results: Awaited<ReturnType<Saver['save']>>[] = [];
    for (let step = 0; step < 5; step++) {
      results.push(await saver.save(Array.from({ length: 8 }, (_, i) => step * 100 + i), { snapshotOf: [{ lesson: 'l1', step: `s${step}` }], snapshotBudget: budget }));
    }
    const last = results[results.length - 1];
    // The last one is the current pair (free); two older ones fit in 5 MiB, the oldest two went.
    expect(last.snapshots.snapshots.map((s) => s.step)).toEqual(['s2', 's3', 's4']);
    expect(last.snapshots.bytes).toBeLessThanOrEqual(budget);
    expect(last.snapshots.bytes).toBeGreaterThan(2 * 2 * 1024 * 1024); // noise does not compress
    expect(results.flatMap((r) => r.pruned.map((p) => p.step))).toEqual(['s0', 's1']);
    const keys = await keysOf(database);
    expect(keys.filter((k) => k.startsWith('record:')).sort()).toEqual([2, 3, 4].map((i) => `record:${results[i].generation}`).sort());
    // Every pack left is named by a kept pair: 3 pairs of 8 distinct chunks.
    const packs = keys.filter((k) => k.startsWith('pack:'));
    const named = new Set<string>();
    for (const i of [2, 3, 4]) {
      await saves.rewindTo('l1', `s${i}`);
      const loaded = await saves.load('b');
      if (loaded.kind !== 'saved') throw new Error('not saved');
      for (const id of Object.keys(loaded.record.state.saved.packs)) named.add(`pack:${id}`);
    }
    expect(packs.sort()).toEqual([...named].sort());
    // A pruned step cannot be rewound to.
    await expect(saves.rewindTo('l1', 's0')).rejects.toThrow(/no snapshot/);
  });

  it('a step passed again replaces its snapshot; rewinding forgets the later steps’ snapshots; clear forgets all', async () => {
    const saves = MachineSaves.open(name());
    const store = await SavedMachineStore.create(saves);
    const saver = new Saver(saves, store);
    await saver.save([1, 2], { snapshotOf: [{ lesson: 'l1', step: 'a' }] });
    await saver.save([1, 3], { snapshotOf: [{ lesson: 'l1', step: 'b' }, { lesson: 'l1', step: 'c' }] });
    const again = await saver.save([1, 4], { snapshotOf: [{ lesson: 'l1', step: 'a' }] });
    expect(again.snapshots.snapshots.map((s) => `${s.step}@${s.generation}`)).toEqual(['b@2', 'c@2', 'a@3']);
    await saver.save([9, 9], { snapshotOf: [{ lesson: 'l2', step: 'x' }] });
    await saves.rewindTo('l1', 'b', ['c', 'd']);
    expect((await saves.snapshots()).snapshots.map((s) => `${s.lesson}/${s.step}`)).toEqual(['l1/b', 'l1/a', 'l2/x']);
    await saves.clear();
    expect((await saves.snapshots()).snapshots).toEqual([]);
  });
});

describe('MachineKeeper snapshots', () => {
  it('takes a snapshot with a save, tells the listeners, and rewinds without saving after', async () => {
    const saves = MachineSaves.open(name());
    const store = await SavedMachineStore.create(saves);
    let n = 0;
    const machine = {
      onConsoleData: () => () => undefined,
      async hibernate<T>(capture: () => Promise<T>) {
        n++;
        return { state: machineState([n, 1, 2]).buffer as ArrayBuffer, cursor, captured: await capture() };
      },
    };
    const keeper = new MachineKeeper({ machine, store, saves, build: 'b', atPrompt: true, quietMs: 10_000 });
    const told: string[][] = [];
    keeper.onSnapshots((summary) => told.push(summary.snapshots.map((s) => s.step)));
    const stats = await keeper.snapshot('l1', ['a']);
    expect(stats?.snapshots.snapshots.map((s) => s.step)).toEqual(['a']);
    await keeper.snapshot('l1', ['b']);
    expect(told[told.length - 1]).toEqual(['a', 'b']);
    await keeper.rewind('l1', 'a', ['b']);
    expect(await keeper.save()).toBeUndefined(); // no saves once rewound: the page reloads
    expect(n).toBe(2);
    const loaded = await saves.load('b');
    expect(same(await loadedState(loaded), machineState([1, 1, 2]))).toBe(true);
    keeper.dispose();
  });
});

describe('rewinding in the page', () => {
  it('marks the later steps not done, leaves a note for the reloaded page, and puts its line above the prompt', async () => {
    const saves = MachineSaves.open(name());
    const store = await SavedMachineStore.create(saves);
    const machine = {
      onConsoleData: () => () => undefined,
      async hibernate<T>(capture: () => Promise<T>) {
        return { state: machineState([1]).buffer as ArrayBuffer, cursor, captured: await capture() };
      },
    };
    const keeper = new MachineKeeper({ machine, store, saves, build: 'b', atPrompt: true, quietMs: 10_000 });
    const progress = await Progress.open(new MemoryProgressStore());
    for (const step of ['a', 'b', 'c']) {
      await progress.markDone('l1', step, 1);
      await keeper.snapshot('l1', [step]);
    }
    await progress.markDone('l2', 'x', 2);
    const storage = new Map<string, string>();
    const settings = { getItem: (k: string) => storage.get(k) ?? null, setItem: (k: string, v: string) => void storage.set(k, v), removeItem: (k: string) => void storage.delete(k) };
    await rewindTo({ keeper, progress, lesson: 'l1', steps: ['a', 'b', 'c'], step: 'a', title: 'Pull an image', storage: settings });
    expect([...progress.doneSteps('l1')]).toEqual(['a']);
    expect([...progress.doneSteps('l2')]).toEqual(['x']); // other lessons keep their progress
    expect((await saves.snapshots()).snapshots.map((s) => s.step)).toEqual(['a']);
    expect(takeRewindNote(settings)).toEqual({ lesson: 'l1', step: 'a', title: 'Pull an image' });
    expect(takeRewindNote(settings)).toBeUndefined(); // once
    const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);
    const encode = (t: string): Uint8Array => new TextEncoder().encode(t);
    expect(text(beforeLastLine(encode('ls\r\nx\r\nroot@dockside:~# '), 'rewound'))).toBe('ls\r\nx\r\nrewound\r\nroot@dockside:~# ');
    expect(text(beforeLastLine(encode('root@dockside:~# '), 'rewound'))).toBe('rewound\r\nroot@dockside:~# ');
    keeper.dispose();
  });
});
