// Images in the real guest: pulls through the Engine API of a daemon on the real GuestRuntime, with
// the Node bundled registry (vm-images/images/dist) and a MemoryStore. Layers are unpacked once
// into the 9p share, linked at /var/lib/docker/overlay2/<id>/diff and shared by the images that use
// them; overlayfs reads them there (owners, links, devices, whiteouts).

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessClient } from '../../src/cli/client';
import { Daemon } from '../../src/engine/daemon';
import type { ImageService } from '../../src/engine/images/service';
import { TarWriter } from '../../src/go/tar';
import { gzip } from '../../src/go/gzip';
import { MemoryStore } from '../../src/engine/store';
import { NodeBundledRegistry } from '../../src/node/bundled-registry';
import type { Guest } from '../../src/vm/guest';
import type { GuestRuntime } from '../../src/vm/runtime';
import { shared, sh, startGuest } from '../helpers/guest';

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
  const busybox = shared(async () => {
    const { lines, ms } = await pull('busybox');
    console.log(`pull busybox into the guest (unpack at pull): ${ms.toFixed(0)} ms`);
    return { lines, dir: (await inspect('busybox')).GraphDriver.Data.UpperDir };
  });

  it('pulls busybox as docker reports it', async () => {
    expect((await busybox()).lines.at(-1)).toBe('Status: Downloaded newer image for busybox:latest');
  });

  it('unpacks its layer, with /bin/sh', async () => {
    const { dir } = await busybox();
    expect((await sh(guest, `ls -l ${dir}/bin/sh`)).stdout).toMatch(/bin\/sh -> busybox/);
  });

  it('marks the layer committed', async () => {
    const { dir } = await busybox();
    expect((await sh(guest, `test -f ${dir.replace(/\/diff$/, '')}/committed && echo committed`)).stdout).toBe('committed\n');
  });

  const pulled = shared(async () => {
    await busybox();
    const debian = await pull('debian');
    console.log(`pull debian into the guest (unpack at pull): ${debian.ms.toFixed(0)} ms`);
    const nginx = await pull('nginx');
    console.log(`pull nginx into the guest (debian's layer already there): ${nginx.ms.toFixed(0)} ms`);
    return { nginx, debianDir: (await inspect('debian')).GraphDriver.Data.UpperDir, nginxData: (await inspect('nginx')).GraphDriver.Data };
  });

  it("pulls nginx after debian: debian's layer already exists", async () => {
    expect((await pulled()).nginx.lines.filter((line) => line.endsWith('Already exists'))).toHaveLength(1);
  }, 120_000);

  it("nginx's lower directory is debian's layer", async () => {
    const { debianDir, nginxData } = await pulled();
    expect(nginxData.LowerDir).toBe(debianDir);
  });

  it('the shared layer is unpacked once', async () => {
    await pulled();
    const overlay = await sh(guest, 'ls /var/lib/docker/overlay2 | wc -l; ls /var/lib/docker/overlay2/*/diff/etc/debian_version | wc -l');
    // busybox, debian, nginx's own layer: three directories; debian's files exist once.
    expect(overlay.stdout.trim().split('\n')).toEqual(['3', '1']);
  });

  it("each image's files are in its own layer", async () => {
    const { debianDir, nginxData } = await pulled();
    const files = await sh(guest, `test -x ${nginxData.UpperDir}/usr/sbin/nginx && test -x ${debianDir}/bin/bash && echo ok`);
    expect(files.stdout.trim()).toBe('ok');
  });

  it('a container of nginx gets both layers, top first', async () => {
    const { debianDir, nginxData } = await pulled();
    const run = await service.prepareForRun('nginx');
    expect(run.layerDirs).toEqual([nginxData.UpperDir, debianDir]);
  });
});

describe('layers in the 9p share', () => {
  let shareRuntime: GuestRuntime;
  beforeAll(() => {
    shareRuntime = guest.runtime; // the default: layers in the share
  });
  const root = '/var/lib/docker/overlay2/test-9p';
  const lowerDir = `${root}-lower/diff`;
  const upperDir = `${root}-upper/diff`;
  const opaqueDir = `${root}-opaque/diff`;

  const installed = shared(async () => {
    const lower = new TarWriter();
    lower.directory('etc');
    lower.file('etc/keep', 'keep\n');
    lower.file('etc/gone', 'gone\n');
    lower.entry('data/a', '0', { data: 'a\n', mode: 0o4750, uid: 1000, gid: 100, mtime: 1_700_000_000 });
    lower.entry('data/b', '1', { linkName: 'data/a' });
    lower.symlink('link', 'etc/keep');
    lower.entry('dev/null', '3', { mode: 0o666, devMajor: 1, devMinor: 3 });
    lower.entry('data/pipe', '6', { mode: 0o600 });
    const upper = new TarWriter();
    upper.file('etc/.wh.gone', '');
    upper.file('etc/new', 'new\n');
    await shareRuntime.installLayer(lowerDir, await gzip(lower.finish()));
    await shareRuntime.installLayer(upperDir, upper.finish());
  });
  const merged = shared(async () => {
    await installed();
    const m = '/tmp/ovl9p';
    const result = await sh(
      guest,
      [
        `mkdir -p ${m}/u ${m}/w ${m}/m`,
        `mount -t overlay overlay -o lowerdir=${upperDir}:${lowerDir},upperdir=${m}/u,workdir=${m}/w ${m}/m`,
        `ls ${m}/m/etc | tr '\\n' ' '; echo`,
        `stat -c '%a %u %g %h %Y' ${m}/m/data/a ${m}/m/data/b`,
        `cat ${m}/m/link`,
        `stat -c '%F %t:%T %a' ${m}/m/dev/null ${m}/m/data/pipe`,
        `stat -c '%F %t:%T' ${upperDir}/etc/gone`,
        `echo more >> ${m}/m/data/a && cat ${lowerDir}/data/a ${m}/u/data/a`,
        `umount ${m}/m`,
      ].join(' && '),
    );
    expect(result.stderr).toBe('');
    return result.stdout.split('\n');
  });

  it('links each layer from /var/lib/docker/overlay2 into the share', async () => {
    await installed();
    const link = await sh(guest, `readlink ${lowerDir}; readlink ${upperDir}`);
    expect(link.stdout).toMatch(/^\/run\/dockside\/host\/layers\/test-9p-lower\n\/run\/dockside\/host\/layers\/test-9p-upper\n$/);
  });

  it('overlayfs applies the upper layer over the lower: a whiteout hides a file, a new one shows', async () => {
    expect((await merged())[0]).toBe('keep new ');
  });

  it('keeps modes (setuid), owners, times and hard links', async () => {
    expect((await merged()).slice(1, 3)).toEqual(['4750 1000 100 2 1700000000', '4750 1000 100 2 1700000000']);
  });

  it('keeps symlinks', async () => {
    expect((await merged())[3]).toBe('keep');
  });

  it('keeps device nodes and fifos', async () => {
    expect((await merged()).slice(4, 6)).toEqual(['character special file 1:3 666', 'fifo 0:0 600']);
  });

  it("stores a whiteout as overlayfs's 0:0 character device", async () => {
    expect((await merged())[6]).toBe('character special file 0:0');
  });

  it('copies a file up on write, leaving the layer as it was', async () => {
    expect((await merged()).slice(7)).toEqual(['a', 'a', 'more', '']);
  });

  it('unpacks a layer with an opaque directory in the guest (9p has no xattrs), and overlayfs honours it', async () => {
    await installed();
    const opaque = new TarWriter();
    opaque.directory('etc');
    opaque.file('etc/.wh..wh..opq', '');
    opaque.file('etc/only', 'only\n');
    await shareRuntime.installLayer(opaqueDir, opaque.finish());
    const m = '/tmp/ovlopq';
    const result = await sh(
      guest,
      [
        `test ! -L ${opaqueDir} && test -d ${opaqueDir}`,
        `mkdir -p ${m}/u ${m}/w ${m}/m`,
        `mount -t overlay overlay -o lowerdir=${opaqueDir}:${upperDir}:${lowerDir},upperdir=${m}/u,workdir=${m}/w ${m}/m`,
        `ls ${m}/m/etc`,
        `umount ${m}/m`,
      ].join(' && '),
    );
    expect(result.stderr).toBe('');
    expect(result.stdout).toBe('only\n');
  });

  it('refuses a layer that climbs out of its directory', async () => {
    const evil = new TarWriter();
    evil.file('ok', 'ok\n');
    evil.file('../../escaped', 'no\n');
    await expect(shareRuntime.installLayer(`${root}-evil/diff`, evil.finish())).rejects.toThrow(/outside of the layer/);
  });

  it('removes layers from the share', async () => {
    await installed();
    for (const dir of [lowerDir, upperDir, opaqueDir]) await shareRuntime.removeLayer(dir);
    const left = await sh(guest, `ls /run/dockside/host/layers | grep test-9p; ls -d ${root}-*/diff 2>/dev/null; echo done`);
    expect(left.stdout).toBe('done\n');
  });
});
