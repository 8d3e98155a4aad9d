// Images in the real guest: pulls through the Engine API of a daemon on the real GuestRuntime, with
// the Node bundled registry (vm-images/images/dist) and a MemoryStore. Layers are unpacked once
// under /var/lib/docker/overlay2/<id>/diff and shared by the images that use them.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessClient } from '../../src/cli/client';
import { Daemon } from '../../src/engine/daemon';
import type { ImageService } from '../../src/engine/images/service';
import { MemoryStore } from '../../src/engine/store';
import { NodeBundledRegistry } from '../../src/node/bundled-registry';
import type { Guest } from '../../src/vm/guest';
import { sh, startGuest } from '../helpers/guest';

let guest: Guest;
let daemon: Daemon;
let client: InProcessClient;
let service: ImageService;

beforeAll(async () => {
  guest = await startGuest();
  daemon = new Daemon({ store: new MemoryStore(), runtime: guest.runtime, registry: new NodeBundledRegistry() });
  client = new InProcessClient((request) => daemon.router.handle(request));
  service = daemon.images as ImageService;
  service.unpackAt = 'pull';
});
afterAll(async () => {
  await guest?.destroy();
});

async function pull(name: string, tag = 'latest'): Promise<{ lines: string[]; ms: number }> {
  const started = performance.now();
  const response = await client.request('POST', '/images/create', { query: { fromImage: `docker.io/library/${name}`, tag } });
  const text = await response.text();
  const ms = performance.now() - started;
  expect(response.status).toBe(200);
  const lines = text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { status: string; id?: string; error?: string })
    .map((m) => m.error ?? (m.id ? `${m.id}: ${m.status}` : m.status));
  return { lines, ms };
}

async function inspect(name: string): Promise<{ GraphDriver: { Data: { LowerDir?: string; UpperDir: string } } }> {
  return (await client.request('GET', `/images/${name}/json`)).json();
}

describe('images in the guest', () => {
  it('pulls busybox: its layer is unpacked with /bin/sh', async () => {
    const { lines, ms } = await pull('busybox');
    console.log(`pull busybox into the guest (unpack at pull): ${ms.toFixed(0)} ms`);
    expect(lines.at(-1)).toBe('Status: Downloaded newer image for busybox:latest');
    const dir = (await inspect('busybox')).GraphDriver.Data.UpperDir;
    const listing = await sh(guest, `ls -l ${dir}/bin/sh; test -f ${dir}/../committed && echo committed`);
    expect(listing.stdout).toMatch(/bin\/sh -> busybox/);
    expect(listing.stdout).toContain('committed');
  });

  it('pulls debian and nginx: the shared debian layer is unpacked once', async () => {
    const debian = await pull('debian');
    console.log(`pull debian into the guest (unpack at pull): ${debian.ms.toFixed(0)} ms`);
    const nginx = await pull('nginx');
    console.log(`pull nginx into the guest (debian's layer already there): ${nginx.ms.toFixed(0)} ms`);
    expect(nginx.lines.filter((line) => line.endsWith('Already exists'))).toHaveLength(1);
    const debianDir = (await inspect('debian')).GraphDriver.Data.UpperDir;
    const nginxData = (await inspect('nginx')).GraphDriver.Data;
    expect(nginxData.LowerDir).toBe(debianDir);
    const overlay = await sh(guest, 'ls /var/lib/docker/overlay2 | wc -l; ls /var/lib/docker/overlay2/*/diff/etc/debian_version | wc -l');
    // busybox, debian, nginx's own layer: three directories; debian's files exist once.
    expect(overlay.stdout.trim().split('\n')).toEqual(['3', '1']);
    const files = await sh(guest, `test -x ${nginxData.UpperDir}/usr/sbin/nginx && test -x ${debianDir}/bin/bash && echo ok`);
    expect(files.stdout.trim()).toBe('ok');
    const run = await service.prepareForRun('nginx');
    expect(run.layerDirs).toEqual([nginxData.UpperDir, debianDir]);
  });
});
