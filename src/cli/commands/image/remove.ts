// docker rmi / docker image rm (cli/command/image/remove.go).

import type { DockerEnv } from '../../env';
import { defineCommand, requiresMinArgs, type BoolValue, type CommandDefinition } from '../../flags';
import { checkResponse, isNotFound } from './common';
import type { ImageDeleteItem } from '../../../api';

function removeCommand(use: string, aliases: string[]): CommandDefinition<DockerEnv> {
  return defineCommand<{ force: BoolValue; noPrune: BoolValue }, DockerEnv>({
    use,
    aliases,
    short: 'Remove one or more images',
    aliasesText: 'docker image rm, docker image remove, docker rmi',
    args: requiresMinArgs(1),
    flags: (f) => {
      const force = f.bool('force', 'f', false, 'Force removal of the image');
      const noPrune = f.bool('no-prune', '', false, 'Do not delete untagged parents');
      f.stringSlice('platform', '', [], 'Remove only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")');
      f.setAnnotation('platform', 'version', ['1.50']);
      return { force, noPrune };
    },
    run: async ({ args, options, env }) => {
      const errors: Error[] = [];
      let fatal = false;
      for (const image of args) {
        try {
          const response = await checkResponse(
            await env.client.request('DELETE', `/images/${encodeURIComponent(image)}`, {
              query: { force: options.force.value ? '1' : undefined, noprune: options.noPrune.value ? '1' : undefined },
            }),
          );
          const records = await response.json<ImageDeleteItem[]>();
          for (const record of records) {
            if (record.Deleted) env.stdout(`Deleted: ${record.Deleted}\n`);
            else env.stdout(`Untagged: ${record.Untagged ?? ''}\n`);
          }
        } catch (error) {
          if (!isNotFound(error)) fatal = true;
          errors.push(error as Error);
        }
      }
      if (errors.length > 0) {
        const message = errors.map((error) => error.message).join('\n');
        if (!options.force.value || fatal) throw new Error(message);
        env.stderr(`${message}\n`);
      }
    },
  });
}

export const rmiCommand = (): CommandDefinition<DockerEnv> => removeCommand('rmi [OPTIONS] IMAGE [IMAGE...]', []);
export const imageRemoveCommand = (): CommandDefinition<DockerEnv> => removeCommand('rm [OPTIONS] IMAGE [IMAGE...]', ['rmi', 'remove']);
