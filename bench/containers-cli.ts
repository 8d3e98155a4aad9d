// The docker CLI over the engine over the guest: `docker run --rm busybox echo hi` and `docker ps` with
// 20 running containers, against the raw runtime (create + start + wait + delete of `echo hi` with a
// network namespace and a veth) measured in the same run.

import type { Guest } from '../src/vm/guest';
import { Daemon } from '../src/engine/daemon';
import { MemoryStore } from '../src/engine/store';
import { containerSpec } from '../src/engine/containers/spec';
import { FakeImages, docker } from '../tests/helpers/fake-images';

const LAYER = '/var/lib/docker/bench-layers/busybox-cli';

export interface ContainersCliBench {
  runtime: number[];
  run: number[];
  ps20: number[];
}

async function spawnScript(guest: Guest, script: string): Promise<number> {
  const p = await guest.runtime.spawn({ args: ['sh', '-c', script], env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false }, { stdin: false });
  return (await p.wait()).exitCode;
}

export async function benchContainersCli(guest: Guest, runs: number): Promise<ContainersCliBench> {
  const setup = `mkdir -p ${LAYER}/bin ${LAYER}/etc ${LAYER}/proc ${LAYER}/dev ${LAYER}/sys ${LAYER}/tmp && cp /bin/busybox ${LAYER}/bin/ && for applet in $(busybox --list); do [ "$applet" = busybox ] || ln -sf busybox ${LAYER}/bin/$applet; done; echo 'root:x:0:0:root:/root:/bin/sh' > ${LAYER}/etc/passwd`;
  if ((await spawnScript(guest, setup)) !== 0) throw new Error('bench layer setup failed');
  const images = new FakeImages();
  const daemon = new Daemon({
    imageProvider: images,
    store: new MemoryStore(),
    runtime: guest.runtime,
    registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) },
  });
  images.install(daemon);
  images.add('busybox', { config: { Cmd: ['sh'] }, layerDirs: [LAYER] });

  const runtime: number[] = [];
  const run: number[] = [];
  for (let i = 0; i < runs; i++) {
    const id = `clibench${i}`.padEnd(64, '0');
    const spec = containerSpec({
      id,
      hostname: id.slice(0, 12),
      layers: [LAYER],
      network: { bridge: 'docker0', hostVeth: `vethcb${i}`, address: `172.17.3.${i + 2}/16`, gateway: '172.17.0.1', mac: '02:42:ac:11:03:02', mtu: 1500 },
      process: { args: ['echo', 'hi'], env: ['PATH=/bin'], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false },
    });
    let started = performance.now();
    const init = await guest.runtime.create(spec, { stdin: false, stdout: () => undefined });
    await guest.runtime.start(id);
    await init.wait();
    await guest.runtime.delete(id);
    runtime.push(performance.now() - started);

    started = performance.now();
    const result = await docker(daemon, ['run', '--rm', 'busybox', 'echo', 'hi']);
    if (result.stdout !== 'hi\n' || result.status !== 0) throw new Error(`docker run failed: ${result.stderr}`);
    run.push(performance.now() - started);
  }

  for (let i = 0; i < 20; i++) {
    const result = await docker(daemon, ['run', '-d', '--name', `bench${i}`, 'busybox', 'sleep', '1000']);
    if (result.status !== 0) throw new Error(`docker run -d failed: ${result.stderr}`);
  }
  const ps20: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    const result = await docker(daemon, ['ps']);
    ps20.push(performance.now() - started);
    if (result.stdout.split('\n').length !== 22) throw new Error(`docker ps listed ${result.stdout.split('\n').length - 2} containers`);
  }
  for (let i = 0; i < 20; i++) await docker(daemon, ['rm', '-f', `bench${i}`]);
  return { runtime, run, ps20 };
}
