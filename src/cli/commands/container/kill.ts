// docker kill (docker/cli container/kill.go).

import { defineCommand, requiresMinArgs, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { call, enc, forEachArg } from './util';

export function killCommand() {
  return defineCommand<{ signal: StringValue }, DockerEnv>({
    use: 'kill [OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Kill one or more running containers',
    aliasesText: 'docker container kill, docker kill',
    args: requiresMinArgs(1),
    flags: (flags) => ({ signal: flags.string('signal', 's', '', 'Signal to send to the container') }),
    run: async ({ args, options, env }) => {
      const query = { signal: options.signal.value !== '' ? options.signal.value : undefined };
      await forEachArg(env, args, async (ref) => {
        await call(env, 'POST', `/containers/${enc(ref)}/kill`, { query });
      });
    },
  });
}
