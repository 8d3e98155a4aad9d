// docker run (docker/cli container/run.go): create (pulling if needed), attach, wait, start; the exit
// code is the container's, or 125/126/127 when docker itself fails.

import { defineCommand, requiresMinArgs, StatusError, type BoolValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { addContainerFlags, parseContainerOptions, type ContainerConfigBody, type ContainerOptions } from './opts';
import { addCreateFlags, createContainer, validatePullOpt, withHelpStatus, type CreateOptions } from './create';
import { call, enc, errorFrom, hijack, pumpStreams, toStatusError } from './util';
import type { WaitResponse } from '../../../api';

interface RunOptions {
  create: CreateOptions;
  container: ContainerOptions;
  detach: BoolValue;
  sigProxy: BoolValue;
  detachKeys: StringValue;
}

/** Waits for the container's exit (next-exit) or removal (--rm); resolves with the status code. */
export async function waitExitOrRemoved(env: DockerEnv, id: string, autoRemove: boolean): Promise<() => Promise<number>> {
  const response = await call(env, 'POST', `/containers/${enc(id)}/wait`, { query: { condition: autoRemove ? 'removed' : 'next-exit' } });
  const result = response.json<WaitResponse>();
  return async () => {
    const value = await result;
    if (value.Error?.Message) env.stderr(`${value.Error.Message}\n`);
    return value.StatusCode;
  };
}

export function runCommand() {
  return defineCommand<RunOptions, DockerEnv>({
    use: 'run [OPTIONS] IMAGE [COMMAND] [ARG...]',
    short: 'Create and run a new container from an image',
    aliasesText: 'docker container run, docker run',
    categoryTop: 1,
    args: requiresMinArgs(1),
    interspersed: false,
    flags: (flags) => {
      const detach = flags.bool('detach', 'd', false, 'Run container in background and print container ID');
      const sigProxy = flags.bool('sig-proxy', '', true, 'Proxy received signals to the process');
      const create = addCreateFlags(flags);
      const detachKeys = flags.string('detach-keys', '', '', 'Override the key sequence for detaching a container');
      const container = addContainerFlags(flags);
      return { create, container, detach, sigProxy, detachKeys };
    },
    run: async ({ args, options, flags, env }) => {
      let body: ContainerConfigBody;
      try {
        validatePullOpt(options.create.pull.value);
        body = await parseContainerOptions(options.container, flags, args[0], args.slice(1), env);
      } catch (error) {
        throw withHelpStatus(error, 'run');
      }
      const config = body.config;
      const detach = options.detach.value;
      if (!detach) {
        if (config.AttachStdin && config.Tty && !env.stdinIsTerminal) throw new Error('the input device is not a TTY');
      } else {
        if (options.container.attach.value.length > 0) throw new Error('conflicting options: cannot specify both --attach and --detach');
        config.AttachStdin = false;
        config.AttachStdout = false;
        config.AttachStderr = false;
        config.StdinOnce = false;
      }
      let id: string;
      try {
        id = await createContainer(env, body, options.create);
      } catch (error) {
        throw toStatusError(error);
      }
      const autoRemove = options.container.autoRemove.value;
      const attach = Boolean(config.AttachStdin || config.AttachStdout || config.AttachStderr);
      const tty = Boolean(config.Tty);
      let streaming: Promise<'done' | 'detached'> | undefined;
      if (attach) {
        const response = await hijack(env, 'POST', `/containers/${enc(id)}/attach`, {
          query: {
            detachKeys: options.detachKeys.value !== '' ? options.detachKeys.value : undefined,
            stderr: config.AttachStderr ? '1' : undefined,
            stdin: config.AttachStdin ? '1' : undefined,
            stdout: config.AttachStdout ? '1' : undefined,
            stream: '1',
          },
        });
        streaming = pumpStreams(env, response, {
          tty,
          stdin: Boolean(config.AttachStdin),
          stdout: Boolean(config.AttachStdout),
          stderr: Boolean(config.AttachStderr),
          detachKeys: options.detachKeys.value,
        });
      }
      let status: () => Promise<number>;
      try {
        status = await waitExitOrRemoved(env, id, autoRemove);
      } catch (error) {
        throw toStatusError(error);
      }
      let offSignal: (() => void) | undefined;
      let offResize: (() => void) | undefined;
      try {
        const started = await env.client.request('POST', `/containers/${enc(id)}/start`);
        if (started.status >= 400) {
          const error = await errorFrom(started);
          if (autoRemove) await status().catch(() => undefined);
          throw toStatusError(error);
        }
        if (!attach) {
          env.stdout(`${id}\n`);
          return;
        }
        if (options.sigProxy.value && !tty) {
          offSignal = env.onSignal((signal) => {
            void env.client.request('POST', `/containers/${enc(id)}/kill`, { query: { signal } }).catch(() => undefined);
          });
        }
        if (tty && env.stdoutIsTerminal) {
          const resize = (rows: number, cols: number) => void env.client.request('POST', `/containers/${enc(id)}/resize`, { query: { h: rows, w: cols } }).catch(() => undefined);
          resize(env.rows, env.columns ?? 80);
          offResize = env.onResize(resize);
        }
        const result = await streaming;
        if (result === 'detached') return;
        const code = await status();
        if (code !== 0) throw new StatusError('', code);
      } finally {
        offSignal?.();
        offResize?.();
      }
    },
  });
}
