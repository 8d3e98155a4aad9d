// docker network ls (cli/command/network/list.go).

import type { DockerEnv } from '../../env';
import { defineCommand, noArgs, type BoolValue, type CommandDefinition, type ListValue, type StringValue } from '../../flags';
import { checkResponse, filterFlag, filterPairs, filtersJson, formatHelp, readConfig } from '../image/common';
import { networkWrite, type NetworkSummary } from './formatter';

export function networkListCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ quiet: BoolValue; noTrunc: BoolValue; format: StringValue; filter: ListValue }, DockerEnv>({
    use: 'ls [OPTIONS]',
    aliases: ['list'],
    aliasesText: 'docker network ls, docker network list',
    short: 'List networks',
    args: noArgs,
    flags: (f) => {
      const quiet = f.bool('quiet', 'q', false, 'Only display network IDs');
      const noTrunc = f.bool('no-trunc', '', false, 'Do not truncate the output');
      const format = f.string('format', '', '', formatHelp);
      const filter = filterFlag(f, 'f', 'Provide filter values (e.g. "driver=bridge")');
      return { quiet, noTrunc, format, filter };
    },
    run: async ({ options, env }) => {
      const response = await checkResponse(
        await env.client.request('GET', '/networks', { query: { filters: filtersJson(filterPairs(options.filter.value)) } }),
      );
      const networks = (await response.json<NetworkSummary[] | null>()) ?? [];
      let format = options.format.value;
      if (format === '') {
        const configured = (await readConfig(env)).networksFormat;
        format = typeof configured === 'string' && configured !== '' && !options.quiet.value ? configured : 'table';
      }
      env.stdout(networkWrite(format, options.quiet.value, !options.noTrunc.value, networks));
    },
  });
}
