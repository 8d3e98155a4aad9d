// docker start (docker/cli container/start.go): starts containers; -a/-i attach to one of them.

import { defineCommand, requiresMinArgs, StatusError, type BoolValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { call, enc, forEachArg, hijack, inspectContainer, pumpStreams } from './util';
import { waitExitOrRemoved } from './run';

interface StartOptions {
  attach: BoolValue;
  openStdin: BoolValue;
  detachKeys: StringValue;
  checkpoint: StringValue;
  checkpointDir: StringValue;
}

export function startCommand() {
  return defineCommand<StartOptions, DockerEnv>({
    use: 'start [OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Start one or more stopped containers',
    aliasesText: 'docker container start, docker start',
    args: requiresMinArgs(1),
    flags: (flags) => ({
      attach: flags.bool('attach', 'a', false, 'Attach STDOUT/STDERR and forward signals'),
      checkpoint: flags.string('checkpoint', '', '', 'Restore from this checkpoint'),
      checkpointDir: flags.string('checkpoint-dir', '', '', 'Use a custom checkpoint storage directory'),
      detachKeys: flags.string('detach-keys', '', '', 'Override the key sequence for detaching a container'),
      openStdin: flags.bool('interactive', 'i', false, "Attach container's STDIN"),
    }),
    run: async ({ args, options, env }) => {
      if (options.attach.value || options.openStdin.value) {
        if (args.length > 1) throw new Error('you cannot start and attach multiple containers at once');
        const info = await inspectContainer(env, args[0]);
        if (!info.State.Running) {
          const tty = info.Config.Tty;
          const stdin = options.openStdin.value && info.Config.OpenStdin;
          if (stdin && tty && !env.stdinIsTerminal) throw new Error('the input device is not a TTY');
          const response = await hijack(env, 'POST', `/containers/${enc(args[0])}/attach`, {
            query: { detachKeys: options.detachKeys.value || undefined, stderr: '1', stdin: stdin ? '1' : undefined, stdout: '1', stream: '1' },
          });
          const streaming = pumpStreams(env, response, { tty, stdin, stdout: true, stderr: true, detachKeys: options.detachKeys.value });
          const status = await waitExitOrRemoved(env, info.Id, info.HostConfig.AutoRemove ?? false);
          await call(env, 'POST', `/containers/${enc(args[0])}/start`);
          if (tty && env.stdoutIsTerminal) {
            void env.client.request('POST', `/containers/${enc(args[0])}/resize`, { query: { h: env.rows, w: env.columns ?? 80 } }).catch(() => undefined);
          }
          if ((await streaming) === 'detached') return;
          const code = await status();
          if (code !== 0) throw new StatusError('', code);
          return;
        }
      }
      if (options.checkpoint.value !== '') throw new Error('checkpoints are not available in Dockside');
      await forEachArg(env, args, async (ref) => {
        await call(env, 'POST', `/containers/${enc(ref)}/start`);
      });
    },
  });
}
