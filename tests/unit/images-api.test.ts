// The image service through the Engine API: MemoryStore + FakeRuntime + an in-memory registry.

import { beforeEach, describe, expect, it, vi } from 'vitest';
import { InProcessClient, type ClientRequestOptions } from '../../src/cli/client';
import { Daemon } from '../../src/engine/daemon';
import type { ImageService } from '../../src/engine/images/service';
import { TarWriter, readTar } from '../../src/go/tar';
import { gzip } from '../../src/go/gzip';
import { MemoryRegistry } from '../../src/engine/registry/memory-registry';
import { MemoryStore } from '../../src/engine/store';
import { digestOf } from '../../src/go/digest';
import { FakeRuntime } from '../helpers/fake-runtime';

const now = new Date('2025-06-01T12:00:00Z');

interface Setup {
  daemon: Daemon;
  runtime: FakeRuntime;
  store: MemoryStore;
  registry: MemoryRegistry;
  client: InProcessClient;
  service: ImageService;
}

async function makeRegistry(): Promise<MemoryRegistry> {
  const registry = new MemoryRegistry();
  await registry.add('docker.io/library/busybox:latest', {
    files: { 'bin/': '', 'bin/busybox': 'BUSYBOX', 'bin/sh': '->busybox', 'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n' },
    config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    metadataSteps: ['/bin/sh -c #(nop)  CMD ["sh"]'],
    created: '2025-05-01T00:00:00Z',
  });
  await registry.add('docker.io/library/debian:bookworm', { files: { 'etc/debian_version': '12.10\n' }, created: '2025-05-10T00:00:00Z' });
  await registry.add('docker.io/library/debian:latest', { files: { 'etc/debian_version': '12.10\n' }, created: '2025-05-10T00:00:00Z' });
  await registry.add('docker.io/library/nginx:latest', {
    base: 'docker.io/library/debian:bookworm',
    files: { 'usr/sbin/nginx': 'NGINX' },
    config: { Cmd: ['nginx', '-g', 'daemon off;'], ExposedPorts: { '80/tcp': {} } },
    created: '2025-05-20T00:00:00Z',
  });
  return registry;
}

async function setup(registry?: MemoryRegistry, store = new MemoryStore()): Promise<Setup> {
  const runtime = new FakeRuntime();
  const reg = registry ?? (await makeRegistry());
  const daemon = new Daemon({ store, runtime, registry: reg, clock: () => now });
  const client = new InProcessClient((request) => daemon.router.handle(request));
  return { daemon, runtime, store, registry: reg, client, service: daemon.images as ImageService };
}

async function call(client: InProcessClient, method: string, path: string, options: ClientRequestOptions = {}) {
  const response = await client.request(method, path, options);
  return { status: response.status, text: await response.text() };
}

function messages(text: string): { status?: string; id?: string; error?: string; progressDetail?: unknown; stream?: string }[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { status?: string; id?: string; error?: string });
}

async function pull(client: InProcessClient, name: string, tag = 'latest') {
  return call(client, 'POST', '/images/create', { query: { fromImage: `docker.io/library/${name}`, tag } });
}

let s: Setup;
beforeEach(async () => {
  s = await setup();
});

describe('pull', () => {
  it("streams docker's progress messages and stores the image", async () => {
    s.service.unpackAt = 'pull';
    const result = await pull(s.client, 'busybox');
    expect(result.status).toBe(200);
    const lines = messages(result.text).map((m) => (m.id ? `${m.id}: ${m.status}` : m.status));
    expect(lines[0]).toBe('latest: Pulling from library/busybox');
    expect(lines[1]).toMatch(/^[0-9a-f]{12}: Pulling fs layer$/);
    expect(lines.filter((line) => line?.endsWith('Downloading'))).toHaveLength(1);
    expect(lines.slice(-6, -2).map((line) => line?.split(': ')[1])).toEqual(['Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']);
    // Unpacked at pull, as docker extracts, from the tar the pull measured (no second gunzip).
    const installs = s.runtime.calls.filter((c) => c.op === 'installLayer');
    expect(installs).toHaveLength(1);
    expect(installs[0].args[0]).toMatch(/^\/var\/lib\/docker\/overlay2\/[0-9a-f]{64}\/diff$/);
    expect(installs[0].args[2]).toBe(false);
    expect(lines.at(-2)).toMatch(/^Digest: sha256:[0-9a-f]{64}$/);
    expect(lines.at(-1)).toBe('Status: Downloaded newer image for busybox:latest');
    const again = messages((await pull(s.client, 'busybox')).text);
    expect(again.at(-1)?.status).toBe('Status: Image is up to date for busybox:latest');
    expect(again.filter((m) => m.status === 'Already exists')).toHaveLength(1);
  });

  it('shares layers: an image FROM debian finds its layer already there', async () => {
    await pull(s.client, 'debian', 'bookworm');
    const nginx = messages((await pull(s.client, 'nginx')).text);
    expect(nginx.filter((m) => m.status === 'Already exists')).toHaveLength(1);
    expect(nginx.filter((m) => m.status === 'Pull complete')).toHaveLength(1);
  });

  it("answers a missing repository, tag or registry with docker's errors", async () => {
    const missing = await pull(s.client, 'ubuntu', '16.04');
    expect(missing.status).toBe(404);
    expect(JSON.parse(missing.text).message).toBe(
      "pull access denied for ubuntu, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
    );
    const tag = await pull(s.client, 'busybox', 'nope');
    expect(JSON.parse(tag.text).message).toBe('manifest for busybox:nope not found: manifest unknown: manifest unknown');
    const other = await call(s.client, 'POST', '/images/create', { query: { fromImage: '127.0.0.1:5000/x', tag: 'latest' } });
    expect(other.status).toBe(500);
    expect(JSON.parse(other.text).message).toBe('Get "http://127.0.0.1:5000/v2/": dial tcp 127.0.0.1:5000: connect: connection refused');
  });

  it('an interrupted pull leaves no image behind', async () => {
    s.registry.failAfter = 2;
    const result = messages((await pull(s.client, 'busybox')).text);
    expect(result.at(-1)?.error).toMatch(/connection reset/);
    expect(JSON.parse((await call(s.client, 'GET', '/images/json')).text)).toEqual([]);
  });
});

describe('list, inspect, history', () => {
  it('lists images with filters', async () => {
    await pull(s.client, 'busybox');
    await pull(s.client, 'nginx');
    const all = JSON.parse((await call(s.client, 'GET', '/images/json')).text) as { RepoTags: string[]; Created: number; Size: number }[];
    expect(all.map((image) => image.RepoTags)).toEqual([['nginx:latest'], ['busybox:latest']]);
    expect(all[1].Created).toBe(Date.parse('2025-05-01T00:00:00Z') / 1000);
    expect(all[1].Size).toBe('BUSYBOX'.length + 'busybox'.length + 'root:x:0:0:root:/root:/bin/sh\n'.length);
    const filtered = JSON.parse((await call(s.client, 'GET', '/images/json', { query: { filters: '{"reference":{"busy*":true}}' } })).text);
    expect(filtered).toHaveLength(1);
    const bad = await call(s.client, 'GET', '/images/json', { query: { filters: '{"bogus":{"x":true}}' } });
    expect(bad.status).toBe(400);
  });

  it('inspects with GraphDriver overlay2 directories', async () => {
    await pull(s.client, 'nginx');
    const inspect = JSON.parse((await call(s.client, 'GET', '/images/nginx/json')).text);
    expect(inspect.RepoTags).toEqual(['nginx:latest']);
    expect(inspect.GraphDriver.Name).toBe('overlay2');
    expect(inspect.GraphDriver.Data.LowerDir).toMatch(/^\/var\/lib\/docker\/overlay2\/[0-9a-f]{64}\/diff$/);
    expect(inspect.GraphDriver.Data.UpperDir).toMatch(/^\/var\/lib\/docker\/overlay2\/[0-9a-f]{64}\/diff$/);
    expect(inspect.RootFS.Layers).toHaveLength(2);
    expect((await call(s.client, 'GET', '/images/nope/json')).text).toBe('{"message":"No such image: nope:latest"}\n');
  });

  it('history has the image id on top and <missing> below', async () => {
    await pull(s.client, 'busybox');
    const history = JSON.parse((await call(s.client, 'GET', '/images/busybox/history')).text);
    expect(history).toHaveLength(2);
    expect(history[0].Id).toMatch(/^sha256:/);
    expect(history[0].Tags).toEqual(['busybox:latest']);
    expect(history[0].CreatedBy).toBe('/bin/sh -c #(nop)  CMD ["sh"]');
    expect(history[1].Id).toBe('<missing>');
    expect(history[1].Size).toBeGreaterThan(0);
  });
});

describe('tag and rmi', () => {
  it("gives docker's conflicts", async () => {
    await pull(s.client, 'busybox');
    const id = JSON.parse((await call(s.client, 'GET', '/images/busybox/json')).text).Id as string;
    const short = id.slice(7, 19);
    expect((await call(s.client, 'POST', '/images/busybox/tag', { query: { repo: 'docker.io/me/bb', tag: 'v1' } })).status).toBe(201);
    const multi = await call(s.client, 'DELETE', `/images/${short}`);
    expect(multi.status).toBe(409);
    expect(JSON.parse(multi.text).message).toBe(`conflict: unable to delete ${short} (must be forced) - image is referenced in multiple repositories`);
    const untag = JSON.parse((await call(s.client, 'DELETE', '/images/me/bb:v1')).text);
    expect(untag).toEqual([{ Untagged: 'me/bb:v1' }]);

    const container = 'c'.repeat(64);
    let running = false;
    const users = vi.spyOn(s.daemon.containers, 'imageUser').mockImplementation((imageId) => (imageId === id ? { containerId: container, running } : undefined));
    const used = await call(s.client, 'DELETE', '/images/busybox');
    expect(JSON.parse(used.text).message).toBe(
      `conflict: unable to remove repository reference "busybox" (must force) - container ${container.slice(0, 12)} is using its referenced image ${short}`,
    );
    running = true;
    const forcedRunning = await call(s.client, 'DELETE', `/images/${short}`, { query: { force: '1' } });
    expect(JSON.parse(forcedRunning.text).message).toBe(`conflict: unable to delete ${short} (cannot be forced) - image is being used by running container ${container.slice(0, 12)}`);
    users.mockRestore();
    const removed = JSON.parse((await call(s.client, 'DELETE', '/images/busybox')).text);
    expect(removed[0].Untagged).toBe('busybox:latest');
    expect(removed.some((r: { Deleted?: string }) => r.Deleted === id)).toBe(true);
  });
});

describe('prepareForRun', () => {
  it('unpacks each layer once, base first, and gives lower dirs top first', async () => {
    await pull(s.client, 'debian', 'bookworm');
    await pull(s.client, 'nginx');
    const first = await s.service.prepareForRun('nginx');
    const second = await s.service.prepareForRun('debian:bookworm');
    await s.service.prepareForRun('nginx');
    const unpacks = s.runtime.calls.filter((c) => c.op === 'installLayer');
    expect(unpacks).toHaveLength(2);
    expect(first.layerDirs).toHaveLength(2);
    expect(first.layerDirs[1]).toBe(second.layerDirs[0]);
    expect(unpacks[0].args[0]).toBe(second.layerDirs[0]);
    expect(first.config.config?.Cmd).toEqual(['nginx', '-g', 'daemon off;']);
    expect(s.runtime.staged.size).toBe(0);
    await expect(s.service.prepareForRun('nope')).rejects.toMatchObject({ kind: 'not-found', message: 'No such image: nope:latest' });
  });
});

describe('save, load, import, prune, search', () => {
  it('save → load into another daemon keeps ids and tags', async () => {
    await pull(s.client, 'nginx');
    const ids = JSON.parse((await call(s.client, 'GET', '/images/json')).text).map((i: { Id: string }) => i.Id);
    const tar = await (await s.client.request('GET', '/images/get', { query: { names: ['nginx'] } })).bytes();
    const names: string[] = [];
    for await (const entry of readTar([tar])) names.push(entry.name);
    expect(names).toEqual(expect.arrayContaining(['index.json', 'manifest.json', 'oci-layout', 'repositories']));
    const other = await setup(new MemoryRegistry());
    const loaded = messages((await call(other.client, 'POST', '/images/load', { body: tar, query: { quiet: '1' } })).text);
    expect(loaded).toEqual([{ stream: 'Loaded image: nginx:latest\n' }]);
    const otherIds = JSON.parse((await call(other.client, 'GET', '/images/json')).text).map((i: { Id: string }) => i.Id);
    expect(otherIds).toEqual(ids);
    const run = await other.service.prepareForRun('nginx');
    expect(run.layerDirs).toHaveLength(2);
  });

  it('imports a tar with changes and prunes it once untagged', async () => {
    const tar = new TarWriter();
    tar.file('hello.txt', 'hi\n');
    const body = await gzip(tar.finish());
    const result = messages(
      (await call(s.client, 'POST', '/images/create', { query: { fromSrc: '-', repo: 'test/ubuntu:v1.0', changes: ['CMD ["/bin/sh"]', 'ENV A=1'] }, body })).text,
    );
    const id = result[0].status as string;
    expect(id).toMatch(/^sha256:[0-9a-f]{64}$/);
    const inspect = JSON.parse((await call(s.client, 'GET', '/images/test/ubuntu:v1.0/json')).text);
    expect(inspect.Config).toEqual({ Cmd: ['/bin/sh'], Env: ['A=1'] });
    const history = JSON.parse((await call(s.client, 'GET', `/images/${id}/history`)).text);
    expect(history[0].Comment).toBe('Imported from -');
    expect(inspect.Comment).toBe('Imported from -');
    expect(inspect.DockerVersion).toBe('28.2.2');
    expect(JSON.parse((await call(s.client, 'POST', '/images/prune')).text)).toEqual({ ImagesDeleted: null, SpaceReclaimed: 0 });
    const removed = JSON.parse((await call(s.client, 'DELETE', '/images/test/ubuntu:v1.0', { query: { noprune: '1' } })).text);
    // noprune keeps parent images, not layers: the imported layer goes, listed by its chain id
    expect(removed).toEqual([{ Untagged: 'test/ubuntu:v1.0' }, { Deleted: id }, { Deleted: inspect.RootFS.Layers[0] }]);
    const untagged = messages((await call(s.client, 'POST', '/images/create', { query: { fromSrc: '-' }, body })).text)[0].status;
    // without --change the config is there, empty (moby's ImportImage), and so is the default comment
    expect(JSON.parse((await call(s.client, 'GET', `/images/${untagged}/json`)).text)).toMatchObject({ Config: {}, Comment: 'Imported from -' });
    const pruned = JSON.parse((await call(s.client, 'POST', '/images/prune', { query: { filters: '{"dangling":{"true":true}}' } })).text);
    expect(pruned.ImagesDeleted).toEqual([{ Deleted: untagged }, { Deleted: inspect.RootFS.Layers[0] }]);
    expect(pruned.SpaceReclaimed).toBe(3);
  });

  it('searches the catalog', async () => {
    const results = JSON.parse((await call(s.client, 'GET', '/images/search', { query: { term: 'nginx' } })).text);
    expect(results).toEqual([{ name: 'nginx', description: expect.stringContaining('nginx'), star_count: 0, is_official: true, is_automated: false }]);
    const bad = await call(s.client, 'GET', '/images/search', { query: { term: 'x', limit: '500' } });
    expect(JSON.parse(bad.text).message).toBe('limit 500 is outside the range of [1, 100]');
  });

  it('push needs a login into your own namespace and can be pulled back', async () => {
    await pull(s.client, 'busybox');
    await call(s.client, 'POST', '/images/busybox/tag', { query: { repo: 'docker.io/alice/bb', tag: 'v1' } });
    const denied = messages((await call(s.client, 'POST', '/images/docker.io%2Falice%2Fbb/push', { query: { tag: 'v1' } })).text);
    expect(denied.at(-1)?.error).toBe('denied: requested access to the resource is denied');
    const auth = btoa(JSON.stringify({ username: 'alice', password: 'pw' }));
    const pushed = messages(
      (await call(s.client, 'POST', '/images/docker.io%2Falice%2Fbb/push', { query: { tag: 'v1' }, headers: { 'X-Registry-Auth': auth } })).text,
    );
    expect(pushed[0].status).toBe('The push refers to repository [docker.io/alice/bb]');
    expect(pushed.some((m) => /^v1: digest: sha256:[0-9a-f]{64} size: \d+$/.test(m.status ?? ''))).toBe(true);
    await call(s.client, 'DELETE', '/images/alice/bb:v1');
    await call(s.client, 'DELETE', '/images/busybox');
    const back = messages((await call(s.client, 'POST', '/images/create', { query: { fromImage: 'docker.io/alice/bb', tag: 'v1' } })).text);
    expect(back.at(-1)?.status).toBe('Status: Downloaded newer image for alice/bb:v1');
    const login = await call(s.client, 'POST', '/auth', { body: { username: 'alice', password: 'pw', serveraddress: 'https://index.docker.io/v1/' } });
    expect(JSON.parse(login.text)).toEqual({ Status: 'Login Succeeded', IdentityToken: '' });
  });
});

describe('pull -a', () => {
  it('pulls every tag of a repository', async () => {
    const result = messages((await call(s.client, 'POST', '/images/create', { query: { fromImage: 'docker.io/library/debian' } })).text);
    expect(result.filter((m) => m.status?.startsWith('Pulling from')).map((m) => m.id)).toEqual(['bookworm', 'latest']);
    expect(result.at(-1)?.status).toBe('Status: Downloaded newer image for debian');
    const tags = JSON.parse((await call(s.client, 'GET', '/images/json')).text).flatMap((i: { RepoTags: string[] }) => i.RepoTags);
    expect(tags.sort()).toEqual(['debian:bookworm', 'debian:latest']);
  });
});

describe('a real registry behind the built-in one (through a proxy)', () => {
  it('pulls the linux/386 image of an index from Docker Hub (a fake one: no network in tests)', async () => {
    const { DistributionRegistry, WithRemoteRegistry } = await import('../../src/engine/registry/distribution');
    const hub = new MemoryRegistry();
    const { manifestDigest } = await hub.add('alpine', { files: { 'etc/alpine-release': '3.20\n' }, config: { Cmd: ['/bin/sh'] } });
    const manifest = await hub.blob(manifestDigest);
    const index = JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${'a'.repeat(64)}`, size: 1, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: manifestDigest, size: manifest.length, platform: { architecture: '386', os: 'linux' } },
      ],
    });
    const requested: string[] = [];
    const fakeFetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = decodeURIComponent(String(input).replace('https://proxy.test/?', ''));
      requested.push(url);
      if (url.startsWith('https://auth.docker.io/token')) return new Response(JSON.stringify({ token: 't' }));
      expect(new Headers(init?.headers).get('authorization')).toBe('Bearer t');
      const match = /^https:\/\/registry-1\.docker\.io\/v2\/library\/alpine\/(manifests|blobs)\/(.+)$/.exec(url);
      if (!match) return new Response('', { status: 404 });
      if (match[1] === 'manifests' && match[2] === 'latest') return new Response(index, { headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' } });
      if (match[1] === 'manifests' && match[2] === manifestDigest) return new Response(manifest.buffer as ArrayBuffer, { headers: { 'content-type': 'application/vnd.oci.image.manifest.v1+json' } });
      try {
        return new Response((await hub.blob(match[2])).buffer as ArrayBuffer);
      } catch {
        return new Response('', { status: 404 });
      }
    }) as typeof fetch;
    const remote = new DistributionRegistry({ proxy: (url) => `https://proxy.test/?${encodeURIComponent(url)}`, fetch: fakeFetch });
    const other = await setup(new WithRemoteRegistry(await makeRegistry(), remote) as unknown as MemoryRegistry);
    const result = messages((await pull(other.client, 'alpine')).text);
    expect(result.at(-1)?.status).toBe('Status: Downloaded newer image for alpine:latest');
    expect(result.at(-2)?.status).toBe(`Digest: ${digestOf(index)}`);
    const inspect = JSON.parse((await call(other.client, 'GET', '/images/alpine/json')).text);
    expect(inspect.RepoDigests).toEqual([`alpine@${digestOf(index)}`]);
    expect(requested.some((url) => url.endsWith('/manifests/latest'))).toBe(true);
    // The bundled images still come from the layout.
    expect(messages((await pull(other.client, 'busybox')).text).at(-1)?.status).toBe('Status: Downloaded newer image for busybox:latest');
  });
});

describe('persistence', () => {
  it('a daemon started again on the same store sees the same images and unpacks into a new guest', async () => {
    await pull(s.client, 'nginx');
    const before = (await call(s.client, 'GET', '/images/json')).text;
    const again = await setup(s.registry, s.store);
    expect((await call(again.client, 'GET', '/images/json')).text).toBe(before);
    await again.service.prepareForRun('nginx');
    expect(again.runtime.calls.filter((c) => c.op === 'installLayer')).toHaveLength(2);
    // The same guest (markers present) is not unpacked twice, even by a new daemon.
    const third = new Daemon({ store: s.store, runtime: again.runtime, registry: s.registry, clock: () => now });
    await (third.images as ImageService).prepareForRun('nginx');
    expect(again.runtime.calls.filter((c) => c.op === 'installLayer')).toHaveLength(2);
  });
});

describe('docker load of a legacy docker save (before v25: <id>/layer.tar, symlinked layers)', () => {
  it('loads it with its tag', async () => {
    const layer = new TarWriter();
    layer.file('bin/hello', 'hello');
    const layerTar = layer.finish();
    const diffId = digestOf(layerTar);
    const config = JSON.stringify({ architecture: '386', os: 'linux', config: { Cmd: ['/bin/hello'] }, rootfs: { type: 'layers', diff_ids: [diffId, diffId] }, history: [{ created_by: 'a' }, { created_by: 'b' }] });
    const configHex = digestOf(config).slice(7);
    const tar = new TarWriter();
    tar.directory('aaaa');
    tar.file('aaaa/layer.tar', layerTar);
    tar.file('aaaa/VERSION', '1.0');
    tar.directory('bbbb');
    tar.symlink('bbbb/layer.tar', '../aaaa/layer.tar');
    tar.file(`${configHex}.json`, config);
    tar.file('manifest.json', JSON.stringify([{ Config: `${configHex}.json`, RepoTags: ['old/hello:1'], Layers: ['aaaa/layer.tar', 'bbbb/layer.tar'] }]));
    tar.file('repositories', JSON.stringify({ 'old/hello': { 1: 'bbbb' } }));
    const loaded = messages((await call(s.client, 'POST', '/images/load', { body: tar.finish() })).text);
    expect(loaded).toEqual([{ stream: 'Loaded image: old/hello:1\n' }]);
    const inspect = JSON.parse((await call(s.client, 'GET', '/images/old/hello:1/json')).text);
    expect(inspect.Id).toBe(`sha256:${configHex}`);
    expect(inspect.RootFS.Layers).toEqual([diffId, diffId]);
    const broken = await call(s.client, 'POST', '/images/load', { body: new Uint8Array([1, 2, 3]) });
    expect(broken.status).toBe(500);
  });
});
