// `docker build --help`, `docker image build --help`, argument and flag errors and the legacy
// builder's notices (DOCKER_BUILDKIT unset, 0, 1, bogus) against the real docker 28 client, which
// has no buildx plugin here. Skipped without it.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runDocker } from '../../src/cli/docker';
import type { DockerEnv } from '../../src/cli/env';
import { REAL_DOCKER, realDocker28 } from '../helpers/requirements';

const realDocker = REAL_DOCKER;
const present = realDocker28('build help comparisons');

async function ours(argv: string[], environment: Record<string, string>): Promise<{ stdout: string; stderr: string; status: number }> {
  let stdout = '';
  let stderr = '';
  const env = {
    stdout: (text: string) => void (stdout += text),
    stderr: (text: string) => void (stderr += text),
    environment,
    stdinIsTerminal: false,
    stdoutIsTerminal: false,
    cwd: '/',
    archives: { lstat: async () => undefined, pack: async () => new Uint8Array(0), unpack: async () => undefined },
  } as unknown as DockerEnv;
  const status = await runDocker(argv, env);
  return { stdout, stderr, status };
}

function theirs(argv: string[], environment: Record<string, string>): { stdout: string; stderr: string; status: number } {
  const result = spawnSync(realDocker, argv, { encoding: 'utf8', cwd: '/', env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', DOCKER_HOST: 'tcp://127.0.0.1:1', ...environment } });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status ?? -1 };
}

const cases: [string, Record<string, string>][] = [
  ['build --help', {}],
  ['image build --help', {}],
  ['build', {}],
  ['build a b', {}],
  ['build -t UPPER .', {}],
  ['build --bogus .', {}],
  ['build /nonexistent-dir', {}],
  ['build /nonexistent-dir', { DOCKER_BUILDKIT: '0' }],
  ['build .', { DOCKER_BUILDKIT: '1' }],
  ['build .', { DOCKER_BUILDKIT: 'maybe' }],
  ['image build', { DOCKER_BUILDKIT: 'false' }],
  ['builder --help', {}],
  ['builder build --help', {}],
  ['builder prune --help', {}],
  ['builder prune a', {}],
];

describe.skipIf(!present)('docker build next to the real docker 28 client', () => {
  it.each(cases)('docker %s %j', async (command, environment) => {
    const argv = command.split(' ');
    expect(await ours(argv, environment)).toEqual(theirs(argv, environment));
  });
});
