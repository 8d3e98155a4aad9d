// The volume endpoints over the engine's router (MemoryStore, FakeRuntime): moby's shapes, filters,
// errors, in-use tracking and prune.

import { describe, expect, it } from 'vitest';
import { InProcessClient, type ClientRequestOptions } from '../../src/cli/client';
import { Daemon } from '../../src/engine/daemon';
import { MemoryStore } from '../../src/engine/store';
import { FakeRuntime } from '../helpers/fake-runtime';
import { FakeImages } from '../helpers/fake-images';

function setup(store = new MemoryStore()) {
  const runtime = new FakeRuntime();
  const images = new FakeImages();
  const daemon = new Daemon({ imageProvider: images, store, runtime, registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) }, clock: () => new Date('2025-06-01T12:00:00.123Z') });
  images.install(daemon).add('busybox');
  const client = new InProcessClient((request) => daemon.router.handle(request));
  const call = async (method: string, path: string, options: ClientRequestOptions = {}) => {
    const response = await client.request(method, path, options);
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  return { daemon, runtime, call, store };
}

describe('volume endpoints', () => {
  it('create, list, inspect, delete in moby shapes', async () => {
    const { call, store } = setup();
    const created = await call('POST', '/volumes/create', { body: { Name: 'myvol', Driver: 'local', Labels: { a: '1' } } });
    expect(created).toEqual({
      status: 201,
      body: { CreatedAt: '2025-06-01T12:00:00Z', Driver: 'local', Labels: { a: '1' }, Mountpoint: '/var/lib/docker/volumes/myvol/_data', Name: 'myvol', Options: null, Scope: 'local' },
    });
    expect(await store.metadata.keys('volume/')).toEqual(['volume/myvol']);
    // creating it again answers the existing volume
    expect((await call('POST', '/volumes/create', { body: { Name: 'myvol' } })).status).toBe(201);
    const list = await call('GET', '/volumes');
    expect(list.body).toEqual({ Volumes: [created.body], Warnings: null });
    expect((await call('GET', '/volumes/myvol')).body).toEqual(created.body);
    expect(await call('GET', '/volumes/nope')).toEqual({ status: 404, body: { message: 'get nope: no such volume' } });
    expect(await call('POST', '/volumes/create', { body: { Name: 'x', Driver: 'nfs' } })).toEqual({
      status: 404,
      body: { message: 'error looking up volume plugin nfs: plugin "nfs" not found' },
    });
    expect((await call('GET', '/volumes', { query: { filters: '{"bogus":{"x":true}}' } })).status).toBe(400);
    expect((await call('DELETE', '/volumes/myvol')).status).toBe(204);
    expect((await call('DELETE', '/volumes/myvol')).status).toBe(404);
    expect((await call('DELETE', '/volumes/myvol', { query: { force: '1' } })).status).toBe(204);
    expect(await store.metadata.keys('volume/')).toEqual([]);
  });

  it('tracks use by containers: dangling filter, in-use errors, prune', async () => {
    const { call } = setup();
    await call('POST', '/volumes/create', { body: { Name: 'free' } });
    const created = await call('POST', '/containers/create', { query: { name: 'ctr' }, body: { Image: 'busybox', HostConfig: { Binds: ['used:/data'] } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = (created.body as { Id: string }).Id;
    const names = async (filters: string) => ((await call('GET', '/volumes', { query: { filters } })).body as { Volumes: { Name: string }[] }).Volumes.map((v) => v.Name);
    expect(await names('{"dangling":{"true":true}}')).toEqual(['free']);
    expect(await names('{"dangling":{"false":true}}')).toEqual(['used']);
    expect(await call('DELETE', '/volumes/used')).toEqual({ status: 409, body: { message: `remove used: volume is in use - [${id}]` } });
    // named volumes are kept by a plain prune, removed by all=true unless in use
    expect((await call('POST', '/volumes/prune')).body).toEqual({ VolumesDeleted: null, SpaceReclaimed: 0 });
    expect((await call('POST', '/volumes/prune', { query: { filters: '{"all":{"true":true}}' } })).body).toEqual({ VolumesDeleted: ['free'], SpaceReclaimed: 0 });
    const mounts = ((await call('GET', `/containers/${id}/json`)).body as { Mounts: unknown[] }).Mounts;
    expect(mounts).toEqual([{ Type: 'volume', Name: 'used', Source: '/var/lib/docker/volumes/used/_data', Destination: '/data', Driver: 'local', Mode: 'z', RW: true, Propagation: '' }]);
  });

  it('refuses bad specs with docker texts', async () => {
    const { call } = setup();
    expect((await call('POST', '/containers/create', { body: { Image: 'busybox', HostConfig: { Binds: ['aa:/x', 'bb:/x'] } } })).body).toEqual({ message: 'Duplicate mount point: /x' });
    expect((await call('POST', '/containers/create', { body: { Image: 'busybox', HostConfig: { Binds: ['vv:rel'] } } })).body).toEqual({
      message: `invalid mount config for type "volume": invalid mount path: 'rel' mount path must be absolute`,
    });
    expect((await call('POST', '/containers/create', { body: { Image: 'busybox', HostConfig: { VolumesFrom: ['ghost'] } } })).body).toEqual({ message: 'No such container: ghost' });
  });
});
