// docker exec (docker/cli container/exec.go): create the exec, start it attached (or detached), and
// exit with the exec's exit code.

import { defineCommand, requiresMinArgs, StatusError, type BoolValue, type ListValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { parseEnvFile } from '../../opts';
import { call, callJson, enc, hijack, inspectContainer, pumpStreams } from './util';
import type { ExecCreateRequest, ExecInspect, ExecStartRequest, IdResponse } from '../../../api';

interface ExecOptions {
  detachKeys: StringValue;
  interactive: BoolValue;
  tty: BoolValue;
  detach: BoolValue;
  user: StringValue;
  privileged: BoolValue;
  env: ListValue;
  workdir: StringValue;
  envFile: ListValue;
}

export function execCommand() {
  return defineCommand<ExecOptions, DockerEnv>({
    use: 'exec [OPTIONS] CONTAINER COMMAND [ARG...]',
    short: 'Execute a command in a running container',
    aliasesText: 'docker container exec, docker exec',
    categoryTop: 2,
    args: requiresMinArgs(2),
    interspersed: false,
    flags: (flags) => ({
      detachKeys: flags.string('detach-keys', '', '', 'Override the key sequence for detaching a container'),
      interactive: flags.bool('interactive', 'i', false, 'Keep STDIN open even if not attached'),
      tty: flags.bool('tty', 't', false, 'Allocate a pseudo-TTY'),
      detach: flags.bool('detach', 'd', false, 'Detached mode: run command in the background'),
      user: flags.string('user', 'u', '', 'Username or UID (format: "<name|uid>[:<group|gid>]")'),
      privileged: flags.bool('privileged', '', false, 'Give extended privileges to the command'),
      env: flags.list('env', 'e', 'Set environment variables'),
      workdir: flags.string('workdir', 'w', '', 'Working directory inside the container'),
      envFile: flags.list('env-file', '', 'Read in a file of environment variables'),
    }),
    run: async ({ args, options, env }) => {
      const container = args[0];
      const cmd = args.slice(1);
      const lookup = (name: string) => env.environment[name];
      const variables: string[] = [];
      for (const file of options.envFile.value) variables.push(...parseEnvFile(file, await env.readFile(file), lookup));
      for (const value of options.env.value) {
        if (value.includes('=')) variables.push(value);
        else if (lookup(value) !== undefined) variables.push(`${value}=${lookup(value)}`);
      }
      const detach = options.detach.value;
      const tty = options.tty.value;
      const interactive = options.interactive.value;
      await inspectContainer(env, container);
      const consoleSize: [number, number] | undefined = tty && env.stdoutIsTerminal ? [env.rows, env.columns ?? 80] : undefined;
      const body: ExecCreateRequest = {
        User: options.user.value,
        Privileged: options.privileged.value,
        Tty: tty,
        ...(consoleSize ? { ConsoleSize: consoleSize } : {}),
        AttachStdin: !detach && interactive,
        AttachStderr: !detach,
        AttachStdout: !detach,
        Detach: detach,
        DetachKeys: options.detachKeys.value,
        Env: variables.length > 0 ? variables : null,
        WorkingDir: options.workdir.value,
        Cmd: cmd,
      };
      if (!detach && interactive && tty && !env.stdinIsTerminal) throw new Error('the input device is not a TTY');
      const created = await callJson<IdResponse>(env, 'POST', `/containers/${enc(container)}/exec`, { body });
      const execId = created.Id;
      if (detach) {
        await call(env, 'POST', `/exec/${execId}/start`, { body: { Detach: true, Tty: tty, ...(consoleSize ? { ConsoleSize: consoleSize } : {}) } satisfies ExecStartRequest });
        return;
      }
      const response = await hijack(env, 'POST', `/exec/${execId}/start`, { body: { Detach: false, Tty: tty, ...(consoleSize ? { ConsoleSize: consoleSize } : {}) } satisfies ExecStartRequest });
      let offResize: (() => void) | undefined;
      if (tty && env.stdoutIsTerminal) {
        const resize = (rows: number, cols: number) => void env.client.request('POST', `/exec/${execId}/resize`, { query: { h: rows, w: cols } }).catch(() => undefined);
        resize(env.rows, env.columns ?? 80);
        offResize = env.onResize(resize);
      }
      try {
        await pumpStreams(env, response, { tty, stdin: interactive, stdout: true, stderr: true, detachKeys: options.detachKeys.value });
      } finally {
        offResize?.();
      }
      const inspect = await callJson<ExecInspect>(env, 'GET', `/exec/${execId}/json`);
      const code = inspect.ExitCode ?? 0;
      if (code !== 0) throw new StatusError('', code);
    },
  });
}
