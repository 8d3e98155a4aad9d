// Name resolution on the default bridge in the real guest: --link name:alias writes docker's
// /etc/hosts line and environment variables, so the linked container answers ping and wget by its
// alias; --add-host, -h and --dns end up in the container's /etc files.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import type { Daemon } from '../../src/engine/daemon';
import { guestDaemon, dockerOk } from '../helpers/guest-daemon';
import { docker } from '../helpers/fake-images';
import { shared, startGuest } from '../helpers/guest';

let guest: Guest;
let daemon: Daemon;

beforeAll(async () => {
  guest = await startGuest();
  ({ daemon } = await guestDaemon(guest));
}, 120_000);

afterAll(async () => {
  await guest?.destroy();
});

const ok = (args: string[]): Promise<string> => dockerOk(daemon, args);

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
