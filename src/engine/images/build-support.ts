// What docker commit and the legacy builder need from images (moby's daemon/images/image_commit.go and
// the builder's image source): a child image from a layer tar and a config, the build cache's lookup
// of an identical step, and the files of an image as its layers stack up.

import { ENGINE_VERSION } from '../version';
import type { Digest } from '../../go/digest';
import { mediaTypes } from '../oci/media-types';
import { guestPlatform } from '../oci/platform';
import type { ContainerConfig, ImageConfig } from '../oci/types';
import { layerDiffPath } from './image-store';
import { parseNormalizedNamed, tagNameOnly } from './reference';
import { cleanTarName, readTar } from '../../go/tar';
import { gunzip, isGzip } from '../../go/gzip';
import { measureLayer } from './tar';
import type { RunnableImage } from './types';
import { api, type ImageContext } from './context';

const encoder = new TextEncoder();

/** JSON with sorted object keys, so configs compare by content. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, inner: unknown) =>
    inner && typeof inner === 'object' && !Array.isArray(inner)
      ? Object.fromEntries(Object.entries(inner as Record<string, unknown>).filter(([, v]) => v !== undefined).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : inner,
  );
}

/** A layer tar with nothing in it but the root directory (an unchanged container's diff). */
async function isEmptyLayer(tar: Uint8Array): Promise<boolean> {
  for await (const entry of readTar([tar], () => false)) {
    const name = cleanTarName(entry.name).replace(/\/+$/, '');
    if (name !== '' && name !== '.') return false;
  }
  return true;
}

export class ImageBuildSupport {
  constructor(private readonly context: ImageContext) {}

  async commit(input: {
    parent: RunnableImage;
    layerTarPath: string;
    config: ImageConfig['config'];
    author: string;
    comment: string;
    createdBy: string;
    reference?: string;
  }): Promise<string> {
    const name = input.layerTarPath.slice(input.layerTarPath.lastIndexOf('/') + 1);
    const tar = await this.context.runtime.readStagedFile(name);
    const parentConfig = input.parent.config;
    const now = this.context.clock().toISOString();
    const measured = await measureLayer(tar);
    const config: ImageConfig = {
      ...parentConfig,
      created: now,
      author: input.author || undefined,
      // moby's NewChildImage: the image's comment is the commit message too (docker inspect -f '{{.Comment}}')
      comment: input.comment || undefined,
      docker_version: ENGINE_VERSION,
      config: input.config,
      rootfs: { type: 'layers', diff_ids: [...parentConfig.rootfs.diff_ids, measured.diffId] },
      history: [
        ...(parentConfig.history ?? []),
        { created: now, created_by: input.createdBy, ...(input.author ? { author: input.author } : {}), ...(input.comment ? { comment: input.comment } : {}) },
      ],
    };
    if (!config.author) delete config.author;
    if (!config.comment) delete config.comment;
    const configBytes = encoder.encode(JSON.stringify(config));
    const parentLayers = await this.context.images.imageLayers(input.parent.id as Digest);
    await this.context.store.blobs.put(measured.diffId, tar);
    const record = await api(() =>
      this.context.images.addImage({
        config: configBytes,
        layers: [
          ...parentLayers.map((layer) => ({ diffId: layer.diffId, size: layer.size, blob: layer.blob ?? undefined })),
          { diffId: measured.diffId, size: measured.size, blob: { digest: measured.diffId, mediaType: mediaTypes.ociLayer, size: tar.length } },
        ],
        parent: input.parent.id as Digest,
        references: input.reference ? [tagNameOnly(parseNormalizedNamed(input.reference))] : [],
      }),
    );
    const top = await this.context.images.layer(record.layers.at(-1) as Digest);
    if (top && !(await this.context.isUnpacked(top))) {
      await this.context.runtime.installLayer(layerDiffPath(top), tar);
      await this.context.markUnpacked(top);
    }
    return record.id;
  }

  /**
   * One step of the legacy builder: a child image of `parentId` (undefined: FROM scratch) with the
   * step's config, its container config (what the build cache compares) and its history entry. A
   * step without a layer tar, or whose tar holds nothing but the root directory, adds an empty layer
   * (history `empty_layer`), as moby's commit of an unchanged container does.
   */
  async buildCommit(input: {
    parentId: string | undefined;
    config: ContainerConfig;
    containerConfig: ContainerConfig;
    createdBy: string;
    author: string;
    layerTar?: Uint8Array;
  }): Promise<string> {
    const parentConfig: ImageConfig = input.parentId
      ? await this.context.images.config(input.parentId as Digest)
      : { architecture: guestPlatform.architecture, os: guestPlatform.os, rootfs: { type: 'layers', diff_ids: [] }, history: [] };
    const parentLayers = input.parentId ? await this.context.images.imageLayers(input.parentId as Digest) : [];
    const now = this.context.clock().toISOString();
    const tar = input.layerTar && !(await isEmptyLayer(input.layerTar)) ? input.layerTar : undefined;
    const measured = tar ? await measureLayer(tar) : undefined;
    const config: ImageConfig = {
      ...parentConfig,
      created: now,
      ...(input.author ? { author: input.author } : {}),
      config: input.config,
      container_config: input.containerConfig,
      rootfs: { type: 'layers', diff_ids: [...parentConfig.rootfs.diff_ids, ...(measured ? [measured.diffId] : [])] },
      history: [
        ...(parentConfig.history ?? []),
        { created: now, created_by: input.createdBy, ...(input.author ? { author: input.author } : {}), ...(measured ? {} : { empty_layer: true }) },
      ],
    };
    if (!input.author) delete config.author;
    const configBytes = encoder.encode(JSON.stringify(config));
    if (tar && measured) await this.context.store.blobs.put(measured.diffId, tar);
    const record = await api(() =>
      this.context.images.addImage({
        config: configBytes,
        layers: [
          ...parentLayers.map((layer) => ({ diffId: layer.diffId, size: layer.size, blob: layer.blob ?? undefined })),
          ...(tar && measured ? [{ diffId: measured.diffId, size: measured.size, blob: { digest: measured.diffId, mediaType: mediaTypes.ociLayer, size: tar.length } }] : []),
        ],
        ...(input.parentId ? { parent: input.parentId as Digest } : {}),
      }),
    );
    if (tar) {
      const top = await this.context.images.layer(record.layers.at(-1) as Digest);
      if (top && !(await this.context.isUnpacked(top))) {
        await this.context.runtime.installLayer(layerDiffPath(top), tar);
        await this.context.markUnpacked(top);
      }
    }
    return record.id;
  }

  /**
   * The legacy build cache (moby's localImageCache): a child of `parentId` built by this daemon whose
   * container config equals the step's. FROM scratch steps look among the images without a parent.
   */
  async buildCacheProbe(parentId: string | undefined, containerConfig: ContainerConfig): Promise<string | undefined> {
    const candidates = parentId
      ? await this.context.images.children(parentId as Digest)
      : (await this.context.images.list({ all: true })).filter((image) => image.parentId === null).map((image) => image.id);
    const wanted = canonicalJson(containerConfig);
    let best: { id: string; created: string } | undefined;
    for (const id of candidates) {
      const config = await this.context.images.config(id as Digest);
      if (!config.container_config || canonicalJson(config.container_config) !== wanted) continue;
      const created = config.created ?? '';
      if (!best || created > best.created) best = { id, created };
    }
    return best?.id;
  }

  /** The files of an image as its layers stack up (whiteouts applied): for COPY's destination checks and --chown. */
  async imageFiles(
    imageId: string,
    withData: (name: string) => boolean = (name) => /^etc\/(passwd|group)$/.test(name),
  ): Promise<Map<string, { type: string; mode: number; uid: number; gid: number; data: Uint8Array; linkName: string; mtime: number }>> {
    const files = new Map<string, { type: string; mode: number; uid: number; gid: number; data: Uint8Array; linkName: string; mtime: number }>();
    for (const layer of await this.context.images.imageLayers(imageId as Digest)) {
      const digest = layer.blob?.digest ?? layer.diffId;
      let bytes = await this.context.store.blobs.get(digest as Digest);
      if (isGzip(bytes)) bytes = await gunzip(bytes);
      const keep = (name: string) => withData(cleanTarName(name).replace(/\/+$/, ''));
      for await (const entry of readTar([bytes], keep)) {
        const name = cleanTarName(entry.name).replace(/\/+$/, '');
        const base = name.slice(name.lastIndexOf('/') + 1);
        const dir = name.slice(0, Math.max(0, name.lastIndexOf('/')));
        if (base === '.wh..wh..opq') {
          for (const key of [...files.keys()]) if (key.startsWith(`${dir}/`)) files.delete(key);
          continue;
        }
        if (base.startsWith('.wh.')) {
          const gone = `${dir ? `${dir}/` : ''}${base.slice(4)}`;
          for (const key of [...files.keys()]) if (key === gone || key.startsWith(`${gone}/`)) files.delete(key);
          continue;
        }
        if (name === '' || name === '.') continue;
        files.set(name, { type: entry.type, mode: entry.mode, uid: entry.uid, gid: entry.gid, data: entry.data, linkName: entry.linkName, mtime: entry.mtime });
      }
    }
    return files;
  }
}
