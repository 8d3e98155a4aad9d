// docker attach (docker/cli container/attach.go).

import { defineCommand, exactArgs, StatusError, type BoolValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { callJson, enc, hijack, inspectContainer, pumpStreams } from './util';
import type { WaitResponse } from '../../../api';

interface AttachOptions {
  noStdin: BoolValue;
  proxy: BoolValue;
  detachKeys: StringValue;
}

export function attachCommand() {
  return defineCommand<AttachOptions, DockerEnv>({
    use: 'attach [OPTIONS] CONTAINER',
    short: 'Attach local standard input, output, and error streams to a running container',
    aliasesText: 'docker container attach, docker attach',
    args: exactArgs(1),
    flags: (flags) => ({
      noStdin: flags.bool('no-stdin', '', false, 'Do not attach STDIN'),
      proxy: flags.bool('sig-proxy', '', true, 'Proxy all received signals to the process'),
      detachKeys: flags.string('detach-keys', '', '', 'Override the key sequence for detaching a container'),
    }),
    run: async ({ args, options, env }) => {
      const ref = args[0];
      const info = await inspectContainer(env, ref);
      if (!info.State.Running) throw new Error('You cannot attach to a stopped container, start it first');
      if (info.State.Paused) throw new Error('You cannot attach to a paused container, unpause it first');
      if (info.State.Restarting) throw new Error('You cannot attach to a restarting container, wait until it is running');
      const stdin = !options.noStdin.value && info.Config.OpenStdin;
      const tty = info.Config.Tty;
      if (stdin && tty && !env.stdinIsTerminal) throw new Error('the input device is not a TTY');
      const response = await hijack(env, 'POST', `/containers/${enc(ref)}/attach`, {
        query: { detachKeys: options.detachKeys.value || undefined, stderr: '1', stdin: stdin ? '1' : undefined, stdout: '1', stream: '1' },
      });
      let offSignal: (() => void) | undefined;
      if (options.proxy.value && !tty) {
        offSignal = env.onSignal((signal) => void env.client.request('POST', `/containers/${enc(ref)}/kill`, { query: { signal } }).catch(() => undefined));
      }
      if (tty && env.stdoutIsTerminal) {
        // docker/cli's resizeTTY: one row and column more, then the real size, so the shell redraws its
        // prompt on a second attach (a SIGWINCH with a size that changed).
        const resize = (h: number, w: number) => env.client.request('POST', `/containers/${enc(ref)}/resize`, { query: { h, w } }).catch(() => undefined);
        const rows = env.rows;
        const columns = env.columns ?? 80;
        void resize(rows + 1, columns + 1).then(() => resize(rows, columns));
      }
      let result: 'done' | 'detached';
      try {
        result = await pumpStreams(env, response, { tty, stdin, stdout: true, stderr: true, detachKeys: options.detachKeys.value });
      } finally {
        offSignal?.();
      }
      // The escape sequence ends docker attach with its error (docker run -it treats it as success).
      if (result === 'detached') throw new Error('read escape sequence');
      const wait = await callJson<WaitResponse>(env, 'POST', `/containers/${enc(ref)}/wait`);
      if (wait.StatusCode !== 0) throw new StatusError('', wait.StatusCode);
    },
  });
}
