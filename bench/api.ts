// The Engine API over HTTP (`dockside serve`), measured with the real docker CLI:
//  - `docker ps` round trip (process start + ping + GET /containers/json), with `docker --version`
//    (the same process start, no daemon) as its baseline, and one keep-alive GET /v1.47/containers/json
//    on a raw socket (the HTTP round trip alone);
//  - attach throughput: `docker run --rm busybox head -c 4M /dev/zero` through the hijacked connection,
//    from the first byte of stdout to the last, with Dockside's own CLI in process (no HTTP) as the
//    baseline for the same work.
// The lead wires benchApi() into bench/run.ts; the real CLI must be at /usr/local/bin/docker.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { InProcessClient } from '../src/cli/client';
import { runDocker } from '../src/cli/docker';
import { captureEnv } from '../tests/helpers/docker-env';
import { startServe } from '../src/node/serve';

export const DOCKER_CLI = process.env.DOCKSIDE_DOCKER_CLI ?? '/usr/local/bin/docker';

export interface ApiBench {
  /** ms per run */
  cliVersion: number[];
  cliPs: number[];
  httpPs: number[];
  runTrue: number[];
  /** MB/s through the real CLI's attach (HTTP) and through Dockside's CLI in process */
  attachHttp: number;
  attachInProcess: number;
}

const ATTACH_BYTES = 4 * 1024 * 1024;

function run(args: string[], env: Record<string, string>): Promise<{ ms: number; bytes: number; status: number; streamMs: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(DOCKER_CLI, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/tmp', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let bytes = 0;
    let first = 0;
    let last = 0;
    child.stdout.on('data', (d: Buffer) => {
      last = performance.now();
      if (bytes === 0) first = last;
      bytes += d.length;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - started, bytes, status: code ?? 1, streamMs: last - first }));
  });
}

async function keepAliveRoundTrips(host: string, port: number, n: number): Promise<number[]> {
  const socket = connect({ host, port });
  await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  const samples: number[] = [];
  let buffer = Buffer.alloc(0);
  let waiting: (() => void) | undefined;
  socket.on('data', (d: Buffer) => {
    buffer = Buffer.concat([buffer, d]);
    const head = buffer.indexOf('\r\n\r\n');
    if (head < 0) return;
    const length = Number(/content-length: (\d+)/i.exec(buffer.subarray(0, head).toString('latin1'))?.[1] ?? 0);
    if (buffer.length >= head + 4 + length) {
      buffer = buffer.subarray(head + 4 + length);
      waiting?.();
    }
  });
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await new Promise<void>((resolve) => {
      waiting = resolve;
      socket.write('GET /v1.47/containers/json HTTP/1.1\r\nHost: api.moby.localhost\r\n\r\n');
    });
    samples.push(performance.now() - started);
  }
  socket.destroy();
  return samples;
}

export async function benchApi(runs: number): Promise<ApiBench | undefined> {
  if (!existsSync(DOCKER_CLI)) return undefined;
  const serve = await startServe({ host: '127.0.0.1', port: 0, unsafeListenAny: false, mode: 'restore' });
  try {
    const env = { DOCKER_HOST: serve.dockerHost };
    const pull = await run(['pull', '-q', 'busybox'], env);
    if (pull.status !== 0) throw new Error('docker pull busybox failed');
    const cliVersion: number[] = [];
    const cliPs: number[] = [];
    const runTrue: number[] = [];
    const runBig: number[] = [];
    await run(['--version'], {}); // warm the binary into the page cache
    await run(['ps'], env);
    for (let i = 0; i < runs; i++) {
      cliVersion.push((await run(['--version'], {})).ms);
      const ps = await run(['ps'], env);
      if (ps.status !== 0) throw new Error('docker ps failed');
      cliPs.push(ps.ms);
    }
    const httpPs = await keepAliveRoundTrips('127.0.0.1', serve.port ?? 0, Math.max(20, runs * 4));
    for (let i = 0; i < Math.max(2, Math.ceil(runs / 2)); i++) {
      runTrue.push((await run(['run', '--rm', 'busybox', 'true'], env)).ms);
      const big = await run(['run', '--rm', 'busybox', 'head', '-c', String(ATTACH_BYTES), '/dev/zero'], env);
      if (big.bytes !== ATTACH_BYTES) throw new Error(`attach delivered ${big.bytes} of ${ATTACH_BYTES} bytes`);
      runBig.push(big.streamMs);
    }
    // The same through Dockside's CLI in process (no HTTP, no socket): the baseline.
    const inProcess = async (args: string[]): Promise<{ ms: number; bytes: number; streamMs: number }> => {
      let bytes = 0;
      let first = 0;
      let last = 0;
      const envIn = captureEnv(new InProcessClient((request) => serve.daemon.router.handle(request)), {
        stdout: (text) => void (bytes += text.length),
        stderr: () => undefined,
        writeStdout: async (chunk) => {
          last = performance.now();
          if (bytes === 0) first = last;
          bytes += chunk.length;
        },
        now: () => new Date(),
      }).env;
      const started = performance.now();
      await runDocker(args, envIn);
      return { ms: performance.now() - started, bytes, streamMs: last - first };
    };
    await inProcess(['run', '--rm', 'busybox', 'true']);
    const inBig: number[] = [];
    for (let i = 0; i < Math.max(2, Math.ceil(runs / 2)); i++) {
      inBig.push((await inProcess(['run', '--rm', 'busybox', 'head', '-c', String(ATTACH_BYTES), '/dev/zero'])).streamMs);
    }
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    // From the first byte of stdout to the last: the stream alone, without container start and exit.
    const mbps = (streamMs: number[]) => ATTACH_BYTES / 1e6 / (Math.max(1, median(streamMs)) / 1000);
    return { cliVersion, cliPs, httpPs, runTrue, attachHttp: mbps(runBig), attachInProcess: mbps(inBig) };
  } finally {
    await serve.close();
  }
}

/** Prints the section as bench/run.ts does. */
export function printApiBench(b: ApiBench): void {
  const stats = (xs: number[]) => {
    const sorted = [...xs].sort((a, b) => a - b);
    return `min ${sorted[0].toFixed(1)} ms  median ${sorted[Math.floor(sorted.length / 2)].toFixed(1)} ms`;
  };
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log('Engine API over HTTP (dockside serve, the real docker CLI 28.2.2)');
  console.log(`  docker --version, no daemon (baseline)  ${stats(b.cliVersion)}`);
  console.log(`  docker ps                               ${stats(b.cliPs)}  = +${(median(b.cliPs) - median(b.cliVersion)).toFixed(1)} ms over baseline (median)`);
  console.log(`  GET /containers/json, keep-alive socket ${stats(b.httpPs)}`);
  console.log(`  docker run --rm busybox true            ${stats(b.runTrue)}`);
  console.log(`  attach, 4 MB of stdout: in process (baseline) ${b.attachInProcess.toFixed(2)} MB/s; real CLI over HTTP ${b.attachHttp.toFixed(2)} MB/s = ${(b.attachHttp / b.attachInProcess).toFixed(2)}x baseline`);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const result = await benchApi(Number(process.env.BENCH_RUNS ?? 5));
  if (result) printApiBench(result);
  else console.log(`API benchmark skipped: ${DOCKER_CLI} is not installed`);
  process.exit(0);
}
