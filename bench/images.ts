// Images: pull of the bundled debian and busybox into the guest, split into the engine's part (read
// the registry, verify and store blobs, hash and measure the layer) and the unpacking, which is done
// two ways in the same run: JavaScript building the tree in the 9p share (what Dockside does) against
// the guest's own tar -x of a staged layer (the baseline, GuestRuntime with layersInShare false); then
// a first container from the image; and `docker images` with 50 images.

import { InProcessClient } from '../src/cli/client';
import { runDocker } from '../src/cli/docker';
import type { DockerEnv } from '../src/cli/env';
import { Daemon } from '../src/engine/daemon';
import type { ImageService } from '../src/engine/images/service';
import { TarWriter } from '../src/go/tar';
import type { Runtime } from '../src/engine/runtime/types';
import { MemoryStore } from '../src/engine/store';
import { NodeBundledRegistry } from '../src/node/bundled-registry';
import type { Guest } from '../src/vm/guest';
import { GuestRuntime } from '../src/vm/runtime';
import { captureEnv } from '../tests/helpers/docker-env';

export interface PullSample {
  image: string;
  /** Where layers were unpacked: in JavaScript into the 9p share, or by the guest's tar -x (the baseline). */
  where: 'share' | 'guest';
  /** `docker pull` with unpacking at pull, end to end. */
  pullMs: number;
  /** The engine's part alone (registry, store, hashing): a pull that leaves unpacking to the first run. */
  engineMs: number;
  /** Unpacking the layers (installLayer), summed. */
  unpackMs: number;
  /** `docker run --rm IMAGE true` right after the pull (reads its files from the unpacked layers). */
  firstRunMs: number;
}

export interface ImagesBench {
  pulls: PullSample[];
  /** `docker images` with 50 images (CLI + API + store), milliseconds per run. */
  images50Ms: number[];
}

function timedRuntime(runtime: Runtime, times: { unpack: number }): Runtime {
  const timed = Object.create(runtime) as Runtime;
  timed.installLayer = async (dir, tar) => {
    const started = performance.now();
    try {
      return await runtime.installLayer(dir, tar);
    } finally {
      times.unpack += performance.now() - started;
    }
  };
  return timed;
}

function quietEnv(client: InProcessClient): DockerEnv {
  return captureEnv(client, { stdout: () => undefined, stderr: () => undefined, writeStdout: async () => undefined, now: () => new Date() }).env;
}

async function pullOnce(guest: Guest, image: string, where: 'share' | 'guest', unpackAt: 'pull' | 'run'): Promise<{ pullMs: number; unpackMs: number; firstRunMs: number }> {
  const times = { unpack: 0 };
  // 'share' (Dockside's default) builds each layer in the 9p share; the baseline stages it and the guest unpacks it.
  const files = { write: (path: string, data: Uint8Array) => guest.writeFile(path, data), read: (path: string) => guest.readFile(path), tree: guest.shareTree() };
  const base = new GuestRuntime(guest.agent, files, { layersInShare: where === 'share' });
  const runtime = timedRuntime(base, times);
  const daemon = new Daemon({ store: new MemoryStore(), runtime, registry: new NodeBundledRegistry() });
  const service = daemon.images as ImageService;
  service.unpackAt = unpackAt;
  const client = new InProcessClient((request) => daemon.router.handle(request));
  let started = performance.now();
  const response = await client.request('POST', '/images/create', { query: { fromImage: `docker.io/library/${image}`, tag: 'latest' } });
  const text = await response.text();
  if (response.status !== 200 || text.includes('"error"')) throw new Error(`pull ${image} failed: ${text}`);
  const pullMs = performance.now() - started;
  started = performance.now();
  const status = await runDocker(['run', '--rm', image, 'true'], quietEnv(client));
  const firstRunMs = performance.now() - started;
  if (status !== 0) throw new Error(`docker run --rm ${image} true exited with ${status}`);
  // Free what this daemon unpacked before the next sample (each daemon has its own layer ids).
  await runDocker(['rmi', image], quietEnv(client));
  return { pullMs, unpackMs: times.unpack, firstRunMs };
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

/** Pull of debian and busybox both ways (share first, then the guest baseline), and `docker images` with 50 images. */
export async function benchImages(guest: Guest, runs = 1): Promise<ImagesBench> {
  const pulls: PullSample[] = [];
  // The guest's first container pays for first-time work (cgroup controllers, the bridge): not measured.
  await pullOnce(guest, 'busybox', 'guest', 'pull');
  for (const image of ['busybox', 'debian']) {
    for (const where of ['share', 'guest'] as const) {
      for (let run = 0; run < runs; run++) {
        const engine = await pullOnce(guest, image, where, 'run');
        const eager = await pullOnce(guest, image, where, 'pull');
        pulls.push({ image, where, pullMs: eager.pullMs, engineMs: engine.pullMs, unpackMs: eager.unpackMs, firstRunMs: eager.firstRunMs });
      }
    }
  }
  return { pulls, images50Ms: await benchImagesList(Math.max(3, runs)) };
}

/** Prints the numbers (for bench/run.ts). */
export function printImagesBench(result: ImagesBench): void {
  console.log('images: docker pull into the guest (ms): end to end | engine part | unpack | then docker run --rm IMAGE true');
  for (const sample of result.pulls) {
    const baseline = result.pulls.find((other) => other.image === sample.image && other.where === 'guest');
    const ratio = baseline && sample !== baseline ? `  = ${(sample.pullMs / baseline.pullMs).toFixed(2)}x pull, ${(sample.firstRunMs / baseline.firstRunMs).toFixed(2)}x run of unpacking in the guest` : '  (baseline)';
    console.log(
      `  ${sample.image.padEnd(8)} ${sample.where === 'share' ? 'into the 9p share ' : 'tar -x in guest   '} ${sample.pullMs.toFixed(0).padStart(6)} | ${sample.engineMs.toFixed(0).padStart(6)} | ${sample.unpackMs.toFixed(0).padStart(6)} | ${sample.firstRunMs.toFixed(0).padStart(6)}${ratio}`,
    );
  }
  const sorted = [...result.images50Ms].sort((a, b) => a - b);
  console.log(`  docker images with 50 images: median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms`);
}
