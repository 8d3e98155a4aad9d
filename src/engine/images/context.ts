// What every part of the image service shares: its collaborators, the image store, which layers are
// unpacked in the guest (each once, at /var/lib/docker/overlay2/<id>/diff, marked by <id>/committed so
// a restored or reloaded guest knows what it has), and small helpers.

import { invalidParameter } from '../errors';
import type { EventBus } from '../events';
import type { RegistrySource } from '../registry/source';
import type { Runtime } from '../runtime/types';
import type { Store } from '../store/types';
import { ImageStore, layerDiffPath, overlayRoot, type LayerRecord } from './image-store';
import { InvalidReferenceError, referenceString, type NamedReference } from './reference';
import type { ImageUsers } from './types';

export interface ImageServiceOptions {
  store: Store;
  runtime: Runtime;
  registry: RegistrySource;
  events: EventBus;
  clock: () => Date;
  /**
   * When layers are unpacked in the guest: 'pull' (as docker extracts, with "Extracting" progress)
   * or 'run' (the first container that needs a layer waits for it). See bench/images.ts.
   */
  unpackAt?: 'pull' | 'run';
  newCacheId?: () => string;
  /** Which containers use an image (none when the service runs without containers). */
  users?: ImageUsers;
}

const NO_USERS: ImageUsers = { ready: async () => undefined, userOf: () => undefined };

/** Runs fn; a reference that does not parse is an invalid parameter (image store errors have their kinds). */
export async function api<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof InvalidReferenceError) throw invalidParameter(error.message);
    throw error;
  }
}

export function unixSeconds(created: string | null | undefined): number {
  if (!created) return 0;
  const ms = Date.parse(created);
  return Number.isNaN(ms) ? 0 : Math.floor(ms / 1000);
}

export class ImageContext {
  readonly images: ImageStore;
  readonly store: Store;
  readonly runtime: Runtime;
  readonly registry: RegistrySource;
  readonly events: EventBus;
  readonly clock: () => Date;
  readonly users: ImageUsers;
  /** When layers are unpacked in the guest (ImageServiceOptions.unpackAt); may be changed at any time. */
  unpackAt: 'pull' | 'run';
  /** Layers being (or already) unpacked, by cache id. */
  readonly unpacking = new Map<string, Promise<void>>();

  constructor(options: ImageServiceOptions) {
    this.store = options.store;
    this.runtime = options.runtime;
    this.registry = options.registry;
    this.events = options.events;
    this.clock = options.clock;
    this.unpackAt = options.unpackAt ?? 'pull';
    this.users = options.users ?? NO_USERS;
    this.images = new ImageStore(options.store, { now: options.clock, newCacheId: options.newCacheId });
  }

  // ---- layers in the guest ----

  private markerPath(layer: LayerRecord): string {
    return `${overlayRoot}/${layer.cacheId}/committed`;
  }

  async isUnpacked(layer: LayerRecord): Promise<boolean> {
    const found = await this.runtime.readFiles([this.markerPath(layer)]);
    return found[this.markerPath(layer)] !== null && found[this.markerPath(layer)] !== undefined;
  }

  async markUnpacked(layer: LayerRecord): Promise<void> {
    await this.runtime.writeFile(this.markerPath(layer), '', 0o600);
  }

  /**
   * Unpacks a layer into its overlay directory once (concurrent callers wait for the same work), from
   * `tar` when the caller has its bytes at hand, else from the stored blob.
   */
  ensureUnpacked(layer: LayerRecord, tar?: Uint8Array): Promise<void> {
    let work = this.unpacking.get(layer.cacheId);
    if (!work) {
      work = (async () => {
        if (await this.isUnpacked(layer)) return;
        if (!layer.blob) throw new Error(`layer ${layer.chainId}: no blob to unpack it from`);
        await this.runtime.installLayer(layerDiffPath(layer), tar ?? (await this.store.blobs.get(layer.blob.digest)));
        await this.markUnpacked(layer);
      })();
      this.unpacking.set(layer.cacheId, work);
      work.catch(() => this.unpacking.delete(layer.cacheId));
    }
    return work;
  }

  /** The image a reference names now, if any. */
  async imageIdOf(reference: NamedReference): Promise<string | undefined> {
    try {
      return (await this.images.resolve(referenceString(reference))).id;
    } catch {
      return undefined;
    }
  }
}
