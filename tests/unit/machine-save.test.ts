// The page's saved machine (issue 14) in IndexedDB (fake-indexeddb): a pair is saved whole or not at
// all, a refused write (quota) leaves the last pair as it was, a pair made by another guest build or
// damaged is not resumed, and the store's blobs are kept as long as a saved pair lists them.

import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { digestOf, type Digest } from '../../src/go/digest';
import { BlobNotFoundError } from '../../src/engine/store';
import { buildOf, MachineSaves, SavedMachineStore, StorageRefusedError, type LoadOutcome, type PairToSave } from '../../src/app/machine-save';
import { CHUNK_SIZE, gunzip, gzip, packState, unpackState } from '../../src/app/state-chunks';
import { ConsoleTail, MachineKeeper } from '../../src/app/machine-keeper';
import type { GuestCursor } from '../../src/vm/guest';
import type { GuestManifest } from '../../src/vm/manifest';

let counter = 0;
const fresh = (): MachineSaves => MachineSaves.open(`machine-save-test-${++counter}`);
const cursor: GuestCursor = { agent: { nextRequest: 7, nextStream: 3 } as GuestCursor['agent'], processes: 12 };
const encoder = new TextEncoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);

async function pairOf(store: SavedMachineStore, state: string, build = 'build-1'): Promise<PairToSave> {
  return { build, cursor, metadata: await store.snapshotMetadata(), blobs: store.blobs.snapshot(), state: await packState(bytes(state)), console: bytes(`console of ${state}`), atPrompt: true };
}

/** The saved state as text. */
async function stateOf(loaded: LoadOutcome): Promise<string> {
  if (loaded.kind !== 'saved') throw new Error(`not saved: ${loaded.kind}`);
  return new TextDecoder().decode(await unpackState(loaded.record.state.layout, loaded.head, loaded.record.state.saved, loaded.packs));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('MachineSaves', () => {
  it('saves a pair and loads it back: state, cursor, metadata, blobs, console', async () => {
    const saves = fresh();
    expect(await saves.load('build-1')).toEqual({ kind: 'none' });
    const store = await SavedMachineStore.create(saves);
    const layer = bytes('layer bytes');
    const digest = digestOf(layer);
    await store.blobs.put(digest, layer);
    await store.metadata.put('images/abc', { id: 'abc', layers: [digest] });
    const result = await saves.save(await pairOf(store, 'machine one'));
    expect(result.generation).toBe(1);
    const loaded = await saves.load('build-1');
    if (loaded.kind !== 'saved') throw new Error(`not saved: ${loaded.kind}`);
    expect(await stateOf(loaded)).toBe('machine one');
    expect(loaded.record.cursor).toEqual(cursor);
    expect(loaded.record.metadata).toEqual([['images/abc', { id: 'abc', layers: [digest] }]]);
    expect(loaded.record.blobs).toEqual([{ digest, size: layer.byteLength }]);
    expect(new TextDecoder().decode(loaded.record.console)).toBe('console of machine one');

    // The resumed store has the documents and reads the blob from the saved pair.
    const resumed = await SavedMachineStore.create(saves, loaded.record);
    expect(await resumed.metadata.get('images/abc')).toEqual({ id: 'abc', layers: [digest] });
    expect(await resumed.blobs.get(digest)).toEqual(layer);
    expect(resumed.blobs.memoryBytes).toBe(0);
  });

  it('does not resume a pair made by another guest build', async () => {
    const saves = fresh();
    const store = await SavedMachineStore.create(saves);
    await saves.save(await pairOf(store, 'old machine', 'build-1'));
    expect(await saves.load('build-2')).toEqual({ kind: 'other-build' });
  });

  it('names the build by the guest files, memory, command line and emulator', () => {
    const manifest = {
      cmdline: 'console=ttyS0',
      memorySize: 1024,
      artifacts: { bios: { sha256: 'a' }, kernel: { sha256: 'b' }, initramfs: { sha256: 'c' }, state: { sha256: 'd' } },
      sources: { emulator: 'v86 1' },
    } as unknown as GuestManifest;
    const other = { ...manifest, artifacts: { ...manifest.artifacts, state: { sha256: 'e' } } } as unknown as GuestManifest;
    expect(buildOf(manifest)).toBe(buildOf(structuredClone(manifest)));
    expect(buildOf(other)).not.toBe(buildOf(manifest));
    expect(buildOf({ ...manifest, memorySize: 2048 })).not.toBe(buildOf(manifest));
  });

  it('keeps the last pair whole when the browser refuses a write (quota exceeded)', async () => {
    const saves = fresh();
    const store = await SavedMachineStore.create(saves);
    await saves.save(await pairOf(store, 'good machine'));
    const big = bytes('a new image layer');
    await store.blobs.put(digestOf(big), big);
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (String(key).startsWith('state:')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.call(this, value, key);
    });
    const refused = await saves.save(await pairOf(store, 'newer machine')).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StorageRefusedError);
    expect((refused as StorageRefusedError).quota).toBe(true);
    vi.restoreAllMocks();
    const loaded = await saves.load('build-1');
    if (loaded.kind !== 'saved') throw new Error(`not saved: ${loaded.kind}`);
    expect(await stateOf(loaded)).toBe('good machine');
    // The blob written in the aborted transaction is not there either.
    expect(await saves.readBlob(digestOf(big))).toBeUndefined();
    // The store still has it in memory, and the next save that works stores it.
    expect(await store.blobs.get(digestOf(big))).toEqual(big);
    expect((await saves.save(await pairOf(store, 'newer machine'))).generation).toBe(2);
    expect(await saves.readBlob(digestOf(big))).toEqual(big);
  });

  it('leaves the previous pair as the one resumed when the pointer was never flipped (a tab closed mid-save)', async () => {
    const saves = fresh();
    const store = await SavedMachineStore.create(saves);
    await saves.save(await pairOf(store, 'first'));
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (key === 'pointer') throw new DOMException('the tab went away', 'AbortError');
      return put.call(this, value, key);
    });
    await expect(saves.save(await pairOf(store, 'second'))).rejects.toBeInstanceOf(StorageRefusedError);
    vi.restoreAllMocks();
    const loaded = await saves.load('build-1');
    if (loaded.kind !== 'saved') throw new Error(`not saved: ${loaded.kind}`);
    expect(await stateOf(loaded)).toBe('first');
    expect(loaded.record.generation).toBe(1);
    // The half-made generation 2 is skipped and swept by the next save.
    const next = await saves.save(await pairOf(store, 'third'));
    expect(next.generation).toBe(3);
    const after = await saves.load('build-1');
    if (after.kind !== 'saved') throw new Error(`not saved: ${after.kind}`);
    expect(await stateOf(after)).toBe('third');
  });

  it('says a pair is damaged when its state or a blob is missing or cut short', async () => {
    const saves = fresh();
    const store = await SavedMachineStore.create(saves);
    const blob = bytes('blob');
    await store.blobs.put(digestOf(blob), blob);
    await saves.save(await pairOf(store, 'machine'));
    const database = (await new Promise<IDBDatabase>((resolve, reject) => {
      const request = indexedDB.open(`machine-save-test-${counter}`);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    }));
    const write = (fn: (store: IDBObjectStore) => void): Promise<void> =>
      new Promise((resolve, reject) => {
        const tx = database.transaction('machine', 'readwrite');
        fn(tx.objectStore('machine'));
        tx.oncomplete = () => resolve();
        tx.onerror = () => reject(tx.error);
      });
    await write((s) => s.delete(`blob:${digestOf(blob)}`));
    expect(await saves.load('build-1')).toMatchObject({ kind: 'corrupt', reason: expect.stringContaining('blobs are missing') });
    await write((s) => s.put(blob, `blob:${digestOf(blob)}`));
    const record = (await saves.load('build-1')) as Extract<LoadOutcome, { kind: 'saved' }>;
    const pack = Object.keys(record.record.state.saved.packs)[0];
    await write((s) => s.put(bytes('x'), `pack:${pack}`));
    expect(await saves.load('build-1')).toMatchObject({ kind: 'corrupt', reason: expect.stringContaining(`pack ${pack}`) });
    await write((s) => s.put(bytes('x'), 'state:1'));
    expect(await saves.load('build-1')).toMatchObject({ kind: 'corrupt', reason: expect.stringContaining('machine state has 1 bytes') });
    await write((s) => s.delete('record:1'));
    expect(await saves.load('build-1')).toMatchObject({ kind: 'corrupt' });
    database.close();
    // gzip's CRC catches a state damaged inside.
    const zipped = await gzip(bytes('some machine state '.repeat(100)));
    zipped[zipped.byteLength - 12] ^= 0xff;
    await expect(gunzip(zipped)).rejects.toThrow();
  });

  it('keeps a blob the store deleted until a newer pair no longer lists it', async () => {
    const saves = fresh();
    const store = await SavedMachineStore.create(saves);
    const blob = bytes('an old layer');
    const digest: Digest = digestOf(blob);
    await store.blobs.put(digest, blob);
    const pair = await pairOf(store, 'with the layer');
    await saves.save(pair);
    expect(store.blobs.memoryBytes).toBe(blob.byteLength);
    store.blobs.persisted(pair.blobs.fresh);
    expect(store.blobs.memoryBytes).toBe(0); // saved: no longer held in memory
    // docker rmi: gone from the store at once, still in the pair a reload would resume
    expect(await store.blobs.delete(digest)).toBe(true);
    await expect(store.blobs.get(digest)).rejects.toBeInstanceOf(BlobNotFoundError);
    expect(await saves.readBlob(digest)).toEqual(blob);
    await saves.save(await pairOf(store, 'without the layer'));
    expect(await saves.readBlob(digest)).toBeUndefined();
  });

  it('forgets everything on clear (Reset machine)', async () => {
    const saves = fresh();
    const store = await SavedMachineStore.create(saves);
    await saves.save(await pairOf(store, 'machine'));
    await saves.clear();
    expect(await saves.load('build-1')).toEqual({ kind: 'none' });
  });
});

/** A state laid out as v86's save_state lays it out: header, info JSON, 4-aligned buffers. */
function v86State(buffers: Uint8Array[]): Uint8Array {
  const infos: { offset: number; length: number }[] = [];
  let total = 0;
  for (const buffer of buffers) {
    infos.push({ offset: total, length: buffer.byteLength });
    total = (total + buffer.byteLength + 3) & ~3;
  }
  const info = encoder.encode(JSON.stringify({ buffer_infos: infos, state: { some: 'device state' } }));
  const start = (16 + info.byteLength + 3) & ~3;
  const out = new Uint8Array(start + total);
  const view = new DataView(out.buffer);
  view.setInt32(0, -2039052682, true);
  view.setInt32(4, 6, true);
  view.setInt32(8, out.byteLength, true);
  view.setInt32(12, info.byteLength, true);
  out.set(info, 16);
  buffers.forEach((buffer, i) => out.set(buffer, start + infos[i].offset));
  return out;
}

/** Byte-equal (vitest's deep equality is slow on MBs). */
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

function noise(size: number, seed: number): Uint8Array {
  const out = new Uint8Array(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

describe('the state in chunks', () => {
  it('writes only the chunks that changed since the last save, and puts the state back whole', async () => {
    const memory = noise(CHUNK_SIZE * 4 + 1000, 1);
    const share = noise(CHUNK_SIZE * 2 + 7, 2);
    const first = v86State([memory, share, noise(5, 3)]);
    const one = await packState(first);
    expect(one.layout.pieces.map((p) => p.chunks.length)).toEqual([5, 3, 1]);
    expect(one.freshChunks).toBe(9);
    expect(one.fresh).toHaveLength(1); // 1.8 MB of chunks: one pack
    expect(same(await unpackState(one.layout, one.head, one.saved, new Map(one.fresh)), first)).toBe(true);

    // One page of memory changed, and the info block grew (every buffer moved): one new chunk.
    const changed = memory.slice();
    changed[CHUNK_SIZE * 2 + 5] ^= 0xff;
    const second = v86State([changed, share, noise(5, 3), new Uint8Array(0)]);
    const two = await packState(second, one.saved);
    expect(two.freshChunks).toBe(1);
    expect(two.fresh).toHaveLength(1);
    expect(Object.keys(two.saved.packs).sort()).toEqual([one.fresh[0][0], two.fresh[0][0]].sort());
    const all = new Map([...one.fresh, ...two.fresh]);
    expect(same(await unpackState(two.layout, two.head, two.saved, all), second)).toBe(true);

    // A damaged pack is refused, not used.
    const [id, zipped] = two.fresh[0];
    const wrong = zipped.slice();
    wrong[wrong.byteLength - 6] ^= 0xff; // inside gzip's CRC-32
    await expect(unpackState(two.layout, two.head, two.saved, new Map([...all, [id, wrong]]))).rejects.toThrow(/damaged/);

    // A pack of which less than half is still needed is packed again, not kept for one chunk.
    const third = v86State([noise(CHUNK_SIZE * 4 + 1000, 7), share.subarray(0, CHUNK_SIZE)]);
    const three = await packState(third, two.saved);
    expect(three.freshChunks).toBe(6);
    expect(Object.keys(three.saved.packs)).toEqual([three.fresh[0][0]]);
    expect(same(await unpackState(three.layout, three.head, three.saved, new Map(three.fresh)), third)).toBe(true);
    expect(await gunzip(await gzip(bytes('round trip')))).toEqual(bytes('round trip'));
  });
});

describe('ConsoleTail', () => {
  it('keeps the last output from the start of a line', () => {
    const tail = new ConsoleTail(bytes('old line\r\n'), 20);
    tail.push(bytes('0123456789\r\nabc\r\n'));
    tail.push(bytes('root@dockside:~# '));
    expect(new TextDecoder().decode(tail.bytes())).toBe('root@dockside:~# ');
    const short = new ConsoleTail(undefined, 64);
    short.push(bytes('a\r\nroot@dockside:~# '));
    expect(new TextDecoder().decode(short.bytes())).toBe('a\r\nroot@dockside:~# ');
  });
});

/** A machine whose console the test writes and whose hibernate records what was captured. */
class FakeMachine {
  private readonly listeners = new Set<(data: Uint8Array) => void>();
  hibernations = 0;

  onConsoleData(listener: (data: Uint8Array) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  print(text: string): void {
    for (const listener of this.listeners) listener(bytes(text));
  }

  async hibernate<T>(capture: () => Promise<T>): Promise<{ state: ArrayBuffer; cursor: GuestCursor; captured: T }> {
    this.hibernations++;
    return { state: bytes(`state ${this.hibernations}`).buffer as ArrayBuffer, cursor, captured: await capture() };
  }
}

describe('MachineKeeper', () => {
  const settle = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

  it('saves once the prompt is back and the console is quiet, not for the first prompt', async () => {
    const saves = fresh();
    const machine = new FakeMachine();
    const keeper = new MachineKeeper({ machine, store: await SavedMachineStore.create(saves), saves, build: 'build-1', quietMs: 20, gapMs: 0 });
    machine.print('\x1b[?2004hroot@dockside:~# ');
    await settle(60);
    expect(machine.hibernations).toBe(0);
    machine.print('echo hi > /root/x\r\n');
    await settle(60);
    expect(machine.hibernations).toBe(0); // the command still runs: no prompt yet
    machine.print('root@dockside:~# ');
    await settle(100);
    expect(machine.hibernations).toBe(1);
    expect(keeper.status.kind).toBe('saved');
    const loaded = await saves.load('build-1');
    if (loaded.kind !== 'saved') throw new Error(`not saved: ${loaded.kind}`);
    expect(new TextDecoder().decode(loaded.record.console)).toContain('echo hi > /root/x\r\nroot@dockside:~# ');
    expect(loaded.record.atPrompt).toBe(true);
    keeper.dispose();
  });

  it('never saves in a tab that does not hold the machine (another tab saves it)', async () => {
    const saves = fresh();
    const machine = new FakeMachine();
    const keeper = new MachineKeeper({ machine, store: await SavedMachineStore.create(saves), saves, build: 'build-1', readOnly: true, atPrompt: true, quietMs: 10, gapMs: 0 });
    expect(keeper.status.kind).toBe('other-tab');
    machine.print('ls\r\nroot@dockside:~# ');
    await settle(60);
    expect(await keeper.save()).toBeUndefined();
    expect(machine.hibernations).toBe(0);
    expect(await saves.load('build-1')).toEqual({ kind: 'none' });
    keeper.dispose();
  });

  it('says once that the browser refused, keeps the last pair, and forgets it on reset', async () => {
    const saves = fresh();
    const machine = new FakeMachine();
    const store = await SavedMachineStore.create(saves);
    const keeper = new MachineKeeper({ machine, store, saves, build: 'build-1', atPrompt: true, quietMs: 10, gapMs: 0, refusedRetryMs: 0 });
    await keeper.save();
    const statuses: string[] = [];
    keeper.onStatus((status) => statuses.push(status.kind));
    const put = IDBObjectStore.prototype.put;
    vi.spyOn(IDBObjectStore.prototype, 'put').mockImplementation(function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
      if (String(key).startsWith('state:')) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
      return put.call(this, value, key);
    });
    await expect(keeper.save()).rejects.toBeInstanceOf(StorageRefusedError);
    await expect(keeper.save()).rejects.toBeInstanceOf(StorageRefusedError);
    expect(statuses.filter((s) => s === 'refused')).toHaveLength(1);
    expect(keeper.status).toMatchObject({ kind: 'refused', quota: true });
    vi.restoreAllMocks();
    const loaded = await saves.load('build-1');
    if (loaded.kind !== 'saved') throw new Error(`not saved: ${loaded.kind}`);
    expect(await stateOf(loaded)).toBe('state 1');
    await keeper.forget();
    expect(await saves.load('build-1')).toEqual({ kind: 'none' });
    expect(await keeper.save()).toBeUndefined(); // no saves after a reset
    keeper.dispose();
  });
});
