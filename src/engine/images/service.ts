// The image service of the daemon, a facade over its parts: the registries (registry.ts: pull, push,
// search, login), tar files (archive.ts: save, load, import), what commit and the builder need
// (build-support.ts), what docker shows (queries.ts: images, inspect, history), and rmi and prune
// (remove.ts). It gives containers their images (ImageProvider): every layer is unpacked once in the
// guest at /var/lib/docker/overlay2/<id>/diff.
//
// Where layers are unpacked (bench/images.ts, Node, 2 cores): the runtime builds each layer's tree in
// the 9p share from the page's side and the guest reads it there (see GuestRuntime.installLayer).
// debian (34 MB gzip, 92 MB unpacked): the engine's part of a pull (read, verify, store, hash the
// diff) is 1.5 s and unpacking 0.2 s (the measured tar is handed on, not gunzipped twice); the
// guest's own tar -x took 6-8 s. So the default is 'pull', as docker extracts at pull ("Extracting"
// progress); 'run' leaves unpacking to the first container that needs a layer.

import type { BuildImages } from '../builder/dispatch';
import { invalidParameter } from '../errors';
import type { Digest } from '../../go/digest';
import type { ContainerConfig, Descriptor } from '../oci/types';
import { ImageArchive } from './archive';
import { ImageBuildSupport } from './build-support';
import { ImageContext, api, type ImageServiceOptions } from './context';
import { layerDiffPath, type DeleteRecord, type ImageStore, type LayerRecord } from './image-store';
import { ImageQueries, type ImageListEntry } from './queries';
import { familiarString, parseNormalizedNamed, referenceName, tagNameOnly, withTag } from './reference';
import { ImageRegistry, type SearchResult } from './registry';
import { ImageRemover } from './remove';
import type { ImageProvider, RunnableImage } from './types';
import type { ImageInspect } from '../../api';

export type { ImageServiceOptions } from './context';
export type { ImageListEntry } from './queries';
export type { SearchResult } from './registry';
export { decodeRegistryAuth } from './registry';
export { applyChanges } from './archive';

export class ImageService implements ImageProvider {
  private readonly context: ImageContext;
  private readonly registry: ImageRegistry;
  private readonly archive: ImageArchive;
  private readonly build: ImageBuildSupport;
  private readonly queries: ImageQueries;
  private readonly remover: ImageRemover;

  constructor(options: ImageServiceOptions) {
    this.context = new ImageContext(options);
    this.registry = new ImageRegistry(this.context);
    this.archive = new ImageArchive(this.context);
    this.build = new ImageBuildSupport(this.context);
    this.queries = new ImageQueries(this.context);
    this.remover = new ImageRemover(this.context);
  }

  /** The image store: images, references and layers. */
  get images(): ImageStore {
    return this.context.images;
  }

  /** When layers are unpacked in the guest (see ImageServiceOptions.unpackAt); may be changed at any time. */
  get unpackAt(): 'pull' | 'run' {
    return this.context.unpackAt;
  }

  set unpackAt(value: 'pull' | 'run') {
    this.context.unpackAt = value;
  }

  // ---- ImageProvider ----

  async resolveId(referenceOrId: string): Promise<string | undefined> {
    try {
      return (await this.context.images.resolve(referenceOrId)).id;
    } catch {
      return undefined;
    }
  }

  async prepareForRun(referenceOrId: string): Promise<RunnableImage> {
    const images = this.context.images;
    const image = await api(() => images.resolve(referenceOrId));
    const layers = await images.imageLayers(image.id);
    for (const layer of layers) await this.context.ensureUnpacked(layer);
    return {
      id: image.id,
      config: await images.config(image.id),
      layerDirs: layers.map(layerDiffPath).reverse(),
      layers: [...image.layers],
      displayName: referenceOrId,
      size: image.size,
    };
  }

  commit(input: Parameters<ImageProvider['commit']>[0]): Promise<string> {
    return this.build.commit(input);
  }

  // ---- the builder ----

  buildCommit(input: Parameters<ImageBuildSupport['buildCommit']>[0]): Promise<string> {
    return this.build.buildCommit(input);
  }

  buildCacheProbe(parentId: string | undefined, containerConfig: ContainerConfig): Promise<string | undefined> {
    return this.build.buildCacheProbe(parentId, containerConfig);
  }

  imageFiles(...args: Parameters<ImageBuildSupport['imageFiles']>): ReturnType<ImageBuildSupport['imageFiles']> {
    return this.build.imageFiles(...args);
  }

  /** The image service as the legacy builder uses it. */
  builderImages(): BuildImages {
    return {
      localId: async (reference) => {
        try {
          return (await this.images.resolve(reference)).id;
        } catch {
          return undefined;
        }
      },
      config: (imageId) => this.images.config(imageId as Digest),
      pull: async (reference) => {
        const named = parseNormalizedNamed(reference);
        const tagged = named.digest !== undefined ? named : tagNameOnly(named);
        return this.pull(referenceName(tagged), tagged.digest ?? tagged.tag ?? 'latest');
      },
      buildCommit: (input) => this.buildCommit(input),
      buildCacheProbe: (parentId, config) => this.buildCacheProbe(parentId, config),
      imageFiles: (imageId, withData) => this.imageFiles(imageId, withData),
      tag: async (imageId, reference) => {
        const named = tagNameOnly(parseNormalizedNamed(reference));
        await this.tag(imageId, referenceName(named), named.tag ?? 'latest');
        return familiarString(named);
      },
      checkTag: (reference) => {
        try {
          parseNormalizedNamed(reference);
        } catch (error) {
          throw invalidParameter(error instanceof Error ? error.message : String(error));
        }
      },
    };
  }

  // ---- layers in the guest ----

  /** Unpacks a layer into its overlay directory once (see ImageContext.ensureUnpacked). */
  ensureUnpacked(layer: LayerRecord, tar?: Uint8Array): Promise<void> {
    return this.context.ensureUnpacked(layer, tar);
  }

  /** The guest path of every layer an image has (for the inspector). */
  async layerDirectories(referenceOrId: string): Promise<{ chainId: string; dir: string }[]> {
    const image = await api(() => this.context.images.resolve(referenceOrId));
    return (await this.context.images.imageLayers(image.id)).map((layer) => ({ chainId: layer.chainId, dir: layerDiffPath(layer) }));
  }

  // ---- registries ----

  /** Every repository the registry can serve, with its tags (bundled and pushed from this browser). */
  catalog(): Promise<Map<string, Map<string, Descriptor>>> {
    return this.registry.catalog();
  }

  /** `docker pull`: streams docker's progress messages; errors before any output are thrown. */
  pull(fromImage: string, tag: string, options: { allTags?: boolean } = {}): Promise<AsyncIterable<Uint8Array>> {
    return this.registry.pull(fromImage, tag, options);
  }

  /** `docker push` into the registry of this browser (persisted in the store). */
  push(name: string, tag: string, authHeader: string | undefined): Promise<AsyncIterable<Uint8Array>> {
    return this.registry.push(name, tag, authHeader);
  }

  search(term: string, limit: number, filters: Map<string, string[]>): Promise<SearchResult[]> {
    return this.registry.search(term, limit, filters);
  }

  login(body: { username?: string; password?: string; serveraddress?: string }): Promise<{ Status: string; IdentityToken: string }> {
    return this.registry.login(body);
  }

  // ---- what docker shows ----

  /** How many images the store holds, intermediate ones too (docker info's Images). */
  count(): Promise<number> {
    return this.queries.count();
  }

  list(options: { all?: boolean; filters?: Map<string, string[]> } = {}): Promise<ImageListEntry[]> {
    return this.queries.list(options);
  }

  inspect(name: string): Promise<ImageInspect> {
    return this.queries.inspect(name);
  }

  history(name: string): ReturnType<ImageQueries['history']> {
    return this.queries.history(name);
  }

  // ---- tag, remove, prune ----

  async tag(source: string, repo: string, tag: string): Promise<void> {
    const image = await api(() => this.context.images.resolve(source));
    const target = await api(async () => {
      const named = parseNormalizedNamed(repo);
      if (named.digest !== undefined) throw invalidParameter('refusing to create a tag with a digest reference');
      return tag ? withTag(named, tag) : tagNameOnly(named);
    });
    await api(() => this.context.images.tag(image.id, target));
    this.context.events.emit('image', 'tag', image.id, { name: familiarString(target) });
  }

  remove(name: string, options: { force?: boolean; noprune?: boolean } = {}): Promise<DeleteRecord[]> {
    return this.remover.remove(name, options);
  }

  prune(filters: Map<string, string[]>): Promise<{ ImagesDeleted: DeleteRecord[] | null; SpaceReclaimed: number }> {
    return this.remover.prune(filters);
  }

  // ---- tar files ----

  /** `docker save`: docker's tar (manifest.json, repositories) that is also an OCI layout. */
  save(names: readonly string[]): Promise<Uint8Array> {
    return this.archive.save(names);
  }

  /** `docker load`: a tar from docker save (this one's, or real docker's; legacy or OCI layout). */
  load(input: AsyncIterable<Uint8Array>): Promise<string[]> {
    return this.archive.load(input);
  }

  /** `docker import`: a root filesystem tar (plain or gzip) as a one-layer image. */
  import(input: AsyncIterable<Uint8Array>, options: { repo?: string; tag?: string; changes?: string[]; message?: string; source?: string }): Promise<string> {
    return this.archive.import(input, options);
  }
}
