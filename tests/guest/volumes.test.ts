// Volumes in the real guest through the docker CLI: data written through one container's volume is read
// by another, a volume in use cannot be removed, a new volume gets the image's content at its path, and
// rm -v removes an anonymous volume's data from /var/lib/docker/volumes.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import type { Daemon } from '../../src/engine/daemon';
import { BUSYBOX_LAYER, guestDaemon } from '../helpers/guest-daemon';
import { docker } from '../helpers/fake-images';
import { shared, sh, startGuest } from '../helpers/guest';

const SEED = '/var/lib/docker/test-layers/seed';

let guest: Guest;
let daemon: Daemon;

beforeAll(async () => {
  guest = await startGuest();
  ({ daemon } = await guestDaemon(guest, {
    images: {
      'busybox:latest': { config: { Cmd: ['sh'] }, layerDirs: [BUSYBOX_LAYER] },
      'seeded:latest': { config: { Cmd: ['sh'], Volumes: { '/seed': {} } }, layerDirs: [SEED, BUSYBOX_LAYER] },
    },
    setup: `mkdir -p ${SEED}/seed && echo 'from the image' > ${SEED}/seed/hello.txt`,
  }));
});

afterAll(async () => {
  await guest?.destroy();
});

describe('a named volume in the guest', () => {
  const created = shared(() => docker(daemon, ['volume', 'create', 'shared']));
  const written = shared(async () => {
    await created();
    const write = await docker(daemon, ['run', '--name', 'writer', '-v', 'shared:/data', 'busybox', 'sh', '-c', 'echo hello volume > /data/note.txt']);
    expect(write.status, write.stderr).toBe(0);
  });
  const read = shared(async () => {
    await written();
    return docker(daemon, ['run', '--rm', '-v', 'shared:/in:ro', 'busybox', 'sh', '-c', 'cat /in/note.txt; touch /in/x 2>&1 || true']);
  });
  const inUse = shared(async () => {
    await written();
    const id = (await docker(daemon, ['inspect', '-f', '{{.Id}}', 'writer'])).stdout.trim();
    return { id, rm: await docker(daemon, ['volume', 'rm', 'shared']) };
  });
  const removed = shared(async () => {
    await inUse();
    await docker(daemon, ['rm', 'writer']);
    return docker(daemon, ['volume', 'rm', 'shared']);
  });

  it('volume create prints the name and makes its directory under /var/lib/docker/volumes', async () => {
    expect((await created()).stdout).toBe('shared\n');
    expect((await sh(guest, 'test -d /var/lib/docker/volumes/shared/_data && echo yes')).stdout).toBe('yes\n');
  });

  it('a file written through one container is read by another', async () => {
    const result = await read();
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/^hello volume\n/);
  });

  it(':ro mounts it read-only', async () => {
    expect((await read()).stdout).toMatch(/\n.*Read-only file system\n$/);
  });

  it("the file is in the volume's directory on the host", async () => {
    await written();
    expect((await sh(guest, 'cat /var/lib/docker/volumes/shared/_data/note.txt')).stdout).toBe('hello volume\n');
  });

  it("a volume in use cannot be removed: docker's error names the container", async () => {
    const { id, rm } = await inUse();
    expect(rm).toMatchObject({ status: 1, stderr: `Error response from daemon: remove shared: volume is in use - [${id}]\n` });
  });

  it('once the container is gone, volume rm removes it and its directory', async () => {
    expect(await removed()).toMatchObject({ status: 0, stdout: 'shared\n' });
    expect((await sh(guest, 'test -e /var/lib/docker/volumes/shared || echo gone')).stdout).toBe('gone\n');
  });
});

describe('an anonymous volume in the guest', () => {
  const ran = shared(() => docker(daemon, ['run', '--name', 'anon', 'seeded', 'sh', '-c', 'cat /seed/hello.txt; echo more > /seed/more.txt']));
  const name = shared(async () => {
    await ran();
    return (await docker(daemon, ['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'anon'])).stdout.trim();
  });
  const removed = shared(async () => {
    await name();
    return docker(daemon, ['rm', '-v', 'anon']);
  });

  it("gets the image's content at its path", async () => {
    expect(await ran()).toMatchObject({ status: 0, stdout: 'from the image\n' });
  });

  it('is named by a random 64-hex id', async () => {
    expect(await name()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps what the container wrote under /var/lib/docker/volumes', async () => {
    expect((await sh(guest, `cat /var/lib/docker/volumes/${await name()}/_data/more.txt`)).stdout).toBe('more\n');
  });

  it('rm -v removes its data with the container', async () => {
    expect((await removed()).stdout).toBe('anon\n');
    expect((await sh(guest, `test -e /var/lib/docker/volumes/${await name()} || echo gone`)).stdout).toBe('gone\n');
    expect((await docker(daemon, ['volume', 'ls', '-q'])).stdout).toBe('');
  });
});

describe('directories docker makes', () => {
  it('-v HOST:CTR makes a missing host directory (moby: createIfDoesNotExist)', async () => {
    expect((await sh(guest, '[ -e /root/made-by-v ]')).status).toBe(1);
    const run = await docker(daemon, ['run', '--rm', '-v', '/root/made-by-v/sub:/d', 'busybox', 'sh', '-c', 'echo kept > /d/f']);
    expect(run.status, run.stderr).toBe(0);
    expect((await sh(guest, 'cat /root/made-by-v/sub/f')).stdout).toBe('kept\n');
  });

  it('-w DIR that the image lacks is made in the container (docker diff shows it added)', async () => {
    const run = await docker(daemon, ['run', '--name', 'wd', '-w', '/work/dir', 'busybox', 'pwd']);
    expect(run, run.stderr).toMatchObject({ status: 0, stdout: '/work/dir\n' });
    expect((await docker(daemon, ['diff', 'wd'])).stdout).toBe('A /work\nA /work/dir\n');
  });

  it('-w onto a file fails the create with moby\'s text and leaves no container', async () => {
    const run = await docker(daemon, ['run', '--name', 'wdfile', '-w', '/etc/passwd', 'busybox', 'pwd']);
    expect(run.status).toBe(125);
    expect(run.stderr).toBe("docker: Error response from daemon: Cannot mkdir: /etc/passwd is not a directory\n\nRun 'docker run --help' for more information\n");
    expect((await docker(daemon, ['ps', '-a', '--filter', 'name=wdfile', '-q'])).stdout).toBe('');
  });
});

describe('docker cp through a container\'s volumes and bind mounts', () => {
  // docker cp's local side: the CLI's files (an in-memory map here)
  const files = new Map<string, Uint8Array>([['/in/cpf', new TextEncoder().encode('hi\n')]]);
  const text = (path: string) => new TextDecoder().decode(files.get(path));
  const started = shared(async () => {
    const run = await docker(daemon, ['run', '-d', '--name', 'cpvol', '-v', 'cpdata:/data', '-v', '/root/cpbind:/bind', 'busybox', 'sleep', '1000']);
    expect(run.status, run.stderr).toBe(0);
  });

  it('copies into the volume, where the container sees it', async () => {
    await started();
    expect((await docker(daemon, ['cp', '/in/cpf', 'cpvol:/data/'], { files })).status).toBe(0);
    expect((await docker(daemon, ['exec', 'cpvol', 'cat', '/data/cpf'])).stdout).toBe('hi\n');
  });

  it('copies into a bind mount, onto the host directory', async () => {
    await started();
    expect((await docker(daemon, ['cp', '/in/cpf', 'cpvol:/bind/g'], { files })).status).toBe(0);
    expect((await sh(guest, 'cat /root/cpbind/g')).stdout).toBe('hi\n');
  });

  it('copies out of the volume, also once the container has stopped, with the mount point named as the path', async () => {
    await started();
    expect((await docker(daemon, ['exec', 'cpvol', 'sh', '-c', 'echo there > /data/h'])).status).toBe(0);
    expect((await docker(daemon, ['stop', '-t', '0', 'cpvol'])).status).toBe(0);
    expect((await docker(daemon, ['cp', 'cpvol:/data/h', '/out/h'], { files })).status).toBe(0);
    expect(text('/out/h')).toBe('there\n');
    // the mount point as a tar on stdout: its entries are named data/..., not the volume's _data/...
    const dir = await docker(daemon, ['cp', 'cpvol:/data', '-']);
    expect(dir.status, dir.stderr).toBe(0);
    expect(dir.stdout.startsWith('data/\0')).toBe(true);
    expect(dir.stdout).toContain('data/h\0');
    expect(dir.stdout).not.toContain('_data');
  });
});
