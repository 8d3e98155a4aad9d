// docker logs (docker/cli container/logs.go).

import { defineCommand, exactArgs, type BoolValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { call, enc, inspectContainer, StdcopyReader, textWriter } from './util';
import { parseTimestamp } from './timestamps';

interface LogsOptions {
  follow: BoolValue;
  since: StringValue;
  until: StringValue;
  timestamps: BoolValue;
  details: BoolValue;
  tail: StringValue;
}

export function logsCommand() {
  return defineCommand<LogsOptions, DockerEnv>({
    use: 'logs [OPTIONS] CONTAINER',
    short: 'Fetch the logs of a container',
    aliasesText: 'docker container logs, docker logs',
    args: exactArgs(1),
    flags: (flags) => ({
      follow: flags.bool('follow', 'f', false, 'Follow log output'),
      since: flags.string('since', '', '', 'Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
      until: flags.string('until', '', '', 'Show logs before a timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)'),
      timestamps: flags.bool('timestamps', 't', false, 'Show timestamps'),
      details: flags.bool('details', '', false, 'Show extra details provided to logs'),
      tail: flags.string('tail', 'n', 'all', 'Number of lines to show from the end of the logs'),
    }),
    run: async ({ args, options, env }) => {
      const ref = args[0];
      const info = await inspectContainer(env, ref);
      const now = env.now();
      const response = await call(env, 'GET', `/containers/${enc(ref)}/logs`, {
        query: {
          details: options.details.value ? '1' : undefined,
          follow: options.follow.value ? '1' : undefined,
          since: options.since.value !== '' ? parseTimestamp(options.since.value, now) : undefined,
          stderr: '1',
          stdout: '1',
          tail: options.tail.value,
          timestamps: options.timestamps.value ? '1' : undefined,
          until: options.until.value !== '' ? parseTimestamp(options.until.value, now) : undefined,
        },
      });
      const err = textWriter((text) => env.stderr(text));
      const reader = new StdcopyReader(async (stream, payload) => {
        if (stream === 1) await env.writeStdout(payload);
        else if (stream === 2) err(payload);
      });
      for await (const chunk of response.stream()) {
        if (info.Config.Tty) await env.writeStdout(chunk);
        else await reader.push(chunk);
      }
    },
  });
}
