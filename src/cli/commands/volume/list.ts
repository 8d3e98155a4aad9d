// docker volume ls (cli/command/volume/list.go).

import type { DockerEnv } from '../../env';
import { defineCommand, noArgs, type BoolValue, type CommandDefinition, type ListValue, type StringValue } from '../../flags';
import { checkResponse, filterFlag, filterPairs, filtersJson, formatHelp, readConfig } from '../image/common';
import { volumeWrite } from './formatter';
import type { VolumeListResponse } from '../../../api';

export function volumeListCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ quiet: BoolValue; format: StringValue; filter: ListValue; cluster: BoolValue }, DockerEnv>({
    use: 'ls [OPTIONS]',
    aliases: ['list'],
    aliasesText: 'docker volume ls, docker volume list',
    short: 'List volumes',
    args: noArgs,
    flags: (f) => {
      const quiet = f.bool('quiet', 'q', false, 'Only display volume names');
      const format = f.string('format', '', '', formatHelp);
      const filter = filterFlag(f, 'f', 'Provide filter values (e.g. "dangling=true")');
      const cluster = f.bool('cluster', '', false, 'Display only cluster volumes, and use cluster volume list formatting');
      f.setAnnotation('cluster', 'version', ['1.42']);
      f.setAnnotation('cluster', 'swarm', ['manager']);
      f.markHidden('cluster');
      return { quiet, format, filter, cluster };
    },
    run: async ({ options, env }) => {
      const response = await checkResponse(
        await env.client.request('GET', '/volumes', { query: { filters: filtersJson(filterPairs(options.filter.value)) } }),
      );
      const list = await response.json<VolumeListResponse>();
      let volumes = list.Volumes ?? [];
      let format = options.format.value;
      if (options.cluster.value) {
        // Dockside has no cluster volumes: the list is empty, in the cluster layout.
        volumes = [];
        format = options.quiet.value ? 'table' : 'table {{.Name}}\t{{.Group}}\t{{.Driver}}\t{{.Availability}}\t{{.Status}}';
      } else if (format === '') {
        // The config file's volumesFormat, unless -q.
        const configured = (await readConfig(env)).volumesFormat;
        format = typeof configured === 'string' && configured !== '' && !options.quiet.value ? configured : 'table';
      }
      env.stdout(volumeWrite(format, options.quiet.value, volumes));
    },
  });
}
