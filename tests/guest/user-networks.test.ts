// User-defined networks in the real guest through the docker CLI: a network is a bridge br-<12 hex>
// with docker's iptables rules; containers on it reach each other, containers on another bridge do
// not; network connect puts a real veth into a running container and disconnect really cuts it;
// network rm removes the bridge.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import type { Daemon } from '../../src/engine/daemon';
import { guestDaemon, dockerOk } from '../helpers/guest-daemon';
import { docker } from '../helpers/fake-images';
import { shared, sh, startGuest } from '../helpers/guest';

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

const network = shared(async () => {
  const id = await ok(['network', 'create', '-d', 'bridge', 'my-net']);
  await ok(['run', '-d', '--name', 'one', '--network', 'my-net', 'busybox', 'sleep', '1000']);
  await ok(['run', '-d', '--name', 'outsider', 'busybox', 'sleep', '1000']);
  return id;
});

describe('a user-defined network in the guest', () => {
  it('is a bridge br-<12 hex of the id> with the gateway 172.18.0.1/16', async () => {
    const id = await network();
    const link = await sh(guest, `ip -o -4 addr show br-${id.slice(0, 12)}`);
    expect(link.stdout).toContain('inet 172.18.0.1/16');
  });

  it('lets two containers on it ping each other', async () => {
    await network();
    const ip = await ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "my-net").IPAddress}}', 'one']);
    expect(ip).toBe('172.18.0.2');
    const ping = await docker(daemon, ['run', '--rm', '--network', 'my-net', 'busybox', 'ping', '-c', '1', '-W', '3', ip]);
    expect(ping.stdout).toContain('1 packets received');
  });

  it('is isolated from the default bridge (DOCKER-ISOLATION-STAGE-2 drops)', async () => {
    await network();
    const ping = await docker(daemon, ['exec', 'outsider', 'ping', '-c', '1', '-W', '2', '172.18.0.2']);
    expect(ping.status).toBe(1);
    expect(ping.stdout).toContain('0 packets received');
    const rules = await sh(guest, 'iptables -S DOCKER-ISOLATION-STAGE-1');
    expect(rules.stdout).toContain('-A DOCKER-ISOLATION-STAGE-1 -i docker0 ! -o docker0 -j DOCKER-ISOLATION-STAGE-2');
  });

  it('network connect gives a running container an eth1 on the bridge, and disconnect cuts it', async () => {
    await network();
    await ok(['run', '-d', '--name', 'joiner', 'busybox', 'sleep', '1000']);
    await ok(['network', 'connect', 'my-net', 'joiner']);
    const addresses = await ok(['exec', 'joiner', 'ip', '-o', '-4', 'addr', 'show', 'eth1']);
    expect(addresses).toContain('inet 172.18.0.');
    const before = await docker(daemon, ['exec', 'joiner', 'ping', '-c', '1', '-W', '3', '172.18.0.2']);
    expect(before.stdout).toContain('1 packets received');
    await ok(['network', 'disconnect', 'my-net', 'joiner']);
    const gone = await docker(daemon, ['exec', 'joiner', 'ip', 'link', 'show', 'eth1']);
    expect(gone.status).not.toBe(0);
    const after = await docker(daemon, ['exec', 'joiner', 'ping', '-c', '1', '-W', '2', '172.18.0.2']);
    expect(after.stdout).toContain('0 packets received');
  });

  it('network rm removes the bridge once no container uses it', async () => {
    const id = await network();
    const busy = await docker(daemon, ['network', 'rm', 'my-net']);
    expect(busy.stderr).toContain('has active endpoints');
    await ok(['rm', '-f', 'one']);
    await docker(daemon, ['rm', '-f', 'joiner']);
    expect(await ok(['network', 'rm', 'my-net'])).toBe('my-net');
    const link = await sh(guest, `ip link show br-${id.slice(0, 12)}`);
    expect(link.status).not.toBe(0);
    const rules = await sh(guest, 'iptables-save');
    expect(rules.stdout).not.toContain(`br-${id.slice(0, 12)}`);
  });
});
