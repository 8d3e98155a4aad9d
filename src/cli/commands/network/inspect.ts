// docker network inspect (cli/command/network/inspect.go and cli/command/inspect).

import type { DockerEnv } from '../../env';
import { defineCommand, requiresMinArgs, type BoolValue, type CommandDefinition, type StringValue } from '../../flags';
import { checkResponse, inspectFormatHelp } from '../image/common';
import { inspectEach } from '../image/inspect';

export function networkInspectCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ format: StringValue; verbose: BoolValue }, DockerEnv>({
    use: 'inspect [OPTIONS] NETWORK [NETWORK...]',
    short: 'Display detailed information on one or more networks',
    args: requiresMinArgs(1),
    flags: (f) => ({
      format: f.string('format', 'f', '', inspectFormatHelp),
      verbose: f.bool('verbose', 'v', false, 'Verbose output for diagnostics'),
    }),
    run: ({ args, options, env }) =>
      inspectEach(env, args, options.format.value, async (name) =>
        (await checkResponse(await env.client.request('GET', `/networks/${encodeURIComponent(name)}`, { query: { verbose: options.verbose.value ? 'true' : undefined } }))).json(),
      ),
  });
}
