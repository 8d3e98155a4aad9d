// docker stop and docker restart share their flags and their loop (docker/cli container/stop.go,
// restart.go): -s/--signal, -t/--timeout (and the deprecated --time), one POST per container.

import { defineCommand, requiresMinArgs, type IntValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { call, enc, forEachArg } from './util';

export function stopOrRestartCommand(action: 'stop' | 'restart', short: string) {
  return defineCommand<{ signal: StringValue; timeout: IntValue }, DockerEnv>({
    use: `${action} [OPTIONS] CONTAINER [CONTAINER...]`,
    short,
    aliasesText: `docker container ${action}, docker ${action}`,
    args: requiresMinArgs(1),
    flags: (flags) => {
      const signal = flags.string('signal', 's', '', 'Signal to send to the container');
      const timeout = flags.int('timeout', 't', 0, 'Seconds to wait before killing the container');
      flags.define('time', timeout, 'Seconds to wait before killing the container (deprecated: use --timeout)');
      flags.markDeprecated('time', 'use --timeout instead');
      return { signal, timeout };
    },
    run: async ({ args, options, flags, env }) => {
      const query = {
        signal: options.signal.value !== '' ? options.signal.value : undefined,
        t: flags.changed('timeout') || flags.changed('time') ? options.timeout.value : undefined,
      };
      await forEachArg(env, args, async (ref) => {
        await call(env, 'POST', `/containers/${enc(ref)}/${action}`, { query });
      });
    },
  });
}
