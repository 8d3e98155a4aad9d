// The learner's machine saved in the browser's IndexedDB (issue 14): the whole machine (v86's state,
// gzip-compressed) and the engine's store as they were at one moment, kept as one pair, so a reload
// resumes both together and the store never lists what the machine no longer has.
//
// One database, one object store, keys by what they hold:
//   pointer            { generation, build }: the pair a reload resumes
//   record:<gen>       the pair's small part: build, host cursor, metadata documents, blob digests,
//                      the state's sizes, the terminal's last output
//   state:<gen>        the head of the v86 state (header and info block), gzip
//   pack:<id>          chunks of the state's buffers (256 KiB at most, named by sha256), gzip
//                      together, shared by generations (state-chunks.ts: a save packs only the
//                      chunks no pair has yet)
//   blob:<digest>      a store blob's bytes, shared by generations (content-addressed)
//   snapshots          the lesson steps' snapshots (rewind points): which generation each step passed
//                      at; those generations' records and heads stay, and with them every pack and
//                      blob they name (shared with the current pair and each other: a snapshot costs
//                      only what changed)
// A save writes the new generation's head and record and any packs and blobs not stored yet in one
// transaction, then flips the pointer in a second one, then deletes the old generation and the blobs
// no pair needs (neither the current one nor a snapshot), pruning the oldest snapshots while the
// bytes only snapshots hold are over the budget. A tab closed or a write refused (quota) at any point leaves the pointer on the
// previous pair, whole.
//
// While the page runs, the engine's store is a SavedMachineStore: metadata in memory, blobs either
// still in memory (new since the last save) or read from the saved pair's blobs.

import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { parseDigest, type Digest } from '../go/digest';
import {
  BlobNotFoundError,
  collectVerified,
  compareKeys,
  MemoryStore,
  verifyStored,
  type BlobInfo,
  type BlobSource,
  type BlobStore,
  type JsonValue,
  type MetadataStore,
  type Store,
} from '../engine/store';
import type { GuestManifest } from '../vm/manifest';
import type { GuestCursor } from '../vm/guest';
import type { PackedState, SavedChunks, StateLayout } from './state-chunks';

export const MACHINE_DATABASE = 'dockside-machine';
const FORMAT = 1;
const POINTER = 'pointer';
const SNAPSHOTS = 'snapshots';
/** The default size budget of what only snapshots hold (the current pair is not counted). */
export const DEFAULT_SNAPSHOT_BUDGET = 200 * 1024 * 1024;
const recordKey = (generation: number): string => `record:${generation}`;
const stateKey = (generation: number): string => `state:${generation}`;
const blobKey = (digest: Digest): string => `blob:${digest}`;
const packKey = (id: string): string => `pack:${id}`;

/**
 * What a saved machine must match to be resumed: the guest's files (their sha256s), its memory and
 * command line, and the emulator that saved it.
 */
export function buildOf(manifest: GuestManifest): string {
  const artifacts = Object.entries(manifest.artifacts)
    .map(([name, artifact]) => `${name}=${artifact.sha256}`)
    .sort();
  return JSON.stringify({ artifacts, memorySize: manifest.memorySize, cmdline: manifest.cmdline, emulator: manifest.sources?.emulator ?? '' });
}

interface Pointer {
  generation: number;
  build: string;
}

export interface SavedRecord {
  format: number;
  build: string;
  generation: number;
  /** ms since the epoch. */
  savedAt: number;
  cursor: GuestCursor;
  metadata: [string, JsonValue][];
  blobs: { digest: Digest; size: number }[];
  state: { encoding: 'gzip-packs'; layout: StateLayout; headSize: number; saved: SavedChunks };
  /** The terminal's output of the session that was saved (its last part), to show again. */
  console: Uint8Array;
  /** The host shell's prompt was the last thing on the terminal (no command was running). */
  atPrompt: boolean;
}

/** A pair to save: what the machine and the store held at one moment. */
export interface PairToSave {
  build: string;
  cursor: GuestCursor;
  metadata: [string, JsonValue][];
  /** Every blob of the store: those already saved by digest, the new ones with their bytes. */
  blobs: StoreBlobs;
  /** v86's state in chunks (state-chunks.ts). */
  state: PackedState;
  console: Uint8Array;
  atPrompt: boolean;
  savedAt?: number;
}

/** A lesson step's rewind point: the pair saved right after its check passed. */
export interface SnapshotEntry {
  lesson: string;
  step: string;
  generation: number;
  /** ms since the epoch. */
  takenAt: number;
}

export interface SnapshotSummary {
  snapshots: SnapshotEntry[];
  /** Bytes only snapshots hold (packs, blobs, heads the current pair does not need). */
  bytes: number;
  /** The chunks of the snapshots' states and their packs (kept while they are: a save reuses them). */
  chunks: SavedChunks;
}

export interface SaveOptions {
  /** Keep this pair as the snapshot of these lesson steps (each replaces the step's older one). */
  snapshotOf?: readonly { lesson: string; step: string }[];
  /** Bytes only snapshots may hold (DEFAULT_SNAPSHOT_BUDGET): the oldest go beyond it. */
  snapshotBudget?: number;
}

export interface SaveResult {
  generation: number;
  /** Bytes written by this save (the state's head and new packs, the console, new blobs). */
  bytesWritten: number;
  /** Bytes the saved pair holds in all (state and every blob). */
  bytesHeld: number;
  /** The snapshots kept after this save, and what only they hold. */
  snapshots: SnapshotSummary;
  /** Snapshots dropped by this save to stay within the budget. */
  pruned: SnapshotEntry[];
}

export type LoadOutcome =
  | { kind: 'none' }
  | { kind: 'other-build' }
  | { kind: 'corrupt'; reason: string }
  | { kind: 'saved'; record: SavedRecord; head: Uint8Array; packs: Map<string, Uint8Array> };

/** The browser refused to store the machine (quota exceeded, storage off in private mode, ...). */
export class StorageRefusedError extends Error {
  constructor(
    readonly quota: boolean,
    cause: unknown,
  ) {
    super(`the browser did not store the machine: ${cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause)}`);
    this.name = 'StorageRefusedError';
  }
}

function isQuota(error: unknown): boolean {
  return error instanceof Error && (error.name === 'QuotaExceededError' || /quota/i.test(error.message));
}

export class MachineSaves {
  private constructor(private readonly useStore: UseStore) {}

  static open(databaseName = MACHINE_DATABASE): MachineSaves {
    return new MachineSaves(createStore(databaseName, 'machine'));
  }

  private get<T>(key: string): Promise<T | undefined> {
    return this.useStore('readonly', (store) => promisifyRequest(store.get(key))) as Promise<T | undefined>;
  }

  private keys(): Promise<string[]> {
    return this.useStore('readonly', async (store) => (await promisifyRequest(store.getAllKeys())).map(String));
  }

  /** The saved pair a reload resumes, if there is one made by this build and it is whole. */
  async load(build: string): Promise<LoadOutcome> {
    const pointer = await this.get<Pointer>(POINTER);
    if (pointer === undefined) return { kind: 'none' };
    if (pointer.build !== build) return { kind: 'other-build' };
    const record = await this.get<SavedRecord>(recordKey(pointer.generation));
    if (!record || record.format !== FORMAT || record.generation !== pointer.generation || !Array.isArray(record.metadata) || !Array.isArray(record.blobs)) {
      return { kind: 'corrupt', reason: `the record of generation ${pointer.generation} is missing or unreadable` };
    }
    if (record.build !== build) return { kind: 'other-build' };
    if (record.state?.encoding !== 'gzip-packs') return { kind: 'corrupt', reason: 'the machine state is in an unknown form' };
    const head = await this.get<unknown>(stateKey(pointer.generation));
    if (!(head instanceof Uint8Array)) return { kind: 'corrupt', reason: 'the machine state is missing' };
    if (head.byteLength !== record.state.headSize) return { kind: 'corrupt', reason: `the machine state has ${head.byteLength} bytes, the record says ${record.state.headSize}` };
    const stored = new Set(await this.keys());
    const missing = record.blobs.filter((blob) => !stored.has(blobKey(blob.digest)));
    if (missing.length > 0) return { kind: 'corrupt', reason: `${missing.length} of the store's blobs are missing (${missing[0].digest})` };
    const ids = Object.keys(record.state.saved.packs);
    const packs = new Map<string, Uint8Array>();
    const values = await this.useStore('readonly', (store) => Promise.all(ids.map((id) => promisifyRequest(store.get(packKey(id))) as Promise<unknown>)));
    for (const [index, value] of values.entries()) {
      const id = ids[index];
      if (!(value instanceof Uint8Array) || value.byteLength !== record.state.saved.packs[id]) return { kind: 'corrupt', reason: `pack ${id} of the machine state is missing or cut short` };
      packs.set(id, value);
    }
    return { kind: 'saved', record, head, packs };
  }

  /** A saved blob's bytes (verified by the caller). */
  readBlob(digest: Digest): Promise<Uint8Array | undefined> {
    return this.get<Uint8Array>(blobKey(digest));
  }

  /** Saves a pair as the one a reload resumes; the previous pair stays whole until this one is. */
  async save(pair: PairToSave, options: SaveOptions = {}): Promise<SaveResult> {
    const now = pair.savedAt ?? Date.now();
    let pointer: Pointer | undefined;
    let stored: Set<string>;
    try {
      pointer = await this.get<Pointer>(POINTER);
      stored = new Set(await this.keys());
    } catch (error) {
      throw new StorageRefusedError(isQuota(error), error);
    }
    // Above every generation there is, finished or not (a save cut short leaves one without a pointer).
    const generations = [...stored].filter((key) => key.startsWith('record:') || key.startsWith('state:')).map((key) => Number(key.slice(key.indexOf(':') + 1)));
    const generation = Math.max(pointer?.generation ?? 0, 0, ...generations.filter(Number.isFinite)) + 1;
    const record: SavedRecord = {
      format: FORMAT,
      build: pair.build,
      generation,
      savedAt: now,
      cursor: pair.cursor,
      metadata: pair.metadata,
      blobs: [...pair.blobs.saved, ...pair.blobs.fresh.map(([digest, bytes]) => ({ digest, size: bytes.byteLength }))].sort((a, b) => compareKeys(a.digest, b.digest)),
      state: { encoding: 'gzip-packs', layout: pair.state.layout, headSize: pair.state.head.byteLength, saved: pair.state.saved },
      console: pair.console,
      atPrompt: pair.atPrompt,
    };
    let bytesWritten = pair.state.head.byteLength + pair.console.byteLength;
    try {
      await this.useStore('readwrite', (store) => {
        const done = promisifyRequest(store.transaction);
        try {
          for (const [digest, bytes] of pair.blobs.fresh) {
            if (stored.has(blobKey(digest))) continue;
            store.put(bytes, blobKey(digest));
            bytesWritten += bytes.byteLength;
          }
          for (const [id, bytes] of pair.state.fresh) {
            if (stored.has(packKey(id))) continue;
            store.put(bytes, packKey(id));
            bytesWritten += bytes.byteLength;
          }
          store.put(pair.state.head, stateKey(generation));
          store.put(record, recordKey(generation));
        } catch (error) {
          // Requests already made belong to this transaction: aborting it undoes them.
          store.transaction.abort();
          done.catch(() => undefined);
          throw error;
        }
        return done;
      });
      const snapshotOf = options.snapshotOf ?? [];
      const snapshots = snapshotOf.length > 0 ? await this.snapshotList() : [];
      await this.useStore('readwrite', (store) => {
        store.put({ generation, build: pair.build } satisfies Pointer, POINTER);
        // The snapshot names the pair in the same transaction that makes it the current one.
        if (snapshotOf.length > 0) {
          const taken = snapshotOf.map(({ lesson, step }) => ({ lesson, step, generation, takenAt: now }));
          const kept = snapshots.filter((entry) => !taken.some((t) => t.lesson === entry.lesson && t.step === entry.step));
          store.put([...kept, ...taken], SNAPSHOTS);
        }
        return promisifyRequest(store.transaction);
      });
    } catch (error) {
      throw new StorageRefusedError(isQuota(error), error);
    }
    // The new pair is the one now: what only older pairs needed goes (a failure here only leaves garbage for the next save).
    let collected: { summary: SnapshotSummary; pruned: SnapshotEntry[] } = { summary: { snapshots: [], bytes: 0, chunks: { chunks: {}, packs: {} } }, pruned: [] };
    try {
      collected = await this.collect(record, options.snapshotBudget ?? DEFAULT_SNAPSHOT_BUDGET);
    } catch (error) {
      console.warn('dockside: old saved machines were not deleted:', error);
    }
    const stateHeld = pair.state.head.byteLength + Object.values(pair.state.saved.packs).reduce((sum, size) => sum + size, 0);
    const bytesHeld = stateHeld + record.blobs.reduce((sum, blob) => sum + blob.size, 0);
    return { generation, bytesWritten, bytesHeld, snapshots: collected.summary, pruned: collected.pruned };
  }

  private async snapshotList(): Promise<SnapshotEntry[]> {
    const list = await this.get<unknown>(SNAPSHOTS);
    return Array.isArray(list) ? (list as SnapshotEntry[]).filter((entry) => typeof entry?.lesson === 'string' && typeof entry.step === 'string' && Number.isInteger(entry.generation)) : [];
  }

  /** The lesson steps' snapshots, oldest first, and the bytes only they hold. */
  async snapshots(): Promise<SnapshotSummary> {
    const pointer = await this.get<Pointer>(POINTER);
    const current = pointer ? await this.get<SavedRecord>(recordKey(pointer.generation)) : undefined;
    const entries = await this.snapshotList();
    const records = await this.recordsOf(entries);
    const live = entries.filter((entry) => records.has(entry.generation));
    return { snapshots: sortByAge(live), bytes: onlySnapshotBytes(current, live, records), chunks: chunksOf(live, records) };
  }

  private async recordsOf(entries: readonly SnapshotEntry[]): Promise<Map<number, SavedRecord>> {
    const generations = [...new Set(entries.map((entry) => entry.generation))];
    const values = await this.useStore('readonly', (store) => Promise.all(generations.map((g) => promisifyRequest(store.get(recordKey(g))) as Promise<SavedRecord | undefined>)));
    const records = new Map<number, SavedRecord>();
    values.forEach((value, index) => {
      if (value && value.format === FORMAT && Array.isArray(value.blobs) && value.state?.saved) records.set(generations[index], value);
    });
    return records;
  }

  /**
   * After a save: prunes the oldest snapshots while what only snapshots hold is over the budget, then
   * deletes every key neither the current pair nor a snapshot needs (packs, blobs, older generations).
   */
  private async collect(current: SavedRecord, budget: number): Promise<{ summary: SnapshotSummary; pruned: SnapshotEntry[] }> {
    const entries = sortByAge(await this.snapshotList());
    const records = await this.recordsOf(entries);
    let kept = entries.filter((entry) => records.has(entry.generation));
    const pruned: SnapshotEntry[] = entries.filter((entry) => !records.has(entry.generation));
    let bytes = onlySnapshotBytes(current, kept, records);
    while (bytes > budget && kept.length > 0) {
      pruned.push(kept[0]);
      kept = kept.slice(1);
      bytes = onlySnapshotBytes(current, kept, records);
    }
    const needed = new Set([POINTER, SNAPSHOTS, ...keysOf(current)]);
    for (const entry of kept) for (const key of keysOf(records.get(entry.generation) as SavedRecord)) needed.add(key);
    const stored = await this.keys();
    await this.useStore('readwrite', (store) => {
      if (pruned.length > 0) store.put(kept, SNAPSHOTS);
      for (const key of stored) if (!needed.has(key)) store.delete(key);
      return promisifyRequest(store.transaction);
    });
    return { summary: { snapshots: kept, bytes, chunks: chunksOf(kept, records) }, pruned };
  }

  /**
   * Rewind: makes a step's snapshot the pair a reload resumes (its generation stays; the next save
   * writes a newer one on top of it). The snapshots of `dropping` (the steps after it) are forgotten.
   */
  async rewindTo(lesson: string, step: string, dropping: readonly string[] = []): Promise<SnapshotEntry> {
    const entries = await this.snapshotList();
    const entry = entries.find((e) => e.lesson === lesson && e.step === step);
    if (!entry) throw new Error(`no snapshot of step ${step} of ${lesson}`);
    const record = await this.get<SavedRecord>(recordKey(entry.generation));
    if (!record || record.generation !== entry.generation) throw new Error(`the snapshot of step ${step} of ${lesson} is gone`);
    await this.useStore('readwrite', (store) => {
      store.put({ generation: entry.generation, build: record.build } satisfies Pointer, POINTER);
      store.put(entries.filter((e) => !(e.lesson === lesson && dropping.includes(e.step))), SNAPSHOTS);
      return promisifyRequest(store.transaction);
    });
    return entry;
  }

  /** Forgets the saved machine (Reset machine): the next load starts from the bundled state. */
  async clear(): Promise<void> {
    await this.useStore('readwrite', (store) => {
      store.clear();
      return promisifyRequest(store.transaction);
    });
  }
}

/** Oldest first. */
function sortByAge(entries: readonly SnapshotEntry[]): SnapshotEntry[] {
  return [...entries].sort((a, b) => a.takenAt - b.takenAt || a.generation - b.generation);
}

/** The keys a saved pair needs. */
function keysOf(record: SavedRecord): string[] {
  return [recordKey(record.generation), stateKey(record.generation), ...record.blobs.map((blob) => blobKey(blob.digest)), ...Object.keys(record.state.saved.packs).map(packKey)];
}

/** The stored bytes of each key a pair needs (records counted by their console, their biggest part). */
function sizesOf(record: SavedRecord): Map<string, number> {
  const sizes = new Map<string, number>([
    [recordKey(record.generation), record.console?.byteLength ?? 0],
    [stateKey(record.generation), record.state.headSize],
  ]);
  for (const blob of record.blobs) sizes.set(blobKey(blob.digest), blob.size);
  for (const [id, size] of Object.entries(record.state.saved.packs)) sizes.set(packKey(id), size);
  return sizes;
}

/** Every chunk of the snapshots' states, and the packs that hold them. */
function chunksOf(entries: readonly SnapshotEntry[], records: ReadonlyMap<number, SavedRecord>): SavedChunks {
  const all: SavedChunks = { chunks: {}, packs: {} };
  for (const entry of entries) {
    const saved = records.get(entry.generation)?.state.saved;
    if (!saved) continue;
    Object.assign(all.chunks, saved.chunks);
    Object.assign(all.packs, saved.packs);
  }
  return all;
}

/** Bytes the snapshots hold that the current pair does not: what keeping them costs. */
function onlySnapshotBytes(current: SavedRecord | undefined, entries: readonly SnapshotEntry[], records: ReadonlyMap<number, SavedRecord>): number {
  const currentKeys = new Set(current ? keysOf(current) : []);
  const extra = new Map<string, number>();
  for (const entry of entries) {
    const record = records.get(entry.generation);
    if (!record) continue;
    for (const [key, size] of sizesOf(record)) if (!currentKeys.has(key)) extra.set(key, size);
  }
  let sum = 0;
  for (const size of extra.values()) sum += size;
  return sum;
}

/** The store's blobs at one moment: those the saved pair already holds, and the new ones' bytes. */
export interface StoreBlobs {
  saved: { digest: Digest; size: number }[];
  fresh: [Digest, Uint8Array][];
}

/** Blobs new since the last save in memory; the others read from the saved pair. */
export class SavedMachineBlobs implements BlobStore {
  private readonly fresh = new Map<Digest, Uint8Array>();
  private readonly saved = new Map<Digest, number>();

  constructor(
    private readonly load: (digest: Digest) => Promise<Uint8Array | undefined>,
    saved: readonly { digest: Digest; size: number }[] = [],
  ) {
    for (const blob of saved) this.saved.set(blob.digest, blob.size);
  }

  async put(expected: Digest, data: BlobSource): Promise<BlobInfo> {
    const bytes = await collectVerified(expected, data);
    if (!this.saved.has(expected)) this.fresh.set(expected, bytes);
    return { digest: expected, size: bytes.byteLength };
  }

  async get(digest: Digest): Promise<Uint8Array> {
    const key = parseDigest(digest);
    const fresh = this.fresh.get(key);
    if (fresh) return verifyStored(key, fresh, 'memory').slice();
    if (!this.saved.has(key)) throw new BlobNotFoundError(digest);
    const bytes = await this.load(key);
    if (!bytes) throw new BlobNotFoundError(digest);
    return verifyStored(key, bytes, 'IndexedDB');
  }

  async *read(digest: Digest): AsyncIterable<Uint8Array> {
    yield await this.get(digest);
  }

  async has(digest: Digest): Promise<boolean> {
    return this.fresh.has(digest) || this.saved.has(digest);
  }

  async size(digest: Digest): Promise<number | undefined> {
    return this.fresh.get(digest)?.byteLength ?? this.saved.get(digest);
  }

  async delete(digest: Digest): Promise<boolean> {
    // The saved pair keeps its copy until a newer pair no longer lists it.
    const fresh = this.fresh.delete(digest);
    const saved = this.saved.delete(digest);
    return fresh || saved;
  }

  async list(): Promise<Digest[]> {
    return [...new Set([...this.fresh.keys(), ...this.saved.keys()])].sort(compareKeys);
  }

  /** Every blob now (taken while the machine stands still; the bytes are not copied: blobs never change). */
  snapshot(): StoreBlobs {
    return { saved: [...this.saved].map(([digest, size]) => ({ digest, size })), fresh: [...this.fresh] };
  }

  /** These new blobs are in the saved pair now: read them from there and free their memory. */
  persisted(fresh: readonly [Digest, Uint8Array][]): void {
    for (const [digest, bytes] of fresh) {
      if (this.fresh.get(digest) !== bytes) continue; // deleted since, or put again
      this.fresh.delete(digest);
      this.saved.set(digest, bytes.byteLength);
    }
  }

  /** Bytes held in memory (new blobs not saved yet). */
  get memoryBytes(): number {
    let sum = 0;
    for (const bytes of this.fresh.values()) sum += bytes.byteLength;
    return sum;
  }
}

/** The engine's store in the page: metadata in memory, blobs as SavedMachineBlobs. */
export class SavedMachineStore implements Store {
  readonly metadata: MetadataStore;
  readonly blobs: SavedMachineBlobs;

  private constructor(metadata: MetadataStore, blobs: SavedMachineBlobs) {
    this.metadata = metadata;
    this.blobs = blobs;
  }

  /** An empty store (the bundled machine), or the store of a saved pair. */
  static async create(saves: MachineSaves, record?: SavedRecord): Promise<SavedMachineStore> {
    const { metadata } = new MemoryStore();
    if (record && record.metadata.length > 0) {
      await metadata.update((tx) => {
        for (const [key, value] of record.metadata) tx.put(key, value);
      });
    }
    return new SavedMachineStore(metadata, new SavedMachineBlobs((digest) => saves.readBlob(digest), record?.blobs ?? []));
  }

  /** Every metadata document now (reads go around update(): see machine-pair.ts's snapshotStore). */
  async snapshotMetadata(): Promise<[string, JsonValue][]> {
    const documents: [string, JsonValue][] = [];
    for (const key of await this.metadata.keys()) {
      const value = await this.metadata.get(key);
      if (value !== undefined) documents.push([key, value]);
    }
    return documents;
  }

  async close(): Promise<void> {}
}
