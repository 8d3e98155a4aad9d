// Name resolution on the default bridge in the real guest: --link name:alias writes docker's
// /etc/hosts line and environment variables, so the linked container answers ping and wget by its
// alias; --add-host, -h and --dns end up in the container's /etc files.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import { Daemon } from '../../src/engine/daemon';
import { MemoryStore } from '../../src/engine/store';
import { FakeImages, docker } from '../helpers/fake-images';
import { shared, sh, startGuest } from '../helpers/guest';

const LAYER = '/var/lib/docker/test-layers/busybox';

let guest: Guest;
let daemon: Daemon;

beforeAll(async () => {
  guest = await startGuest();
  const setup = await sh(
    guest,
    `mkdir -p ${LAYER}/bin ${LAYER}/etc ${LAYER}/proc ${LAYER}/sys ${LAYER}/dev ${LAYER}/tmp ${LAYER}/root
cp /bin/busybox ${LAYER}/bin/busybox && for applet in $(busybox --list); do [ "$applet" = busybox ] || ln -sf busybox ${LAYER}/bin/$applet; done
echo 'root:x:0:0:root:/root:/bin/sh' > ${LAYER}/etc/passwd; echo 'root:x:0:' > ${LAYER}/etc/group`,
  );
  expect(setup.status).toBe(0);
  const images = new FakeImages({ 'busybox:latest': { config: { Cmd: ['sh'] }, layerDirs: [LAYER] } });
  daemon = new Daemon({
    imageProvider: images,
    store: new MemoryStore(),
    runtime: guest.runtime,
    registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) },
    host: { name: 'dockside', cpus: 1, memoryBytes: 128 * 1024 * 1024, kernelVersion: '6.1.0' },
  });
  images.install(daemon);
}, 120_000);

afterAll(async () => {
  await guest?.destroy();
});

async function ok(args: string[]): Promise<string> {
  const result = await docker(daemon, args);
  expect(result.status, `docker ${args.join(' ')}: ${result.stderr}`).toBe(0);
  return result.stdout.trim();
}

const db = shared(() => ok(['run', '-d', '--name', 'db', '--expose', '80', '-e', 'ROLE=primary', 'busybox', 'sh', '-c', 'mkdir -p /www && echo db here > /www/index.html && exec httpd -f -p 80 -h /www']));

describe('--link on the default bridge', () => {
  it('lets the linked container be reached by its alias (ping and wget)', async () => {
    await db();
    const out = await docker(daemon, ['run', '--rm', '--link', 'db:database', 'busybox', 'sh', '-c', 'ping -c 1 -W 3 database >/dev/null && echo pinged; for i in 1 2 3 4 5; do wget -qO- http://database/ && break; sleep 1; done']);
    expect(out.stdout).toBe('pinged\ndb here\n');
  });

  it('sets docker\'s link variables', async () => {
    await db();
    const env = await ok(['run', '--rm', '--link', 'db:database', 'busybox', 'env']);
    expect(env.split('\n')).toEqual(expect.arrayContaining(['DATABASE_PORT=tcp://172.17.0.2:80', 'DATABASE_PORT_80_TCP_ADDR=172.17.0.2', 'DATABASE_NAME=/' + env.split('\n').find((l) => l.startsWith('DATABASE_NAME=/'))?.split('/')[1] + '/database', 'DATABASE_ENV_ROLE=primary']));
  });
});

describe('the container\'s /etc files', () => {
  it('--add-host, -h and --dns are in /etc/hosts, /etc/hostname and /etc/resolv.conf', async () => {
    const out = await ok(['run', '--rm', '-h', 'box', '--add-host', 'api.local:10.1.2.3', '--dns', '1.1.1.1', 'busybox', 'sh', '-c', 'hostname; grep api.local /etc/hosts; grep ^nameserver /etc/resolv.conf']);
    expect(out).toBe('box\n10.1.2.3\tapi.local\nnameserver 1.1.1.1');
  });
});
