// docker rename (docker/cli container/rename.go).

import { defineCommand, exactArgs } from '../../flags';
import type { DockerEnv } from '../../env';
import { call, enc } from './util';

export function renameCommand() {
  return defineCommand<undefined, DockerEnv>({
    use: 'rename CONTAINER NEW_NAME',
    short: 'Rename a container',
    aliasesText: 'docker container rename, docker rename',
    args: exactArgs(2),
    run: async ({ args, env }) => {
      const oldName = args[0].trim();
      const newName = args[1].trim();
      if (oldName === '' || newName === '') throw new Error('Error: Neither old nor new names may be empty');
      try {
        await call(env, 'POST', `/containers/${enc(oldName)}/rename`, { query: { name: newName } });
      } catch (error) {
        throw new Error(`${error instanceof Error ? error.message : String(error)}\nError: failed to rename container named ${oldName}`);
      }
    },
  });
}
