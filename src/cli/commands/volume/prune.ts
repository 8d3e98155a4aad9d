// docker volume prune (cli/command/volume/prune.go).

import type { DockerEnv } from '../../env';
import { StatusError, defineCommand, noArgs, type BoolValue, type CommandDefinition, type ListValue } from '../../flags';
import { humanSize } from '../../formatter';
import { checkResponse, confirm, filterFlag, filterPairs, filtersJson } from '../image/common';
import type { VolumePruneReport } from '../../../api';

const unusedVolumesWarning = 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue?';
const allVolumesWarning = 'WARNING! This will remove all local volumes not used by at least one container.\nAre you sure you want to continue?';

export function volumePruneCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ all: BoolValue; force: BoolValue; filter: ListValue }, DockerEnv>({
    use: 'prune [OPTIONS]',
    short: 'Remove unused local volumes',
    args: noArgs,
    flags: (f) => {
      const all = f.bool('all', 'a', false, 'Remove all unused volumes, not just anonymous ones');
      f.setAnnotation('all', 'version', ['1.42']);
      const force = f.bool('force', 'f', false, 'Do not prompt for confirmation');
      const filter = filterFlag(f, '', 'Provide filter values (e.g. "label=<label>")');
      return { all, force, filter };
    },
    run: async ({ options, env }) => {
      const pairs = filterPairs(options.filter.value);
      let warning = unusedVolumesWarning;
      if (options.all.value) {
        if (pairs.some(([name]) => name === 'all')) throw new StatusError('conflicting options: cannot specify both --all and --filter all=1', 125);
        pairs.push(['all', 'true']);
        warning = allVolumesWarning;
      }
      // A "no" cancels quietly (docker prints nothing more and exits with 0).
      if (!options.force.value && !(await confirm(env, warning))) return;
      const response = await checkResponse(await env.client.request('POST', '/volumes/prune', { query: { filters: filtersJson(pairs) } }));
      const report = await response.json<VolumePruneReport>();
      let reclaimed = 0;
      const deleted = report.VolumesDeleted ?? [];
      if (deleted.length > 0) {
        env.stdout(`Deleted Volumes:\n${deleted.map((name) => `${name}\n`).join('')}\n`);
        reclaimed = report.SpaceReclaimed;
      }
      env.stdout(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
    },
  });
}
