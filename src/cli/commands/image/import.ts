// docker import (cli/command/image/import.go).

import type { DockerEnv } from '../../env';
import { ListValue, defineCommand, requiresMinArgs, type CommandDefinition, type StringValue } from '../../flags';
import { checkResponse, displayJsonMessages, parseReference } from './common';

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

export function importCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ changes: ListValue; message: StringValue }, DockerEnv>({
    use: 'import [OPTIONS] file|URL|- [REPOSITORY[:TAG]]',
    short: 'Import the contents from a tarball to create a filesystem image',
    aliasesText: 'docker image import, docker import',
    args: requiresMinArgs(1),
    flags: (f) => {
      const changes = f.list('change', 'c', 'Apply Dockerfile instruction to the created image');
      const message = f.string('message', 'm', '', 'Set commit message for imported image');
      f.string('platform', '', '', 'Set platform if server is multi-platform capable');
      f.setAnnotation('platform', 'version', ['1.32']);
      return { changes, message };
    },
    run: async ({ args, options, env }) => {
      const [source, target] = args;
      let body: AsyncIterable<Uint8Array> | undefined;
      let fromSrc = '-';
      if (source === '-') body = env.stdin ?? once(new Uint8Array(0));
      else if (/^https?:\/\//.test(source)) fromSrc = source;
      else {
        try {
          body = once(await env.readFile(source));
        } catch {
          throw new Error(`open ${source}: no such file or directory`);
        }
      }
      // The client checks the reference, then sends it as typed (the daemon splits off the tag).
      if (target) parseReference(target);
      const repo = target;
      const response = await checkResponse(
        await env.client.request('POST', '/images/create', {
          query: {
            fromSrc,
            repo,
            message: options.message.value || undefined,
            changes: options.changes.value.length > 0 ? [...options.changes.value] : undefined,
          },
          body,
        }),
      );
      await displayJsonMessages(response.stream(), (text) => env.stdout(text), { terminal: env.stdoutIsTerminal, columns: env.columns });
    },
  });
}
