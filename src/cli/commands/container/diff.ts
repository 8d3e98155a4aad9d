// docker diff (docker/cli container/diff.go): "C /etc", "A /x", "D /y".

import { defineCommand, exactArgs } from '../../flags';
import type { DockerEnv } from '../../env';
import { callJson, enc } from './util';
import type { FilesystemChange } from '../../../api';

export function diffCommand() {
  return defineCommand<undefined, DockerEnv>({
    use: 'diff CONTAINER',
    short: "Inspect changes to files or directories on a container's filesystem",
    aliasesText: 'docker container diff, docker diff',
    args: exactArgs(1),
    run: async ({ args, env }) => {
      const changes = await callJson<FilesystemChange[] | null>(env, 'GET', `/containers/${enc(args[0])}/changes`);
      const kinds = ['C', 'A', 'D'];
      env.stdout((changes ?? []).map((change) => `${kinds[change.Kind] ?? '?'} ${change.Path}\n`).join(''));
    },
  });
}
