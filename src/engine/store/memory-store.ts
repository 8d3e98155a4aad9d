// A Store in memory: for unit tests and for a session that keeps nothing.

import { parseDigest, type Digest } from '../../go/digest';
import {
  cloneJson,
  collectVerified,
  compareKeys,
  deleteOne,
  putOne,
  runUpdate,
  SerialQueue,
  verifyStored,
  type WriteSet,
} from './common';
import {
  BlobNotFoundError,
  type BlobInfo,
  type BlobSource,
  type BlobStore,
  type JsonValue,
  type MetadataStore,
  type MetadataTransaction,
  type Store,
} from './types';

/** Called at named steps of a write; a test makes it throw to simulate a crash there. */
export type FaultHook = (step: string) => void;

class MemoryBlobStore implements BlobStore {
  readonly contents = new Map<Digest, Uint8Array>();

  async put(expected: Digest, data: BlobSource): Promise<BlobInfo> {
    const bytes = await collectVerified(expected, data);
    this.contents.set(expected, bytes);
    return { digest: expected, size: bytes.byteLength };
  }

  async get(digest: Digest): Promise<Uint8Array> {
    const bytes = this.contents.get(parseDigest(digest));
    if (!bytes) throw new BlobNotFoundError(digest);
    return verifyStored(digest, bytes, 'memory').slice();
  }

  async *read(digest: Digest): AsyncIterable<Uint8Array> {
    yield await this.get(digest);
  }

  async has(digest: Digest): Promise<boolean> {
    return this.contents.has(digest);
  }

  async size(digest: Digest): Promise<number | undefined> {
    return this.contents.get(digest)?.byteLength;
  }

  async delete(digest: Digest): Promise<boolean> {
    return this.contents.delete(digest);
  }

  async list(): Promise<Digest[]> {
    return [...this.contents.keys()].sort(compareKeys);
  }
}

class MemoryMetadataStore implements MetadataStore {
  readonly documents = new Map<string, JsonValue>();
  private readonly queue = new SerialQueue();

  constructor(private readonly fault: FaultHook) {}

  async get(key: string): Promise<JsonValue | undefined> {
    const value = this.documents.get(key);
    return value === undefined ? undefined : cloneJson(value);
  }

  async keys(prefix = ''): Promise<string[]> {
    return [...this.documents.keys()].filter((key) => key.startsWith(prefix)).sort(compareKeys);
  }

  update<T>(fn: (tx: MetadataTransaction) => T | Promise<T>): Promise<T> {
    return runUpdate(this.queue, this, fn, async (writes) => this.apply(writes));
  }

  put(key: string, value: JsonValue): Promise<void> {
    return putOne(this, key, value);
  }

  delete(key: string): Promise<boolean> {
    return deleteOne(this, key);
  }

  private apply(writes: WriteSet): void {
    this.fault('metadata:before-commit');
    for (const [key, value] of writes) {
      if (value === undefined) this.documents.delete(key);
      else this.documents.set(key, value);
    }
  }
}

export class MemoryStore implements Store {
  readonly blobs: MemoryBlobStore;
  readonly metadata: MemoryMetadataStore;

  constructor(options: { fault?: FaultHook } = {}) {
    this.blobs = new MemoryBlobStore();
    this.metadata = new MemoryMetadataStore(options.fault ?? (() => {}));
  }

  /** For tests: replaces a blob's stored bytes without checking them, as disk corruption would. */
  tamperWithBlob(digest: Digest, bytes: Uint8Array): void {
    this.blobs.contents.set(digest, bytes);
  }

  async close(): Promise<void> {}
}
