// docker container prune (docker/cli container/prune.go).

import { defineCommand, noArgs, type BoolValue, type ListValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { humanSize } from '../../formatter';
import { filtersJson } from './common';
import { callJson } from './util';
import { ListValue as List } from '../../flags';
import type { ContainerPruneReport } from '../../../api';

async function readLine(env: DockerEnv): Promise<string> {
  if (!env.stdin) return '';
  const decoder = new TextDecoder();
  let line = '';
  for await (const chunk of env.stdin) {
    line += decoder.decode(chunk, { stream: true });
    if (line.includes('\n')) break;
  }
  return line.split('\n')[0];
}

export function pruneCommand() {
  return defineCommand<{ force: BoolValue; filter: ListValue }, DockerEnv>({
    use: 'prune [OPTIONS]',
    short: 'Remove all stopped containers',
    args: noArgs,
    flags: (flags) => {
      const filter = flags.define('filter', new List([], undefined, 'filter'), 'Provide filter values (e.g. "until=<timestamp>")');
      const force = flags.bool('force', 'f', false, 'Do not prompt for confirmation');
      return { force, filter };
    },
    run: async ({ options, env }) => {
      if (!options.force.value) {
        env.stdout('WARNING! This will remove all stopped containers.\nAre you sure you want to continue? [y/N] ');
        const answer = (await readLine(env)).trim().toLowerCase();
        if (answer !== 'y' && answer !== 'yes') throw new Error('');
      }
      const report = await callJson<ContainerPruneReport>(env, 'POST', '/containers/prune', {
        query: { filters: filtersJson(options.filter.value) },
      });
      let out = '';
      const deleted = report.ContainersDeleted ?? [];
      if (deleted.length > 0) out += `Deleted Containers:\n${deleted.map((id) => `${id}\n`).join('')}\n`;
      out += `Total reclaimed space: ${humanSize(report.SpaceReclaimed)}\n`;
      env.stdout(out);
    },
  });
}
