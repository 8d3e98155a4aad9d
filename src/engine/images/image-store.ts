// The image metadata model of dockerd's classic image store (moby daemon/images, image/, layer/,
// reference/), kept in a Store:
//   image/<id>         an image: its id is the digest of its config blob
//   ref/<reference>    a tag (docker.io/library/busybox:latest) or a digest reference
//                      (docker.io/library/busybox@sha256:<manifest digest>) pointing at an image id
//   layer/<chain id>   a layer: its diff id, parent layer, size, and the directory the guest sees
//                      it in (/var/lib/docker/overlay2/<cache id>/diff)
// Layers are shared by chain id and reference counted as docker's layer store does: an image holds
// its top layer, a layer holds its parent, a container's writable layer holds the image's top
// layer (retainLayer). A layer goes when nothing holds it any more.
// Every operation is one metadata transaction, so an interrupted pull, tag or rmi leaves the old
// state or the new one. Blobs are written before the transaction that refers to them and deleted
// after the one that drops the last reference; a crash in between leaves only unreferenced blobs,
// which collectGarbage() removes.

import { EngineError } from '../errors';
import { chainIds, digestHex, digestOf, shortId, type Digest } from '../oci/digest';
import { parseImageConfig, parseImageManifest } from '../oci/parse';
import type { Descriptor, ImageConfig, ImageManifest } from '../oci/types';
import type { MetadataReader, MetadataTransaction, Store } from '../store/types';
import {
  familiarName,
  familiarString,
  isNamed,
  parseAnyReference,
  parseNormalizedNamed,
  referenceName,
  referenceString,
  tagNameOnly,
  type NamedReference,
} from './reference';

export type ImageId = Digest;

/** Where docker's overlay2 driver keeps a layer's files, as the guest sees them. */
export const overlayRoot = '/var/lib/docker/overlay2';

export type LayerBlob = {
  /** Digest of the blob as a registry serves it (usually gzip-compressed). */
  digest: Digest;
  mediaType: string;
  size: number;
};

export type LayerRecord = {
  chainId: Digest;
  diffId: Digest;
  /** The chain id of the layer below, or null for a base layer. */
  parent: Digest | null;
  /** Bytes of the unpacked diff (docker's DiffSize). */
  size: number;
  /** The directory name under /var/lib/docker/overlay2 (random, as docker makes it). */
  cacheId: string;
  /** The compressed blob the layer came from, when known (for push and save). */
  blob: LayerBlob | null;
  /** Child layers + images whose top layer this is + external holders (containers). */
  references: number;
};

export type ImageRecord = {
  id: ImageId;
  /** The image this one was built or committed on; docker keeps it for local images only. */
  parent: ImageId | null;
  /** Chain ids of the image's layers, base first ([] for an image without layers). */
  layers: Digest[];
  /** Unpacked size of all layers. */
  size: number;
  /** The config's `created`, if any. */
  created: string | null;
  /** Manifests this image is known by (pulled or loaded); their blobs are kept with the image. */
  manifests: Digest[];
  /** When a tag was last set (docker inspect's Metadata.LastTagTime); null before. */
  lastTagTime: string | null;
};

/** A reference document; the key is its canonical string. */
type ReferenceRecord = { imageId: ImageId };

export interface LayerInput {
  diffId: Digest;
  /** Unpacked size in bytes. */
  size: number;
  /** The blob it was unpacked from; taken from the manifest when not given. */
  blob?: LayerBlob;
}

export interface AddImageInput {
  /** The config exactly as received: the image id is its digest. */
  config: Uint8Array;
  /** The manifest it came with, exactly as received (pull, load), if any. */
  manifest?: Uint8Array;
  /** One entry per rootfs.diff_ids entry, in the same order. */
  layers: readonly LayerInput[];
  parent?: ImageId;
  /** Tags and digest references to point at the image in the same transaction (a pull's). */
  references?: readonly NamedReference[];
}

export interface ContainerUse {
  /** The full container id. */
  id: string;
  running: boolean;
}

/** The containers whose image is the given one (docker: c.ImageID == imgID). */
export type ContainersUsingImage = (imageId: ImageId) => readonly ContainerUse[];

export type DeleteRecord = { Untagged: string } | { Deleted: string };

export interface DeleteResult {
  /** What the API returns and `docker rmi` prints, in docker's order. */
  records: DeleteRecord[];
  /** Layers no longer held: their overlay directories can go. */
  removedLayers: LayerRecord[];
}

export interface ImageSummary {
  id: ImageId;
  parentId: ImageId | null;
  /** Familiar forms: `busybox:latest`. */
  repoTags: string[];
  /** Familiar forms: `busybox@sha256:...`. */
  repoDigests: string[];
  created: string | null;
  size: number;
}

export interface ImageDetails {
  record: ImageRecord;
  config: ImageConfig;
  repoTags: string[];
  repoDigests: string[];
}

/** An error of the image store with docker's text: not-found, conflict or invalid-parameter. */
export class ImageStoreError extends EngineError {
  constructor(kind: 'not-found' | 'conflict' | 'invalid-parameter', message: string) {
    super(kind, message);
    this.name = 'ImageStoreError';
  }
}

/** docker's ErrImageDoesNotExist: "No such image: busybox:latest". */
export class ImageNotFoundError extends ImageStoreError {
  constructor(readonly reference: string) {
    super('not-found', `No such image: ${reference}`);
    this.name = 'ImageNotFoundError';
  }
}

/** docker's imageDeleteConflict. */
export class ImageDeleteConflictError extends ImageStoreError {
  constructor(
    readonly imageId: ImageId,
    /** Not even force may delete it (child images, a running container). */
    readonly hard: boolean,
    /** A container uses it. */
    readonly used: boolean,
    readonly reason: string,
  ) {
    super('conflict', `conflict: unable to delete ${shortId(imageId)} (${hard ? 'cannot be forced' : 'must be forced'}) - ${reason}`);
    this.name = 'ImageDeleteConflictError';
  }
}

export interface ImageStoreOptions {
  /** A new overlay directory name (docker: 32 random bytes in hex). */
  newCacheId?: () => string;
  now?: () => Date;
}

const imagePrefix = 'image/';
const referencePrefix = 'ref/';
const layerPrefix = 'layer/';
/** Blobs the registry of this browser holds (written by the image service's push). */
export const registryBlobPrefix = 'registry-blob/';

function randomCacheId(): string {
  const bytes = new Uint8Array(32);
  globalThis.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The diff directory of a layer in the guest. */
export function layerDiffPath(layer: Pick<LayerRecord, 'cacheId'>): string {
  return `${overlayRoot}/${layer.cacheId}/diff`;
}

/** The key of a reference: a tag+digest reference is stored by its digest (moby's favorDigest). */
function storedReference(reference: NamedReference): NamedReference {
  if (reference.digest !== undefined) return { domain: reference.domain, path: reference.path, digest: reference.digest };
  return tagNameOnly(reference);
}

function referenceKey(reference: NamedReference): string {
  return referencePrefix + referenceString(storedReference(reference));
}

/** Docker's isImageIDPrefix: the argument was (a prefix of) the id, with or without `sha256:`. */
function isImageIdPrefix(imageId: ImageId, argument: string): boolean {
  return imageId.startsWith(argument) || digestHex(imageId).startsWith(argument);
}

/** One tag at most and every reference in one repository (docker's isSingleReference). */
function isSingleReference(references: readonly NamedReference[]): boolean {
  if (references.length <= 1) return references.length === 1;
  let single: NamedReference | undefined;
  const digestRepositories = new Set<string>();
  for (const reference of references) {
    if (reference.digest !== undefined) digestRepositories.add(referenceName(reference));
    else if (single === undefined) single = reference;
    else return false;
  }
  single ??= references[0];
  return digestRepositories.size === 1 && single !== undefined && digestRepositories.has(referenceName(single));
}

// Conflict kinds, as in moby's image_delete.go.
const conflictDependentChild = 1;
const conflictRunningContainer = 2;
const conflictActiveReference = 4;
const conflictStoppedContainer = 8;
const conflictHard = conflictDependentChild | conflictRunningContainer;
const conflictSoft = conflictActiveReference | conflictStoppedContainer;

export class ImageStore {
  private readonly newCacheId: () => string;
  private readonly now: () => Date;

  constructor(
    private readonly store: Store,
    options: ImageStoreOptions = {},
  ) {
    this.newCacheId = options.newCacheId ?? randomCacheId;
    this.now = options.now ?? (() => new Date());
  }

  // ---- adding ------------------------------------------------------------------------------

  /**
   * Stores an image: its config (and manifest) blobs, then in one transaction its layer records,
   * the image record and the given references. Adding an image that exists only adds what is new
   * (a manifest, references); its layers are not counted twice.
   */
  async addImage(input: AddImageInput): Promise<ImageRecord> {
    const config = parseImageConfig(input.config);
    const imageId = digestOf(input.config);
    const diffIds = config.rootfs.diff_ids;
    if (input.layers.length !== diffIds.length) {
      throw new ImageStoreError(
        'invalid-parameter',
        `image ${imageId}: config has ${diffIds.length} layers (rootfs.diff_ids) but ${input.layers.length} were given`,
      );
    }
    input.layers.forEach((layer, index) => {
      if (layer.diffId !== diffIds[index]) {
        throw new ImageStoreError(
          'invalid-parameter',
          `image ${imageId}: layer ${index} has diff id ${layer.diffId}, the config says ${diffIds[index]}`,
        );
      }
    });
    let manifest: ImageManifest | undefined;
    let manifestDigest: Digest | undefined;
    if (input.manifest) {
      manifest = parseImageManifest(input.manifest);
      manifestDigest = digestOf(input.manifest);
      if (manifest.config.digest !== imageId) {
        throw new ImageStoreError('invalid-parameter', `manifest ${manifestDigest} names config ${manifest.config.digest}, not ${imageId}`);
      }
      if (manifest.layers.length !== diffIds.length) {
        throw new ImageStoreError(
          'invalid-parameter',
          `manifest ${manifestDigest} has ${manifest.layers.length} layers, the config ${diffIds.length}`,
        );
      }
    }
    for (const reference of input.references ?? []) checkTaggable(reference);

    await this.store.blobs.put(imageId, input.config);
    if (input.manifest && manifestDigest) await this.store.blobs.put(manifestDigest, input.manifest);

    return this.store.metadata.update(async (tx) => {
      let image = await readImage(tx, imageId);
      if (!image) {
        if (input.parent !== undefined && !(await readImage(tx, input.parent))) {
          throw new ImageStoreError('invalid-parameter', `failed to set parent ${input.parent}: unknown parent image ID`);
        }
        const layers = await this.registerLayers(tx, input.layers, manifest?.layers);
        if (layers.length > 0) await adjustLayerReferences(tx, layers.at(-1) as Digest, +1);
        image = {
          id: imageId,
          parent: input.parent ?? null,
          layers,
          size: input.layers.reduce((sum, layer) => sum + layer.size, 0),
          created: config.created ?? null,
          manifests: [],
          lastTagTime: null,
        };
      }
      if (manifestDigest && !image.manifests.includes(manifestDigest)) image.manifests = [...image.manifests, manifestDigest];
      if ((input.references ?? []).some((reference) => reference.digest === undefined)) image.lastTagTime = this.now().toISOString();
      tx.put(imagePrefix + imageId, image);
      for (const reference of input.references ?? []) await addReference(tx, reference, imageId);
      return image;
    });
  }

  /** Creates the layer records a chain lacks; a new layer holds its parent. */
  private async registerLayers(
    tx: MetadataTransaction,
    layers: readonly LayerInput[],
    manifestLayers: readonly Descriptor[] | undefined,
  ): Promise<Digest[]> {
    const ids = chainIds(layers.map((layer) => layer.diffId));
    for (const [index, layer] of layers.entries()) {
      const chainId = ids[index] as Digest;
      const existing = await readLayer(tx, chainId);
      const descriptor = manifestLayers?.[index];
      const blob = layer.blob ?? (descriptor ? { digest: descriptor.digest, mediaType: descriptor.mediaType, size: descriptor.size } : null);
      if (existing) {
        // A layer first made locally learns where a registry keeps its blob.
        if (!existing.blob && blob) tx.put(layerPrefix + chainId, { ...existing, blob });
        continue;
      }
      const parent = index === 0 ? null : (ids[index - 1] as Digest);
      const record: LayerRecord = {
        chainId,
        diffId: layer.diffId,
        parent,
        size: layer.size,
        cacheId: this.newCacheId(),
        blob,
        references: 0,
      };
      tx.put(layerPrefix + chainId, record);
      if (parent) await adjustLayerReferences(tx, parent, +1);
    }
    return ids;
  }

  // ---- references ----------------------------------------------------------------------------

  /**
   * `docker tag SOURCE TARGET`: points TARGET (a tag; `:latest` when none is given) at the image
   * SOURCE resolves to, moving it from any image it pointed at before.
   */
  async tag(source: string, target: string | NamedReference): Promise<void> {
    const reference = typeof target === 'string' ? parseNormalizedNamed(target) : target;
    if (reference.digest !== undefined) {
      throw new ImageStoreError('invalid-parameter', 'refusing to create a tag with a digest reference');
    }
    checkTaggable(reference);
    await this.store.metadata.update(async (tx) => {
      const image = await findImage(tx, source);
      await addReference(tx, reference, image.id);
      tx.put(imagePrefix + image.id, { ...image, lastTagTime: this.now().toISOString() });
    });
  }

  /** Removes a tag or digest reference (without deleting the image); false if there was none. */
  async untag(reference: string | NamedReference): Promise<boolean> {
    const named = typeof reference === 'string' ? parseNormalizedNamed(reference) : reference;
    return this.store.metadata.update(async (tx) => {
      const key = referenceKey(named);
      if ((await tx.get(key)) === undefined) return false;
      tx.delete(key);
      return true;
    });
  }

  // ---- reading -------------------------------------------------------------------------------

  /**
   * Finds an image as the daemon does (GetImage): by full id or digest, by tag or digest
   * reference, then by id prefix with or without `sha256:` (unique prefixes only).
   */
  async resolve(referenceOrId: string): Promise<ImageRecord> {
    return findImage(this.store.metadata, referenceOrId);
  }

  async get(imageId: ImageId): Promise<ImageRecord | undefined> {
    return readImage(this.store.metadata, imageId);
  }

  /** The parsed config of an image (read from its blob, verified). */
  async config(imageId: ImageId): Promise<ImageConfig> {
    return parseImageConfig(await this.store.blobs.get(imageId));
  }

  /** What `docker image inspect` needs. */
  async inspect(referenceOrId: string): Promise<ImageDetails> {
    const record = await this.resolve(referenceOrId);
    const references = await referencesTo(this.store.metadata, record.id);
    return { record, config: await this.config(record.id), ...splitReferences(references) };
  }

  /** The references to an image, sorted as docker sorts them (by full string). */
  async references(imageId: ImageId): Promise<NamedReference[]> {
    return referencesTo(this.store.metadata, imageId);
  }

  /** Images whose parent is this one. */
  async children(imageId: ImageId): Promise<ImageId[]> {
    return (await childrenOf(this.store.metadata, imageId)).map((image) => image.id);
  }

  /**
   * `docker images` (all = false: untagged images with children, i.e. intermediate build steps,
   * are left out) and `docker images -a`; newest first.
   */
  async list(options: { all?: boolean; danglingOnly?: boolean } = {}): Promise<ImageSummary[]> {
    const metadata = this.store.metadata;
    const images = await allImages(metadata);
    const allReferences = await allReferenceRecords(metadata);
    const parents = new Set(images.map((image) => image.parent).filter((id) => id !== null));
    const summaries: ImageSummary[] = [];
    for (const image of images) {
      const { repoTags, repoDigests } = splitReferences(referencesFrom(allReferences, image.id));
      const hasChildren = parents.has(image.id);
      if (options.danglingOnly && (hasChildren || repoTags.length > 0)) continue;
      if (repoTags.length === 0 && repoDigests.length === 0 && !options.all && hasChildren) continue;
      summaries.push({ id: image.id, parentId: image.parent, repoTags, repoDigests, created: image.created, size: image.size });
    }
    return summaries.sort((a, b) => (b.created ?? '').localeCompare(a.created ?? '') || a.id.localeCompare(b.id));
  }

  /**
   * Images without a tag and without children: what `docker image prune` removes and
   * `docker images -f dangling=true` shows (digest references do not count, as in docker).
   */
  async danglingImages(): Promise<ImageId[]> {
    const images = await allImages(this.store.metadata);
    const tagged = new Set(
      (await allReferenceRecords(this.store.metadata)).filter(([reference]) => reference.tag !== undefined).map(([, record]) => record.imageId),
    );
    const parents = new Set(images.map((image) => image.parent));
    return images.filter((image) => !tagged.has(image.id) && !parents.has(image.id)).map((image) => image.id);
  }

  async layer(chainId: Digest): Promise<LayerRecord | undefined> {
    return readLayer(this.store.metadata, chainId);
  }

  /** An image's layers, base first: the lower directories of its containers' overlay mounts. */
  async imageLayers(imageId: ImageId): Promise<LayerRecord[]> {
    const image = await readImage(this.store.metadata, imageId);
    if (!image) throw new ImageNotFoundError(imageId);
    const layers: LayerRecord[] = [];
    for (const chainId of image.layers) {
      const layer = await readLayer(this.store.metadata, chainId);
      if (!layer) throw new Error(`image ${imageId}: layer ${chainId} is missing from the store`);
      layers.push(layer);
    }
    return layers;
  }

  // ---- deleting ------------------------------------------------------------------------------

  /**
   * `docker rmi` (moby's ImageDelete): untags a reference, or deletes an image given by id, with
   * docker's conflict rules and messages; `prune` (docker's default) also deletes parents that
   * this leaves without tags, children and containers.
   */
  async deleteImage(
    imageReference: string,
    options: { force?: boolean; prune?: boolean; containersUsing?: ContainersUsingImage } = {},
  ): Promise<DeleteResult> {
    const force = options.force ?? false;
    const prune = options.prune ?? true;
    const containersUsing = options.containersUsing ?? (() => []);
    const removedLayers: LayerRecord[] = [];
    const deletedImages: ImageRecord[] = [];

    const records = await this.store.metadata.update(async (tx) => {
      const records: DeleteRecord[] = [];
      const image = await findImage(tx, imageReference);
      const imageId = image.id;
      let references = await referencesTo(tx, imageId);
      let removedRepositoryReference = false;

      if (!isImageIdPrefix(imageId, imageReference)) {
        // A reference was given: it goes first, unless it is the last name of an image that a
        // container uses (the image would be left dangling), which takes force.
        if (!force && isSingleReference(references)) {
          const container = containersUsing(imageId)[0];
          if (container) {
            throw new ImageStoreError(
              'conflict',
              `conflict: unable to remove repository reference ${JSON.stringify(imageReference)} (must force) - container ${shortId(container.id)} is using its referenced image ${shortId(imageId)}`,
            );
          }
        }
        const removed = tagNameOnly(parseNormalizedNamed(imageReference));
        tx.delete(referenceKey(removed));
        records.push({ Untagged: familiarString(removed) });
        references = await referencesTo(tx, imageId);

        // Untagging the last tag of a repository also drops that repository's digest references.
        if (removed.digest === undefined) {
          const repository = referenceName(removed);
          const tagLeft = references.some((r) => r.digest === undefined && referenceName(r) === repository);
          if (!tagLeft) {
            const remaining: NamedReference[] = [];
            for (const reference of references) {
              if (reference.digest !== undefined && referenceName(reference) === repository) {
                tx.delete(referenceKey(reference));
                records.push({ Untagged: familiarString(reference) });
              } else {
                remaining.push(reference);
              }
            }
            references = remaining;
          }
        }
        if (references.length > 0) return records;
        removedRepositoryReference = true;
      } else if (isSingleReference(references)) {
        // An id was given and the image has one name: the name goes with it, if nothing else stops it.
        const conflict = await checkDeleteConflict(tx, imageId, conflictHard | (force ? 0 : conflictStoppedContainer), containersUsing);
        if (conflict) throw conflict;
        for (const reference of references) {
          tx.delete(referenceKey(reference));
          records.push({ Untagged: familiarString(reference) });
        }
      }

      await deleteWithConflictRules(tx, imageId, { records, removedLayers, deletedImages, containersUsing }, force, prune, removedRepositoryReference);
      return records;
    });

    await this.deleteUnreferencedBlobs(deletedImages, removedLayers);
    return { records, removedLayers };
  }

  /** Holds a layer for something outside the image store (a container's writable layer). */
  async retainLayer(tx: MetadataTransaction, chainId: Digest): Promise<void> {
    await adjustLayerReferences(tx, chainId, +1);
  }

  /**
   * Lets go of a layer retained before; returns the layers that nothing holds any more (and that
   * are now deleted), top first. Their blobs are deleted by collectGarbage().
   */
  async releaseLayer(tx: MetadataTransaction, chainId: Digest): Promise<LayerRecord[]> {
    return releaseLayerChain(tx, chainId);
  }

  /**
   * Deletes blobs that no image, manifest or layer refers to: those of writes interrupted between
   * blob and metadata. Call it when nothing else writes (at startup), never during a pull.
   */
  async collectGarbage(): Promise<Digest[]> {
    const metadata = this.store.metadata;
    const wanted = new Set<string>();
    // Blobs held by the registry of this browser (docker push) stay too.
    for (const key of await metadata.keys(registryBlobPrefix)) wanted.add(key.slice(registryBlobPrefix.length));
    for (const image of await allImages(metadata)) {
      wanted.add(image.id);
      for (const manifest of image.manifests) wanted.add(manifest);
    }
    for (const key of await metadata.keys(layerPrefix)) {
      const layer = await readLayer(metadata, key.slice(layerPrefix.length) as Digest);
      if (layer?.blob) wanted.add(layer.blob.digest);
    }
    const deleted: Digest[] = [];
    for (const digest of await this.store.blobs.list()) {
      if (wanted.has(digest)) continue;
      await this.store.blobs.delete(digest);
      deleted.push(digest);
    }
    return deleted;
  }

  private async deleteUnreferencedBlobs(images: readonly ImageRecord[], layers: readonly LayerRecord[]): Promise<void> {
    if (images.length === 0 && layers.length === 0) return;
    const metadata = this.store.metadata;
    const remainingImages = await allImages(metadata);
    const stillUsed = new Set<string>(remainingImages.flatMap((image) => [image.id, ...image.manifests]));
    for (const key of await metadata.keys(registryBlobPrefix)) stillUsed.add(key.slice(registryBlobPrefix.length));
    for (const key of await metadata.keys(layerPrefix)) {
      const layer = await readLayer(metadata, key.slice(layerPrefix.length) as Digest);
      if (layer?.blob) stillUsed.add(layer.blob.digest);
    }
    const candidates = [
      ...images.flatMap((image) => [image.id, ...image.manifests]),
      ...layers.flatMap((layer) => (layer.blob ? [layer.blob.digest] : [])),
    ];
    for (const digest of new Set(candidates)) {
      if (!stillUsed.has(digest)) await this.store.blobs.delete(digest);
    }
  }
}

// ---- helpers over a metadata reader or transaction ---------------------------------------------

async function readImage(reader: MetadataReader, imageId: Digest): Promise<ImageRecord | undefined> {
  return (await reader.get(imagePrefix + imageId)) as ImageRecord | undefined;
}

async function readLayer(reader: MetadataReader, chainId: Digest): Promise<LayerRecord | undefined> {
  return (await reader.get(layerPrefix + chainId)) as LayerRecord | undefined;
}

async function allImages(reader: MetadataReader): Promise<ImageRecord[]> {
  const images: ImageRecord[] = [];
  for (const key of await reader.keys(imagePrefix)) {
    const image = await readImage(reader, key.slice(imagePrefix.length) as Digest);
    if (image) images.push(image);
  }
  return images;
}

async function childrenOf(reader: MetadataReader, imageId: ImageId): Promise<ImageRecord[]> {
  return (await allImages(reader)).filter((image) => image.parent === imageId);
}

async function allReferenceRecords(reader: MetadataReader): Promise<[NamedReference, ReferenceRecord][]> {
  const result: [NamedReference, ReferenceRecord][] = [];
  for (const key of await reader.keys(referencePrefix)) {
    const record = (await reader.get(key)) as ReferenceRecord | undefined;
    if (record) result.push([parseNormalizedNamed(key.slice(referencePrefix.length)), record]);
  }
  return result;
}

function referencesFrom(records: readonly [NamedReference, ReferenceRecord][], imageId: ImageId): NamedReference[] {
  return records
    .filter(([, record]) => record.imageId === imageId)
    .map(([reference]) => reference)
    .sort((a, b) => compareStrings(referenceString(a), referenceString(b)));
}

async function referencesTo(reader: MetadataReader, imageId: ImageId): Promise<NamedReference[]> {
  return referencesFrom(await allReferenceRecords(reader), imageId);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function splitReferences(references: readonly NamedReference[]): { repoTags: string[]; repoDigests: string[] } {
  return {
    repoTags: references.filter((r) => r.tag !== undefined).map(familiarString),
    repoDigests: references.filter((r) => r.digest !== undefined).map(familiarString),
  };
}

/** The checks of moby's reference store on a new name. */
function checkTaggable(reference: NamedReference): void {
  if (familiarName(reference) === 'sha256') {
    throw new ImageStoreError('invalid-parameter', 'refusing to create an ambiguous tag using digest algorithm as name');
  }
}

/** Points a reference at an image: a tag moves; a digest reference never does. */
async function addReference(tx: MetadataTransaction, reference: NamedReference, imageId: ImageId): Promise<void> {
  const stored = storedReference(reference);
  const key = referencePrefix + referenceString(stored);
  const existing = (await tx.get(key)) as ReferenceRecord | undefined;
  if (existing && stored.digest !== undefined && existing.imageId !== imageId) {
    throw new ImageStoreError('conflict', `Cannot overwrite digest ${stored.digest}`);
  }
  const record: ReferenceRecord = { imageId };
  tx.put(key, record);
}

/** Finds an image the way moby's GetImage does; the errors are docker's. */
async function findImage(reader: MetadataReader, referenceOrId: string): Promise<ImageRecord> {
  const reference = parseAnyReference(referenceOrId);
  if (!isNamed(reference)) {
    const image = await readImage(reader, reference.digest);
    if (!image) throw new ImageNotFoundError(familiarString(reference));
    return image;
  }
  const pointer = (await reader.get(referenceKey(reference))) as ReferenceRecord | undefined;
  if (pointer) {
    const image = await readImage(reader, pointer.imageId);
    if (image) return image;
  }
  const byPrefix = await searchByIdPrefix(reader, referenceOrId);
  if (byPrefix) return byPrefix;
  throw new ImageNotFoundError(familiarString(tagNameOnly(reference)));
}

/** A unique image whose id starts with the text (with or without `sha256:`), as docker's digest set finds it. */
async function searchByIdPrefix(reader: MetadataReader, text: string): Promise<ImageRecord | undefined> {
  const prefix = text.startsWith('sha256:') ? text.slice('sha256:'.length) : text;
  if (!/^[a-f0-9]+$/.test(prefix)) return undefined;
  const matches = (await reader.keys(`${imagePrefix}sha256:${prefix}`)).map((key) => key.slice(imagePrefix.length) as Digest);
  // Ambiguous prefixes find nothing (docker then says "No such image").
  if (matches.length !== 1) return undefined;
  return readImage(reader, matches[0] as Digest);
}

async function adjustLayerReferences(tx: MetadataTransaction, chainId: Digest, change: number): Promise<LayerRecord> {
  const layer = await readLayer(tx, chainId);
  if (!layer) throw new Error(`layer ${chainId} is missing from the store`);
  const updated = { ...layer, references: layer.references + change };
  tx.put(layerPrefix + chainId, updated);
  return updated;
}

/** Drops one reference to a layer; a layer nobody holds is deleted and lets go of its parent. */
async function releaseLayerChain(tx: MetadataTransaction, chainId: Digest): Promise<LayerRecord[]> {
  const removed: LayerRecord[] = [];
  let next: Digest | null = chainId;
  while (next) {
    const layer = await adjustLayerReferences(tx, next, -1);
    if (layer.references > 0) break;
    tx.delete(layerPrefix + next);
    removed.push({ ...layer, references: 0 });
    next = layer.parent;
  }
  return removed;
}

async function checkDeleteConflict(
  reader: MetadataReader,
  imageId: ImageId,
  mask: number,
  containersUsing: ContainersUsingImage,
): Promise<ImageDeleteConflictError | undefined> {
  if (mask & conflictDependentChild && (await childrenOf(reader, imageId)).length > 0) {
    return new ImageDeleteConflictError(imageId, true, false, 'image has dependent child images');
  }
  const containers = containersUsing(imageId);
  if (mask & conflictRunningContainer) {
    const running = containers.find((container) => container.running);
    if (running) {
      return new ImageDeleteConflictError(imageId, true, true, `image is being used by running container ${shortId(running.id)}`);
    }
  }
  if (mask & conflictActiveReference && (await referencesTo(reader, imageId)).length > 0) {
    return new ImageDeleteConflictError(imageId, false, false, 'image is referenced in multiple repositories');
  }
  if (mask & conflictStoppedContainer) {
    const stopped = containers.find((container) => !container.running);
    if (stopped) {
      return new ImageDeleteConflictError(imageId, false, true, `image is being used by stopped container ${shortId(stopped.id)}`);
    }
  }
  return undefined;
}

interface DeleteProgress {
  records: DeleteRecord[];
  removedLayers: LayerRecord[];
  deletedImages: ImageRecord[];
  containersUsing: ContainersUsingImage;
}

/** moby's imageDeleteHelper: deletes the image (and, pruning, its parents) unless a conflict stops it. */
async function deleteWithConflictRules(
  tx: MetadataTransaction,
  imageId: ImageId,
  progress: DeleteProgress,
  force: boolean,
  prune: boolean,
  quiet: boolean,
): Promise<void> {
  const conflict = await checkDeleteConflict(tx, imageId, conflictHard | (force ? 0 : conflictSoft), progress.containersUsing);
  if (conflict) {
    // Quietly (a parent being pruned, a name just removed) a conflict only stops here, unless the
    // image is left dangling and unused: then the user has to hear about it.
    if (quiet && (!(await isDangling(tx, imageId)) || conflict.used)) return;
    throw conflict;
  }
  const image = await readImage(tx, imageId);
  if (!image) throw new ImageNotFoundError(imageId);

  for (const reference of await referencesTo(tx, imageId)) {
    tx.delete(referenceKey(reference));
    progress.records.push({ Untagged: familiarString(storedReference(reference)) });
  }
  for (const child of await childrenOf(tx, imageId)) tx.put(imagePrefix + child.id, { ...child, parent: null });
  tx.delete(imagePrefix + imageId);
  progress.deletedImages.push(image);
  progress.records.push({ Deleted: imageId });
  const top = image.layers.at(-1);
  if (top) {
    const removed = await releaseLayerChain(tx, top);
    progress.removedLayers.push(...removed);
    for (const layer of removed) progress.records.push({ Deleted: layer.chainId });
  }

  if (!prune || image.parent === null) return;
  if (!(await readImage(tx, image.parent))) return;
  await deleteWithConflictRules(tx, image.parent, progress, false, true, true);
}

async function isDangling(reader: MetadataReader, imageId: ImageId): Promise<boolean> {
  return (await referencesTo(reader, imageId)).length === 0 && (await childrenOf(reader, imageId)).length === 0;
}
