// docker network inspect (cli/command/network/inspect.go and cli/command/inspect).

import type { DockerEnv } from '../../env';
import { StatusError, defineCommand, requiresMinArgs, type BoolValue, type CommandDefinition, type StringValue } from '../../flags';
import { parseFormat } from '../../formatter';
import { checkResponse, inspectFormatHelp } from '../image/common';
import { renderInspect } from '../image/inspect';

export function networkInspectCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ format: StringValue; verbose: BoolValue }, DockerEnv>({
    use: 'inspect [OPTIONS] NETWORK [NETWORK...]',
    short: 'Display detailed information on one or more networks',
    args: requiresMinArgs(1),
    flags: (f) => ({
      format: f.string('format', 'f', '', inspectFormatHelp),
      verbose: f.bool('verbose', 'v', false, 'Verbose output for diagnostics'),
    }),
    run: async ({ args, options, env }) => {
      const format = options.format.value;
      // inspect.Inspect: a bad template is exit status 64; errors are joined after the output.
      if (format !== '' && format !== 'json') {
        try {
          parseFormat(format);
        } catch (error) {
          throw new StatusError((error as Error).message, 64);
        }
      }
      const elements: unknown[] = [];
      const errors: string[] = [];
      for (const name of args) {
        try {
          const response = await checkResponse(
            await env.client.request('GET', `/networks/${encodeURIComponent(name)}`, { query: { verbose: options.verbose.value ? 'true' : undefined } }),
          );
          elements.push(await response.json());
        } catch (error) {
          errors.push((error as Error).message);
        }
      }
      if (format === '' || elements.length > 0) env.stdout(renderInspect(format, elements));
      if (errors.length > 0) throw new StatusError(errors.join('\n'), 1);
    },
  });
}
