// docker builder prune (cli/command/builder/prune.go). The legacy builder keeps its cache as images
// (docker image prune removes them); the daemon's build cache of BuildKit is always empty here.

import type { DockerEnv } from '../../env';
import { defineCommand, noArgs, type BoolValue, type CommandDefinition, type ListValue } from '../../flags';
import { humanSize } from '../../formatter';
import { checkResponse, confirm, filterFlag, filterPairs, filtersJson } from '../image/common';
import type { BuildCachePruneReport } from '../../../api';

const normalWarning = 'WARNING! This will remove all dangling build cache. Are you sure you want to continue?';
const allCacheWarning = 'WARNING! This will remove all build cache. Are you sure you want to continue?';

export function builderPruneCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ force: BoolValue; all: BoolValue; filter: ListValue }, DockerEnv>({
    use: 'prune',
    short: 'Remove build cache',
    args: noArgs,
    flags: (f) => {
      const all = f.bool('all', 'a', false, 'Remove all unused build cache, not just dangling ones');
      const filter = filterFlag(f, '', 'Provide filter values (e.g. "until=24h")');
      const force = f.bool('force', 'f', false, 'Do not prompt for confirmation');
      f.bytes('keep-storage', '', 0, 'Amount of disk space to keep for cache');
      return { force, all, filter };
    },
    run: async ({ options, env }) => {
      if (!options.force.value && !(await confirm(env, options.all.value ? allCacheWarning : normalWarning))) return;
      const response = await checkResponse(
        await env.client.request('POST', '/build/prune', { query: { all: options.all.value ? '1' : undefined, filters: filtersJson(filterPairs(options.filter.value)) } }),
      );
      const report = await response.json<BuildCachePruneReport>();
      if ((report.CachesDeleted ?? []).length > 0) env.stdout(`Deleted build cache objects:\n${(report.CachesDeleted ?? []).join('\n')}\n\n`);
      env.stdout(`Total reclaimed space: ${humanSize(report.SpaceReclaimed)}\n`);
    },
  });
}
