// Images as tar files (moby's image/tarexport and daemon/images/image_import.go): docker save (docker's
// tar that is also an OCI layout), docker load (this one's or real docker's, legacy or OCI, gzipped or
// not) and docker import of a root filesystem tar, with --change instructions.

import { ENGINE_VERSION } from '../version';
import { EngineError, invalidParameter, systemError } from '../errors';
import { digestHex, digestOf, type Digest } from '../../go/digest';
import { mediaTypes } from '../oci/media-types';
import { parseImageConfig } from '../oci/parse';
import type { ContainerConfig, Descriptor, ImageConfig, ImageIndex, ImageManifest } from '../oci/types';
import type { ImageRecord } from './image-store';
import {
  familiarName,
  familiarString,
  isNamed,
  parseAnyReference,
  parseNormalizedNamed,
  referenceString,
  tagNameOnly,
  withTag,
  type NamedReference,
} from './reference';
import { TarWriter, cleanTarName, readTar } from '../../go/tar';
import { gunzip, isGzip } from '../../go/gzip';
import { measureLayer } from './tar';
import { concatBytes } from '../../go/bytes';
import { api, type ImageContext } from './context';

const encoder = new TextEncoder();

export class ImageArchive {
  constructor(private readonly context: ImageContext) {}

  /** `docker save`: docker's tar (manifest.json, repositories) that is also an OCI layout. */
  async save(names: readonly string[]): Promise<Uint8Array> {
    const entries: { image: ImageRecord; tags: NamedReference[] }[] = [];
    for (const name of names) {
      const image = await api(() => this.context.images.resolve(name));
      const parsed = parseAnyReference(name);
      let tags: NamedReference[] = [];
      const byId = /^(sha256:)?[0-9a-f]+$/.test(name) && digestHex(image.id).startsWith(name.replace(/^sha256:/, ''));
      if (isNamed(parsed) && !byId) {
        const named = tagNameOnly(parsed);
        if (named.digest === undefined) tags = [named];
      }
      const existing = entries.find((entry) => entry.image.id === image.id);
      if (existing) existing.tags.push(...tags.filter((tag) => !existing.tags.some((t) => referenceString(t) === referenceString(tag))));
      else entries.push({ image, tags });
    }
    const tar = new TarWriter();
    const written = new Set<string>();
    const blobs: [string, Uint8Array][] = [];
    const addBlob = (digest: string, bytes: Uint8Array): void => {
      if (written.has(digest)) return;
      written.add(digest);
      blobs.push([`blobs/sha256/${digestHex(digest as Digest)}`, bytes]);
    };
    const manifestJson: unknown[] = [];
    const indexManifests: Descriptor[] = [];
    const repositories: Record<string, Record<string, string>> = {};
    for (const { image, tags } of entries) {
      const configBytes = await this.context.store.blobs.get(image.id);
      addBlob(image.id, configBytes);
      const layers = await this.context.images.imageLayers(image.id);
      const layerDescriptors: Descriptor[] = [];
      for (const layer of layers) {
        let bytes = layer.blob ? await this.context.store.blobs.get(layer.blob.digest) : new Uint8Array(0);
        if (isGzip(bytes)) bytes = await gunzip(bytes);
        addBlob(layer.diffId, bytes);
        const descriptor: Descriptor = { mediaType: mediaTypes.ociLayer, digest: layer.diffId, size: bytes.length };
        layerDescriptors.push(descriptor);
      }
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: mediaTypes.ociManifest,
        config: { mediaType: mediaTypes.ociConfig, digest: image.id, size: configBytes.length },
        layers: layerDescriptors,
      };
      const manifestBytes = encoder.encode(JSON.stringify(manifest));
      const manifestDigest = digestOf(manifestBytes);
      addBlob(manifestDigest, manifestBytes);
      manifestJson.push({
        Config: `blobs/sha256/${digestHex(image.id)}`,
        RepoTags: tags.length > 0 ? tags.map(familiarString) : null,
        Layers: layers.map((layer) => `blobs/sha256/${digestHex(layer.diffId)}`),
      });
      const descriptorBase: Descriptor = { mediaType: mediaTypes.ociManifest, digest: manifestDigest, size: manifestBytes.length };
      if (tags.length === 0) indexManifests.push({ ...descriptorBase, annotations: { 'io.containerd.image.name': '' } });
      for (const tag of tags) {
        indexManifests.push({
          ...descriptorBase,
          annotations: { 'io.containerd.image.name': referenceString(tag), 'org.opencontainers.image.ref.name': tag.tag ?? 'latest' },
        });
        const top = layers.at(-1);
        if (top) (repositories[familiarName(tag)] ??= {})[tag.tag ?? 'latest'] = digestHex(top.diffId);
      }
      if (tags.length === 0) delete indexManifests[indexManifests.length - 1].annotations;
    }
    tar.directory('blobs');
    tar.directory('blobs/sha256');
    for (const [path, bytes] of blobs) tar.file(path, bytes);
    const index: ImageIndex = { schemaVersion: 2, mediaType: mediaTypes.ociIndex, manifests: indexManifests };
    tar.file('index.json', JSON.stringify(index));
    tar.file('manifest.json', `${JSON.stringify(manifestJson)}\n`);
    tar.file('oci-layout', JSON.stringify({ imageLayoutVersion: '1.0.0' }));
    if (Object.keys(repositories).length > 0) tar.file('repositories', `${JSON.stringify(repositories)}\n`);
    this.context.events.emit('image', 'save', entries.map((entry) => entry.image.id).join(','), {});
    return tar.finish();
  }

  /** `docker load`: a tar from docker save (this one's, or real docker's; legacy or OCI layout). */
  async load(input: AsyncIterable<Uint8Array>): Promise<string[]> {
    const files = new Map<string, Uint8Array>();
    const symlinks = new Map<string, string>();
    let bytesRead = 0;
    async function* counted(): AsyncIterable<Uint8Array> {
      for await (const chunk of input) {
        bytesRead += chunk.length;
        yield chunk;
      }
    }
    try {
      let first = true;
      let buffered: Uint8Array[] = [];
      // A gzip-compressed archive is accepted too (docker load detects compression).
      for await (const chunk of counted()) buffered.push(chunk);
      let all = concatBytes(buffered);
      buffered = [];
      if (isGzip(all)) all = await gunzip(all);
      for await (const entry of readTar([all])) {
        first = false;
        const name = cleanTarName(entry.name);
        if (entry.type === '2' || entry.type === '1') symlinks.set(name, entry.linkName);
        else if (entry.type === '0' || entry.type === '7') files.set(name, entry.data);
      }
      if (first && bytesRead === 0) throw invalidParameter('unexpected EOF');
    } catch (error) {
      if (error instanceof EngineError) throw error;
      throw systemError(error instanceof Error ? error.message : String(error));
    }
    const read = (path: string): Uint8Array | undefined => {
      let name = cleanTarName(path);
      for (let hops = 0; hops < 8 && !files.has(name) && symlinks.has(name); hops++) {
        const target = symlinks.get(name) as string;
        const base = name.includes('/') ? name.slice(0, name.lastIndexOf('/') + 1) : '';
        name = cleanTarName(target.startsWith('/') ? target : normalizePath(base + target));
      }
      return files.get(name);
    };
    const manifestText = read('manifest.json');
    if (!manifestText) {
      throw systemError('open /var/lib/docker/tmp/docker-import/repositories: no such file or directory');
    }
    const manifest = JSON.parse(new TextDecoder().decode(manifestText)) as { Config: string; RepoTags: string[] | null; Layers: string[] }[];
    const messages: string[] = [];
    for (const entry of manifest) {
      const configBytes = read(entry.Config);
      if (!configBytes) throw systemError(`open ${entry.Config}: no such file or directory`);
      const config = parseImageConfig(configBytes);
      if (config.architecture !== '386' || config.os !== 'linux') {
        // A foreign image loads in docker too; it just cannot run in this guest.
      }
      const layers: { diffId: Digest; size: number; blob: { digest: Digest; mediaType: string; size: number } }[] = [];
      for (const [index, path] of entry.Layers.entries()) {
        const bytes = read(path);
        if (!bytes) throw systemError(`open ${path}: no such file or directory`);
        const measured = await measureLayer(bytes);
        if (measured.diffId !== config.rootfs.diff_ids[index]) {
          throw systemError(`invalid diffID for layer ${index}: expected "${config.rootfs.diff_ids[index]}", got "${measured.diffId}"`);
        }
        const blobDigest = isGzip(bytes) ? digestOf(bytes) : measured.diffId;
        await this.context.store.blobs.put(blobDigest, bytes);
        layers.push({
          diffId: measured.diffId,
          size: measured.size,
          blob: { digest: blobDigest, mediaType: isGzip(bytes) ? mediaTypes.ociLayerGzip : mediaTypes.ociLayer, size: bytes.length },
        });
      }
      const imageId = digestOf(configBytes);
      const tags = (entry.RepoTags ?? []).map((tag) => tagNameOnly(parseNormalizedNamed(tag)));
      for (const tag of tags) {
        const previous = await this.context.imageIdOf(tag);
        if (previous && previous !== imageId) {
          messages.push(`The image ${familiarString(tag)} already exists, renaming the old one with ID ${previous} to empty string\n`);
        }
      }
      await api(() => this.context.images.addImage({ config: configBytes, layers, references: tags }));
      if (this.context.unpackAt === 'pull') for (const layer of await this.context.images.imageLayers(imageId)) await this.context.ensureUnpacked(layer);
      if (tags.length === 0) messages.push(`Loaded image ID: ${imageId}\n`);
      for (const tag of tags) {
        messages.push(`Loaded image: ${familiarString(tag)}\n`);
        this.context.events.emit('image', 'load', familiarString(tag), { name: familiarString(tag) });
      }
      if (tags.length === 0) this.context.events.emit('image', 'load', imageId, { name: imageId });
    }
    return messages;
  }

  /** `docker import`: a root filesystem tar (plain or gzip) as a one-layer image. */
  async import(input: AsyncIterable<Uint8Array>, options: { repo?: string; tag?: string; changes?: string[]; message?: string; source?: string }): Promise<string> {
    let target: NamedReference | undefined;
    if (options.repo) {
      target = await api(async () => {
        const named = parseNormalizedNamed(options.repo as string);
        return options.tag ? withTag(named, options.tag) : tagNameOnly(named);
      });
    }
    const containerConfig = await api(async () => applyChanges({}, options.changes ?? []));
    const chunks: Uint8Array[] = [];
    for await (const chunk of input) chunks.push(chunk);
    const bytes = concatBytes(chunks);
    let measured;
    try {
      measured = await measureLayer(bytes);
    } catch (error) {
      throw systemError(error instanceof Error ? error.message : String(error));
    }
    const now = this.context.clock().toISOString();
    const config: ImageConfig = {
      architecture: '386',
      os: 'linux',
      created: now,
      // moby's ImportImage: a config (empty without --change), and the message, by default
      // "Imported from <source>", as the image's comment and its history's
      comment: options.message || `Imported from ${options.source ?? '-'}`,
      docker_version: ENGINE_VERSION,
      config: containerConfig,
      rootfs: { type: 'layers', diff_ids: [measured.diffId] },
      history: [{ created: now, comment: options.message || `Imported from ${options.source ?? '-'}` }],
    };
    const configBytes = encoder.encode(JSON.stringify(config));
    const blobDigest = isGzip(bytes) ? digestOf(bytes) : measured.diffId;
    await this.context.store.blobs.put(blobDigest, bytes);
    const record = await api(() =>
      this.context.images.addImage({
        config: configBytes,
        layers: [{ diffId: measured.diffId, size: measured.size, blob: { digest: blobDigest, mediaType: isGzip(bytes) ? mediaTypes.ociLayerGzip : mediaTypes.ociLayer, size: bytes.length } }],
        references: target ? [target] : [],
      }),
    );
    this.context.events.emit('image', 'import', record.id, target ? { name: familiarString(target) } : {});
    return record.id;
  }
}

function normalizePath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '.' && part !== '') parts.push(part);
  }
  return parts.join('/');
}

/** Splits a shell-form or JSON-form instruction argument as the builder does for `--change`. */
function commandArgs(text: string): string[] {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return parsed as string[];
    } catch {
      // shell form
    }
  }
  return ['/bin/sh', '-c', trimmed];
}

function keyValues(text: string): [string, string][] {
  const pairs: [string, string][] = [];
  const words: string[] = text.match(/(?:[^\s"']+|"(?:\\.|[^"])*"|'[^']*')+/g) ?? [];
  const first = words[0];
  if (first !== undefined && !first.includes('=')) return [[first, text.trim().slice(first.length).trim()]];
  for (const word of words) {
    const equals = word.indexOf('=');
    const unquote = (value: string): string => value.replace(/^"(.*)"$/s, '$1').replace(/^'(.*)'$/s, '$1');
    pairs.push([word.slice(0, equals), unquote(word.slice(equals + 1))]);
  }
  return pairs;
}

/** docker's `--change`/`-c` Dockerfile instructions for import and commit. */
export function applyChanges(base: ContainerConfig, changes: readonly string[]): ContainerConfig {
  const config: ContainerConfig = { ...base };
  for (const change of changes) {
    const match = /^\s*(\w+)\s*(.*)$/s.exec(change);
    if (!match) continue;
    const instruction = match[1].toUpperCase();
    const rest = match[2];
    switch (instruction) {
      case 'CMD':
        config.Cmd = commandArgs(rest);
        break;
      case 'ENTRYPOINT':
        config.Entrypoint = commandArgs(rest);
        break;
      case 'ENV':
        for (const [key, value] of keyValues(rest)) config.Env = [...(config.Env ?? []).filter((entry) => !entry.startsWith(`${key}=`)), `${key}=${value}`];
        break;
      case 'LABEL':
        for (const [key, value] of keyValues(rest)) config.Labels = { ...(config.Labels ?? {}), [key]: value };
        break;
      case 'EXPOSE':
        for (const port of rest.trim().split(/\s+/)) config.ExposedPorts = { ...(config.ExposedPorts ?? {}), [port.includes('/') ? port : `${port}/tcp`]: {} };
        break;
      case 'VOLUME':
        for (const volume of commandArgs(rest)[0] === '/bin/sh' ? rest.trim().split(/\s+/) : commandArgs(rest)) {
          config.Volumes = { ...(config.Volumes ?? {}), [volume]: {} };
        }
        break;
      case 'USER':
        config.User = rest.trim();
        break;
      case 'WORKDIR':
        config.WorkingDir = rest.trim();
        break;
      case 'STOPSIGNAL':
        config.StopSignal = rest.trim();
        break;
      case 'ONBUILD':
        config.OnBuild = [...(config.OnBuild ?? []), rest.trim()];
        break;
      default:
        throw invalidParameter(`${instruction.toLowerCase()} is not a valid change command`);
    }
  }
  return config;
}
