// Pieces every Store implementation shares: verified reading of blob sources, one-at-a-time
// updates, and the write buffer that makes an update all-or-nothing.

import { digestAlgorithm, Hasher, parseDigest, type Digest } from '../../go/digest';
import {
  BlobCorruptedError,
  DigestMismatchError,
  type BlobSource,
  type JsonValue,
  type MetadataReader,
  type MetadataStore,
  type MetadataTransaction,
} from './types';
import { concatBytes } from '../../go/bytes';

export async function* chunksOf(source: BlobSource): AsyncIterable<Uint8Array> {
  if (source instanceof Uint8Array) {
    yield source;
    return;
  }
  for await (const chunk of source) yield chunk;
}

/**
 * Feeds a source through a hasher of the expected digest's algorithm, handing each chunk to
 * `sink` (which may write it somewhere temporary), and throws DigestMismatchError at the end
 * when the bytes were not the expected ones.
 */
export async function hashWhileCopying(
  expected: Digest,
  source: BlobSource,
  sink: (chunk: Uint8Array) => void | Promise<void>,
): Promise<number> {
  parseDigest(expected);
  const hasher = new Hasher(digestAlgorithm(expected));
  for await (const chunk of chunksOf(source)) {
    hasher.update(chunk);
    await sink(chunk);
  }
  const actual = hasher.digest();
  if (actual !== expected) throw new DigestMismatchError(expected, actual, hasher.size);
  return hasher.size;
}

/** Reads a whole source into one array, verified against the expected digest. */
export async function collectVerified(expected: Digest, source: BlobSource): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  const size = await hashWhileCopying(expected, source, (chunk) => {
    // Copy: the caller may reuse its buffer after handing it over.
    chunks.push(chunk.slice());
  });
  // One chunk is returned as it is: a blob read in one piece is not copied again.
  return chunks.length === 1 ? chunks[0] : concatBytes(chunks, size);
}

/** Throws BlobCorruptedError unless the stored bytes still hash to their digest. */
export function verifyStored(digest: Digest, bytes: Uint8Array, where: string): Uint8Array {
  const actual = new Hasher(digestAlgorithm(digest)).update(bytes).digest();
  if (actual !== digest) throw new BlobCorruptedError(digest, actual, where);
  return bytes;
}

/** Yields stored chunks and checks the digest after the last one. */
export async function* verifyingChunks(digest: Digest, chunks: AsyncIterable<Uint8Array>, where: string): AsyncIterable<Uint8Array> {
  const hasher = new Hasher(digestAlgorithm(digest));
  for await (const chunk of chunks) {
    hasher.update(chunk);
    yield chunk;
  }
  const actual = hasher.digest();
  if (actual !== digest) throw new BlobCorruptedError(digest, actual, where);
}

/** Runs async tasks one after another, in the order they were queued. */
export class SerialQueue {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.tail.then(task, task);
    // The queue goes on whether a task failed or not.
    this.tail = result.catch(() => undefined);
    return result;
  }
}

/** A deep copy that is also a check: only what survives JSON is stored. */
export function cloneJson<T extends JsonValue>(value: T): T {
  const text = JSON.stringify(value);
  if (text === undefined) throw new TypeError('metadata value is not JSON');
  return JSON.parse(text) as T;
}

/** Pending writes: a value to put, or undefined for a delete. */
export type WriteSet = Map<string, JsonValue | undefined>;

/** A transaction over a committed state: reads fall through to it unless written here. */
export class BufferedTransaction implements MetadataTransaction {
  readonly writes: WriteSet = new Map();
  private closed = false;

  constructor(private readonly committed: MetadataReader) {}

  async get(key: string): Promise<JsonValue | undefined> {
    this.checkOpen();
    if (this.writes.has(key)) {
      const value = this.writes.get(key);
      return value === undefined ? undefined : cloneJson(value);
    }
    return this.committed.get(key);
  }

  async keys(prefix = ''): Promise<string[]> {
    this.checkOpen();
    const keys = new Set(await this.committed.keys(prefix));
    for (const [key, value] of this.writes) {
      if (!key.startsWith(prefix)) continue;
      if (value === undefined) keys.delete(key);
      else keys.add(key);
    }
    return [...keys].sort(compareKeys);
  }

  put(key: string, value: JsonValue): void {
    this.checkOpen();
    this.writes.set(key, cloneJson(value));
  }

  delete(key: string): void {
    this.checkOpen();
    this.writes.set(key, undefined);
  }

  close(): void {
    this.closed = true;
  }

  private checkOpen(): void {
    // A transaction used after its update() returned would write into nothing: say so.
    if (this.closed) throw new Error('metadata transaction used after its update() finished');
  }
}

/** MetadataStore.put and .delete, for every implementation: single-key updates. */
export function putOne(store: MetadataStore, key: string, value: JsonValue): Promise<void> {
  return store.update((tx) => tx.put(key, value));
}

export function deleteOne(store: MetadataStore, key: string): Promise<boolean> {
  return store.update(async (tx) => {
    const existed = (await tx.get(key)) !== undefined;
    tx.delete(key);
    return existed;
  });
}

/** Code-unit order, the same in every implementation (IndexedDB orders string keys this way too). */
export function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The update() of every implementation: queued, buffered, and committed by `commit` (which must
 * apply the whole write set atomically) only if fn succeeded.
 */
export function runUpdate<T>(
  queue: SerialQueue,
  committed: MetadataReader,
  fn: (tx: MetadataTransaction) => T | Promise<T>,
  commit: (writes: WriteSet) => Promise<void>,
): Promise<T> {
  return queue.run(async () => {
    const tx = new BufferedTransaction(committed);
    try {
      const result = await fn(tx);
      tx.close();
      if (tx.writes.size > 0) await commit(tx.writes);
      return result;
    } finally {
      tx.close();
    }
  });
}
