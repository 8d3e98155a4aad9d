// docker's embedded DNS in the real guest, with the bundled busybox and debian images: containers on a
// user-defined network get docker 28's /etc/resolv.conf (nameserver 127.0.0.11) and resolve each
// other by name, network alias, short id and NAME.NETWORK with busybox's resolver (nslookup, ping, wget)
// and glibc's (getent); other names go to the external server (--dns), and fail fast when it does not
// answer; the default bridge keeps its own resolv.conf;
// disconnect takes the name away; each server is a process of the guest that ends with its container.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../src/engine/daemon';
import { DNS_SERVER_SHA256 } from '../../src/engine/network/dns-server-binary';
import { embeddedResolvConf } from '../../src/engine/network/resolver';
import { MemoryStore } from '../../src/engine/store';
import { NodeBundledRegistry } from '../../src/node/bundled-registry';
import type { Guest } from '../../src/vm/guest';
import { docker } from '../helpers/fake-images';
import { dockerOk } from '../helpers/guest-daemon';
import { shared, sh, startGuest } from '../helpers/guest';

let guest: Guest;
let daemon: Daemon;

beforeAll(async () => {
  guest = await startGuest();
  daemon = new Daemon({ store: new MemoryStore(), runtime: guest.runtime, registry: new NodeBundledRegistry() });
}, 120_000);

afterAll(async () => {
  await guest?.destroy();
});

const ok = (args: string[]): Promise<string> => dockerOk(daemon, args);

/** Seconds of busybox's `time` ("real\t0m 0.12s") or bash's ("real\t0m0.120s") in a command's stderr. */
function realSeconds(stderr: string): number {
  const match = /real\s+(\d+)m\s*([\d.]+)s/.exec(stderr);
  if (!match) throw new Error(`no time in: ${stderr}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

const network = shared(async () => {
  await ok(['network', 'create', 'my-net']);
  const one = await ok(['run', '-d', '--name', 'one', '--network', 'my-net', '--network-alias', 'db', 'busybox', 'sleep', '1000']);
  await ok(['run', '-d', '--name', 'two', '--network', 'my-net', 'busybox', 'sleep', '1000']);
  await ok(['run', '-d', '--name', 'plain', 'busybox', 'sleep', '1000']);
  return { one };
});

const debian = shared(async () => {
  await network();
  await ok(['run', '-d', '--name', 'deb', '--network', 'my-net', 'debian:bookworm', 'sleep', '1000']);
});

describe('the embedded DNS server in the guest', () => {
  it("writes docker 28's resolv.conf with 127.0.0.11 on a user network, and keeps the default bridge's", async () => {
    await network();
    expect(await ok(['exec', 'one', 'cat', '/etc/resolv.conf'])).toBe(embeddedResolvConf({}).trim());
    const plain = await ok(['exec', 'plain', 'cat', '/etc/resolv.conf']);
    expect(plain).toContain('nameserver 8.8.8.8');
    expect(plain).not.toContain('127.0.0.11');
    // One server per container on the user network, none for the default bridge's.
    const ps = await sh(guest, 'ps -o pid,stat,args | grep "[d]ockside-dns"');
    expect(ps.stdout.trim().split('\n')).toHaveLength(2);
  });

  it("answers busybox's nslookup with the container's address, by name, alias, short id and NAME.NETWORK", async () => {
    const { one } = await network();
    const byName = await docker(daemon, ['exec', 'two', 'nslookup', 'one']);
    expect(byName.stdout).toContain('Server:\t\t127.0.0.11');
    expect(byName.stdout).toContain('Name:\tone\nAddress: 172.18.0.2');
    expect((await ok(['exec', 'two', 'nslookup', 'db'])).includes('Name:\tdb\nAddress: 172.18.0.2')).toBe(true);
    expect((await ok(['exec', 'two', 'nslookup', one.slice(0, 12)])).includes('Address: 172.18.0.2')).toBe(true);
    expect((await ok(['exec', 'two', 'nslookup', 'one.my-net'])).includes('Address: 172.18.0.2')).toBe(true);
    const reverse = await ok(['exec', 'two', 'nslookup', '172.18.0.2']);
    expect(reverse).toContain('2.0.18.172.in-addr.arpa\tname = one.my-net');
  });

  it('lets busybox ping and wget reach another container by name', async () => {
    await network();
    const ping = await docker(daemon, ['exec', 'one', 'ping', '-c', '1', '-W', '3', 'two']);
    expect(ping.stdout).toContain('PING two (172.18.0.3)');
    expect(ping.stdout).toContain('1 packets received');
    await ok(['run', '-d', '--name', 'web', '--network', 'my-net', 'busybox', 'sh', '-c', 'mkdir -p /www && echo hello by name > /www/index.html && exec httpd -f -p 80 -h /www']);
    // httpd listens once its shell has run: wget again until it answers.
    const page = await docker(daemon, ['exec', 'one', 'sh', '-c', 'for i in 1 2 3 4 5; do wget -qO- http://web/ && exit 0; sleep 1; done; exit 1']);
    expect(page.stdout).toBe('hello by name\n');
  });

  it('answers every address of an alias shared by two containers, in a random order (round robin)', async () => {
    await network();
    await ok(['run', '-d', '--name', 'rr1', '--network', 'my-net', '--network-alias', 'rr', 'busybox', 'sleep', '1000']);
    await ok(['run', '-d', '--name', 'rr2', '--network', 'my-net', '--network-alias', 'rr', 'busybox', 'sleep', '1000']);
    const ips = [await ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "my-net").IPAddress}}', 'rr1']), await ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "my-net").IPAddress}}', 'rr2'])];
    const out = await ok(['exec', 'one', 'sh', '-c', 'for i in $(seq 16); do nslookup -type=a rr | grep "^Address: " | tr "\\n" " "; echo; done']);
    const orders = new Set(out.split('\n').map((line) => line.trim()));
    for (const order of orders) expect(order.trim().split(' ').filter((word) => word !== 'Address:').sort()).toEqual([...ips].sort());
    expect(orders.size).toBe(2);
    await ok(['rm', '-f', 'rr1', 'rr2']);
  });

  it("answers glibc's resolver in debian (getent hosts, ping with its PTR name)", async () => {
    await debian();
    expect(await ok(['exec', 'deb', 'getent', 'hosts', 'one'])).toBe('172.18.0.2      one');
    expect(await ok(['exec', 'deb', 'getent', 'hosts', 'db'])).toBe('172.18.0.2      db');
    expect(await ok(['exec', 'deb', 'getent', 'ahostsv4', 'two'])).toContain('172.18.0.3      STREAM two');
    const ping = await ok(['exec', 'deb', 'ping', '-c', '1', '-W', '3', 'one']);
    expect(ping).toContain('PING one (172.18.0.2) 56(84) bytes of data.\n64 bytes from one.my-net (172.18.0.2)');
    expect((await ok(['exec', 'two', 'nslookup', 'deb'])).includes('Name:\tdeb\nAddress: 172.18.0.')).toBe(true);
  });

  it('answers over TCP too (a 2-byte length before each message), as docker\'s resolver does', async () => {
    await debian();
    const query = '\\x00\\x15\\x00\\x07\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x03one\\x00\\x00\\x01\\x00\\x01';
    const run = await docker(daemon, ['exec', 'deb', 'bash', '-c', `exec 3<>/dev/tcp/127.0.0.11/53; printf '${query}' >&3; od -An -tx1 -v <&3 | tr -s ' \\n' '  '`]);
    // Length 37, id 7, QR RD RA, one question, one answer; the answer ends with 172.18.0.2.
    expect(run.stdout.trim()).toMatch(/^00 25 00 07 81 80 00 01 00 01 00 00 00 00 .* ac 12 00 02$/);
  });

  it('survives malformed queries (random bytes, overlong reverse labels, compression pointers, short packets)', async () => {
    await debian();
    const header = '\\x12\\x34\\x01\\x00\\x00\\x01\\x00\\x00\\x00\\x00\\x00\\x00';
    const script = [
      'head -c 600 /dev/urandom > /dev/udp/127.0.0.11/53',
      'head -c 5 /dev/urandom > /dev/udp/127.0.0.11/53',
      `printf '${header}\\x0a1234567890\\x0a1234567890\\x011\\x012\\x07in-addr\\x04arpa\\x00\\x00\\x0c\\x00\\x01' > /dev/udp/127.0.0.11/53`,
      `printf '${header}\\xc0\\x0c\\x00\\x01\\x00\\x01' > /dev/udp/127.0.0.11/53`,
      `printf '${header}\\x3f' > /dev/udp/127.0.0.11/53`,
      'getent hosts one',
    ].join('; ');
    const run = await docker(daemon, ['exec', 'deb', 'bash', '-c', script]);
    expect(run.stdout).toBe('172.18.0.2      one\n');
  });

  it('fails an unknown name fast (SERVFAIL from the offline outside, forwarded back), for busybox and glibc', async () => {
    await debian();
    const busybox = await docker(daemon, ['exec', 'one', 'sh', '-c', 'time nslookup nowhere.invalid']);
    expect(busybox.status).toBe(1);
    expect(busybox.stdout).toContain("** server can't find nowhere.invalid: SERVFAIL");
    const glibc = await docker(daemon, ['exec', 'deb', 'bash', '-c', 'time getent hosts nowhere']);
    expect(glibc.status).toBe(2);
    const ping = await docker(daemon, ['exec', 'one', 'sh', '-c', 'time ping -c 1 nowhere']);
    expect(ping.stderr).toContain("ping: bad address 'nowhere'");
    const seconds = [realSeconds(busybox.stderr), realSeconds(glibc.stderr), realSeconds(ping.stderr)];
    console.log(`unknown name: nslookup ${seconds[0]} s, getent ${seconds[1]} s, ping ${seconds[2]} s`);
    for (const s of seconds) expect(s).toBeLessThan(2);
  });

  it('forwards the names it does not know to the external server (--dns), and passes its answer back', async () => {
    await network();
    // An external server on the bridge's own address (the host's side): another dockside-dns, with its
    // own records, living as long as a sleep.
    const program = `/run/dockside/dns/dockside-dns-${DNS_SERVER_SHA256.slice(0, 12)}`;
    const upstream = await sh(
      guest,
      `printf 'A example.test 10.1.2.3\nEND\n' > /tmp/upstream.records
sleep 600 </dev/null >/dev/null 2>&1 & echo $! > /tmp/upstream.pid
${program} /tmp/upstream.records $(cat /tmp/upstream.pid) 172.18.0.1 </dev/null >/dev/null 2>&1 &
sleep 1; grep -c 010012AC:0035 /proc/net/udp`,
    );
    expect(upstream.stdout.trim()).toBe('1');
    try {
      const run = await docker(daemon, ['run', '--rm', '--network', 'my-net', '--dns', '172.18.0.1', 'busybox', 'sh', '-c', 'cat /etc/resolv.conf; nslookup -type=a example.test; nslookup one']);
      expect(run.stdout).toContain('# ExtServers: [172.18.0.1]\n# Overrides: [nameservers]\n');
      expect(run.stdout).toContain('Name:\texample.test\nAddress: 10.1.2.3');
      expect(run.stdout).toContain('Name:\tone\nAddress: 172.18.0.2');
    } finally {
      await sh(guest, 'kill $(cat /tmp/upstream.pid)');
    }
  });

  it('answers the first lookup of a new container at once', async () => {
    await network();
    const run = await docker(daemon, ['run', '--rm', '--network', 'my-net', 'busybox', 'sh', '-c', 'time nslookup one']);
    expect(run.stdout).toContain('Name:\tone\nAddress: 172.18.0.2');
    const seconds = realSeconds(run.stderr);
    console.log(`first lookup in a new container: ${seconds} s`);
    expect(seconds).toBeLessThan(2);
  });

  it('gives a container connected to a user network the resolver; disconnect takes its name away', async () => {
    await network();
    await ok(['network', 'connect', '--alias', 'joined', 'my-net', 'plain']);
    expect(await ok(['exec', 'plain', 'cat', '/etc/resolv.conf'])).toContain('nameserver 127.0.0.11\noptions ndots:0\n');
    expect(await ok(['exec', 'plain', 'nslookup', 'one'])).toContain('Address: 172.18.0.2');
    expect(await ok(['exec', 'one', 'nslookup', 'joined'])).toContain('Name:\tjoined\nAddress: 172.18.0.');
    await ok(['network', 'disconnect', 'my-net', 'plain']);
    const gone = await docker(daemon, ['exec', 'one', 'ping', '-c', '1', '-W', '1', 'joined']);
    expect(gone.status).toBe(1);
    expect(gone.stderr).toContain("ping: bad address 'joined'");
    expect((await docker(daemon, ['exec', 'one', 'nslookup', 'plain'])).stdout).toContain("can't find plain");
  });

  it('serves a container that shares the network namespace of one on a user network (--network container:NAME)', async () => {
    await network();
    const run = await docker(daemon, ['run', '--rm', '--network', 'container:one', 'busybox', 'sh', '-c', 'grep nameserver /etc/resolv.conf && nslookup two']);
    expect(run.stdout).toContain('nameserver 127.0.0.11\n');
    expect(run.stdout).toContain('Name:\ttwo\nAddress: 172.18.0.3');
  });

  it('follows a rename and a restart', async () => {
    await network();
    await ok(['rename', 'two', 'second']);
    expect(await ok(['exec', 'one', 'nslookup', 'second'])).toContain('Name:\tsecond\nAddress: 172.18.0.3');
    await ok(['restart', '-t', '1', 'second']);
    expect(await ok(['exec', 'second', 'nslookup', 'one'])).toContain('Address: 172.18.0.2');
    expect(await ok(['exec', 'one', 'nslookup', 'second'])).toContain('Name:\tsecond');
  });

  it('ends a container\'s server with it: no dockside-dns process (nor zombie) is left for a stopped container', async () => {
    const { one } = await network();
    await ok(['stop', '-t', '1', 'one']);
    const ps = await sh(guest, 'ps -o pid,stat,args');
    expect(ps.stdout).not.toContain(one);
    expect(ps.stdout).not.toMatch(/ Z .*dockside-dns/);
    const files = await sh(guest, 'ls /run/dockside/dns');
    expect(files.stdout).not.toContain(one);
    expect((await docker(daemon, ['exec', 'second', 'nslookup', 'one'])).stdout).toContain("can't find one");
  });
});
