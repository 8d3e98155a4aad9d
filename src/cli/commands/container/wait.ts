// docker wait (docker/cli container/wait.go): prints each container's exit code.

import { defineCommand, requiresMinArgs } from '../../flags';
import type { DockerEnv } from '../../env';
import { call, enc } from './util';
import type { WaitResponse } from '../../../api';

export function waitCommand() {
  return defineCommand<undefined, DockerEnv>({
    use: 'wait CONTAINER [CONTAINER...]',
    short: 'Block until one or more containers stop, then print their exit codes',
    aliasesText: 'docker container wait, docker wait',
    args: requiresMinArgs(1),
    run: async ({ args, env }) => {
      const errors: string[] = [];
      for (const ref of args) {
        try {
          const response = await call(env, 'POST', `/containers/${enc(ref)}/wait`);
          const result = await response.json<WaitResponse>();
          env.stdout(`${result.StatusCode}\n`);
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
      }
      if (errors.length > 0) throw new Error(errors.join('\n'));
    },
  });
}
