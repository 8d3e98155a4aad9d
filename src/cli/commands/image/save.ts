// docker save (cli/command/image/save.go).

import type { DockerEnv } from '../../env';
import { defineCommand, requiresMinArgs, type CommandDefinition, type StringValue } from '../../flags';
import { checkResponse, readAll } from './common';

export function saveCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ output: StringValue }, DockerEnv>({
    use: 'save [OPTIONS] IMAGE [IMAGE...]',
    short: 'Save one or more images to a tar archive (streamed to STDOUT by default)',
    aliasesText: 'docker image save, docker save',
    args: requiresMinArgs(1),
    flags: (f) => {
      const output = f.string('output', 'o', '', 'Write to a file, instead of STDOUT');
      f.string('platform', '', '', 'Save only the given platform variant. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")');
      f.setAnnotation('platform', 'version', ['1.48']);
      return { output };
    },
    run: async ({ args, options, env }) => {
      if (options.output.value === '' && env.stdoutIsTerminal) {
        throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
      }
      const response = await checkResponse(await env.client.request('GET', '/images/get', { query: { names: [...args] } }));
      if (options.output.value === '') {
        for await (const chunk of response.stream()) await env.writeStdout(chunk);
        return;
      }
      const bytes = await readAll(response.stream());
      try {
        await env.writeFile(options.output.value, bytes);
      } catch (error) {
        throw new Error(`failed to save image: ${(error as Error).message}`);
      }
    },
  });
}
