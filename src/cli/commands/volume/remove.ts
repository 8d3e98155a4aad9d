// docker volume rm (cli/command/volume/remove.go).

import type { DockerEnv } from '../../env';
import { defineCommand, requiresMinArgs, type BoolValue, type CommandDefinition } from '../../flags';
import { checkResponse } from '../image/common';

export function volumeRemoveCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ force: BoolValue }, DockerEnv>({
    use: 'rm [OPTIONS] VOLUME [VOLUME...]',
    aliases: ['remove'],
    aliasesText: 'docker volume rm, docker volume remove',
    short: 'Remove one or more volumes',
    long: 'Remove one or more volumes. You cannot remove a volume that is in use by a container.',
    args: requiresMinArgs(1),
    flags: (f) => {
      const force = f.bool('force', 'f', false, 'Force the removal of one or more volumes');
      f.setAnnotation('force', 'version', ['1.25']);
      return { force };
    },
    run: async ({ args, options, env }) => {
      const errors: string[] = [];
      for (const name of args) {
        try {
          await checkResponse(
            await env.client.request('DELETE', `/volumes/${encodeURIComponent(name)}`, { query: { force: options.force.value ? '1' : undefined } }),
          );
          env.stdout(`${name}\n`);
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
      if (errors.length > 0) throw new Error(errors.join('\n'));
    },
  });
}
