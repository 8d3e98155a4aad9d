// docker network prune (cli/command/network/prune.go).

import type { DockerEnv } from '../../env';
import { defineCommand, noArgs, type BoolValue, type CommandDefinition, type ListValue } from '../../flags';
import { checkResponse, confirm, filterFlag, filterPairs, filtersJson } from '../image/common';
import type { NetworkPruneReport } from '../../../api';

const warning = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue?';

export function networkPruneCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ force: BoolValue; filter: ListValue }, DockerEnv>({
    use: 'prune [OPTIONS]',
    short: 'Remove all unused networks',
    args: noArgs,
    flags: (f) => {
      const force = f.bool('force', 'f', false, 'Do not prompt for confirmation');
      const filter = filterFlag(f, '', 'Provide filter values (e.g. "until=<timestamp>")');
      return { force, filter };
    },
    run: async ({ options, env }) => {
      // A "no" cancels quietly (docker's cancelled error: nothing more is printed, exit status 0).
      if (!options.force.value && !(await confirm(env, warning))) return;
      const response = await checkResponse(
        await env.client.request('POST', '/networks/prune', { query: { filters: filtersJson(filterPairs(options.filter.value)) } }),
      );
      const report = await response.json<Partial<NetworkPruneReport>>();
      const deleted = report.NetworksDeleted ?? [];
      if (deleted.length > 0) env.stdout(`Deleted Networks:\n${deleted.map((name) => `${name}\n`).join('')}\n`);
    },
  });
}
