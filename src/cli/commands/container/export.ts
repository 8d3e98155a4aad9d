// docker export (docker/cli container/export.go).

import { defineCommand, exactArgs, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { call, enc } from './util';

export function exportCommand() {
  return defineCommand<{ output: StringValue }, DockerEnv>({
    use: 'export [OPTIONS] CONTAINER',
    short: "Export a container's filesystem as a tar archive",
    aliasesText: 'docker container export, docker export',
    args: exactArgs(1),
    flags: (flags) => ({ output: flags.string('output', 'o', '', 'Write to a file, instead of STDOUT') }),
    run: async ({ args, options, env }) => {
      const output = options.output.value;
      if (output === '' && env.stdoutIsTerminal) throw new Error('cowardly refusing to save to a terminal. Use the -o flag or redirect');
      const response = await call(env, 'GET', `/containers/${enc(args[0])}/export`);
      const bytes = await response.bytes();
      if (output !== '') {
        try {
          await env.writeFile(output, bytes);
        } catch (error) {
          throw new Error(`failed to export container: ${(error as Error).message}`);
        }
      } else await env.writeStdout(bytes);
    },
  });
}
