// Images: pull of the bundled debian and busybox into the guest, split into the engine's part (read
// the registry, verify and store blobs, hash and measure the layer) and the guest's part (stage the
// layer on 9p, unpack it in the guest); and `docker images` with 50 images.

import { InProcessClient } from '../src/cli/client';
import { runDocker } from '../src/cli/docker';
import type { DockerEnv } from '../src/cli/env';
import { Daemon } from '../src/engine/daemon';
import type { ImageService } from '../src/engine/images/service';
import { TarWriter } from '../src/engine/images/tar';
import type { Runtime } from '../src/engine/runtime/types';
import { MemoryStore } from '../src/engine/store';
import { NodeBundledRegistry } from '../src/node/bundled-registry';
import type { Guest } from '../src/vm/guest';

export interface PullSample {
  image: string;
  /** Pull with unpacking at pull time, end to end (what `docker pull` waits for). */
  pullMs: number;
  /** The engine's part: registry, store, hashing (a pull that leaves unpacking to the first run). */
  engineMs: number;
  /** Putting the layer blobs on the 9p share. */
  stageMs: number;
  /** The guest's tar -x (with gunzip) of the staged layers. */
  unpackMs: number;
  /** What the first `docker run` waits for when unpacking is left to it. */
  firstRunMs: number;
}

export interface ImagesBench {
  pulls: PullSample[];
  /** `docker images` with 50 images (CLI + API + store), milliseconds per run. */
  images50Ms: number[];
}

function timedRuntime(runtime: Runtime, times: { stage: number; unpack: number }): Runtime {
  const timed = Object.create(runtime) as Runtime;
  timed.stageFile = async (name, data) => {
    const started = performance.now();
    try {
      return await runtime.stageFile(name, data);
    } finally {
      times.stage += performance.now() - started;
    }
  };
  timed.unpack = async (tar, dir, gzip) => {
    const started = performance.now();
    try {
      return await runtime.unpack(tar, dir, gzip);
    } finally {
      times.unpack += performance.now() - started;
    }
  };
  return timed;
}

async function pullOnce(guest: Guest, image: string, unpackAt: 'pull' | 'run'): Promise<{ pullMs: number; firstRunMs: number; stageMs: number; unpackMs: number }> {
  const times = { stage: 0, unpack: 0 };
  const daemon = new Daemon({ store: new MemoryStore(), runtime: timedRuntime(guest.runtime, times), registry: new NodeBundledRegistry() });
  const service = daemon.images as ImageService;
  service.unpackAt = unpackAt;
  const client = new InProcessClient((request) => daemon.router.handle(request));
  let started = performance.now();
  const response = await client.request('POST', '/images/create', { query: { fromImage: `docker.io/library/${image}`, tag: 'latest' } });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"error"')) throw new Error(`pull ${image} failed: ${text}`);
  const pullMs = performance.now() - started;
  started = performance.now();
  const prepared = await service.prepareForRun(image);
  const firstRunMs = performance.now() - started;
  // Free the guest's memory for the next run (each daemon made its own layer directories).
  const dirs = prepared.layerDirs.map((dir) => dir.replace(/\/diff$/, '')).join(' ');
  const cleanup = await guest.runtime.spawn(
    { args: ['rm', '-rf', ...dirs.split(' ')], env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false },
    { stdin: false },
  );
  await cleanup.wait();
  return { pullMs, firstRunMs, stageMs: times.stage, unpackMs: times.unpack };
}

async function benchImagesList(runs: number): Promise<number[]> {
  const daemon = new Daemon({ store: new MemoryStore(), runtime: Object.create(null) as Runtime, registry: new NodeBundledRegistry(), clock: () => new Date('2025-06-01T00:00:00Z') });
  const service = daemon.images as ImageService;
  for (let i = 0; i < 50; i++) {
    const tar = new TarWriter();
    tar.file(`file${i}`, `content ${i}\n`);
    const bytes = tar.finish();
    await service.import(
      (async function* () {
        yield bytes;
      })(),
      { repo: `bench/image${i}`, tag: 'v1' },
    );
  }
  const client = new InProcessClient((request) => daemon.router.handle(request));
  const samples: number[] = [];
  for (let run = 0; run < runs; run++) {
    let out = '';
    const env = {
      client,
      stdout: (text: string) => void (out += text),
      stderr: (text: string) => void (out += text),
      environment: {},
      stdinIsTerminal: false,
      stdoutIsTerminal: false,
      now: () => new Date('2025-06-02T00:00:00Z'),
    } as unknown as DockerEnv;
    const started = performance.now();
    const status = await runDocker(['images'], env);
    samples.push(performance.now() - started);
    if (status !== 0 || out.split('\n').length !== 52) throw new Error(`docker images failed: ${out}`);
  }
  return samples;
}

/** Pull of debian and busybox into the guest (each measured both ways), and `docker images` with 50 images. */
export async function benchImages(guest: Guest, runs = 1): Promise<ImagesBench> {
  const pulls: PullSample[] = [];
  for (const image of ['busybox', 'debian']) {
    for (let run = 0; run < runs; run++) {
      const eager = await pullOnce(guest, image, 'pull');
      const lazy = await pullOnce(guest, image, 'run');
      pulls.push({ image, pullMs: eager.pullMs, engineMs: lazy.pullMs, stageMs: eager.stageMs, unpackMs: eager.unpackMs, firstRunMs: lazy.firstRunMs });
    }
  }
  return { pulls, images50Ms: await benchImagesList(Math.max(3, runs)) };
}

/** Prints the numbers (for bench/run.ts). */
export function printImagesBench(result: ImagesBench): void {
  console.log('images: pull into the guest (ms): end to end with unpack at pull | engine part | stage on 9p | unpack in guest | first run when unpacking is lazy');
  for (const sample of result.pulls) {
    console.log(
      `  ${sample.image.padEnd(8)} ${sample.pullMs.toFixed(0).padStart(7)} | ${sample.engineMs.toFixed(0).padStart(6)} | ${sample.stageMs.toFixed(0).padStart(6)} | ${sample.unpackMs.toFixed(0).padStart(6)} | ${sample.firstRunMs.toFixed(0).padStart(6)}`,
    );
  }
  const sorted = [...result.images50Ms].sort((a, b) => a - b);
  console.log(`  docker images with 50 images: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms`);
}
