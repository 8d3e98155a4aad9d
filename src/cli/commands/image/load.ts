// docker load (cli/command/image/load.go).

import type { DockerEnv } from '../../env';
import { defineCommand, noArgs, type BoolValue, type CommandDefinition, type StringValue } from '../../flags';
import { checkResponse, displayJsonMessages } from './common';

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  yield bytes;
}

export function loadCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ input: StringValue; quiet: BoolValue }, DockerEnv>({
    use: 'load [OPTIONS]',
    short: 'Load an image from a tar archive or STDIN',
    aliasesText: 'docker image load, docker load',
    args: noArgs,
    flags: (f) => {
      const input = f.string('input', 'i', '', 'Read from tar archive file, instead of STDIN');
      const quiet = f.bool('quiet', 'q', false, 'Suppress the load output');
      f.string('platform', '', '', 'Load only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")');
      f.setAnnotation('platform', 'version', ['1.48']);
      return { input, quiet };
    },
    run: async ({ options, env }) => {
      let body: AsyncIterable<Uint8Array>;
      if (options.input.value === '') {
        if (env.stdinIsTerminal || !env.stdin) throw new Error('requested load from stdin, but stdin is empty');
        body = env.stdin;
      } else {
        let bytes: Uint8Array;
        try {
          bytes = await env.readFile(options.input.value);
        } catch {
          throw new Error(`open ${options.input.value}: no such file or directory`);
        }
        body = once(bytes);
      }
      const quiet = options.quiet.value || !env.stdoutIsTerminal;
      const response = await checkResponse(
        await env.client.request('POST', '/images/load', { query: { quiet: quiet ? '1' : undefined }, body, headers: { 'Content-Type': 'application/x-tar' } }),
      );
      // A JSON answer is a stream of messages; anything else is copied as it is (docker's LoadResponse.JSON).
      if ((response.headers['content-type'] ?? '').split(';')[0].trim() !== 'application/json') {
        env.stdout(await response.text());
        return;
      }
      await displayJsonMessages(response.stream(), (text) => env.stdout(text), { terminal: env.stdoutIsTerminal, columns: env.columns });
    },
  });
}
