// Networking: two containers on a user-defined network (docker network create, docker run --network)
// against two raw network namespaces on one bridge made by hand in the same guest (unshare -n, a veth
// pair each, no iptables rules of docker's): ICMP round trip (busybox ping) and TCP throughput
// (busybox nc, 4 MB from /dev/zero), each measured inside the guest; and the page's first byte of a
// published port (a TCP connect over v86's network to -p 8080:80, through docker's DNAT).

import type { Guest } from '../src/vm/guest';
import { Daemon } from '../src/engine/daemon';
import { MemoryStore } from '../src/engine/store';
import { FakeImages, docker } from '../tests/helpers/fake-images';

const LAYER = '/var/lib/docker/bench-layers/busybox-net';
const BYTES = 4 * 1024 * 1024;

export interface NetworkBench {
  containers: { rttMs: number; mbps: number };
  raw: { rttMs: number; mbps: number };
  firstByteMs: number[];
}

async function sh(guest: Guest, script: string): Promise<string> {
  const result = await guest.runtime.hostShell(script);
  if (result.exitCode !== 0) throw new Error(`bench script failed (${result.exitCode}): ${result.stderr}\n${script}`);
  return result.stdout;
}

/** avg of "round-trip min/avg/max = a/b/c ms" */
function pingAvg(text: string): number {
  const match = /= [\d.]+\/([\d.]+)\//.exec(text);
  if (!match) throw new Error(`no ping summary in: ${text}`);
  return Number(match[1]);
}

/**
 * Sends 4 MB with nc from one namespace (a shell command prefix) to a listener in the other and
 * returns MB/s, timed in the guest with /proc/uptime (10 ms steps) around the sender.
 */
async function throughput(guest: Guest, serverPrefix: string, clientPrefix: string, ip: string): Promise<number> {
  const script = [
    `${serverPrefix} nc -l -p 5001 > /dev/null 2>&1 < /dev/null &`,
    'sleep 1',
    "start=$(cut -d' ' -f1 /proc/uptime)",
    `dd if=/dev/zero bs=65536 count=${BYTES / 65536} 2>/dev/null | ${clientPrefix} nc ${ip} 5001`,
    "end=$(cut -d' ' -f1 /proc/uptime)",
    'wait',
    'awk "BEGIN { print ($end - $start) * 1000000 }"',
  ].join('\n');
  const micros = Number((await sh(guest, script)).trim());
  return BYTES / 1e6 / (micros / 1e6);
}

export async function benchNetwork(guest: Guest, runs: number): Promise<NetworkBench> {
  await sh(
    guest,
    `mkdir -p ${LAYER}/bin ${LAYER}/etc ${LAYER}/proc ${LAYER}/dev ${LAYER}/sys ${LAYER}/tmp && cp /bin/busybox ${LAYER}/bin/ && for applet in $(busybox --list); do [ "$applet" = busybox ] || ln -sf busybox ${LAYER}/bin/$applet; done; echo 'root:x:0:0:root:/root:/bin/sh' > ${LAYER}/etc/passwd`,
  );
  const images = new FakeImages();
  const daemon = new Daemon({
    imageProvider: images,
    store: new MemoryStore(),
    runtime: guest.runtime,
    registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) },
  });
  images.install(daemon);
  images.add('busybox', { config: { Cmd: ['sh'] }, layerDirs: [LAYER] });
  const ok = async (args: string[]): Promise<string> => {
    const result = await docker(daemon, args);
    if (result.status !== 0) throw new Error(`docker ${args.join(' ')}: ${result.stderr}`);
    return result.stdout.trim();
  };
  await ok(['network', 'create', 'benchnet']);
  await ok(['run', '-d', '--name', 'nb-a', '--network', 'benchnet', 'busybox', 'sleep', '1000']);
  await ok(['run', '-d', '--name', 'nb-b', '--network', 'benchnet', 'busybox', 'sleep', '1000']);
  const pidA = await ok(['inspect', '-f', '{{.State.Pid}}', 'nb-a']);
  const pidB = await ok(['inspect', '-f', '{{.State.Pid}}', 'nb-b']);
  const ipB = await ok(['inspect', '-f', '{{(index .NetworkSettings.Networks "benchnet").IPAddress}}', 'nb-b']);
  const containers = {
    rttMs: pingAvg(await sh(guest, `nsenter -t ${pidA} -n ping -c ${runs * 4} -i 0.2 ${ipB}`)),
    mbps: await throughput(guest, `nsenter -t ${pidB} -n`, `nsenter -t ${pidA} -n`, ipB),
  };

  // Two raw namespaces on a bridge of their own.
  const raw = await sh(
    guest,
    [
      'ip link add rawbr type bridge && ip addr add 10.99.0.1/24 dev rawbr && ip link set rawbr up',
      // docker's FORWARD policy is DROP (and bridged frames pass iptables): let this bridge through.
      'iptables -I FORWARD -i rawbr -o rawbr -j ACCEPT',
      'for n in 1 2; do',
      // The sleeper must not hold the script's output open (hostShell waits for it to close).
      '  unshare -n sleep 1000 >/dev/null 2>&1 </dev/null & pid=$!; sleep 0.2',
      '  nsenter -t $pid -n ip link add eth0 type veth',
      '  peer=$(nsenter -t $pid -n ip -o link show | sed -n "s/^[0-9]*: \\([^:@]*\\)@eth0:.*/\\1/p")',
      '  nsenter -t $pid -n ip link set $peer name rawv$n && nsenter -t $pid -n ip link set rawv$n netns 1',
      '  ip link set rawv$n master rawbr up',
      '  nsenter -t $pid -n ip addr add 10.99.0.1$n/24 dev eth0 && nsenter -t $pid -n ip link set eth0 up && nsenter -t $pid -n ip link set lo up',
      '  echo $pid',
      'done',
    ].join('\n'),
  );
  const [rawA, rawB] = raw.trim().split('\n');
  const rawResult = {
    rttMs: pingAvg(await sh(guest, `nsenter -t ${rawA} -n ping -c ${runs * 4} -i 0.2 10.99.0.12`)),
    mbps: await throughput(guest, `nsenter -t ${rawB} -n`, `nsenter -t ${rawA} -n`, '10.99.0.12'),
  };
  await sh(guest, `kill ${rawA} ${rawB}; ip link del rawbr; iptables -D FORWARD -i rawbr -o rawbr -j ACCEPT`);

  // The page's first byte of a published port.
  await ok(['run', '-d', '--name', 'web', '-p', '8080:80', 'busybox', 'sh', '-c', 'mkdir -p /www && echo hi > /www/index.html && exec httpd -f -p 80 -h /www']);
  await sh(guest, 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -qO- http://127.0.0.1:8080/ >/dev/null && exit 0; sleep 1; done; exit 1');
  const firstByteMs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    let first = 0;
    const connection = await guest.emulator.connectTcp(8080, () => {
      first ||= performance.now();
    });
    connection.write(new TextEncoder().encode('GET / HTTP/1.0\r\nHost: localhost\r\n\r\n'));
    await connection.response;
    firstByteMs.push(first - started);
  }
  for (const name of ['nb-a', 'nb-b', 'web']) await ok(['rm', '-f', name]);
  await ok(['network', 'rm', 'benchnet']);
  return { containers, raw: rawResult, firstByteMs };
}
