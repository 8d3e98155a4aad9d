// docker ps / docker container ls (docker/cli container/list.go).

import { defineCommand, noArgs, type BoolValue, type IntValue, type ListValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { containerWrite, parseFormat, type ContainerSummary } from '../../formatter';
import { filterFlag, filtersJson, formatHelp } from './common';
import { callJson } from './util';

interface PsOptions {
  quiet: BoolValue;
  size: BoolValue;
  all: BoolValue;
  noTrunc: BoolValue;
  latest: BoolValue;
  last: IntValue;
  format: StringValue;
  filter: ListValue;
}

export function psCommand(use = 'ps [OPTIONS]', aliases: string[] = []) {
  return defineCommand<PsOptions, DockerEnv>({
    use,
    aliases,
    short: 'List containers',
    aliasesText: 'docker container ls, docker container list, docker container ps, docker ps',
    categoryTop: use.startsWith('ps') ? 3 : undefined,
    args: noArgs,
    flags: (flags) => ({
      quiet: flags.bool('quiet', 'q', false, 'Only display container IDs'),
      size: flags.bool('size', 's', false, 'Display total file sizes'),
      all: flags.bool('all', 'a', false, 'Show all containers (default shows just running)'),
      noTrunc: flags.bool('no-trunc', '', false, "Don't truncate output"),
      latest: flags.bool('latest', 'l', false, 'Show the latest created container (includes all states)'),
      last: flags.int('last', 'n', -1, 'Show n last created containers (includes all states)'),
      format: flags.string('format', '', '', formatHelp),
      filter: filterFlag(flags),
    }),
    run: async ({ options, flags, env }) => {
      const format = options.format.value;
      if (format !== '' && options.quiet.value) env.stderr('WARNING: Ignoring custom format, because both --format and --quiet are set.\n');
      let limit = options.last.value;
      if (options.latest.value && limit === -1) limit = 1;
      let size = options.size.value;
      if (format !== '') {
        try {
          parseFormat(format);
        } catch (error) {
          throw new Error(`failed to parse template: ${(error as Error).message}`);
        }
        if (!options.quiet.value && !size && !flags.changed('size') && /\.Size\b/.test(format)) size = true;
      }
      const containers = await callJson<ContainerSummary[]>(env, 'GET', '/containers/json', {
        query: {
          all: options.all.value ? '1' : undefined,
          filters: filtersJson(options.filter.value),
          limit: limit !== -1 ? String(limit) : undefined,
          size: size ? '1' : undefined,
        },
      });
      env.stdout(containerWrite({ format, quiet: options.quiet.value, size, trunc: !options.noTrunc.value, nowMs: env.now().getTime() }, containers));
    },
  });
}
