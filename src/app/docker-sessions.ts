// The host side of the guest's `docker` program: every connection on the guest's docker-cli socket is
// one run of the docker CLI (src/cli) with the client's argv, environment, terminal and stdio, and the
// exit status goes back to the guest. Framing: session-protocol.ts.

import type { EngineClient } from '../cli/client';
import type { DockerEnv, LocalArchives } from '../cli/env';
import {
  Msg,
  SessionReader,
  encodeMessage,
  environmentOf,
  parseHello,
  resizeOf,
  type SessionHello,
  type SessionMessage,
} from './session-protocol';

/** The byte duplex of one guest connection (a GuestConnection; a pair of queues in tests). */
export interface SessionConnection {
  input: AsyncIterable<Uint8Array>;
  write(chunk: Uint8Array): Promise<void>;
  /** Ends what the host sends. */
  close(): void;
}

/** Files of the guest, where the docker client runs (docker load -i, save -o, --env-file, cp). */
export interface ClientFiles {
  read(path: string): Promise<Uint8Array>;
  write(path: string, data: Uint8Array): Promise<void>;
  mkdirAll?(path: string, mode: number): Promise<void>;
  /** lstat, readlink, tar and untar of the client's files for docker cp (absolute paths). */
  archives?: LocalArchives;
}

export interface SessionOptions {
  client: EngineClient;
  files: ClientFiles;
  /** runDocker from src/cli/docker.ts (injected so the framing is testable with a fake CLI). */
  run(argv: readonly string[], env: DockerEnv): Promise<number>;
  now?: () => Date;
  onError?: (error: unknown) => void;
}

const SIGNAL_NAMES: Record<number, string> = { 1: 'SIGHUP', 2: 'SIGINT', 3: 'SIGQUIT', 10: 'SIGUSR1', 12: 'SIGUSR2', 15: 'SIGTERM' };
/** Signals that end a process that does not handle them (the CLI handles them only while it proxies). */
const FATAL = new Set(['SIGHUP', 'SIGINT', 'SIGQUIT', 'SIGTERM', 'SIGUSR1', 'SIGUSR2']);
const encoder = new TextEncoder();

/** A path of the client's machine made absolute against its working directory. */
export function resolveClientPath(cwd: string, path: string): string {
  const joined = path.startsWith('/') ? path : `${cwd.replace(/\/+$/, '')}/${path}`;
  const parts: string[] = [];
  for (const part of joined.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Serves one docker session; resolves with the exit status sent to the client. */
export async function serveDockerSession(connection: SessionConnection, options: SessionOptions): Promise<number> {
  const reader = new SessionReader();
  const incoming = connection.input[Symbol.asyncIterator]();
  const pending: SessionMessage[] = [];
  let inputEnded = false;

  // Messages from the client, one at a time.
  const nextMessage = async (): Promise<SessionMessage | undefined> => {
    while (pending.length === 0) {
      if (inputEnded) return undefined;
      const { value, done } = await incoming.next();
      if (done) {
        inputEnded = true;
        return undefined;
      }
      pending.push(...reader.push(value));
    }
    return pending.shift();
  };

  const first = await nextMessage();
  if (!first || first.kind !== Msg.Hello) {
    connection.close();
    return 1;
  }
  const hello = parseHello(first.payload);

  // Everything to the client goes through one chain, in order.
  let chain: Promise<void> = Promise.resolve();
  let gone = false;
  const send = (kind: number, payload?: Uint8Array): Promise<void> => {
    chain = chain.then(async () => {
      if (gone) return;
      try {
        await connection.write(encodeMessage(kind, payload));
      } catch {
        gone = true;
      }
    });
    return chain;
  };

  let resolveForced!: (status: number) => void;
  const forced = new Promise<number>((resolve) => (resolveForced = resolve));
  const resizeListeners = new Set<(rows: number, cols: number) => void>();
  const signalListeners = new Set<(signal: string) => void>();
  const stdin = new StdinQueue(() => void send(Msg.Stdin));
  const env = makeEnv(hello, options, send, () => gone, stdin, resizeListeners, signalListeners);

  // Reads the client's messages for the whole session.
  const pump = (async () => {
    for (;;) {
      const message = await nextMessage();
      if (!message) break;
      if (message.kind === Msg.Stdin) {
        if (message.payload.length === 0) stdin.end();
        else {
          // Resizes and signals must not wait behind stdin the CLI has not read yet; a few
          // chunks of slack keep them moving, more than that holds the client back.
          const taken = stdin.push(message.payload);
          if (stdin.backlog > 4) await taken;
        }
      } else if (message.kind === Msg.Resize) {
        const size = resizeOf(message.payload);
        if (!size) continue;
        env.rows = size.rows;
        env.columns = size.cols;
        for (const listener of [...resizeListeners]) listener(size.rows, size.cols);
      } else if (message.kind === Msg.Signal && message.payload.length === 1) {
        const signo = message.payload[0];
        const name = SIGNAL_NAMES[signo] ?? `SIG${signo}`;
        if (signalListeners.size > 0) {
          for (const listener of [...signalListeners]) listener(name);
        } else if (FATAL.has(name)) {
          resolveForced(128 + signo); // the default action: the client dies of it
        }
      }
    }
    // The client went away (it was killed, or its output pipe closed): nobody reads any more.
    stdin.abort();
    gone = true;
    resolveForced(-1);
  })().catch((error: unknown) => {
    options.onError?.(error);
    gone = true;
    stdin.abort();
    resolveForced(-1);
  });

  const ran = options.run(hello.argv, env).catch((error: unknown) => {
    env.stderr(`${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  });
  const status = await Promise.race([ran, forced]);
  if (status >= 0 && !gone) await send(Msg.Exit, Uint8Array.of(status & 0xff));
  await chain;
  connection.close();
  // The client closes its side when it exits; the pump then ends by itself.
  void pump;
  return status;
}

function makeEnv(
  hello: SessionHello,
  options: SessionOptions,
  send: (kind: number, payload?: Uint8Array) => Promise<void>,
  isGone: () => boolean,
  stdin: StdinQueue,
  resizeListeners: Set<(rows: number, cols: number) => void>,
  signalListeners: Set<(signal: string) => void>,
): DockerEnv {
  let raw = false;
  const now = options.now ?? (() => new Date());
  return {
    client: options.client,
    stdout: (text) => void send(Msg.Stdout, encoder.encode(text)),
    stderr: (text) => void send(Msg.Stderr, encoder.encode(text)),
    // Once the client is gone (killed, or `| head` closed its output), byte streams fail like a write
    // to a closed pipe, so `docker export c | head -c 10` and `logs -f | head -1` stop.
    writeStdout: async (bytes) => {
      await send(Msg.Stdout, bytes);
      if (isGone()) throw new Error('write /dev/stdout: broken pipe');
    },
    stdin: stdin.iterable(),
    stdinIsTerminal: hello.tty.stdin,
    stdoutIsTerminal: hello.tty.stdout,
    rows: hello.rows || 24,
    columns: hello.cols || (hello.tty.stdout ? 80 : undefined),
    setRawMode(on) {
      if (on === raw || !hello.tty.stdin) return;
      raw = on;
      void send(Msg.Raw, Uint8Array.of(on ? 1 : 0));
    },
    onResize(listener) {
      resizeListeners.add(listener);
      return () => resizeListeners.delete(listener);
    },
    onSignal(listener) {
      signalListeners.add(listener);
      return () => signalListeners.delete(listener);
    },
    environment: environmentOf(hello.env),
    readFile: (path) => options.files.read(resolveClientPath(hello.cwd, path)),
    writeFile: (path, data) => options.files.write(resolveClientPath(hello.cwd, path), data),
    mkdirAll: options.files.mkdirAll ? (path, mode) => options.files.mkdirAll!(resolveClientPath(hello.cwd, path), mode) : undefined,
    now,
    cwd: hello.cwd,
    archives: options.files.archives,
  };
}

/**
 * The client's stdin: asked for (message 'i') the first time the CLI reads it, then delivered in
 * order; the pump waits while the CLI has not taken a chunk, so stdin is flow-controlled end to end.
 */
class StdinQueue {
  private readonly chunks: { chunk: Uint8Array; taken: () => void }[] = [];
  private ended = false;
  private asked = false;
  private wake: (() => void) | undefined;

  constructor(private readonly ask: () => void) {}

  push(chunk: Uint8Array): Promise<void> {
    if (this.ended) return Promise.resolve();
    return new Promise((taken) => {
      this.chunks.push({ chunk, taken });
      this.wakeUp();
    });
  }

  get backlog(): number {
    return this.chunks.length;
  }

  /** EOF: what was sent before it is still read. */
  end(): void {
    this.ended = true;
    this.wakeUp();
  }

  /** The client is gone: drop what nobody will read. */
  abort(): void {
    this.ended = true;
    for (const entry of this.chunks.splice(0)) entry.taken();
    this.wakeUp();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  iterable(): AsyncIterable<Uint8Array> {
    return {
      [Symbol.asyncIterator]: () => {
        if (!this.asked) {
          this.asked = true;
          this.ask();
        }
        return this.iterate();
      },
    };
  }

  private async *iterate(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const head = this.chunks.shift();
      if (head) {
        head.taken();
        yield head.chunk;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}
