// busybox wget's -T (issue 13): Debian bookworm's busybox-static was built without
// FEATURE_WGET_TIMEOUT, yet its wget still accepts -T and stores the number through a NULL pointer, so
// any `wget -T N` died with SIGSEGV (status 139, "segfault at 0"). The guest's busybox is built from
// Debian's source with the feature on (vm-images/busybox), and busybox:latest carries the same binary:
// -T parses, and when nothing answers wget gives up with its own error. v86's network answers HTTP on
// port 80 for any address, so the tests drop the packets to 10.9.9.9 with iptables to get a host that
// never answers, as on a real network.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import { Daemon } from '../../src/engine/daemon';
import { MemoryStore } from '../../src/engine/store';
import { NodeBundledRegistry } from '../../src/node/bundled-registry';
import { docker } from '../helpers/fake-images';
import { sh, startGuest } from '../helpers/guest';

let guest: Guest;
let daemon: Daemon;

beforeAll(async () => {
  guest = await startGuest();
  // The bundled busybox:latest (vm-images/images/dist), pulled on first run as a learner's is.
  daemon = new Daemon({ store: new MemoryStore(), runtime: guest.runtime, registry: new NodeBundledRegistry() });
}, 120_000);

afterAll(async () => {
  await guest?.destroy();
});

/** Runs script with the guest dropping every packet to 10.9.9.9 (in chain), and takes the rule out again. */
async function unreachable(chain: 'OUTPUT' | 'FORWARD', run: () => Promise<{ stdout: string; stderr: string; status: number }>) {
  expect((await sh(guest, `iptables -I ${chain} 1 -d 10.9.9.9 -j DROP`)).status).toBe(0);
  try {
    return await run();
  } finally {
    await sh(guest, `iptables -D ${chain} -d 10.9.9.9 -j DROP`);
  }
}

describe('busybox wget -T', () => {
  it('downloads a page with -T when the server answers', async () => {
    const page = await sh(
      guest,
      'mkdir -p /tmp/www && echo served > /tmp/www/index.html && httpd -p 127.0.0.1:8099 -h /tmp/www && busybox wget -T 5 -qO- http://127.0.0.1:8099/',
    );
    expect(page).toMatchObject({ stdout: 'served\n', status: 0 });
  });

  it('gives up on the host with "download timed out" and status 1 when nothing answers', async () => {
    const result = await unreachable('OUTPUT', () => sh(guest, 'busybox wget -T 1 -O- http://10.9.9.9/'));
    expect(result.stderr).toContain('wget: download timed out');
    expect(result.status).toBe(1);
    expect((await sh(guest, 'dmesg')).stdout).not.toContain('segfault');
  });

  it('gives up in a busybox container with "download timed out" and status 1 when nothing answers', async () => {
    const result = await unreachable('FORWARD', () => docker(daemon, ['run', '--rm', 'busybox', 'wget', '-T', '1', '-O-', 'http://10.9.9.9/']));
    expect(result.stderr).toContain('wget: download timed out');
    expect(result.status).toBe(1);
    expect((await sh(guest, 'dmesg')).stdout).not.toContain('segfault');
  });
});
