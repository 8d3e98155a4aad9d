// A Store in a directory, for the command line and tests in Node:
//   <root>/blobs/<algorithm>/<hex>   one file per blob
//   <root>/metadata.json             every metadata document, in one file
//   <root>/tmp/                      writes in progress
// Every write goes to a new file in tmp/, is flushed to disk, then renamed over its final name:
// a rename is atomic, so a process killed at any moment leaves either the old file or the new one.
// Keeping all metadata in one file makes a multi-key update one rename, so it is atomic across
// keys. Leftovers in tmp/ are from interrupted writes and are removed on open.
// One process at a time may open a directory.

import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { digestHex, parseDigest, type Digest, type DigestAlgorithm } from '../go/digest';
import {
  BlobNotFoundError,
  cloneJson,
  compareKeys,
  deleteOne,
  putOne,
  hashWhileCopying,
  runUpdate,
  SerialQueue,
  verifyingChunks,
  verifyStored,
  type BlobInfo,
  type BlobSource,
  type BlobStore,
  type FaultHook,
  type JsonValue,
  type MetadataStore,
  type MetadataTransaction,
  type Store,
  type WriteSet,
} from '../engine/store';

const stateFileName = 'metadata.json';
const stateFormatVersion = 1;
const algorithms: readonly DigestAlgorithm[] = ['sha256', 'sha384', 'sha512'];

export interface FileStoreOptions {
  /**
   * Called at each step of a write ('blob:temp-written', 'blob:renamed', 'metadata:temp-written',
   * 'metadata:renamed'); a test throws from it to simulate a crash at that point, then reopens.
   */
  fault?: FaultHook;
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

function temporaryName(kind: string): string {
  return `${kind}-${process.pid}-${randomBytes(8).toString('hex')}`;
}

/** Flushes a directory so that a rename inside it survives a power loss, not only a crash. */
async function syncDirectory(path: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(path, 'r');
    await handle.sync();
  } catch {
    // Not every platform can fsync a directory; the rename is still atomic.
  } finally {
    await handle?.close();
  }
}

/** Writes a file under a temporary name, flushes it, and renames it into place. */
async function writeAtomically(
  tmpDir: string,
  finalPath: string,
  kind: string,
  write: (handle: FileHandle) => Promise<void>,
  fault: FaultHook,
): Promise<void> {
  const tempPath = join(tmpDir, temporaryName(kind));
  const handle = await open(tempPath, 'wx');
  try {
    await write(handle);
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(tempPath, { force: true });
    throw error;
  }
  await handle.close();
  fault(`${kind}:temp-written`);
  await rename(tempPath, finalPath);
  fault(`${kind}:renamed`);
}

class FileBlobStore implements BlobStore {
  constructor(
    private readonly root: string,
    private readonly tmpDir: string,
    private readonly fault: FaultHook,
  ) {}

  private pathOf(digest: Digest): string {
    parseDigest(digest);
    return join(this.root, 'blobs', digest.slice(0, digest.indexOf(':')), digestHex(digest));
  }

  async put(expected: Digest, data: BlobSource): Promise<BlobInfo> {
    const finalPath = this.pathOf(expected);
    let size = 0;
    await writeAtomically(
      this.tmpDir,
      finalPath,
      'blob',
      async (handle) => {
        size = await hashWhileCopying(expected, data, async (chunk) => {
          await handle.write(chunk);
        });
      },
      this.fault,
    );
    await syncDirectory(join(finalPath, '..'));
    return { digest: expected, size };
  }

  async get(digest: Digest): Promise<Uint8Array> {
    const path = this.pathOf(digest);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (error) {
      if (isErrno(error, 'ENOENT')) throw new BlobNotFoundError(digest);
      throw error;
    }
    return verifyStored(digest, bytes, path);
  }

  async *read(digest: Digest): AsyncIterable<Uint8Array> {
    const path = this.pathOf(digest);
    if (!(await this.has(digest))) throw new BlobNotFoundError(digest);
    const chunks = (async function* () {
      for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
        yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
      }
    })();
    yield* verifyingChunks(digest, chunks, path);
  }

  async has(digest: Digest): Promise<boolean> {
    return (await this.size(digest)) !== undefined;
  }

  async size(digest: Digest): Promise<number | undefined> {
    try {
      return (await stat(this.pathOf(digest))).size;
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw error;
    }
  }

  async delete(digest: Digest): Promise<boolean> {
    try {
      await unlink(this.pathOf(digest));
      return true;
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return false;
      throw error;
    }
  }

  async list(): Promise<Digest[]> {
    const digests: Digest[] = [];
    for (const algorithm of algorithms) {
      let names: string[];
      try {
        names = await readdir(join(this.root, 'blobs', algorithm));
      } catch (error) {
        if (isErrno(error, 'ENOENT')) continue;
        throw error;
      }
      for (const name of names) digests.push(`${algorithm}:${name}`);
    }
    return digests.sort(compareKeys);
  }
}

class FileMetadataStore implements MetadataStore {
  private readonly queue = new SerialQueue();

  constructor(
    private readonly root: string,
    private readonly tmpDir: string,
    private documents: Map<string, JsonValue>,
    private readonly fault: FaultHook,
  ) {}

  async get(key: string): Promise<JsonValue | undefined> {
    const value = this.documents.get(key);
    return value === undefined ? undefined : cloneJson(value);
  }

  async keys(prefix = ''): Promise<string[]> {
    return [...this.documents.keys()].filter((key) => key.startsWith(prefix)).sort(compareKeys);
  }

  update<T>(fn: (tx: MetadataTransaction) => T | Promise<T>): Promise<T> {
    return runUpdate(this.queue, this, fn, (writes) => this.commit(writes));
  }

  put(key: string, value: JsonValue): Promise<void> {
    return putOne(this, key, value);
  }

  delete(key: string): Promise<boolean> {
    return deleteOne(this, key);
  }

  private async commit(writes: WriteSet): Promise<void> {
    const next = new Map(this.documents);
    for (const [key, value] of writes) {
      if (value === undefined) next.delete(key);
      else next.set(key, value);
    }
    const sorted = [...next.keys()].sort(compareKeys);
    const text = JSON.stringify({ version: stateFormatVersion, documents: Object.fromEntries(sorted.map((key) => [key, next.get(key)])) });
    await writeAtomically(
      this.tmpDir,
      join(this.root, stateFileName),
      'metadata',
      async (handle) => {
        await handle.writeFile(text, 'utf8');
      },
      this.fault,
    );
    await syncDirectory(this.root);
    // Only now, with the new file in place, does this process see the new state.
    this.documents = next;
  }
}

async function loadState(root: string): Promise<Map<string, JsonValue>> {
  const path = join(root, stateFileName);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return new Map();
    throw error;
  }
  let state: unknown;
  try {
    state = JSON.parse(text);
  } catch (error) {
    throw new Error(`opening the store: ${path} is not valid JSON (${(error as Error).message})`);
  }
  if (typeof state !== 'object' || state === null || !('version' in state) || !('documents' in state)) {
    throw new Error(`opening the store: ${path} is not a Dockside metadata file`);
  }
  if (state.version !== stateFormatVersion) {
    throw new Error(`opening the store: ${path} has format version ${String(state.version)}, expected ${stateFormatVersion}`);
  }
  const documents = state.documents as Record<string, JsonValue>;
  return new Map(Object.entries(documents));
}

export class FileStore implements Store {
  private constructor(
    readonly root: string,
    readonly blobs: BlobStore,
    readonly metadata: MetadataStore,
  ) {}

  /** Opens (creating if needed) a store in `root`, discarding the leftovers of interrupted writes. */
  static async open(root: string, options: FileStoreOptions = {}): Promise<FileStore> {
    const fault = options.fault ?? (() => {});
    const tmpDir = join(root, 'tmp');
    await rm(tmpDir, { recursive: true, force: true });
    await mkdir(tmpDir, { recursive: true });
    for (const algorithm of algorithms) await mkdir(join(root, 'blobs', algorithm), { recursive: true });
    const documents = await loadState(root);
    return new FileStore(
      root,
      new FileBlobStore(root, tmpDir, fault),
      new FileMetadataStore(root, tmpDir, documents, fault),
    );
  }

  async close(): Promise<void> {}
}
