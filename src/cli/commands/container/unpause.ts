// docker unpause (docker/cli container/unpause.go).

import { defineCommand, requiresMinArgs } from '../../flags';
import type { DockerEnv } from '../../env';
import { call, enc, forEachArg } from './util';

export function unpauseCommand() {
  return defineCommand<undefined, DockerEnv>({
    use: 'unpause CONTAINER [CONTAINER...]',
    short: 'Unpause all processes within one or more containers',
    aliasesText: 'docker container unpause, docker unpause',
    args: requiresMinArgs(1),
    run: async ({ args, env }) => {
      await forEachArg(env, args, async (ref) => {
        await call(env, 'POST', `/containers/${enc(ref)}/unpause`);
      });
    },
  });
}
