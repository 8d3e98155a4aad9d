// docker inspect (docker/cli system/inspect.go): a container, else an image, network, volume... in
// the order docker tries them; unknown objects print [] and "Error: No such object: x".

import { defineCommand, requiresMinArgs, type BoolValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { inspectEach } from '../image/inspect';
import { inspectFormatHelp } from '../container/common';

const types = ['config', 'container', 'image', 'network', 'node', 'plugin', 'secret', 'service', 'task', 'volume'];

export function inspectCommand() {
  return defineCommand<{ format: StringValue; type: StringValue; size: BoolValue }, DockerEnv>({
    use: 'inspect [OPTIONS] NAME|ID [NAME|ID...]',
    short: 'Return low-level information on Docker objects',
    args: requiresMinArgs(1),
    flags: (flags) => ({
      format: flags.string('format', 'f', '', inspectFormatHelp),
      type: flags.string('type', '', '', 'Only inspect objects of the given type'),
      size: flags.bool('size', 's', false, 'Display total file sizes if the type is container'),
    }),
    run: async ({ args, options, env }) => {
      const type = options.type.value;
      if (type !== '' && !types.includes(type)) throw new Error(`"${type}" is not a valid value for --type`);
      await inspectEach(env, args, options.format.value, async (name) => {
        const n = encodeURIComponent(name);
        const attempts: [string, string, boolean][] = [
          ['container', `/containers/${n}/json`, options.size.value],
          ['image', `/images/${n}/json`, false],
          ['network', `/networks/${n}`, false],
          ['volume', `/volumes/${n}`, false],
        ];
        for (const [kind, path, size] of attempts) {
          if (type !== '' && type !== kind) continue;
          const response = await env.client.request('GET', path, { query: size ? { size: '1' } : undefined });
          if (response.status === 200) return response.json();
          await response.bytes();
        }
        throw new Error(type !== '' ? `Error: No such ${type}: ${name}` : `Error: No such object: ${name}`);
      });
    },
  });
}
