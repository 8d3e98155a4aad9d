// docker top (docker/cli container/top.go): the daemon's ps-like table, written with width 20.

import { defineCommand, requiresMinArgs } from '../../flags';
import type { DockerEnv } from '../../env';
import { callJson, enc } from './util';
import type { TopResponse } from '../../../api';

/** text/tabwriter with minwidth 20, tabwidth 1, padding 3, as docker top uses it. */
export function topTable(titles: string[], rows: string[][]): string {
  const all = [titles, ...rows];
  const columns = Math.max(...all.map((row) => row.length));
  const widths: number[] = [];
  for (let c = 0; c < columns - 1; c++) {
    widths[c] = Math.max(20, ...all.map((row) => [...(row[c] ?? '')].length + 3));
  }
  return all
    .map((row) => row.map((cell, c) => (c < row.length - 1 ? cell + ' '.repeat(widths[c] - [...cell].length) : cell)).join(''))
    .join('\n') + '\n';
}

export function topCommand() {
  return defineCommand<undefined, DockerEnv>({
    use: 'top CONTAINER [ps OPTIONS]',
    short: 'Display the running processes of a container',
    aliasesText: 'docker container top, docker top',
    args: requiresMinArgs(1),
    interspersed: false,
    run: async ({ args, env }) => {
      const psArgs = args.slice(1).join(' ');
      const result = await callJson<TopResponse>(env, 'GET', `/containers/${enc(args[0])}/top`, {
        query: { ps_args: psArgs !== '' ? psArgs : undefined },
      });
      env.stdout(topTable(result.Titles, result.Processes ?? []));
    },
  });
}
