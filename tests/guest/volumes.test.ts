// Volumes in the real guest through the docker CLI: data written through one container's volume is read
// by another, a volume in use cannot be removed, a new volume gets the image's content at its path, and
// rm -v removes an anonymous volume's data from /var/lib/docker/volumes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import { Daemon } from '../../src/engine/daemon';
import { MemoryStore } from '../../src/engine/store';
import { FakeImages, docker } from '../helpers/fake-images';
import { sh, startGuest } from '../helpers/guest';

const LAYER = '/var/lib/docker/test-layers/busybox';
const SEED = '/var/lib/docker/test-layers/seed';

let guest: Guest;
let daemon: Daemon;

beforeAll(async () => {
  guest = await startGuest();
  const setup = await sh(
    guest,
    `mkdir -p ${LAYER}/bin ${LAYER}/etc ${LAYER}/proc ${LAYER}/sys ${LAYER}/dev ${LAYER}/tmp ${LAYER}/root
cp /bin/busybox ${LAYER}/bin/busybox && for applet in $(busybox --list); do [ "$applet" = busybox ] || ln -sf busybox ${LAYER}/bin/$applet; done
echo 'root:x:0:0:root:/root:/bin/sh' > ${LAYER}/etc/passwd; echo 'root:x:0:' > ${LAYER}/etc/group
mkdir -p ${SEED}/seed && echo 'from the image' > ${SEED}/seed/hello.txt`,
  );
  expect(setup.status).toBe(0);
  const images = new FakeImages({
    'busybox:latest': { config: { Cmd: ['sh'] }, layerDirs: [LAYER] },
    'seeded:latest': { config: { Cmd: ['sh'], Volumes: { '/seed': {} } }, layerDirs: [SEED, LAYER] },
  });
  daemon = new Daemon({
    imageProvider: images,
    store: new MemoryStore(),
    runtime: guest.runtime,
    registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) },
    host: { name: 'dockside', cpus: 1, memoryBytes: 128 * 1024 * 1024, kernelVersion: '6.1.0' },
  });
  images.install(daemon);
});

afterAll(async () => {
  await guest?.destroy();
});

describe('volumes in the guest', () => {
  it('a file written through one container is read by another; a used volume cannot be removed', async () => {
    expect((await docker(daemon, ['volume', 'create', 'shared'])).stdout).toBe('shared\n');
    expect((await sh(guest, 'test -d /var/lib/docker/volumes/shared/_data && echo yes')).stdout).toBe('yes\n');
    const write = await docker(daemon, ['run', '--name', 'writer', '-v', 'shared:/data', 'busybox', 'sh', '-c', 'echo hello volume > /data/note.txt']);
    expect(write.status, write.stderr).toBe(0);
    const read = await docker(daemon, ['run', '--rm', '-v', 'shared:/in:ro', 'busybox', 'sh', '-c', 'cat /in/note.txt; touch /in/x 2>&1 || true']);
    expect(read.status).toBe(0);
    expect(read.stdout).toMatch(/^hello volume\n.*Read-only file system\n$/);
    expect((await sh(guest, 'cat /var/lib/docker/volumes/shared/_data/note.txt')).stdout).toBe('hello volume\n');
    const id = (await docker(daemon, ['inspect', '-f', '{{.Id}}', 'writer'])).stdout.trim();
    const rm = await docker(daemon, ['volume', 'rm', 'shared']);
    expect(rm).toMatchObject({ status: 1, stderr: `Error response from daemon: remove shared: volume is in use - [${id}]\n` });
    await docker(daemon, ['rm', 'writer']);
    expect(await docker(daemon, ['volume', 'rm', 'shared'])).toMatchObject({ status: 0, stdout: 'shared\n' });
    expect((await sh(guest, 'test -e /var/lib/docker/volumes/shared || echo gone')).stdout).toBe('gone\n');
  });

  it("an anonymous volume gets the image's content, and rm -v removes its data", async () => {
    const run = await docker(daemon, ['run', '--name', 'anon', 'seeded', 'sh', '-c', 'cat /seed/hello.txt; echo more > /seed/more.txt']);
    expect(run).toMatchObject({ status: 0, stdout: 'from the image\n' });
    const name = (await docker(daemon, ['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'anon'])).stdout.trim();
    expect(name).toMatch(/^[0-9a-f]{64}$/);
    expect((await sh(guest, `cat /var/lib/docker/volumes/${name}/_data/more.txt`)).stdout).toBe('more\n');
    expect((await docker(daemon, ['rm', '-v', 'anon'])).stdout).toBe('anon\n');
    expect((await sh(guest, `test -e /var/lib/docker/volumes/${name} || echo gone`)).stdout).toBe('gone\n');
    expect((await docker(daemon, ['volume', 'ls', '-q'])).stdout).toBe('');
  });
});
