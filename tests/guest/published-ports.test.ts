// Published ports in the real guest through the docker CLI: -p 8080:80 is a DNAT rule of docker's
// DOCKER chain, so a web server in a container answers on the host's 127.0.0.1:8080, on the host's
// eth0 address (the page's TCP connect over v86's network), and from another container through the
// host's docker0 address, and from this machine's 127.0.0.1 as `dockside serve` forwards it; a second
// -p 8080 fails with docker's error; stopping frees the port.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Guest } from '../../src/vm/guest';
import type { Daemon } from '../../src/engine/daemon';
import { guestDaemon, dockerOk } from '../helpers/guest-daemon';
import { docker } from '../helpers/fake-images';
import { eventually, shared, sh, startGuest } from '../helpers/guest';
import { forwardPublishedPorts } from '../../src/node/port-forward';

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

const web = shared(async () => {
  await ok(['run', '-d', '--name', 'web', '-p', '8080:80', 'busybox', 'sh', '-c', 'mkdir -p /www && echo hello from the container > /www/index.html && exec httpd -f -p 80 -h /www']);
  // httpd listens once the shell has run; the host's wget retries until it answers.
  const ready = await sh(guest, 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:8080/ && exit 0; sleep 1; done; exit 1');
  expect(ready.status, ready.stderr).toBe(0);
});

describe('published ports in the guest', () => {
  it('-p 8080:80 answers on the host at 127.0.0.1:8080', async () => {
    await web();
    const page = await sh(guest, 'wget -qO- http://127.0.0.1:8080/');
    expect(page.stdout).toBe('hello from the container\n');
  });

  it('answers a TCP connection from the page to the guest\'s port 8080', async () => {
    await web();
    const connection = await guest.emulator.connectTcp(8080);
    connection.write(new TextEncoder().encode('GET / HTTP/1.0\r\nHost: localhost\r\n\r\n'));
    const text = new TextDecoder().decode(await connection.response);
    expect(text).toMatch(/^HTTP\/1\.[01] 200 OK/);
    expect(text).toContain('hello from the container');
  });

  it('answers another container through the host\'s address 172.17.0.1:8080', async () => {
    await web();
    const page = await docker(daemon, ['run', '--rm', 'busybox', 'wget', '-qO-', 'http://172.17.0.1:8080/']);
    expect(page.stdout).toBe('hello from the container\n');
  });

  it('shows docker\'s DNAT rule in iptables -t nat', async () => {
    await web();
    const rules = await sh(guest, 'iptables -t nat -S DOCKER');
    expect(rules.stdout).toContain('-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80');
  });

  it('is forwarded to this machine\'s 127.0.0.1 as dockside serve does', async () => {
    await web();
    const forwarder = forwardPublishedPorts(daemon, guest);
    try {
      await ok(['run', '-d', '--name', 'served', '-p', '18765:80', 'busybox', 'sh', '-c', 'mkdir -p /www && echo served > /www/index.html && exec httpd -f -p 80 -h /www']);
      expect(forwarder.ports()).toContain(18765);
      const text = await eventually(async () => {
        const response = await fetch('http://127.0.0.1:18765/').catch(() => undefined);
        return response?.ok ? response.text() : undefined;
      });
      expect(text).toBe('served\n');
      await ok(['rm', '-f', 'served']);
      expect(forwarder.ports()).not.toContain(18765);
    } finally {
      await forwarder.close();
    }
  });

  it('refuses a second -p 8080 with docker\'s error, and frees the port when the first stops', async () => {
    await web();
    const clash = await docker(daemon, ['run', '-d', '--name', 'clash', '-p', '8080:80', 'busybox', 'sleep', '100']);
    expect(clash.status).toBe(125);
    expect(clash.stderr).toContain('Bind for 0.0.0.0:8080 failed: port is already allocated');
    await ok(['rm', '-f', 'web']);
    const rules = await sh(guest, 'iptables -t nat -S DOCKER');
    expect(rules.stdout).not.toContain('--dport 8080');
    await ok(['start', 'clash']);
    expect(await ok(['port', 'clash', '80'])).toBe('0.0.0.0:8080');
  });
});
