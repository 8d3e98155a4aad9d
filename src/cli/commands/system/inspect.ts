// docker inspect (docker/cli system/inspect.go): a container, else an image, network, volume... in
// the order docker tries them; unknown objects print [] and "Error: No such object: x".

import { defineCommand, requiresMinArgs, type BoolValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { renderInspect } from '../image/inspect';
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
      const elements: unknown[] = [];
      const errors: string[] = [];
      for (const name of args) {
        const n = encodeURIComponent(name);
        const attempts: [string, string][] = [
          ['container', `/containers/${n}/json${options.size.value ? '?size=1' : ''}`],
          ['image', `/images/${n}/json`],
          ['network', `/networks/${n}`],
          ['volume', `/volumes/${n}`],
        ];
        let found = false;
        for (const [kind, path] of attempts) {
          if (type !== '' && type !== kind) continue;
          const [bare, query] = path.split('?');
          const response = await env.client.request('GET', bare, { query: query ? { size: '1' } : undefined });
          if (response.status === 200) {
            elements.push(await response.json());
            found = true;
            break;
          }
          await response.bytes();
        }
        if (!found) errors.push(type !== '' ? `Error: No such ${type}: ${name}` : `Error: No such object: ${name}`);
      }
      env.stdout(elements.length > 0 ? renderInspect(options.format.value, elements) : options.format.value === '' ? '[]\n' : '');
      if (errors.length > 0) throw new Error(errors.join('\n'));
    },
  });
}
