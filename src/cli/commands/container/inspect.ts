// docker container inspect (docker/cli container/inspect.go).

import { defineCommand, requiresMinArgs, type BoolValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { inspectEach } from '../image/inspect';
import { inspectFormatHelp } from './common';
import { call, enc } from './util';

export function containerInspectCommand() {
  return defineCommand<{ format: StringValue; size: BoolValue }, DockerEnv>({
    use: 'inspect [OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Display detailed information on one or more containers',
    args: requiresMinArgs(1),
    flags: (flags) => ({
      format: flags.string('format', 'f', '', inspectFormatHelp),
      size: flags.bool('size', 's', false, 'Display total file sizes'),
    }),
    run: async ({ args, options, env }) => {
      await inspectEach(env, args, options.format.value, async (ref) => {
        try {
          const response = await call(env, 'GET', `/containers/${enc(ref)}/json`, { query: { size: options.size.value ? '1' : undefined } });
          return await response.json();
        } catch (error) {
          const message = (error as Error).message.replace(/^Error response from daemon: /, '');
          throw new Error(message.startsWith('Error:') ? message : `Error: ${message}`);
        }
      });
    },
  });
}
