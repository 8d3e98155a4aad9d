// A Store in the browser's IndexedDB, through idb-keyval: one database with one object store,
// keys prefixed by what they hold:
//   blob:<digest>        the bytes (a Uint8Array)
//   blob-size:<digest>   its size, written in the same transaction, so size/has/list need not read bytes
//   meta:<key>           a metadata document
// An update's writes go into one readwrite IndexedDB transaction, which the browser applies whole
// or not at all (a closed tab or a failed request aborts it). Two tabs on one database would each
// think they own it: the app must open one engine per database.

import { createStore, promisifyRequest, type UseStore } from 'idb-keyval';
import { parseDigest, type Digest } from '../go/digest';
import {
  BlobNotFoundError,
  cloneJson,
  collectVerified,
  compareKeys,
  deleteOne,
  putOne,
  runUpdate,
  SerialQueue,
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

const blobPrefix = 'blob:';
const blobSizePrefix = 'blob-size:';
const metadataPrefix = 'meta:';

/** All keys starting with prefix (IndexedDB orders string keys by code unit, as compareKeys does). */
function prefixRange(prefix: string): IDBKeyRange {
  return IDBKeyRange.bound(prefix, `${prefix}\uffff`);
}

/** Keys of one namespace (blob-size:, meta:) that start with prefix, without the namespace. */
async function keysWithPrefix(useStore: UseStore, namespace: string, prefix = ''): Promise<string[]> {
  const range = prefixRange(namespace + prefix);
  const keys = await useStore('readonly', (store) => promisifyRequest(store.getAllKeys(range)));
  return keys.map((key) => String(key).slice(namespace.length)).sort(compareKeys);
}

async function getValue(useStore: UseStore, key: string): Promise<unknown> {
  return useStore('readonly', (store) => promisifyRequest(store.get(key)));
}

class IdbBlobStore implements BlobStore {
  constructor(private readonly useStore: UseStore) {}

  async put(expected: Digest, data: BlobSource): Promise<BlobInfo> {
    // IndexedDB stores a value whole, so the blob is gathered (and verified) before it is written.
    const bytes = await collectVerified(expected, data);
    await this.useStore('readwrite', (store) => {
      store.put(bytes, blobPrefix + expected);
      store.put(bytes.byteLength, blobSizePrefix + expected);
      return promisifyRequest(store.transaction);
    });
    return { digest: expected, size: bytes.byteLength };
  }

  async get(digest: Digest): Promise<Uint8Array> {
    const value = await getValue(this.useStore, blobPrefix + parseDigest(digest));
    if (value === undefined) throw new BlobNotFoundError(digest);
    if (!(value instanceof Uint8Array)) throw new Error(`blob ${digest}: IndexedDB holds a ${typeof value}, not bytes`);
    return verifyStored(digest, value, 'IndexedDB');
  }

  async *read(digest: Digest): AsyncIterable<Uint8Array> {
    yield await this.get(digest);
  }

  async has(digest: Digest): Promise<boolean> {
    return (await this.size(digest)) !== undefined;
  }

  async size(digest: Digest): Promise<number | undefined> {
    const value = await getValue(this.useStore, blobSizePrefix + digest);
    return typeof value === 'number' ? value : undefined;
  }

  async delete(digest: Digest): Promise<boolean> {
    const existed = await this.has(digest);
    await this.useStore('readwrite', (store) => {
      store.delete(blobPrefix + digest);
      store.delete(blobSizePrefix + digest);
      return promisifyRequest(store.transaction);
    });
    return existed;
  }

  async list(): Promise<Digest[]> {
    return (await keysWithPrefix(this.useStore, blobSizePrefix)) as Digest[];
  }
}

class IdbMetadataStore implements MetadataStore {
  private readonly queue = new SerialQueue();

  constructor(
    private readonly useStore: UseStore,
    private readonly fault: FaultHook,
  ) {}

  async get(key: string): Promise<JsonValue | undefined> {
    return (await getValue(this.useStore, metadataPrefix + key)) as JsonValue | undefined;
  }

  async keys(prefix = ''): Promise<string[]> {
    return keysWithPrefix(this.useStore, metadataPrefix, prefix);
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

  private commit(writes: WriteSet): Promise<void> {
    return this.useStore('readwrite', (store) => {
      const done = promisifyRequest(store.transaction);
      try {
        let written = 0;
        for (const [key, value] of writes) {
          if (value === undefined) store.delete(metadataPrefix + key);
          else store.put(cloneJson(value), metadataPrefix + key);
          if (++written === 1) this.fault('metadata:partly-written');
        }
      } catch (error) {
        // Requests already made belong to this transaction: aborting it undoes them.
        store.transaction.abort();
        done.catch(() => undefined);
        throw error;
      }
      return done;
    });
  }
}

export interface IdbStoreOptions {
  /** Called between the requests of a metadata commit; a test throws from it to abort one. */
  fault?: FaultHook;
}

export class IdbStore implements Store {
  readonly blobs: BlobStore;
  readonly metadata: MetadataStore;

  constructor(databaseName = 'dockside', options: IdbStoreOptions = {}) {
    const useStore = createStore(databaseName, 'store');
    this.blobs = new IdbBlobStore(useStore);
    this.metadata = new IdbMetadataStore(useStore, options.fault ?? (() => {}));
  }

  async close(): Promise<void> {}
}
