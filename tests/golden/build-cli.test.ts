// docker build by the real docker 28 client (no buildx: the legacy builder) and by ours, each against
// a fresh Dockside daemon served over HTTP: the same context, the same output byte for byte once ids
// are masked. This checks the request (query, chunked tar upload) and the stream's layout end to end.
// Skipped without the real client.

import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runDocker } from '../../src/cli/docker';
import type { DockerEnv } from '../../src/cli/env';
import { engineClientForDockerHost } from '../../src/node/net-connection';
import { Daemon } from '../../src/engine/daemon';
import { MemoryRegistry } from '../../src/engine/registry/memory-registry';
import { MemoryStore } from '../../src/engine/store';
import { nodeArchives } from '../../src/node/docker';
import { listenApi, type ApiServer } from '../../src/node/serve';
import { RunLayerRuntime, type FakeProgram } from '../helpers/fake-runtime';
import { REAL_DOCKER, realDocker28 } from '../helpers/requirements';

const realDocker = REAL_DOCKER;
const present = realDocker28('build comparisons');

const program: FakeProgram = async ({ spec, stdout, stderr }) => {
  for (const part of (spec.args[2] ?? '').split('; ')) {
    const exit = /^exit (\d+)$/.exec(part);
    if (exit) return Number(exit[1]);
    if (part.startsWith('echo ')) await stdout(`${part.slice(5)}\n`);
    if (part.startsWith('warn ')) await stderr(`${part.slice(5)}\n`);
  }
  return 0;
};


const servers: ApiServer[] = [];
const dirs: string[] = [];
afterAll(async () => {
  for (const server of servers) await server.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function serveDaemon(): Promise<ApiServer> {
  const registry = new MemoryRegistry();
  await registry.add('docker.io/library/busybox:latest', {
    files: { 'bin/sh': 'SH', 'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\n' },
    config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    created: '2025-05-01T00:00:00Z',
  });
  const daemon = new Daemon({ store: new MemoryStore(), runtime: new RunLayerRuntime(program), registry, clock: () => new Date('2026-03-01T10:00:00Z') });
  const server = await listenApi((request) => daemon.router.handle(request), { host: '127.0.0.1', port: 0 });
  servers.push(server);
  return server;
}

function theirs(argv: string[], cwd: string, dockerHost: string): Promise<{ stdout: string; stderr: string; status: number }> {
  return new Promise((resolve) => {
    const child = spawn(realDocker, argv, { cwd, env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', DOCKER_HOST: dockerHost } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.on('close', (code) => resolve({ stdout, stderr, status: code ?? -1 }));
  });
}

async function ours(argv: string[], cwd: string, dockerHost: string): Promise<{ stdout: string; stderr: string; status: number }> {
  let stdout = '';
  let stderr = '';
  const env = {
    client: engineClientForDockerHost(dockerHost),
    stdout: (text: string) => void (stdout += text),
    stderr: (text: string) => void (stderr += text),
    environment: { HOME: '/nonexistent', DOCKER_HOST: dockerHost },
    stdin: undefined,
    stdinIsTerminal: false,
    stdoutIsTerminal: false,
    onSignal: () => () => undefined,
    readFile: async (path: string) => new Uint8Array(await import('node:fs/promises').then((fs) => fs.readFile(path))),
    writeFile: async () => undefined,
    now: () => new Date(),
    cwd,
    archives: nodeArchives(),
  } as unknown as DockerEnv;
  const status = await runDocker(argv, env);
  return { stdout, stderr, status };
}

const mask = (text: string) => text.replace(/sha256:[0-9a-f]{64}/g, 'sha256:<digest>').replace(/\b[0-9a-f]{12}\b/g, '<id>');

function context(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'dockside-build-'));
  dirs.push(dir);
  for (const [name, content] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), content);
  }
  return dir;
}

const cases: [string, Record<string, string>, string[]][] = [
  [
    'RUN, COPY, ENV, WORKDIR, CMD, stderr and build args',
    {
      Dockerfile: 'FROM busybox\nARG WHO=world\nWORKDIR /app\nENV GREETING=hello\nCOPY . .\nRUN echo hi $WHO; warn careful\nCMD ["sh"]\n',
      'a.txt': 'a\n',
      'sub/b.txt': 'b\n',
      '.dockerignore': '*.log\n',
      'skip.log': 'x\n',
    },
    ['build', '-t', 'mine:1', '--build-arg', 'WHO=you', '--build-arg', 'UNUSED=1', '.'],
  ],
  ['a failing RUN', { Dockerfile: 'FROM busybox\nRUN echo failing; exit 3\n' }, ['build', '.']],
  ['an unknown instruction', { Dockerfile: 'FROM busybox\nLABLE a=b\n' }, ['build', '.']],
  ['COPY outside the context', { Dockerfile: 'FROM busybox\nCOPY ../x /x\n' }, ['build', '.']],
  ['-q', { Dockerfile: 'FROM busybox\nLABEL a=b\n' }, ['build', '-q', '.']],
  ['-f another Dockerfile and --label', { 'build/Other': 'FROM busybox\nEXPOSE 80\n' }, ['build', '-f', 'build/Other', '--label', 'x=y', '.']],
];

describe.skipIf(!present)('docker build: the real docker 28 client and ours, against Dockside', () => {
  it.each(cases)('%s', async (_name, files, argv) => {
    const dir = context(files);
    const real = await theirs(argv, dir, (await serveDaemon()).dockerHost);
    const mine = await ours(argv, dir, (await serveDaemon()).dockerHost);
    expect({ ...mine, stdout: mask(mine.stdout), stderr: mask(mine.stderr) }).toEqual({ ...real, stdout: mask(real.stdout), stderr: mask(real.stderr) });
  }, 30_000);
});
