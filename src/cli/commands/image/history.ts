// docker history (cli/command/image/history.go).

import type { DockerEnv } from '../../env';
import { defineCommand, exactArgs, type BoolValue, type CommandDefinition, type StringValue } from '../../flags';
import { checkResponse, formatHelp } from './common';
import { historyWrite, type HistoryItem } from './formatter';

export function historyCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<{ human: BoolValue; quiet: BoolValue; noTrunc: BoolValue; format: StringValue; platform: StringValue }, DockerEnv>({
    use: 'history [OPTIONS] IMAGE',
    short: 'Show the history of an image',
    aliasesText: 'docker image history, docker history',
    args: exactArgs(1),
    flags: (f) => {
      const human = f.bool('human', 'H', true, 'Print sizes and dates in human readable format');
      const quiet = f.bool('quiet', 'q', false, 'Only show image IDs');
      const noTrunc = f.bool('no-trunc', '', false, "Don't truncate output");
      const format = f.string('format', '', '', formatHelp);
      const platform = f.string('platform', '', '', 'Show history for the given platform. Formatted as "os[/arch[/variant]]" (e.g., "linux/amd64")');
      f.setAnnotation('platform', 'version', ['1.48']);
      return { human, quiet, noTrunc, format, platform };
    },
    run: async ({ args, options, env }) => {
      const response = await checkResponse(await env.client.request('GET', `/images/${encodeURIComponent(args[0])}/history`));
      const items = await response.json<HistoryItem[]>();
      const format = options.format.value === '' ? 'table' : options.format.value;
      env.stdout(
        historyWrite({ format, quiet: options.quiet.value, human: options.human.value, trunc: !options.noTrunc.value, nowMs: env.now().getTime() }, items),
      );
    },
  });
}
