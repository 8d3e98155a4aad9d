// The engine's persistence: what /var/lib/docker is to dockerd. Two parts:
//  - blobs: content-addressed bytes (layer tars, manifests, configs), written only when their digest
//    checks out and checked again when read, so a torn or tampered file is reported, never used;
//  - metadata: small JSON documents by key (images, tags, layers, containers, ...), changed only
//    through update(), which applies all of its writes or none, so a pull or an rmi interrupted by
//    a closed tab or a killed process leaves the old state or the new one, never a mixture.
// Implementations: MemoryStore (here), FileStore (src/node), IdbStore (src/app).

import type { Digest } from '../../go/digest';

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export interface BlobInfo {
  digest: Digest;
  size: number;
}

export type BlobSource = Uint8Array | AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

export interface BlobStore {
  /**
   * Stores bytes under their digest. The bytes are hashed as they arrive; if they do not hash to
   * `expected` nothing is stored and DigestMismatchError is thrown. Storing an existing blob again
   * is allowed (and still verified).
   */
  put(expected: Digest, data: BlobSource): Promise<BlobInfo>;
  /** The whole blob, verified before it is returned: BlobNotFoundError, BlobCorruptedError. */
  get(digest: Digest): Promise<Uint8Array>;
  /**
   * The blob as chunks, for large layers. The digest is checked at the end: a corrupted blob
   * throws BlobCorruptedError from the iteration after its last chunk.
   */
  read(digest: Digest): AsyncIterable<Uint8Array>;
  has(digest: Digest): Promise<boolean>;
  /** Size in bytes, or undefined when absent. */
  size(digest: Digest): Promise<number | undefined>;
  /** Whether something was deleted. */
  delete(digest: Digest): Promise<boolean>;
  /** Every stored digest, sorted. */
  list(): Promise<Digest[]>;
}

export interface MetadataReader {
  /** A copy of the document, or undefined. */
  get(key: string): Promise<JsonValue | undefined>;
  /** Keys that start with the prefix, sorted. */
  keys(prefix?: string): Promise<string[]>;
}

/** Reads see the transaction's own writes; writes are buffered until the transaction commits. */
export interface MetadataTransaction extends MetadataReader {
  put(key: string, value: JsonValue): void;
  delete(key: string): void;
}

export interface MetadataStore extends MetadataReader {
  /**
   * Runs fn and then commits its writes atomically; if fn throws (or the commit fails) nothing is
   * written and the error is rethrown. Updates run one at a time, in call order; reads by fn see a
   * state that no other update changes meanwhile. Do not call update() from inside fn.
   */
  update<T>(fn: (tx: MetadataTransaction) => T | Promise<T>): Promise<T>;
  /** One document, written as an update of its own. */
  put(key: string, value: JsonValue): Promise<void>;
  /** One document deleted as an update of its own; whether it existed. */
  delete(key: string): Promise<boolean>;
}

export interface Store {
  readonly blobs: BlobStore;
  readonly metadata: MetadataStore;
  close(): Promise<void>;
}

export class BlobNotFoundError extends Error {
  readonly kind = 'not-found';
  constructor(readonly digest: Digest) {
    super(`blob ${digest}: not found`);
    this.name = 'BlobNotFoundError';
  }
}

/** The bytes given to put() are not the ones the digest names (a broken download, a wrong digest). */
export class DigestMismatchError extends Error {
  readonly kind = 'invalid-parameter';
  constructor(
    readonly expected: Digest,
    readonly actual: Digest,
    readonly size: number,
  ) {
    super(`blob ${expected}: content has digest ${actual} (${size} bytes): refused`);
    this.name = 'DigestMismatchError';
  }
}

/** A stored blob no longer hashes to its digest (disk corruption, a torn write, tampering). */
export class BlobCorruptedError extends Error {
  readonly kind = 'system';
  constructor(
    readonly digest: Digest,
    readonly actual: Digest,
    readonly where: string,
  ) {
    super(`blob ${digest}: stored content is corrupted (it hashes to ${actual}) at ${where}`);
    this.name = 'BlobCorruptedError';
  }
}
