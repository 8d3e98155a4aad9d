// The learner's machine and the engine's store saved and resumed as one consistent pair (issue 14):
// the guest's whole machine (v86 state: memory, devices, the 9p share with the unpacked layers) and
// the engine's records and blobs as they were at that same moment. Resuming puts both back, and the
// engine takes back the containers that were running (their processes are still running in the
// resumed machine). Platform-neutral: Node writes a pair into one file (src/node/state-file.ts); the
// page can keep the same pieces in IndexedDB.

import type { Digest } from '../go/digest';
import type { JsonValue, Store } from '../engine/store';
import { Guest, type GuestArtifacts, type GuestCursor, type StartOptions } from '../vm/guest';

/** Every document and blob of a store, read at one moment. */
export interface StoreSnapshot {
  metadata: [string, JsonValue][];
  blobs: { digest: Digest; bytes: Uint8Array }[];
}

/** A saved machine and the store that goes with it. */
export interface MachinePair {
  /** v86's state of the machine. */
  state: ArrayBuffer;
  /** The host side's ids at the save (Guest.start's resume option). */
  cursor: GuestCursor;
  store: StoreSnapshot;
}

/**
 * Reads every metadata document and blob. Reads go around update() on purpose: it is called while
 * the machine stands still, and an update waiting on the guest would never finish then. Taken when no
 * docker command is in flight (as `dockside sh` does at its end), the pair is exact; taken mid-command,
 * the store has what was committed before the save.
 */
export async function snapshotStore(store: Store): Promise<StoreSnapshot> {
  const metadata: [string, JsonValue][] = [];
  for (const key of await store.metadata.keys()) {
    const value = await store.metadata.get(key);
    if (value !== undefined) metadata.push([key, value]);
  }
  const blobs: StoreSnapshot['blobs'] = [];
  for (const digest of await store.blobs.list()) blobs.push({ digest, bytes: await store.blobs.get(digest) });
  return { metadata, blobs };
}

/** Puts a snapshot into an empty store (every blob is verified again as it is written). */
export async function loadStore(store: Store, snapshot: StoreSnapshot): Promise<void> {
  const existing = await store.metadata.keys();
  if (existing.length > 0) throw new Error('a snapshot is loaded into an empty store only');
  for (const blob of snapshot.blobs) await store.blobs.put(blob.digest, blob.bytes);
  await store.metadata.update((tx) => {
    for (const [key, value] of snapshot.metadata) tx.put(key, value);
  });
}

/** Saves the running machine and the store together (the machine stands still meanwhile). */
export async function savePair(guest: Guest, store: Store): Promise<MachinePair> {
  const saved = await guest.hibernate(() => snapshotStore(store));
  return { state: saved.state, cursor: saved.cursor, store: saved.captured };
}

/**
 * Resumes a saved pair: the store is filled from it, then the machine starts from its state with the
 * host's ids going on from the save. The caller then starts the engine on both with `resumed: true`
 * (DocksideEngine.start), which takes the running containers back.
 */
export async function resumePair(artifacts: GuestArtifacts, pair: MachinePair, store: Store, options: StartOptions = {}): Promise<Guest> {
  await loadStore(store, pair.store);
  return Guest.start({ ...artifacts, state: pair.state }, 'restore', { ...options, resume: pair.cursor });
}
