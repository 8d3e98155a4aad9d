// Shared pieces of the container commands: Engine API calls with docker's error texts, the stdcopy
// demultiplexer, the hijacked-stream pump of attach/run/exec (docker's hijackedIOStreamer), and
// docker's detach-key escape proxy on the client side.

import type { ClientRequestOptions, ClientResponse, HijackedResponse } from '../../client';
import type { DockerEnv } from '../../env';
import { StatusError } from '../../flags';
import { EscapeProxy, detachKeyBytes } from '../../../go/term';
import type { ContainerInspect } from '../../../api';


/** An error the daemon answered with: docker prints it as "Error response from daemon: <message>". */
export class DaemonError extends Error {
  constructor(
    readonly status: number,
    readonly daemonMessage: string,
  ) {
    super(`Error response from daemon: ${daemonMessage}`);
  }
}

export async function errorFrom(response: ClientResponse): Promise<DaemonError> {
  const text = await response.text();
  let message = text.trim();
  try {
    const parsed = JSON.parse(text) as { message?: string };
    if (typeof parsed.message === 'string') message = parsed.message;
  } catch {
    // a plain-text body
  }
  if (message === '') message = `${response.status}`;
  return new DaemonError(response.status, message);
}

/** A request that fails with docker's daemon error text when the status is 400 or more. */
export async function call(env: DockerEnv, method: string, path: string, options: ClientRequestOptions = {}): Promise<ClientResponse> {
  const response = await env.client.request(method, path, options);
  if (response.status >= 400) throw await errorFrom(response);
  return response;
}

export async function callJson<T>(env: DockerEnv, method: string, path: string, options: ClientRequestOptions = {}): Promise<T> {
  return (await call(env, method, path, options)).json<T>();
}

export async function hijack(env: DockerEnv, method: string, path: string, options: ClientRequestOptions = {}): Promise<HijackedResponse> {
  try {
    return await env.client.hijack(method, path, options);
  } catch (error) {
    const status = (error as { status?: number }).status;
    if (status !== undefined) {
      let message = (error as Error).message.trim();
      try {
        const parsed = JSON.parse(message) as { message?: string };
        if (parsed.message) message = parsed.message;
      } catch {
        // plain text
      }
      throw new DaemonError(status, message);
    }
    throw error;
  }
}

export const enc = (path: string): string => encodeURIComponent(path);

/** Splits stdcopy-framed bytes into (stream, payload) as they arrive. */
export class StdcopyReader {
  private buffer = new Uint8Array(0);

  constructor(private readonly onFrame: (stream: number, payload: Uint8Array) => void | Promise<void>) {}

  async push(chunk: Uint8Array): Promise<void> {
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    let at = 0;
    while (joined.length - at >= 8) {
      const size = new DataView(joined.buffer, joined.byteOffset + at + 4, 4).getUint32(0, false);
      if (joined.length - at - 8 < size) break;
      await this.onFrame(joined[at], joined.slice(at + 8, at + 8 + size));
      at += 8 + size;
    }
    this.buffer = joined.slice(at);
  }
}

/** Text output that keeps multi-byte characters whole across chunks. */
export function textWriter(write: (text: string) => void): (chunk: Uint8Array) => void {
  const streamDecoder = new TextDecoder();
  return (chunk) => {
    const text = streamDecoder.decode(chunk, { stream: true });
    if (text !== '') write(text);
  };
}

export interface StreamOptions {
  tty: boolean;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  detachKeys?: string;
}

/**
 * hijackedIOStreamer: copies the connection's output to stdout/stderr (demultiplexed unless TTY) and
 * stdin to the connection. Resolves 'detached' when the user typed the detach keys, 'done' when the
 * output ended.
 */
export async function pumpStreams(env: DockerEnv, response: HijackedResponse, options: StreamOptions): Promise<'done' | 'detached'> {
  const connection = response.connection;
  const out = textWriter((text) => env.stdout(text));
  const err = textWriter((text) => env.stderr(text));
  const writeOut = async (chunk: Uint8Array) => {
    if (options.stdout || options.tty) await env.writeStdout(chunk);
  };
  const reader = new StdcopyReader(async (stream, payload) => {
    if (stream === 1 && options.stdout) await writeOut(payload);
    else if (stream === 2 && options.stderr) err(payload);
    else if (stream === 3) err(payload);
  });
  void out;
  const raw = options.tty && options.stdin && env.stdinIsTerminal;
  if (raw) env.setRawMode(true);
  let detached = false;
  let finishInput: (() => void) | undefined;
  const inputDone = new Promise<void>((resolve) => (finishInput = resolve));
  if (options.stdin && env.stdin) {
    const keys = options.tty ? detachKeyBytes(options.detachKeys ?? '') : [];
    const stdin = env.stdin;
    const proxy = new EscapeProxy(keys);
    void (async () => {
      try {
        for await (const chunk of stdin) {
          if (keys.length === 0) {
            await connection.write(chunk);
            continue;
          }
          const [pass, completed] = proxy.feed(chunk);
          if (pass.length > 0) await connection.write(pass);
          if (completed) {
            detached = true;
            break;
          }
        }
      } catch {
        // stdin failed: stop sending
      }
      if (detached) connection.close();
      else if (!options.tty) connection.close();
      finishInput?.();
    })();
  } else finishInput?.();
  try {
    for await (const chunk of connection.input) {
      if (detached) break;
      if (options.tty) await writeOut(chunk);
      else await reader.push(chunk);
    }
  } finally {
    if (raw) env.setRawMode(false);
  }
  void inputDone;
  if (detached) return 'detached';
  return 'done';
}

/** docker's run exit code rules for errors from the daemon (toStatusError). */
export function toStatusError(error: unknown, command = 'run'): StatusError {
  const message = error instanceof Error ? error.message : String(error);
  let status = 125;
  if (message.includes('executable file not found') || message.includes('no such file or directory') || message.includes('system cannot find the file specified')) status = 127;
  else if (message.includes('permission denied') || message.includes('is a directory') || message.includes('cannot run executable file') || message.includes('operation not permitted')) status = 126;
  return new StatusError(`docker: ${message}\n\nRun 'docker ${command} --help' for more information`, status);
}

/** Prints each argument's result; errors go to stderr and the command exits 1 at the end (docker's pattern). */
export async function forEachArg(env: DockerEnv, args: readonly string[], action: (arg: string) => Promise<void>): Promise<void> {
  const errors: string[] = [];
  for (const arg of args) {
    try {
      await action(arg);
      env.stdout(`${arg}\n`);
    } catch (error) {
      errors.push(error instanceof Error ? error.message : String(error));
    }
  }
  if (errors.length > 0) throw new Error(errors.join('\n'));
}

export type { ContainerInspect } from '../../../api';

export async function inspectContainer(env: DockerEnv, ref: string): Promise<ContainerInspect> {
  return callJson<ContainerInspect>(env, 'GET', `/containers/${enc(ref)}/json`);
}
