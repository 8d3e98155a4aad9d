// Every Store implementation keeps the same promises: digests are checked on the way in and on the
// way out, an update applies all of its writes or none, and a reopened store sees the same data.

import 'fake-indexeddb/auto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createStore, set } from 'idb-keyval';
import { digestOf, type Digest } from '../../src/go/digest';
import { BlobCorruptedError, BlobNotFoundError, DigestMismatchError, MemoryStore, type Store } from '../../src/engine/store';
import { FileStore } from '../../src/node/file-store';
import { IdbStore } from '../../src/app/idb-store';

interface Subject {
  store: Store;
  /** The store as the next daemon gets it after this one closed it (a daemon restart). */
  reopen(): Promise<Store>;
  /** Overwrites a stored blob's bytes behind the store's back. */
  tamper(digest: Digest, bytes: Uint8Array): Promise<void>;
}

const directories: string[] = [];
afterAll(async () => {
  for (const directory of directories) await rm(directory, { recursive: true, force: true });
});

let databaseCounter = 0;

const implementations: [string, () => Promise<Subject>][] = [
  [
    'MemoryStore',
    async () => {
      const store = new MemoryStore();
      // Nothing outlives the object: a restarted daemon in the same process (the tests' daemon restarts)
      // is handed the same MemoryStore, which close() leaves as it was.
      return { store, reopen: async () => store, tamper: async (digest, bytes) => store.tamperWithBlob(digest, bytes) };
    },
  ],
  [
    'FileStore',
    async () => {
      const root = await mkdtemp(join(tmpdir(), 'dockside-store-'));
      directories.push(root);
      return {
        store: await FileStore.open(root),
        reopen: () => FileStore.open(root),
        tamper: (digest, bytes) => writeFile(join(root, 'blobs', 'sha256', digest.slice('sha256:'.length)), bytes),
      };
    },
  ],
  [
    'IdbStore (fake-indexeddb)',
    async () => {
      const name = `dockside-contract-${++databaseCounter}`;
      return {
        store: new IdbStore(name),
        reopen: async () => new IdbStore(name),
        tamper: (digest, bytes) => set(`blob:${digest}`, bytes, createStore(name, 'store')),
      };
    },
  ],
];

const encoder = new TextEncoder();

async function* chunked(text: string, size: number): AsyncIterable<Uint8Array> {
  const bytes = encoder.encode(text);
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.slice(offset, offset + size);
}

async function collect(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  let text = '';
  const decoder = new TextDecoder();
  for await (const chunk of chunks) text += decoder.decode(chunk, { stream: true });
  return text;
}

describe.each(implementations)('%s', (_name, make) => {
  describe('blobs', () => {
    it('stores bytes under their digest and gives them back', async () => {
      const { store } = await make();
      const bytes = encoder.encode('hello layer');
      const digest = digestOf(bytes);
      expect(await store.blobs.put(digest, bytes)).toEqual({ digest, size: bytes.length });
      expect(await store.blobs.has(digest)).toBe(true);
      expect(await store.blobs.size(digest)).toBe(bytes.length);
      expect(new TextDecoder().decode(await store.blobs.get(digest))).toBe('hello layer');
      expect(await collect(store.blobs.read(digest))).toBe('hello layer');
      expect(await store.blobs.list()).toEqual([digest]);
    });

    it('hashes a stream as it arrives', async () => {
      const { store } = await make();
      const text = 'x'.repeat(100_000) + 'end';
      const digest = digestOf(text);
      expect(await store.blobs.put(digest, chunked(text, 4096))).toEqual({ digest, size: text.length });
      expect(await collect(store.blobs.read(digest))).toBe(text);
    });

    it('refuses bytes that do not match the expected digest, and stores nothing', async () => {
      const { store } = await make();
      const expected = digestOf('what the manifest promised');
      const error = await store.blobs.put(expected, chunked('what the network delivered', 5)).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DigestMismatchError);
      expect((error as DigestMismatchError).actual).toBe(digestOf('what the network delivered'));
      expect((error as Error).message).toContain(expected);
      expect(await store.blobs.has(expected)).toBe(false);
      expect(await store.blobs.list()).toEqual([]);
    });

    it('refuses a malformed digest', async () => {
      const { store } = await make();
      await expect(store.blobs.put('sha256:abc' as Digest, encoder.encode('x'))).rejects.toThrow('invalid checksum digest length');
    });

    it('detects corruption on read', async () => {
      const { store, tamper } = await make();
      const digest = digestOf('original');
      await store.blobs.put(digest, encoder.encode('original'));
      await tamper(digest, encoder.encode('origina1'));
      const error = await store.blobs.get(digest).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(BlobCorruptedError);
      expect((error as Error).message).toContain(`blob ${digest}: stored content is corrupted (it hashes to ${digestOf('origina1')})`);
      await expect(collect(store.blobs.read(digest))).rejects.toBeInstanceOf(BlobCorruptedError);
    });

    it('reports a missing blob', async () => {
      const { store } = await make();
      const digest = digestOf('never stored');
      await expect(store.blobs.get(digest)).rejects.toBeInstanceOf(BlobNotFoundError);
      expect(await store.blobs.size(digest)).toBeUndefined();
      expect(await store.blobs.delete(digest)).toBe(false);
    });

    it('deletes', async () => {
      const { store } = await make();
      const digest = digestOf('short-lived');
      await store.blobs.put(digest, encoder.encode('short-lived'));
      expect(await store.blobs.delete(digest)).toBe(true);
      expect(await store.blobs.has(digest)).toBe(false);
      expect(await store.blobs.list()).toEqual([]);
    });
  });

  describe('metadata', () => {
    it('puts, gets, lists by prefix and deletes in updates', async () => {
      const { store } = await make();
      await store.metadata.update((tx) => {
        tx.put('images/b', { id: 'b' });
        tx.put('images/a', { id: 'a', tags: ['x'] });
        tx.put('tags/x', 'a');
      });
      expect(await store.metadata.get('images/a')).toEqual({ id: 'a', tags: ['x'] });
      expect(await store.metadata.keys('images/')).toEqual(['images/a', 'images/b']);
      expect(await store.metadata.keys()).toEqual(['images/a', 'images/b', 'tags/x']);
      await store.metadata.update((tx) => tx.delete('images/b'));
      expect(await store.metadata.get('images/b')).toBeUndefined();
    });

    it('puts and deletes single documents', async () => {
      const { store } = await make();
      await store.metadata.put('containers/abc', { name: '/web' });
      expect(await store.metadata.get('containers/abc')).toEqual({ name: '/web' });
      expect(await store.metadata.delete('containers/abc')).toBe(true);
      expect(await store.metadata.delete('containers/abc')).toBe(false);
      expect(await store.metadata.keys()).toEqual([]);
    });

    it('lets a transaction read its own writes and deletes', async () => {
      const { store } = await make();
      await store.metadata.update((tx) => tx.put('k/1', 1));
      const seen = await store.metadata.update(async (tx) => {
        tx.put('k/2', 2);
        tx.delete('k/1');
        return { keys: await tx.keys('k/'), one: await tx.get('k/1'), two: await tx.get('k/2') };
      });
      expect(seen).toEqual({ keys: ['k/2'], one: undefined, two: 2 });
    });

    it('hands out copies: changing a read value changes nothing stored', async () => {
      const { store } = await make();
      const value = { list: [1, 2] };
      await store.metadata.update((tx) => tx.put('doc', value));
      value.list.push(3);
      const read = (await store.metadata.get('doc')) as { list: number[] };
      read.list.push(4);
      expect(await store.metadata.get('doc')).toEqual({ list: [1, 2] });
    });

    it('applies none of the writes of an update that fails half way', async () => {
      const { store } = await make();
      await store.metadata.update((tx) => {
        tx.put('images/old', { id: 'old' });
        tx.put('tags/latest', 'old');
      });
      await expect(
        store.metadata.update(async (tx) => {
          tx.put('images/new', { id: 'new' });
          tx.put('tags/latest', 'new');
          tx.delete('images/old');
          throw new Error('pull interrupted');
        }),
      ).rejects.toThrow('pull interrupted');
      expect(await store.metadata.keys()).toEqual(['images/old', 'tags/latest']);
      expect(await store.metadata.get('tags/latest')).toBe('old');
    });

    it('runs updates one at a time, in call order', async () => {
      const { store } = await make();
      await store.metadata.update((tx) => tx.put('counter', 0));
      const increments = Array.from({ length: 10 }, () =>
        store.metadata.update(async (tx) => {
          const value = (await tx.get('counter')) as number;
          await new Promise((resolve) => setTimeout(resolve, 1));
          tx.put('counter', value + 1);
        }),
      );
      await Promise.all(increments);
      expect(await store.metadata.get('counter')).toBe(10);
    });
  });

  it('reopened, sees the same blobs and documents', async () => {
    const subject = await make();
    const digest = digestOf('kept');
    await subject.store.blobs.put(digest, encoder.encode('kept'));
    await subject.store.metadata.update((tx) => {
      tx.put('images/a', { id: 'a', size: 4, labels: { x: 'y' }, cmd: null });
      tx.put('tags/latest', 'a');
    });
    await subject.store.close();
    const reopened = await subject.reopen();
    expect(new TextDecoder().decode(await reopened.blobs.get(digest))).toBe('kept');
    expect(await reopened.blobs.list()).toEqual([digest]);
    expect(await reopened.metadata.get('images/a')).toEqual({ id: 'a', size: 4, labels: { x: 'y' }, cmd: null });
    expect(await reopened.metadata.keys()).toEqual(['images/a', 'tags/latest']);
  });
});
