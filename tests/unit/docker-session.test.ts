// The guest docker client's session (src/app/session-protocol.ts, docker-sessions.ts): framing, the
// hello, and a whole session against a fake CLI over an in-memory duplex.

import { describe, expect, it } from 'vitest';
import {
  Msg,
  SessionProtocolError,
  SessionReader,
  encodeHello,
  encodeMessage,
  encodeResize,
  environmentOf,
  parseHello,
  resizeOf,
  type SessionHello,
  type SessionMessage,
} from '../../src/app/session-protocol';
import { resolveClientPath, serveDockerSession, type SessionConnection, type SessionOptions } from '../../src/app/docker-sessions';
import type { DockerEnv } from '../../src/cli/env';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const hello: SessionHello = {
  argv: ['run', '-it', 'debian', 'bash'],
  env: ['HOME=/root', 'TERM=xterm', 'EMPTY=', 'HOME=/other'],
  cwd: '/root',
  tty: { stdin: true, stdout: true, stderr: false },
  rows: 30,
  cols: 100,
};

describe('session framing', () => {
  it('splits messages across arbitrary chunk boundaries', () => {
    const bytes = new Uint8Array([...encodeMessage(Msg.Stdout, encoder.encode('hello')), ...encodeMessage(Msg.Stdin), ...encodeResize(40, 120)]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const reader = new SessionReader();
      const got = [...reader.push(bytes.slice(0, cut)), ...reader.push(bytes.slice(cut))];
      expect(got.map((m) => m.kind)).toEqual([Msg.Stdout, Msg.Stdin, Msg.Resize]);
      expect(decoder.decode(got[0].payload)).toBe('hello');
      expect(got[1].payload.length).toBe(0);
      expect(resizeOf(got[2].payload)).toEqual({ rows: 40, cols: 120 });
      expect(reader.buffered).toBe(0);
    }
  });

  it('uses kind, u32 little-endian length, payload', () => {
    expect([...encodeMessage(Msg.Exit, Uint8Array.of(7))]).toEqual([0x78, 1, 0, 0, 0, 7]);
    expect([...encodeResize(24, 80)]).toEqual([0x77, 4, 0, 0, 0, 24, 0, 80, 0]);
  });

  it('refuses absurd lengths', () => {
    expect(() => new SessionReader().push(Uint8Array.of(0x6f, 0xff, 0xff, 0xff, 0xff))).toThrow(SessionProtocolError);
  });

  it('round-trips the hello and tolerates junk in it', () => {
    const [message] = new SessionReader().push(encodeHello(hello));
    expect(message.kind).toBe(Msg.Hello);
    expect(parseHello(message.payload)).toEqual(hello);
    expect(parseHello(encoder.encode('{"argv":["ps",3],"cwd":"relative","tty":[1,true]}'))).toEqual({
      argv: ['ps'],
      env: [],
      cwd: '/',
      tty: { stdin: false, stdout: true, stderr: false },
      rows: 0,
      cols: 0,
    });
    expect(() => parseHello(encoder.encode('nope'))).toThrow(SessionProtocolError);
  });

  it('reads the environment like getenv', () => {
    expect(environmentOf(hello.env)).toEqual({ HOME: '/root', TERM: 'xterm', EMPTY: '' });
  });

  it('resolves client paths against the working directory', () => {
    expect(resolveClientPath('/root', 'x.tar')).toBe('/root/x.tar');
    expect(resolveClientPath('/root/', './a/../b.tar')).toBe('/root/b.tar');
    expect(resolveClientPath('/root', '/tmp//y')).toBe('/tmp/y');
    expect(resolveClientPath('/', '../../etc/passwd')).toBe('/etc/passwd');
  });
});

/** The client's end of a session, driven by the test. */
class FakeClient {
  private readonly toHost: Uint8Array[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  readonly fromHost: SessionMessage[] = [];
  private readonly reader = new SessionReader();
  closed = false;
  private waiters: (() => void)[] = [];

  readonly connection: SessionConnection = {
    input: { [Symbol.asyncIterator]: () => this.iterate() },
    write: async (chunk) => {
      this.fromHost.push(...this.reader.push(chunk));
      for (const w of this.waiters.splice(0)) w();
    },
    close: () => {
      this.closed = true;
    },
  };

  send(bytes: Uint8Array): void {
    this.toHost.push(bytes);
    this.wake?.();
  }

  end(): void {
    this.ended = true;
    this.wake?.();
  }

  private async *iterate(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const next = this.toHost.shift();
      if (next) {
        yield next;
        continue;
      }
      if (this.ended) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
      this.wake = undefined;
    }
  }

  async waitFor(kind: number): Promise<SessionMessage> {
    for (;;) {
      const found = this.fromHost.find((m) => m.kind === kind);
      if (found) return found;
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  text(kind: number): string {
    return this.fromHost
      .filter((m) => m.kind === kind)
      .map((m) => decoder.decode(m.payload))
      .join('');
  }
}

function options(run: SessionOptions['run'], files: Record<string, Uint8Array> = {}): SessionOptions {
  return {
    client: { version: '1.47', request: () => Promise.reject(new Error('no engine')), hijack: () => Promise.reject(new Error('no engine')) },
    files: {
      read: async (path) => {
        const data = files[path];
        if (!data) throw new Error(`open ${path}: no such file or directory`);
        return data;
      },
      write: async (path, data) => {
        files[path] = data;
      },
    },
    run,
  };
}

describe('docker session', () => {
  it('gives the CLI argv, terminal and environment, and sends output and the exit status in order', async () => {
    const client = new FakeClient();
    let seen: DockerEnv | undefined;
    const done = serveDockerSession(
      client.connection,
      options(async (argv, env) => {
        seen = env;
        env.stdout(`${argv.join(' ')}\n`);
        env.stderr('warn\n');
        await env.writeStdout(Uint8Array.of(0, 255));
        return 3;
      }),
    );
    client.send(encodeHello(hello));
    expect(await done).toBe(3);
    expect(seen?.stdinIsTerminal).toBe(true);
    expect(seen?.stdoutIsTerminal).toBe(true);
    expect(seen?.rows).toBe(30);
    expect(seen?.columns).toBe(100);
    expect(seen?.environment.HOME).toBe('/root');
    expect(client.fromHost.map((m) => String.fromCharCode(m.kind))).toEqual(['o', 'e', 'o', 'x']);
    expect(client.text(Msg.Stdout)).toBe('run -it debian bash\n\u0000\ufffd');
    expect([...client.fromHost[3].payload]).toEqual([3]);
    expect(client.closed).toBe(true);
  });

  it('asks for stdin only when the CLI reads it, and delivers it up to EOF', async () => {
    const client = new FakeClient();
    const done = serveDockerSession(
      client.connection,
      options(async (_argv, env) => {
        let text = '';
        for await (const chunk of env.stdin!) text += decoder.decode(chunk);
        env.stdout(text.toUpperCase());
        return 0;
      }),
    );
    client.send(encodeHello({ ...hello, tty: { stdin: false, stdout: false, stderr: false } }));
    await client.waitFor(Msg.Stdin);
    client.send(encodeMessage(Msg.Stdin, encoder.encode('hello ')));
    client.send(encodeMessage(Msg.Stdin, encoder.encode('world')));
    client.send(encodeMessage(Msg.Stdin));
    expect(await done).toBe(0);
    expect(client.text(Msg.Stdout)).toBe('HELLO WORLD');
  });

  it('never asks for stdin when the CLI does not read it', async () => {
    const client = new FakeClient();
    const done = serveDockerSession(client.connection, options(async () => 0));
    client.send(encodeHello(hello));
    await done;
    expect(client.fromHost.some((m) => m.kind === Msg.Stdin)).toBe(false);
  });

  it('switches raw mode only for a terminal, and passes resizes and signals', async () => {
    const client = new FakeClient();
    const events: string[] = [];
    let finish!: () => void;
    const finished = new Promise<void>((resolve) => (finish = resolve));
    const done = serveDockerSession(
      client.connection,
      options(async (_argv, env) => {
        env.setRawMode(true);
        env.onResize((rows, cols) => events.push(`resize ${rows}x${cols} (${env.rows}x${env.columns})`));
        env.onSignal((signal) => {
          events.push(signal);
          finish();
        });
        await finished;
        env.setRawMode(false);
        return 0;
      }),
    );
    client.send(encodeHello(hello));
    await client.waitFor(Msg.Raw);
    client.send(encodeResize(50, 160));
    client.send(encodeMessage(Msg.Signal, Uint8Array.of(15)));
    await done;
    expect(events).toEqual(['resize 50x160 (50x160)', 'SIGTERM']);
    const raw = client.fromHost.filter((m) => m.kind === Msg.Raw).map((m) => m.payload[0]);
    expect(raw).toEqual([1, 0]);
  });

  it('ends with 128+N when a fatal signal arrives and the CLI does not handle signals', async () => {
    const client = new FakeClient();
    const done = serveDockerSession(client.connection, options(() => new Promise<number>(() => undefined)));
    client.send(encodeHello(hello));
    client.send(encodeMessage(Msg.Signal, Uint8Array.of(2)));
    expect(await done).toBe(130);
    expect([...(await client.waitFor(Msg.Exit)).payload]).toEqual([130]);
  });

  it('gives up quietly when the client goes away', async () => {
    const client = new FakeClient();
    const done = serveDockerSession(client.connection, options(() => new Promise<number>(() => undefined)));
    client.send(encodeHello(hello));
    client.end();
    expect(await done).toBe(-1);
    expect(client.fromHost.some((m) => m.kind === Msg.Exit)).toBe(false);
  });

  it('fails byte writes once the client is gone, like a broken pipe', async () => {
    const client = new FakeClient();
    let failure = '';
    let cliDone!: () => void;
    const cliFinished = new Promise<void>((resolve) => (cliDone = resolve));
    const done = serveDockerSession(
      client.connection,
      options(async (_argv, env) => {
        await env.writeStdout(Uint8Array.of(1));
        client.end();
        for (;;) {
          try {
            await env.writeStdout(Uint8Array.of(2));
          } catch (error) {
            failure = (error as Error).message;
            cliDone();
            return 1;
          }
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      }),
    );
    client.send(encodeHello(hello));
    expect(await done).toBe(-1);
    await cliFinished;
    expect(failure).toBe('write /dev/stdout: broken pipe');
  });

  it('reads and writes the client files relative to its working directory', async () => {
    const client = new FakeClient();
    const files: Record<string, Uint8Array> = { '/root/in.tar': encoder.encode('tar') };
    const done = serveDockerSession(
      client.connection,
      options(async (_argv, env) => {
        const data = await env.readFile('in.tar');
        await env.writeFile('../tmp/out.tar', data);
        await env.readFile('missing.tar').catch((error: Error) => env.stderr(`${error.message}\n`));
        return 0;
      }, files),
    );
    client.send(encodeHello(hello));
    await done;
    expect(decoder.decode(files['/tmp/out.tar'])).toBe('tar');
    expect(client.text(Msg.Stderr)).toBe('open /root/missing.tar: no such file or directory\n');
  });

  it('closes a connection whose first message is not a hello', async () => {
    const client = new FakeClient();
    const done = serveDockerSession(client.connection, options(async () => 0));
    client.send(encodeMessage(Msg.Stdin, encoder.encode('x')));
    expect(await done).toBe(1);
    expect(client.closed).toBe(true);
  });
});
