// The image store keeps docker's model: ids, tags and digest references, layers shared by chain id
// and deleted with their last user, parent/child images, dangling images, and `docker rmi`'s
// conflict rules with docker's messages.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chainIds, digestOf, shortId, type Digest } from '../../src/go/digest';
import { mediaTypes } from '../../src/engine/oci/media-types';
import { MemoryStore } from '../../src/engine/store';
import {
  ImageDeleteConflictError,
  ImageNotFoundError,
  ImageStore,
  layerDiffPath,
  type ContainerUse,
  type LayerInput,
} from '../../src/engine/images/image-store';
import { parseNormalizedNamed } from '../../src/engine/images/reference';
import { FileStore } from '../../src/node/file-store';

const encoder = new TextEncoder();

interface TestImage {
  config: Uint8Array;
  manifest: Uint8Array;
  layers: LayerInput[];
  id: Digest;
  manifestDigest: Digest;
}

/** An image whose layers are the given strings (their "tar" bytes). */
function image(layerContents: string[], extra: { cmd?: string; created?: string } = {}): TestImage {
  const layers = layerContents.map((content) => ({ diffId: digestOf(content), size: content.length }));
  const config = encoder.encode(
    JSON.stringify({
      architecture: '386',
      os: 'linux',
      created: extra.created ?? '2025-01-01T00:00:00Z',
      config: { Cmd: [extra.cmd ?? 'sh'] },
      rootfs: { type: 'layers', diff_ids: layers.map((layer) => layer.diffId) },
    }),
  );
  const manifest = encoder.encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: mediaTypes.dockerManifest,
      config: { mediaType: mediaTypes.dockerConfig, digest: digestOf(config), size: config.length },
      layers: layerContents.map((content) => ({
        mediaType: mediaTypes.dockerLayerGzip,
        digest: digestOf(`gzip(${content})`),
        size: content.length + 6,
      })),
    }),
  );
  return { config, manifest, layers, id: digestOf(config), manifestDigest: digestOf(manifest) };
}

function newStore(): { store: MemoryStore; images: ImageStore } {
  const store = new MemoryStore();
  let cacheCounter = 0;
  return { store, images: new ImageStore(store, { newCacheId: () => `cache${++cacheCounter}`, now: () => new Date('2025-06-01T00:00:00Z') }) };
}

/** Adds an image as a pull would: layer blobs first, then image, tag and digest reference. */
async function pull(images: ImageStore, store: MemoryStore, name: string, test: TestImage, withDigest = true): Promise<void> {
  // The "compressed" blob of each layer, as the manifest names it.
  const manifestLayers = (JSON.parse(new TextDecoder().decode(test.manifest)) as { layers: { digest: Digest }[] }).layers;
  for (const [index, layer] of manifestLayers.entries()) {
    const original = `gzip(${layerContent(test, index)})`;
    if (digestOf(original) === layer.digest) await store.blobs.put(layer.digest, encoder.encode(original));
  }
  const reference = parseNormalizedNamed(name);
  const references = [reference];
  if (withDigest) references.push({ domain: reference.domain, path: reference.path, digest: test.manifestDigest });
  await images.addImage({ config: test.config, manifest: test.manifest, layers: test.layers, references });
}

const layerTexts = new Map<Digest, string>();
function layerContent(test: TestImage, index: number): string {
  return layerTexts.get(test.layers[index]!.diffId) ?? '';
}
function remember(...contents: string[]): string[] {
  for (const content of contents) layerTexts.set(digestOf(content), content);
  return contents;
}

async function errorOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection');
}

const busybox = image(remember('busybox rootfs'));
const alpine = image(remember('alpine rootfs'));

describe('adding and resolving', () => {
  it('finds an image by every name docker accepts', async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox);
    const hex = busybox.id.slice('sha256:'.length);
    for (const name of [
      'busybox',
      'busybox:latest',
      'library/busybox',
      'docker.io/library/busybox:latest',
      `busybox@${busybox.manifestDigest}`,
      `busybox:whatever@${busybox.manifestDigest}`,
      busybox.id,
      hex,
      hex.slice(0, 12),
      hex.slice(0, 3),
      `sha256:${hex.slice(0, 5)}`,
    ]) {
      expect((await images.resolve(name)).id, name).toBe(busybox.id);
    }
  });

  it("says docker's No such image", async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox);
    await expect(images.resolve('x')).rejects.toThrow(new ImageNotFoundError('x:latest'));
    await expect(images.resolve('x')).rejects.toThrow('No such image: x:latest');
    await expect(images.resolve('busybox:1.36')).rejects.toThrow('No such image: busybox:1.36');
    await expect(images.resolve(`sha256:${'f'.repeat(64)}`)).rejects.toThrow(`No such image: sha256:${'f'.repeat(64)}`);
    await expect(images.resolve('f'.repeat(64))).rejects.toThrow(`No such image: sha256:${'f'.repeat(64)}`);
    await expect(images.resolve('localhost:5000/x')).rejects.toThrow('No such image: localhost:5000/x:latest');
    await expect(images.resolve('Busybox')).rejects.toThrow('invalid reference format: repository name (library/Busybox) must be lowercase');
  });

  it('finds nothing by an ambiguous id prefix', async () => {
    const { store, images } = newStore();
    const made = Array.from({ length: 17 }, (_, n) => image(remember(`layer ${n}`), { cmd: `cmd ${n}` }));
    for (const [n, test] of made.entries()) await pull(images, store, `img${n}`, test, false);
    // 17 ids, 16 hex digits: two share their first digit.
    const first = made.map((test) => test.id.charAt('sha256:'.length));
    const shared = first.find((digit, index) => first.indexOf(digit) !== index) as string;
    await expect(images.resolve(shared)).rejects.toThrow(`No such image: ${shared}:latest`);
    const unique = made.find((test) => first.filter((digit) => digit === test.id.charAt(7)).length === 1);
    if (unique) expect((await images.resolve(unique.id.slice(7, 9 + 10))).id).toBe(unique.id);
  });

  it('records layers with their chain ids, sizes, blobs and guest paths', async () => {
    const { store, images } = newStore();
    const twoLayers = image(remember('base layer', 'app layer'));
    await pull(images, store, 'app', twoLayers);
    const layers = await images.imageLayers(twoLayers.id);
    const ids = chainIds(twoLayers.layers.map((layer) => layer.diffId));
    expect(layers.map((layer) => layer.chainId)).toEqual(ids);
    expect(layers[0]).toMatchObject({ diffId: digestOf('base layer'), parent: null, size: 10, references: 1 });
    expect(layers[1]).toMatchObject({ parent: ids[0], size: 9, references: 1 });
    expect(layers[1]!.blob).toEqual({ digest: digestOf('gzip(app layer)'), mediaType: mediaTypes.dockerLayerGzip, size: 15 });
    expect(layers.map(layerDiffPath)).toEqual(['/var/lib/docker/overlay2/cache1/diff', '/var/lib/docker/overlay2/cache2/diff']);
    const inspected = await images.inspect('app');
    expect(inspected.record.size).toBe(19);
    expect(inspected.repoTags).toEqual(['app:latest']);
    expect(inspected.repoDigests).toEqual([`app@${twoLayers.manifestDigest}`]);
    expect(inspected.config.config?.Cmd).toEqual(['sh']);
    expect(inspected.record.lastTagTime).toBe('2025-06-01T00:00:00.000Z');
  });

  it('adding the same image twice counts its layers once', async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox);
    await pull(images, store, 'busybox:again', busybox);
    expect((await images.imageLayers(busybox.id))[0]!.references).toBe(1);
    const { records } = await images.deleteImage(busybox.id, { force: true });
    expect(records.filter((record) => 'Deleted' in record)).toHaveLength(2);
    expect(await store.blobs.list()).toEqual([]);
  });

  it('refuses layers that do not match the config', async () => {
    const { images } = newStore();
    await expect(images.addImage({ config: busybox.config, layers: [] })).rejects.toThrow(
      `image ${busybox.id}: config has 1 layers (rootfs.diff_ids) but 0 were given`,
    );
    await expect(images.addImage({ config: busybox.config, layers: alpine.layers })).rejects.toThrow(/layer 0 has diff id/);
    await expect(images.addImage({ config: busybox.config, manifest: alpine.manifest, layers: busybox.layers })).rejects.toThrow(/names config/);
  });

  it('an interrupted pull leaves nothing behind but blobs, which garbage collection removes', async () => {
    let failing = true;
    const store = new MemoryStore({ fault: (step) => {
      if (failing && step === 'metadata:before-commit') throw new Error('tab closed');
    } });
    const images = new ImageStore(store);
    await expect(pull(images, store, 'busybox', busybox)).rejects.toThrow('tab closed');
    expect(await store.metadata.keys()).toEqual([]);
    expect((await store.blobs.list()).length).toBeGreaterThan(0);
    failing = false;
    expect(await images.collectGarbage()).toHaveLength(3); // config, manifest, layer blob
    expect(await store.blobs.list()).toEqual([]);
  });

  it('a FileStore reopened gives the same images', async () => {
    const root = await mkdtemp(join(tmpdir(), 'dockside-images-'));
    try {
      const first = await FileStore.open(root);
      await new ImageStore(first).addImage({ config: busybox.config, layers: busybox.layers, references: [parseNormalizedNamed('busybox')] });
      const reopened = new ImageStore(await FileStore.open(root));
      expect((await reopened.resolve('busybox')).id).toBe(busybox.id);
      expect((await reopened.list()).map((summary) => summary.repoTags)).toEqual([['busybox:latest']]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe('tags', () => {
  it('tags, moves a tag and leaves the old image dangling', async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox, false);
    await pull(images, store, 'alpine', alpine, false);
    await images.tag('busybox', 'myrepo/bb:v1');
    expect((await images.inspect('busybox')).repoTags).toEqual(['busybox:latest', 'myrepo/bb:v1']);
    await images.tag(alpine.id.slice(7, 19), 'busybox');
    expect((await images.resolve('busybox')).id).toBe(alpine.id);
    await images.tag('alpine', 'myrepo/bb:v1');
    expect(await images.danglingImages()).toEqual([busybox.id]);
    expect((await images.list()).find((summary) => summary.id === busybox.id)?.repoTags).toEqual([]);
  });

  it("refuses what docker's reference store refuses", async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox);
    await expect(images.tag('busybox', `x@${busybox.manifestDigest}`)).rejects.toThrow('refusing to create a tag with a digest reference');
    await expect(images.tag('busybox', 'sha256:abc')).rejects.toThrow('refusing to create an ambiguous tag using digest algorithm as name');
    await expect(images.tag('nothing', 'x')).rejects.toThrow('No such image: nothing:latest');
    await expect(images.tag('busybox', 'Bad')).rejects.toThrow('must be lowercase');
  });
});

describe('rmi', () => {
  const stopped: ContainerUse = { id: '3a'.repeat(32), running: false };
  const running: ContainerUse = { id: '7b'.repeat(32), running: true };

  it('untags and deletes, with digest references and layers', async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox);
    const { records, removedLayers } = await images.deleteImage('busybox');
    const chain = chainIds(busybox.layers.map((layer) => layer.diffId));
    expect(records).toEqual([
      { Untagged: 'busybox:latest' },
      { Untagged: `busybox@${busybox.manifestDigest}` },
      { Deleted: busybox.id },
      { Deleted: chain[0] },
    ]);
    expect(removedLayers.map(layerDiffPath)).toEqual(['/var/lib/docker/overlay2/cache1/diff']);
    expect(await store.metadata.keys()).toEqual([]);
    expect(await store.blobs.list()).toEqual([]);
  });

  it('with another tag left, only untags', async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox);
    await images.tag('busybox', 'mybox:1');
    // The repository's digest reference goes with its last tag, as in docker.
    expect((await images.deleteImage('busybox')).records).toEqual([
      { Untagged: 'busybox:latest' },
      { Untagged: `busybox@${busybox.manifestDigest}` },
    ]);
    expect(await images.inspect('mybox:1')).toMatchObject({ repoTags: ['mybox:1'], repoDigests: [] });
  });

  it('by id, refuses an image referenced in multiple repositories unless forced', async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox);
    await images.tag('busybox', 'mybox:1');
    const error = await errorOf(images.deleteImage(busybox.id.slice(7, 19)));
    expect(error).toBeInstanceOf(ImageDeleteConflictError);
    expect(error.message).toBe(`conflict: unable to delete ${shortId(busybox.id)} (must be forced) - image is referenced in multiple repositories`);
    expect((await images.list())[0]!.repoTags).toEqual(['busybox:latest', 'mybox:1']);
    const { records } = await images.deleteImage(busybox.id.slice(7, 19), { force: true });
    expect(records.slice(0, 3)).toEqual([
      { Untagged: 'busybox:latest' },
      { Untagged: `busybox@${busybox.manifestDigest}` },
      { Untagged: 'mybox:1' },
    ]);
    expect(records[3]).toEqual({ Deleted: busybox.id });
  });

  it('by id, with one tag, removes tag and image together', async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox, false);
    expect((await images.deleteImage(busybox.id)).records.slice(0, 2)).toEqual([{ Untagged: 'busybox:latest' }, { Deleted: busybox.id }]);
  });

  it("refuses to remove the last name of a container's image without force", async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox);
    const error = await errorOf(images.deleteImage('busybox', { containersUsing: () => [stopped] }));
    expect(error.message).toBe(
      `conflict: unable to remove repository reference "busybox" (must force) - container ${'3a'.repeat(6)} is using its referenced image ${shortId(busybox.id)}`,
    );
    expect((await images.list())[0]!.repoTags).toEqual(['busybox:latest']);
  });

  it('forced, untags an image a running container uses but keeps the image, now dangling', async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox);
    const { records } = await images.deleteImage('busybox', { force: true, containersUsing: () => [running] });
    expect(records).toEqual([{ Untagged: 'busybox:latest' }, { Untagged: `busybox@${busybox.manifestDigest}` }]);
    expect(await images.danglingImages()).toEqual([busybox.id]);
    expect((await images.list()).map((summary) => [summary.repoTags, summary.repoDigests])).toEqual([[[], []]]);
  });

  it('by id: a stopped container needs force, a running one cannot be forced', async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox);
    const id = shortId(busybox.id);
    expect((await errorOf(images.deleteImage(id, { containersUsing: () => [stopped] }))).message).toBe(
      `conflict: unable to delete ${id} (must be forced) - image is being used by stopped container ${'3a'.repeat(6)}`,
    );
    const hard = await errorOf(images.deleteImage(id, { force: true, containersUsing: () => [running] }));
    expect(hard.message).toBe(`conflict: unable to delete ${id} (cannot be forced) - image is being used by running container ${'7b'.repeat(6)}`);
    expect((hard as ImageDeleteConflictError).kind).toBe('conflict');
    const { records } = await images.deleteImage(id, { force: true, containersUsing: () => [stopped] });
    expect(records).toContainEqual({ Deleted: busybox.id });
  });

  it("keeps a layer that a container still holds after its image is forced out", async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox);
    const [layer] = await images.imageLayers(busybox.id);
    await store.metadata.update((tx) => images.retainLayer(tx, layer!.chainId));
    const { removedLayers } = await images.deleteImage('busybox', { force: true, containersUsing: () => [stopped] });
    expect(removedLayers).toEqual([]);
    expect(await images.layer(layer!.chainId)).toMatchObject({ references: 1 });
    const released = await store.metadata.update((tx) => images.releaseLayer(tx, layer!.chainId));
    expect(released.map((record) => record.chainId)).toEqual([layer!.chainId]);
    expect(await images.layer(layer!.chainId)).toBeUndefined();
  });

  it('no such image', async () => {
    const { images } = newStore();
    const error = await errorOf(images.deleteImage('x'));
    expect(error.message).toBe('No such image: x:latest');
    expect((error as ImageNotFoundError).kind).toBe('not-found');
  });
});

describe('shared layers', () => {
  it('a layer shared by two images goes with the last of them', async () => {
    const { store, images } = newStore();
    const base = remember('debian base')[0]!;
    const nginx = image([base, ...remember('nginx files')]);
    const app = image([base, ...remember('app files')]);
    await pull(images, store, 'nginx', nginx);
    await pull(images, store, 'app', app);
    const baseChain = digestOf(base);
    expect(await images.layer(baseChain)).toMatchObject({ references: 2 });

    const first = await images.deleteImage('nginx');
    expect(first.removedLayers.map((layer) => layer.diffId)).toEqual([digestOf('nginx files')]);
    expect(await images.layer(baseChain)).toMatchObject({ references: 1 });
    expect(await store.blobs.has(digestOf(`gzip(${base})`))).toBe(true);

    const second = await images.deleteImage('app');
    expect(second.removedLayers.map((layer) => layer.diffId)).toEqual([digestOf('app files'), digestOf(base)]);
    expect(second.records.at(-1)).toEqual({ Deleted: baseChain });
    expect(await store.metadata.keys('layer/')).toEqual([]);
    expect(await store.blobs.list()).toEqual([]);
  });

  it('the same diff on another base is another layer', async () => {
    const { store, images } = newStore();
    const one = image(remember('base one', 'same diff'));
    const two = image(remember('base two', 'same diff'));
    await pull(images, store, 'one', one);
    await pull(images, store, 'two', two);
    expect(await store.metadata.keys('layer/')).toHaveLength(4);
    await images.deleteImage('one');
    expect(await store.blobs.has(digestOf('gzip(same diff)'))).toBe(true); // still two's
  });
});

describe('parents, children and dangling images', () => {
  async function build(): Promise<{ store: MemoryStore; images: ImageStore; parent: TestImage; child: TestImage }> {
    const { store, images } = newStore();
    const parent = image(remember('base', 'step 1'), { created: '2025-01-01T00:00:01Z' });
    const child = image(remember('base', 'step 1', 'step 2'), { created: '2025-01-01T00:00:02Z' });
    await images.addImage({ config: parent.config, layers: parent.layers });
    await images.addImage({ config: child.config, layers: child.layers, parent: parent.id, references: [parseNormalizedNamed('app')] });
    return { store, images, parent, child };
  }

  it('hides untagged parents unless -a', async () => {
    const { images, parent, child } = await build();
    expect((await images.list()).map((summary) => summary.id)).toEqual([child.id]);
    const all = await images.list({ all: true });
    expect(all.map((summary) => [summary.id, summary.parentId, summary.repoTags])).toEqual([
      [child.id, parent.id, ['app:latest']],
      [parent.id, null, []],
    ]);
    expect(await images.children(parent.id)).toEqual([child.id]);
    expect(await images.danglingImages()).toEqual([]);
  });

  it('refuses to delete an image with children, even forced', async () => {
    const { images, parent } = await build();
    const error = await errorOf(images.deleteImage(parent.id, { force: true }));
    expect(error.message).toBe(`conflict: unable to delete ${shortId(parent.id)} (cannot be forced) - image has dependent child images`);
  });

  it('deleting the child prunes the untagged parent too', async () => {
    const { store, images, parent, child } = await build();
    const chain = chainIds(child.layers.map((layer) => layer.diffId));
    const { records } = await images.deleteImage('app');
    expect(records).toEqual([
      { Untagged: 'app:latest' },
      { Deleted: child.id },
      { Deleted: chain[2] },
      { Deleted: parent.id },
      { Deleted: chain[1] },
      { Deleted: chain[0] },
    ]);
    expect(await store.metadata.keys()).toEqual([]);
  });

  it('an image with only a digest reference counts as dangling', async () => {
    const { store, images } = newStore();
    await pull(images, store, 'busybox', busybox);
    await images.untag('busybox:latest');
    expect((await images.inspect(busybox.id)).repoDigests).toEqual([`busybox@${busybox.manifestDigest}`]);
    expect(await images.danglingImages()).toEqual([busybox.id]);
  });

  it('without prune the parent stays, dangling', async () => {
    const { images, parent } = await build();
    await images.deleteImage('app', { prune: false });
    expect(await images.danglingImages()).toEqual([parent.id]);
    expect((await images.list({ danglingOnly: true })).map((summary) => summary.id)).toEqual([parent.id]);
  });

  it('a tagged parent is not pruned', async () => {
    const { images, parent } = await build();
    await images.tag(parent.id, 'base:1');
    await images.deleteImage('app');
    expect((await images.list()).map((summary) => summary.repoTags)).toEqual([['base:1']]);
    expect((await images.resolve('base:1')).id).toBe(parent.id);
  });
});
