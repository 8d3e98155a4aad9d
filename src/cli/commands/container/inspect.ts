// docker container inspect (docker/cli container/inspect.go).

import { defineCommand, requiresMinArgs, type BoolValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { renderInspect } from '../image/inspect';
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
      const elements: unknown[] = [];
      const errors: string[] = [];
      for (const ref of args) {
        try {
          const response = await call(env, 'GET', `/containers/${enc(ref)}/json`, { query: { size: options.size.value ? '1' : undefined } });
          elements.push(await response.json());
        } catch (error) {
          errors.push((error as Error).message.replace(/^Error response from daemon: /, ''));
        }
      }
      if (elements.length > 0 || errors.length === 0) env.stdout(renderInspect(options.format.value, elements));
      else if (options.format.value === '') env.stdout('[]\n');
      if (errors.length > 0) throw new Error(errors.map((e) => (e.startsWith('Error:') ? e : `Error: ${e}`)).join('\n'));
    },
  });
}
