// docker pause (docker/cli container/pause.go).

import { defineCommand, requiresMinArgs } from '../../flags';
import type { DockerEnv } from '../../env';
import { call, enc, forEachArg } from './util';

export function pauseCommand() {
  return defineCommand<undefined, DockerEnv>({
    use: 'pause CONTAINER [CONTAINER...]',
    short: 'Pause all processes within one or more containers',
    aliasesText: 'docker container pause, docker pause',
    args: requiresMinArgs(1),
    run: async ({ args, env }) => {
      await forEachArg(env, args, async (ref) => {
        await call(env, 'POST', `/containers/${enc(ref)}/pause`);
      });
    },
  });
}
