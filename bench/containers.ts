// Containers through the agent: create + start + wait + delete of `true`, against the same work done
// by busybox (overlay mount, unshare, pivot_root, exec true) in the same guest; and stdio throughput
// of a container against a plain guest process.

import { randomBytes } from 'node:crypto';
import type { Guest } from '../src/vm/guest';
import type { ProcessSpec } from '../src/engine/runtime/types';
import { containerSpec } from '../src/engine/containers/spec';

const LAYER = '/var/lib/docker/bench-layers/busybox';
const PATH = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin';

function processSpec(args: string[]): ProcessSpec {
  return { args, env: [PATH], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false };
}

async function spawnScript(guest: Guest, script: string): Promise<number> {
  const p = await guest.runtime.spawn(processSpec(['sh', '-c', script]), { stdin: false });
  return (await p.wait()).exitCode;
}

export interface ContainerBench {
  raw: number[];
  runtime: number[];
  runtimeNet: number[];
  hostThroughput: number;
  containerThroughput: number;
}

export async function benchContainers(guest: Guest, runs: number): Promise<ContainerBench> {
  const setup = `mkdir -p ${LAYER}/bin ${LAYER}/proc ${LAYER}/dev ${LAYER}/sys ${LAYER}/tmp && cp /bin/busybox ${LAYER}/bin/ && for applet in $(busybox --list); do [ "$applet" = busybox ] || ln -sf busybox ${LAYER}/bin/$applet; done`;
  if ((await spawnScript(guest, setup)) !== 0) throw new Error('bench layer setup failed');
  const raw: number[] = [];
  const runtimeSamples: number[] = [];
  const runtimeNet: number[] = [];
  for (let i = 0; i < runs; i++) {
    const d = `/var/lib/docker/rawbench${i}`;
    const script = `mkdir -p ${d}/u ${d}/w ${d}/m && mount -t overlay overlay -o lowerdir=${LAYER},upperdir=${d}/u,workdir=${d}/w ${d}/m && unshare --pid --fork --mount --uts --ipc --net sh -c 'cd ${d}/m && mkdir -p .old && pivot_root . .old && exec /bin/true'; s=$?; umount ${d}/m; rm -rf ${d}; exit $s`;
    let started = performance.now();
    if ((await spawnScript(guest, script)) !== 0) throw new Error('raw container failed');
    raw.push(performance.now() - started);

    for (const withNet of [false, true]) {
      const id = `bench${withNet ? 'n' : 'p'}${i}`.padEnd(16, '0');
      const spec = containerSpec({
        id,
        hostname: id.slice(0, 12),
        layers: [LAYER],
        netNamespace: withNet ? 'new' : 'none',
        network: withNet ? { bridge: 'docker0', hostVeth: `veth${i}b`, address: `172.17.1.${i + 2}/16`, gateway: '172.17.0.1', mac: '02:42:ac:11:01:02', mtu: 1500 } : undefined,
        process: processSpec(['true']),
      });
      started = performance.now();
      const init = await guest.runtime.create(spec, { stdin: false });
      await guest.runtime.start(id);
      const exit = await init.wait();
      await guest.runtime.delete(id);
      if (exit.exitCode !== 0) throw new Error(`container exited ${exit.exitCode}`);
      (withNet ? runtimeNet : runtimeSamples).push(performance.now() - started);
    }
  }

  const data = randomBytes(4 * 1024 * 1024);
  const throughput = async (start: (sink: (c: Uint8Array) => void) => Promise<{ write: (d: Uint8Array) => Promise<void>; close: () => Promise<void>; done: () => Promise<unknown> }>) => {
    let received = 0;
    const began = performance.now();
    const handle = await start((c) => void (received += c.length));
    await handle.write(data);
    await handle.close();
    await handle.done();
    if (received !== data.length) throw new Error(`throughput run lost bytes: ${received}`);
    return data.length / 1e6 / ((performance.now() - began) / 1000);
  };
  const hostThroughput = await throughput(async (sink) => {
    const p = await guest.runtime.spawn(processSpec(['cat']), { stdin: true, stdout: sink });
    return { write: (d) => p.writeStdin(d), close: () => p.closeStdin(), done: () => p.wait() };
  });
  const containerThroughput = await throughput(async (sink) => {
    const id = 'benchthroughput0';
    const init = await guest.runtime.create(containerSpec({ id, hostname: 'tp', layers: [LAYER], netNamespace: 'none', process: processSpec(['cat']) }), { stdin: true, stdout: sink });
    await guest.runtime.start(id);
    return { write: (d) => init.writeStdin(d), close: () => init.closeStdin(), done: async () => { await init.wait(); await guest.runtime.delete(id); } };
  });
  return { raw, runtime: runtimeSamples, runtimeNet, hostThroughput, containerThroughput };
}
