// The registries images come from and go to (moby's distribution and registry packages): the built-in
// offline registry of the site (and a real one behind it when the page is given a proxy), the registry
// of this browser that docker push writes to, docker pull's progress, search and login.

import { EngineError, invalidParameter, notFound, systemError, unauthorized } from '../errors';
import { chainIds, digestOf, isDigest, shortId, type Digest } from '../oci/digest';
import { mediaTypes } from '../oci/media-types';
import { parseImageConfig, parseImageManifest } from '../oci/parse';
import { guestPlatform, selectManifest } from '../oci/platform';
import type { Descriptor, ImageIndex, ImageManifest } from '../oci/types';
import { registryBlobPrefix, type ImageRecord } from './image-store';
import { ByteChannel } from './progress';
import {
  defaultDomain,
  familiarName,
  familiarString,
  parseNormalizedNamed,
  referenceName,
  referenceString,
  tagNameOnly,
  withDigest,
  withTag,
  type NamedReference,
} from './reference';
import { measureLayer } from './tar';
import { api, type ImageContext } from './context';

const encoder = new TextEncoder();

export interface SearchResult {
  name: string;
  description: string;
  star_count: number;
  is_official: boolean;
  is_automated: boolean;
}

/** What the built-in registry says about its repositories in `docker search`. */
const descriptions: Record<string, string> = {
  busybox: "BusyBox 1.35 (Debian's busybox-static, i386): sh and the basic Unix tools in about 2MB",
  'hello-world': 'A tiny static program that explains what docker just did to run it',
  debian: 'Debian 12 bookworm (i386), slim: bash, coreutils, apt, dpkg, procps, iproute2, ping',
  nginx: "Debian's nginx on debian:bookworm; serves /usr/share/nginx/html on port 80",
  redis: "Debian's redis-server on debian:bookworm; listens on port 6379",
};

/** Registry entries pushed from this browser: repository name → tag → manifest digest. */
type LocalRepository = { tags: Record<string, string> };
const localRegistryPrefix = 'registry/';

/** The X-Registry-Auth header: base64url JSON {username, password, serveraddress}. */
export function decodeRegistryAuth(header: string | undefined): { username?: string; password?: string } {
  if (!header) return {};
  try {
    const text = atob(header.replace(/-/g, '+').replace(/_/g, '/'));
    const value = JSON.parse(text) as { username?: string; password?: string };
    return typeof value === 'object' && value !== null ? value : {};
  } catch {
    return {};
  }
}

/** Docker's error for a registry that cannot be reached (the offline site reaches none but its own). */
function unreachable(domain: string): EngineError {
  const host = domain.split(':')[0];
  const local = host === 'localhost' || /^127\./.test(host);
  const scheme = local ? 'http' : 'https';
  const reason = local
    ? `dial tcp ${domain.includes(':') ? domain : `${domain}:443`}: connect: connection refused`
    : `dial tcp: lookup ${host}: no such host`;
  return systemError(`Get "${scheme}://${domain}/v2/": ${reason}`);
}

export class ImageRegistry {
  private indexCache: Promise<ImageIndex> | undefined;

  constructor(private readonly context: ImageContext) {}

  private bundledIndex(): Promise<ImageIndex> {
    this.indexCache ??= this.context.registry.index().catch((error: unknown) => {
      this.indexCache = undefined;
      throw error;
    });
    return this.indexCache;
  }

  /** Every repository the registry can serve, with its tags (bundled and pushed from this browser). */
  async catalog(): Promise<Map<string, Map<string, Descriptor>>> {
    const repositories = new Map<string, Map<string, Descriptor>>();
    const add = (name: string, tag: string, descriptor: Descriptor): void => {
      const tags = repositories.get(name) ?? new Map<string, Descriptor>();
      tags.set(tag, descriptor);
      repositories.set(name, tags);
    };
    for (const descriptor of (await this.bundledIndex()).manifests) {
      const refName = descriptor.annotations?.['org.opencontainers.image.ref.name'];
      if (!refName) continue;
      const reference = tagNameOnly(parseNormalizedNamed(refName));
      add(referenceName(reference), reference.tag as string, descriptor);
    }
    for (const key of await this.context.store.metadata.keys(localRegistryPrefix)) {
      const repository = (await this.context.store.metadata.get(key)) as LocalRepository | undefined;
      for (const [tag, digest] of Object.entries(repository?.tags ?? {})) {
        const size = (await this.context.store.blobs.size(digest as Digest)) ?? 0;
        add(key.slice(localRegistryPrefix.length), tag, { mediaType: mediaTypes.ociManifest, digest: digest as Digest, size });
      }
    }
    return repositories;
  }

  private async registryBlob(digest: Digest, onProgress?: (bytes: number) => void): Promise<Uint8Array> {
    if (await this.context.store.blobs.has(digest)) return this.context.store.blobs.get(digest);
    return this.context.registry.blob(digest, onProgress);
  }

  /** Finds what a reference names in the registry: the manifest for this platform. */
  private async resolveRemote(reference: NamedReference): Promise<{ manifestDigest: Digest; manifest: Uint8Array }> {
    if (reference.domain !== defaultDomain) throw unreachable(reference.domain);
    const repositories = await this.catalog();
    const tags = repositories.get(referenceName(reference));
    const familiar = familiarName(reference);
    const known = tags && (reference.digest !== undefined ? [...tags.values()].some((d) => d.digest === reference.digest) : tags.has(reference.tag ?? 'latest'));
    if (!known && this.context.registry.manifest) {
      // A real registry behind the built-in one (a setting of the page): ask it for what the layout lacks.
      const remote = await this.context.registry.manifest(referenceName(reference), reference.digest ?? reference.tag ?? 'latest');
      if (remote) return this.chooseManifest(remote.bytes, referenceName(reference));
    }
    if (!tags) {
      throw notFound(
        `pull access denied for ${familiar}, repository does not exist or may require 'docker login': denied: requested access to the resource is denied`,
      );
    }
    let descriptor: Descriptor | undefined;
    if (reference.digest !== undefined) {
      descriptor = [...tags.values()].find((candidate) => candidate.digest === reference.digest);
      if (!descriptor) throw notFound(`manifest for ${familiarString(reference)} not found: manifest unknown: manifest unknown`);
    } else {
      descriptor = tags.get(reference.tag ?? 'latest');
      if (!descriptor) throw notFound(`manifest for ${familiar}:${reference.tag ?? 'latest'} not found: manifest unknown: manifest unknown`);
    }
    return this.chooseManifest(await this.registryBlob(descriptor.digest), referenceName(reference));
  }

  /** A manifest as is, or the linux/386 one of an index (docker's error when there is none). */
  private async chooseManifest(bytes: Uint8Array, name: string): Promise<{ manifestDigest: Digest; manifest: Uint8Array }> {
    const document = JSON.parse(new TextDecoder().decode(bytes)) as { manifests?: unknown };
    if (!Array.isArray(document.manifests)) return { manifestDigest: digestOf(bytes), manifest: bytes };
    const chosen = selectManifest(document as unknown as ImageIndex, guestPlatform);
    if (!chosen) throw notFound('no matching manifest for linux/386 in the manifest list entries');
    let manifest: Uint8Array;
    try {
      manifest = await this.registryBlob(chosen.digest);
    } catch (error) {
      const remote = this.context.registry.manifest ? await this.context.registry.manifest(name, chosen.digest) : undefined;
      if (!remote) throw error;
      manifest = remote.bytes;
    }
    if (digestOf(manifest) !== chosen.digest) throw systemError(`manifest verification failed for digest ${chosen.digest}`);
    // As docker: the digest a tag names (the index's) is what `Digest:` and RepoDigests show.
    return { manifestDigest: digestOf(bytes), manifest };
  }

  /** `docker pull`: streams docker's progress messages; errors before any output are HTTP errors. */
  async pull(fromImage: string, tag: string, options: { allTags?: boolean } = {}): Promise<AsyncIterable<Uint8Array>> {
    let reference = await api(async () => parseNormalizedNamed(fromImage));
    if (tag) reference = await api(async () => (isDigest(tag) ? withDigest(reference, tag) : withTag(reference, tag)));
    const targets: NamedReference[] = [];
    if (options.allTags && reference.tag === undefined && reference.digest === undefined) {
      if (reference.domain !== defaultDomain) throw unreachable(reference.domain);
      const tags = (await this.catalog()).get(referenceName(reference));
      if (!tags) await this.resolveRemote(tagNameOnly(reference));
      for (const name of [...(tags?.keys() ?? [])].sort()) targets.push(withTag(reference, name));
    } else {
      targets.push(tagNameOnly(reference));
    }
    // Resolve the first target now so a missing repository is an HTTP error, as in docker.
    const first = await this.resolveRemote(targets[0]);
    const channel = new ByteChannel();
    void (async () => {
      try {
        for (const [index, target] of targets.entries()) {
          const resolved = index === 0 ? first : await this.resolveRemote(target);
          await this.pullOne(target, resolved, channel, options.allTags === true);
        }
        if (options.allTags) {
          channel.message({ status: `Status: Downloaded newer image for ${familiarName(reference)}` });
        }
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        channel.message({ errorDetail: { message }, error: message });
      } finally {
        channel.end();
      }
    })();
    return channel;
  }

  private async pullOne(
    reference: NamedReference,
    resolved: { manifestDigest: Digest; manifest: Uint8Array },
    out: ByteChannel,
    allTags: boolean,
  ): Promise<void> {
    const manifest: ImageManifest = parseImageManifest(resolved.manifest);
    const label = reference.digest ?? reference.tag ?? 'latest';
    out.message({ status: `Pulling from ${familiarName(reference).includes('/') ? familiarName(reference) : reference.path}`, id: label });
    const configBytes = await this.registryBlob(manifest.config.digest);
    await this.context.store.blobs.put(manifest.config.digest, configBytes);
    const config = parseImageConfig(configBytes);
    const imageId = manifest.config.digest;
    const existed = (await this.context.images.get(imageId)) !== undefined;
    const diffIds = config.rootfs.diff_ids;
    const chain = chainIds(diffIds);
    const layerInputs: { diffId: Digest; size: number; blob: { digest: Digest; mediaType: string; size: number } }[] = [];
    const present: boolean[] = [];
    /** Uncompressed layers measured in this pull, unpacked at its end without a second gunzip. */
    const plainTars = new Map<string, Uint8Array>();
    for (const [index] of manifest.layers.entries()) present.push((await this.context.images.layer(chain[index] as Digest)) !== undefined);
    for (const [index, layer] of manifest.layers.entries()) {
      const id = shortId(layer.digest);
      out.message({ status: present[index] ? 'Already exists' : 'Pulling fs layer', progressDetail: {}, id });
    }
    for (const [index, descriptor] of manifest.layers.entries()) {
      const id = shortId(descriptor.digest);
      const blob = { digest: descriptor.digest, mediaType: descriptor.mediaType, size: descriptor.size };
      if (present[index]) {
        const existing = await this.context.images.layer(chain[index] as Digest);
        layerInputs.push({ diffId: diffIds[index] as Digest, size: existing?.size ?? 0, blob });
        continue;
      }
      let lastReported = 0;
      const bytes = await this.registryBlob(descriptor.digest, (current) => {
        if (current - lastReported < 512 * 1024 && current < descriptor.size) return;
        lastReported = current;
        out.message({ status: 'Downloading', progressDetail: { current, total: descriptor.size }, id });
      });
      out.message({ status: 'Verifying Checksum', progressDetail: {}, id });
      await this.context.store.blobs.put(descriptor.digest, bytes);
      out.message({ status: 'Download complete', progressDetail: {}, id });
      const measured = await measureLayer(bytes, true, this.context.unpackAt === 'pull');
      if (measured.tar) plainTars.set(measured.diffId, measured.tar);
      if (measured.diffId !== diffIds[index]) {
        throw new Error(`failed to register layer: layer ${descriptor.digest} has diff id ${measured.diffId}, the image config says ${diffIds[index]}`);
      }
      layerInputs.push({ diffId: measured.diffId, size: measured.size, blob });
      if (this.context.unpackAt === 'pull') {
        out.message({ status: 'Extracting', progressDetail: { current: bytes.length, total: bytes.length }, id });
      }
      out.message({ status: 'Pull complete', progressDetail: {}, id });
    }
    const references: NamedReference[] = [withDigest(reference.digest !== undefined ? { domain: reference.domain, path: reference.path } : reference, resolved.manifestDigest)];
    if (reference.digest === undefined) references.push(reference);
    const before = reference.tag !== undefined ? await this.context.imageIdOf(reference) : undefined;
    const record = await api(() => this.context.images.addImage({ config: configBytes, manifest: resolved.manifest, layers: layerInputs, references }));
    if (this.context.unpackAt === 'pull') {
      for (const layer of await this.context.images.imageLayers(record.id)) await this.context.ensureUnpacked(layer, plainTars.get(layer.diffId));
    }
    out.message({ status: `Digest: ${resolved.manifestDigest}` });
    const upToDate = existed && (reference.digest !== undefined || before === record.id);
    this.context.events.emit('image', 'pull', familiarString(reference), { name: familiarName(reference) });
    if (!allTags) {
      out.message({
        status: upToDate ? `Status: Image is up to date for ${familiarString(reference)}` : `Status: Downloaded newer image for ${familiarString(reference)}`,
      });
    }
  }

  async search(term: string, limit: number, filters: Map<string, string[]>): Promise<SearchResult[]> {
    if (limit < 1 || limit > 100) throw invalidParameter(`limit ${limit} is outside the range of [1, 100]`);
    for (const key of filters.keys()) {
      if (!['stars', 'is-automated', 'is-official'].includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    }
    const stars = filters.get('stars')?.[0];
    const minStars = stars === undefined ? 0 : Number(stars);
    if (stars !== undefined && !/^\d+$/.test(stars)) throw invalidParameter(`invalid filter 'stars=${stars}'`);
    const official = filters.get('is-official')?.[0];
    const automated = filters.get('is-automated')?.[0];
    const needle = term.toLowerCase();
    const results: SearchResult[] = [];
    for (const name of (await this.catalog()).keys()) {
      const reference = parseNormalizedNamed(name);
      const familiar = familiarName(reference);
      const isOfficial = reference.path.startsWith('library/');
      const description = descriptions[familiar] ?? (isOfficial ? '' : 'Pushed from this browser');
      if (!familiar.includes(needle) && !description.toLowerCase().includes(needle)) continue;
      const result: SearchResult = { name: familiar, description, star_count: 0, is_official: isOfficial, is_automated: false };
      if (result.star_count < minStars) continue;
      if (official !== undefined && String(result.is_official) !== official.toLowerCase()) continue;
      if (automated !== undefined && String(result.is_automated) !== automated.toLowerCase()) continue;
      results.push(result);
    }
    // Best matches first: the name itself, then names that contain the term, then descriptions.
    const rank = (result: SearchResult): number => (result.name === needle ? 0 : result.name.includes(needle) ? 1 : 2);
    results.sort((a, b) => rank(a) - rank(b) || Number(b.is_official) - Number(a.is_official) || a.name.localeCompare(b.name));
    return results.slice(0, limit);
  }

  async login(body: { username?: string; password?: string; serveraddress?: string }): Promise<{ Status: string; IdentityToken: string }> {
    const server = body.serveraddress ?? '';
    const host = server.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (host !== '' && host !== 'index.docker.io' && host !== 'docker.io' && host !== 'registry-1.docker.io') throw unreachable(host);
    if (!body.username || !body.password) throw unauthorized('unauthorized: incorrect username or password');
    return { Status: 'Login Succeeded', IdentityToken: '' };
  }

  /** `docker push` into the registry of this browser (persisted in the store). */
  async push(name: string, tag: string, authHeader: string | undefined): Promise<AsyncIterable<Uint8Array>> {
    let reference = await api(async () => parseNormalizedNamed(name));
    if (tag) reference = await api(async () => withTag(reference, tag));
    reference = tagNameOnly(reference);
    if (reference.domain !== defaultDomain) throw unreachable(reference.domain);
    let image: ImageRecord;
    try {
      image = await this.context.images.resolve(referenceString(reference));
    } catch {
      throw notFound(`An image does not exist locally with the tag: ${familiarName(reference)}`);
    }
    const channel = new ByteChannel();
    const auth = decodeRegistryAuth(authHeader);
    void (async () => {
      try {
        channel.message({ status: `The push refers to repository [${referenceName(reference)}]` });
        const layers = await this.context.images.imageLayers(image.id);
        for (const layer of [...layers].reverse()) channel.message({ status: 'Preparing', progressDetail: {}, id: shortId(layer.diffId) });
        const namespace = reference.path.split('/')[0];
        if (!auth.username || namespace === 'library' || namespace !== auth.username) {
          throw new Error('denied: requested access to the resource is denied');
        }
        const repository = ((await this.context.store.metadata.get(localRegistryPrefix + referenceName(reference))) as LocalRepository | undefined) ?? { tags: {} };
        const known = new Set(await this.context.store.metadata.keys(registryBlobPrefix));
        for (const layer of [...layers].reverse()) {
          const exists = layer.blob && known.has(registryBlobPrefix + layer.blob.digest);
          channel.message({ status: exists ? 'Layer already exists' : 'Pushed', progressDetail: {}, id: shortId(layer.diffId) });
        }
        let manifestBytes: Uint8Array | undefined;
        for (const digest of image.manifests) {
          if (await this.context.store.blobs.has(digest)) {
            manifestBytes = await this.context.store.blobs.get(digest);
            break;
          }
        }
        if (!manifestBytes) {
          const configBytes = await this.context.store.blobs.get(image.id);
          const manifest: ImageManifest = {
            schemaVersion: 2,
            mediaType: mediaTypes.ociManifest,
            config: { mediaType: mediaTypes.ociConfig, digest: image.id, size: configBytes.length },
            layers: layers.map((layer) => ({ mediaType: layer.blob?.mediaType ?? mediaTypes.ociLayer, digest: layer.blob?.digest ?? layer.diffId, size: layer.blob?.size ?? 0 })),
          };
          manifestBytes = encoder.encode(JSON.stringify(manifest));
        }
        const manifestDigest = digestOf(manifestBytes);
        await this.context.store.blobs.put(manifestDigest, manifestBytes);
        const tagName = reference.tag ?? 'latest';
        await this.context.store.metadata.update((tx) => {
          tx.put(localRegistryPrefix + referenceName(reference), { tags: { ...repository.tags, [tagName]: manifestDigest } });
          for (const digest of [manifestDigest, image.id, ...layers.flatMap((layer) => (layer.blob ? [layer.blob.digest] : []))]) {
            tx.put(registryBlobPrefix + digest, true);
          }
        });
        channel.message({ status: `${tagName}: digest: ${manifestDigest} size: ${manifestBytes.length}` });
        channel.message({ progressDetail: {}, aux: { Tag: tagName, Digest: manifestDigest, Size: manifestBytes.length } });
        this.context.events.emit('image', 'push', familiarString(reference), { name: familiarString(reference) });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        channel.message({ errorDetail: { message }, error: message });
      } finally {
        channel.end();
      }
    })();
    return channel;
  }
}
