// docker image prune (cli/command/image/prune.go).

import type { DockerEnv } from '../../env';
import { defineCommand, noArgs, type BoolValue, type CommandDefinition, type ListValue } from '../../flags';
import { humanSize } from '../../formatter';
import { checkResponse, confirm, filterFlag, filterPairs, filtersJson } from './common';
import type { ImagePruneReport } from '../../../api';

const danglingWarning = 'WARNING! This will remove all dangling images.\nAre you sure you want to continue?';
const allImageWarning = 'WARNING! This will remove all images without at least one container associated to them.\nAre you sure you want to continue?';

export function imagePruneCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ force: BoolValue; all: BoolValue; filter: ListValue }, DockerEnv>({
    use: 'prune [OPTIONS]',
    short: 'Remove unused images',
    args: noArgs,
    flags: (f) => {
      const force = f.bool('force', 'f', false, 'Do not prompt for confirmation');
      const all = f.bool('all', 'a', false, 'Remove all unused images, not just dangling ones');
      const filter = filterFlag(f, '', 'Provide filter values (e.g. "until=<timestamp>")');
      return { force, all, filter };
    },
    run: async ({ options, env }) => {
      const pairs = filterPairs(options.filter.value);
      pairs.push(['dangling', String(!options.all.value)]);
      // A "no" cancels quietly (docker prints nothing more and exits with 0).
      if (!options.force.value && !(await confirm(env, options.all.value ? allImageWarning : danglingWarning))) return;
      const response = await checkResponse(await env.client.request('POST', '/images/prune', { query: { filters: filtersJson(pairs) } }));
      const report = await response.json<ImagePruneReport>();
      let output = '';
      let reclaimed = 0;
      if ((report.ImagesDeleted ?? []).length > 0) {
        output = 'Deleted Images:\n';
        for (const record of report.ImagesDeleted ?? []) {
          output += record.Untagged ? `untagged: ${record.Untagged}\n` : `deleted: ${record.Deleted ?? ''}\n`;
        }
        reclaimed = report.SpaceReclaimed;
        env.stdout(`${output}\n`);
      }
      env.stdout(`Total reclaimed space: ${humanSize(reclaimed)}\n`);
    },
  });
}
