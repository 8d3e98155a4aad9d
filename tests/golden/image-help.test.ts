// `--help` and argument errors of the image commands against the real docker v28 client, which is
// installed on the development machines (its help and flag errors need no daemon). Skipped without it.

import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { runDocker } from '../../src/cli/docker';
import type { DockerEnv } from '../../src/cli/env';
import { REAL_DOCKER, realDocker28 } from '../helpers/requirements';

const realDocker = REAL_DOCKER;
const present = realDocker28('help comparisons');

async function ours(argv: string[]): Promise<{ stdout: string; stderr: string; status: number }> {
  let stdout = '';
  let stderr = '';
  const env = {
    stdout: (text: string) => void (stdout += text),
    stderr: (text: string) => void (stderr += text),
    environment: {},
    stdinIsTerminal: false,
    stdoutIsTerminal: false,
  } as unknown as DockerEnv;
  const status = await runDocker(argv, env);
  return { stdout, stderr, status };
}

function theirs(argv: string[]): { stdout: string; stderr: string; status: number } {
  const result = spawnSync(realDocker, argv, { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: '/nonexistent', DOCKER_HOST: 'tcp://127.0.0.1:1' } });
  return { stdout: result.stdout, stderr: result.stderr, status: result.status ?? -1 };
}

const helpOf = [
  'pull', 'push', 'images', 'image ls', 'image list', 'rmi', 'image rm', 'image remove', 'tag', 'image tag', 'history', 'image history',
  'image inspect', 'save', 'image save', 'load', 'image load', 'import', 'image import', 'image prune', 'search', 'login', 'logout', 'image pull',
];

const argumentErrors = [
  'pull', 'pull a b', 'tag a', 'images a b', 'load x', 'rmi', 'login a b', 'search', 'history', 'image inspect', 'save', 'import',
  'image prune x', 'push', 'pull -a busybox:1', 'images --bogus', 'images -f foo', 'pull UPPER', 'login --password-stdin', 'login -u',
  'images --tree -q', 'search --limit x busybox', 'logout a b',
];

describe.skipIf(!present)('the image commands next to the real docker 28 client', () => {
  it.each(helpOf)('docker %s --help', async (command) => {
    const argv = [...command.split(' '), '--help'];
    expect(await ours(argv)).toEqual(theirs(argv));
  });

  it.each(argumentErrors)('docker %s', async (command) => {
    const argv = command.split(' ');
    expect(await ours(argv)).toEqual(theirs(argv));
  });
});
