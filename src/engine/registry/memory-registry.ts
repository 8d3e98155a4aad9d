// A registry source held in memory: an OCI layout built from small file trees, for tests and for
// lessons that need an image of their own without shipping a layout.

import { digestOf, type Digest } from '../../go/digest';
import { mediaTypes } from '../oci/media-types';
import type { ContainerConfig, Descriptor, HistoryEntry, ImageConfig, ImageIndex, ImageManifest } from '../oci/types';
import { TarWriter } from '../../go/tar';
import { gzip } from '../../go/gzip';
import type { RegistrySource } from './source';

const encoder = new TextEncoder();

export interface MemoryImageSpec {
  /** Path → content; a path ending in "/" is a directory; "->target" makes a symlink. */
  files: Record<string, string>;
  /** The image whose layers come first (by reference name as added before). */
  base?: string;
  config?: ContainerConfig;
  created?: string;
  createdBy?: string;
  /** Extra history entries without a layer (CMD, ENV...), after the layer's. */
  metadataSteps?: string[];
}

export class MemoryRegistry implements RegistrySource {
  private readonly blobs = new Map<string, Uint8Array>();
  private readonly manifests: Descriptor[] = [];
  private readonly images = new Map<string, { manifest: ImageManifest; config: ImageConfig }>();
  /** Fails blob reads after this many (to test interrupted pulls); undefined: never. */
  failAfter: number | undefined;
  private reads = 0;

  private put(bytes: Uint8Array): Descriptor & { digest: Digest } {
    const digest = digestOf(bytes);
    this.blobs.set(digest, bytes);
    return { mediaType: '', digest, size: bytes.length };
  }

  /** Adds an image under a full reference name ("docker.io/library/busybox:latest"). */
  async add(name: string, spec: MemoryImageSpec): Promise<{ manifestDigest: Digest; configDigest: Digest }> {
    const tar = new TarWriter();
    for (const [path, content] of Object.entries(spec.files)) {
      if (path.endsWith('/')) tar.directory(path);
      else if (content.startsWith('->')) tar.symlink(path, content.slice(2));
      else tar.file(path, content, 0, path.startsWith('bin/') ? 0o755 : 0o644);
    }
    const layerTar = tar.finish();
    const diffId = digestOf(layerTar);
    const layer = { ...this.put(await gzip(layerTar)), mediaType: mediaTypes.ociLayerGzip };
    const base = spec.base ? this.images.get(spec.base) : undefined;
    if (spec.base && !base) throw new Error(`MemoryRegistry: unknown base ${spec.base}`);
    const created = spec.created ?? '2025-05-20T00:00:00Z';
    const history: HistoryEntry[] = [
      ...(base?.config.history ?? []),
      { created, created_by: spec.createdBy ?? `/bin/sh -c #(nop) ADD file:${diffId.slice(7, 19)} in / ` },
      ...(spec.metadataSteps ?? []).map((step) => ({ created, created_by: step, empty_layer: true })),
    ];
    const config: ImageConfig = {
      architecture: '386',
      os: 'linux',
      created,
      config: { ...(base?.config.config ?? {}), ...(spec.config ?? {}) },
      rootfs: { type: 'layers', diff_ids: [...(base?.config.rootfs.diff_ids ?? []), diffId] },
      history,
    };
    const configDescriptor = { ...this.put(encoder.encode(JSON.stringify(config))), mediaType: mediaTypes.ociConfig };
    const manifest: ImageManifest = {
      schemaVersion: 2,
      mediaType: mediaTypes.ociManifest,
      config: configDescriptor,
      layers: [...(base?.manifest.layers ?? []), layer],
    };
    const manifestDescriptor = { ...this.put(encoder.encode(JSON.stringify(manifest))), mediaType: mediaTypes.ociManifest };
    this.manifests.push({
      ...manifestDescriptor,
      annotations: { 'org.opencontainers.image.ref.name': name },
      platform: { architecture: '386', os: 'linux' },
    });
    this.images.set(name, { manifest, config });
    return { manifestDigest: manifestDescriptor.digest, configDigest: configDescriptor.digest };
  }

  async index(): Promise<ImageIndex> {
    return { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: [...this.manifests] };
  }

  async blob(digest: string, onProgress?: (bytesReceived: number) => void): Promise<Uint8Array> {
    this.reads++;
    if (this.failAfter !== undefined && this.reads > this.failAfter) throw new Error(`connection reset while reading ${digest}`);
    const bytes = this.blobs.get(digest);
    if (!bytes) throw new Error(`blob ${digest}: not found`);
    onProgress?.(bytes.length);
    return bytes.slice();
  }
}
