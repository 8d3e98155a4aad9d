// HTTP/1.1 over a byte duplex, byte by byte: requests as a client writes them, answers as moby's Go
// server writes them, and every way a request can be wrong.

import { describe, expect, it } from 'vitest';
import { serveHttpConnection, canonicalHeaderName } from '../../src/engine/api/http1';
import type { ApiRequest, ApiResponse, RawConnection } from '../../src/engine/api/types';
import { ByteQueue } from '../../src/cli/client';
import { AsyncQueue } from '../../src/go/async-queue';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const FIXED_DATE = new Date('2026-11-23T03:24:01Z');

interface Peer {
  /** What the client sends. */
  send(text: string | Uint8Array): void;
  /** The client's half-close. */
  end(): void;
  /** Everything the server wrote so far. */
  output(): string;
  /** Resolves when the server wrote something containing `text`. */
  waitFor(text: string): Promise<string>;
  closed: () => boolean;
  done: Promise<void>;
  /** Make the server's writes fail (the peer vanished). */
  breakWrites(): void;
}

function serve(handle: (request: ApiRequest) => Promise<ApiResponse>, options: Parameters<typeof serveHttpConnection>[2] = {}): Peer {
  const input = new ByteQueue();
  const chunks: Uint8Array[] = [];
  let closed = false;
  let broken = false;
  const watchers: Array<() => void> = [];
  const output = () => decoder.decode(concat(chunks));
  const connection: RawConnection = {
    input,
    write: async (chunk) => {
      if (broken) throw new Error('EPIPE');
      chunks.push(chunk.slice());
      for (const watcher of [...watchers]) watcher();
    },
    close: () => {
      closed = true;
      for (const watcher of [...watchers]) watcher();
    },
  };
  const done = serveHttpConnection(connection, handle, { now: () => FIXED_DATE, ...options });
  return {
    send: (data) => input.push(typeof data === 'string' ? encoder.encode(data) : data),
    end: () => input.end(),
    output,
    waitFor: (text) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (output().includes(text)) {
            watchers.splice(watchers.indexOf(check), 1);
            resolve(output());
          } else if (closed) {
            reject(new Error(`closed without ${JSON.stringify(text)}; got ${JSON.stringify(output())}`));
          }
        };
        watchers.push(check);
        check();
      }),
    closed: () => closed,
    done,
    breakWrites: () => (broken = true),
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

const json = (status: number, value: unknown): ApiResponse => ({
  status,
  headers: { 'content-type': 'application/json', 'api-version': '1.47' },
  body: encoder.encode(`${JSON.stringify(value)}\n`),
});

/** Echoes what it was asked, body included. */
const echo = async (request: ApiRequest): Promise<ApiResponse> => {
  const body = decoder.decode(await request.body());
  return json(200, { method: request.method, path: request.path, query: request.query.toString(), body, headers: request.headers });
};

/** A response stream the test drives, recording whether it was stopped. */
function controlledStream() {
  const queue = new ByteQueue();
  const state = { stopped: false };
  const stream: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]() {
      const inner = queue[Symbol.asyncIterator]();
      return {
        next: () => inner.next(),
        return: async () => {
          state.stopped = true;
          queue.end();
          return { done: true, value: undefined };
        },
      };
    },
  };
  return { queue, stream, state };
}

describe('HTTP/1.1 server: requests and answers', () => {
  it('answers a GET with Go-style headers and Content-Length', async () => {
    const peer = serve(echo);
    peer.send('GET /v1.47/containers/json?all=1 HTTP/1.1\r\nHost: api.moby.localhost\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\n\r\n');
    const text = await peer.waitFor('}\n');
    const [head, body] = text.split('\r\n\r\n');
    // The handler's headers sorted, then what the server adds (Go's order).
    expect(head.split('\r\n')).toEqual(['HTTP/1.1 200 OK', 'Api-Version: 1.47', 'Content-Type: application/json', 'Date: Mon, 23 Nov 2026 03:24:01 GMT', 'Content-Length: ' + body.length]);
    const parsed = JSON.parse(body);
    expect(parsed).toMatchObject({ method: 'GET', path: '/v1.47/containers/json', query: 'all=1', body: '' });
    expect(parsed.headers).toEqual({ host: 'api.moby.localhost', 'user-agent': 'Docker-Client/28.2.2 (linux)' });
    expect(peer.closed()).toBe(false);
    peer.end();
    await peer.done;
    expect(peer.closed()).toBe(true);
  });

  it('parses requests that arrive one byte at a time, with bare LF lines', async () => {
    const peer = serve(echo);
    const request = 'POST /a?b=c HTTP/1.1\nHost: x\nContent-Length: 5\n\nhello';
    for (const byte of encoder.encode(request)) peer.send(Uint8Array.of(byte));
    const text = await peer.waitFor('}\n');
    expect(JSON.parse(text.split('\r\n\r\n')[1])).toMatchObject({ method: 'POST', path: '/a', body: 'hello' });
  });

  it('serves pipelined requests in order on one connection (keep-alive)', async () => {
    const peer = serve(echo);
    peer.send(
      'GET /one HTTP/1.1\r\nHost: x\r\n\r\n' +
        'POST /two HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc' +
        'POST /three HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nde\r\n0\r\n\r\n' +
        'GET /four HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
    );
    await peer.done;
    const text = peer.output();
    const bodies = text
      .split('HTTP/1.1 200 OK')
      .slice(1)
      .map((part) => JSON.parse(part.split('\r\n\r\n')[1]));
    expect(bodies.map((b) => [b.path, b.body])).toEqual([
      ['/one', ''],
      ['/two', 'abc'],
      ['/three', 'de'],
      ['/four', ''],
    ]);
    expect(text.match(/Connection: close/g)).toHaveLength(1);
    expect(peer.closed()).toBe(true);
  });

  it('streams a chunked request body to bodyStream() as it arrives, chunk extensions and trailers included', async () => {
    const seen: string[] = [];
    let release: () => void = () => undefined;
    const gotFirst = new Promise<void>((resolve) => (release = resolve));
    const peer = serve(async (request) => {
      for await (const chunk of request.bodyStream()) {
        seen.push(decoder.decode(chunk));
        release();
      }
      return json(200, { seen });
    });
    peer.send('POST /build HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/x-tar\r\n\r\n5;ext=1\r\nfirst\r\n');
    await gotFirst;
    expect(seen).toEqual(['first']);
    peer.send('A\r\n0123456789\r\n0\r\nX-Trailer: t\r\n\r\n');
    const text = await peer.waitFor('}\n');
    expect(JSON.parse(text.split('\r\n\r\n')[1])).toEqual({ seen: ['first', '0123456789'] });
  });

  it('drains a body the handler did not read, then serves the next request', async () => {
    const peer = serve(async (request) => json(200, { path: request.path }));
    peer.send('POST /ignored HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789GET /next HTTP/1.1\r\nHost: x\r\n\r\n');
    await peer.waitFor('{"path":"/next"}');
  });

  it('closes instead of draining a large unread body', async () => {
    const peer = serve(async () => json(200, {}), { maxDrainBytes: 4 });
    peer.send('POST /x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n' + 'y'.repeat(100));
    await peer.done;
    expect(peer.closed()).toBe(true);
  });

  it('closes after an HTTP/1.0 request unless it asks for keep-alive', async () => {
    const peer = serve(echo);
    peer.send('GET /a HTTP/1.0\r\n\r\n');
    await peer.done;
    expect(peer.output()).toMatch(/^HTTP\/1\.0 200 OK\r\n/);
    expect(peer.output()).toContain('Connection: close\r\n');
    const alive = serve(echo);
    alive.send('GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n');
    await alive.waitFor('}\n');
    expect(alive.output()).toContain('Connection: keep-alive\r\n');
    expect(alive.closed()).toBe(false);
  });

  it('answers HEAD without a body and 204/304 without Content-Length', async () => {
    const peer = serve(async (request) => {
      if (request.path === '/_ping') return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8', 'content-length': '0' } };
      if (request.path === '/get') return json(200, { big: 'x'.repeat(50) });
      if (request.path === '/start') return { status: 204, headers: {} };
      return { status: 304, headers: {} };
    });
    peer.send('HEAD /_ping HTTP/1.1\r\nHost: x\r\n\r\nHEAD /get HTTP/1.1\r\nHost: x\r\n\r\nPOST /start HTTP/1.1\r\nHost: x\r\n\r\nPOST /again HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await peer.done;
    const responses = peer.output().split(/(?=HTTP\/1\.1 )/);
    expect(responses).toHaveLength(4);
    expect(responses[0]).toBe('HTTP/1.1 200 OK\r\nContent-Length: 0\r\nContent-Type: text/plain; charset=utf-8\r\nDate: Mon, 23 Nov 2026 03:24:01 GMT\r\n\r\n');
    expect(responses[1]).toContain('Content-Length: 61\r\n');
    expect(responses[1].endsWith('\r\n\r\n')).toBe(true);
    expect(responses[2]).toBe('HTTP/1.1 204 No Content\r\nDate: Mon, 23 Nov 2026 03:24:01 GMT\r\n\r\n');
    expect(responses[3]).toBe('HTTP/1.1 304 Not Modified\r\nConnection: close\r\nDate: Mon, 23 Nov 2026 03:24:01 GMT\r\n\r\n');
  });

  it('sends a 100 Continue before reading a body that expects it', async () => {
    const peer = serve(echo);
    peer.send('POST /load HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n');
    await peer.waitFor('HTTP/1.1 100 Continue\r\n\r\n');
    peer.send('ok');
    const text = await peer.waitFor('}\n');
    expect(text.startsWith('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n')).toBe(true);
    expect(text).toContain('"body":"ok"');
  });

  it('canonicalizes header names as Go does', () => {
    expect(canonicalHeaderName('api-version')).toBe('Api-Version');
    expect(canonicalHeaderName('X-DOCKER-container-path-stat')).toBe('X-Docker-Container-Path-Stat');
    expect(canonicalHeaderName('ostype')).toBe('Ostype');
  });
});

describe('HTTP/1.1 server: streamed responses', () => {
  it('sends the header at once and flushes each chunk (wait, pull, events)', async () => {
    const { queue, stream } = controlledStream();
    const peer = serve(async () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: stream }));
    peer.send('POST /v1.47/containers/x/wait HTTP/1.1\r\nHost: x\r\n\r\n');
    const head = await peer.waitFor('\r\n\r\n');
    expect(head).toBe('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nDate: Mon, 23 Nov 2026 03:24:01 GMT\r\n\r\n');
    queue.push(encoder.encode('{"status":"Pulling"}\n'));
    await peer.waitFor('15\r\n{"status":"Pulling"}\n\r\n');
    queue.push(encoder.encode('{"StatusCode":0,"Error":null}\n'));
    queue.end();
    await peer.waitFor('1e\r\n{"StatusCode":0,"Error":null}\n\r\n0\r\n\r\n');
    // The connection stays usable.
    expect(peer.closed()).toBe(false);
  });

  it('stops the handler stream cleanly when the client disconnects mid-stream, and serves other connections after', async () => {
    const { queue, stream, state } = controlledStream();
    const peer = serve(async () => ({ status: 200, headers: {}, body: stream }));
    peer.send('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    queue.push(encoder.encode('one\n'));
    await peer.waitFor('one\n');
    peer.end();
    await peer.done;
    expect(state.stopped).toBe(true);
    expect(peer.closed()).toBe(true);
    const other = serve(echo);
    other.send('GET /after HTTP/1.1\r\nHost: x\r\n\r\n');
    await other.waitFor('"/after"');
  });

  it('cancels an idle AsyncQueue stream (events, wait) as soon as the client hangs up, not at the next chunk', async () => {
    const queue = new AsyncQueue<Uint8Array>();
    let cancelled = false;
    queue.onCancel = () => (cancelled = true);
    const peer = serve(async () => ({ status: 200, headers: {}, body: queue }));
    peer.send('GET /events HTTP/1.1\r\nHost: x\r\n\r\n');
    await peer.waitFor('\r\n\r\n');
    peer.end();
    await peer.done;
    expect(cancelled).toBe(true);
    expect(queue.closed).toBe(true);
  });

  it('stops the handler stream when writes to the peer fail', async () => {
    const { queue, stream, state } = controlledStream();
    const peer = serve(async () => ({ status: 200, headers: {}, body: stream }));
    peer.send('GET /logs HTTP/1.1\r\nHost: x\r\n\r\n');
    await peer.waitFor('\r\n\r\n');
    peer.breakWrites();
    queue.push(encoder.encode('lost'));
    await peer.done;
    expect(state.stopped).toBe(true);
  });

  it('does not send a HEAD answer body even when the handler streams one', async () => {
    const { queue, stream, state } = controlledStream();
    queue.push(encoder.encode('data'));
    const peer = serve(async () => ({ status: 200, headers: {}, body: stream }));
    peer.send('HEAD /x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    await peer.done;
    expect(peer.output()).not.toContain('data');
    expect(state.stopped).toBe(true);
  });

  it('ends an HTTP/1.0 stream by closing the connection', async () => {
    const peer = serve(async () => ({ status: 200, headers: {}, body: (async function* () { yield encoder.encode('a'); yield encoder.encode('b'); })() }));
    peer.send('GET /x HTTP/1.0\r\n\r\n');
    await peer.done;
    expect(peer.output()).toMatch(/Connection: close\r\n.*\r\n\r\nab$/s);
    expect(peer.output()).not.toContain('Transfer-Encoding');
  });
});

describe('HTTP/1.1 server: upgraded connections (attach, exec start)', () => {
  const attach = (received: string[]) => async (request: ApiRequest): Promise<ApiResponse> => {
    const body = decoder.decode(await request.body());
    return {
      status: 101,
      headers: { 'content-type': 'application/vnd.docker.multiplexed-stream', 'api-version': '1.47', server: 'Docker/28.2.2 (linux)' },
      upgrade: async (raw) => {
        await raw.write(encoder.encode(`body=${body};`));
        for await (const chunk of raw.input) {
          received.push(decoder.decode(chunk));
          await raw.write(encoder.encode(`echo:${decoder.decode(chunk)};`));
        }
        // stdin was half-closed: the engine still sends, then ends.
        await raw.write(encoder.encode('bye'));
        raw.close();
      },
    };
  };

  it('answers 101 UPGRADED with moby headers, then carries raw bytes both ways until the client half-closes', async () => {
    const received: string[] = [];
    const peer = serve(attach(received));
    peer.send('POST /v1.47/exec/abc/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Length: 16\r\n\r\n{"Detach":false}early');
    const head = await peer.waitFor('body=');
    expect(head.split('\r\n\r\n')[0]).toBe(
      'HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.multiplexed-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nApi-Version: 1.47\r\nServer: Docker/28.2.2 (linux)',
    );
    await peer.waitFor('body={"Detach":false};echo:early;');
    peer.send('GET / HTTP/1.1\r\n\r\n');
    await peer.waitFor('echo:GET / HTTP/1.1\r\n\r\n;');
    peer.end();
    await peer.done;
    expect(peer.output().endsWith('bye')).toBe(true);
    expect(received).toEqual(['early', 'GET / HTTP/1.1\r\n\r\n']);
  });

  it('answers 200 OK with a raw stream to a client that does not ask for the upgrade', async () => {
    const peer = serve(attach([]));
    peer.send('POST /containers/x/attach?stream=1 HTTP/1.1\r\nHost: x\r\n\r\n');
    await peer.waitFor('body=;');
    expect(peer.output()).toMatch(/^HTTP\/1\.1 200 OK\r\nContent-Type: application\/vnd\.docker\.multiplexed-stream\r\n/);
    peer.end();
    await peer.done;
  });
});

describe('HTTP/1.1 server: errors', () => {
  const plain = (status: string, text = status) => `HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${text}`;

  async function answer(request: string | Uint8Array, options: Parameters<typeof serveHttpConnection>[2] = {}): Promise<string> {
    let called = false;
    const peer = serve(async (r) => {
      called = true;
      return echo(r);
    }, options);
    peer.send(request);
    await peer.done;
    expect(peer.closed()).toBe(true);
    expect(called).toBe(false);
    return peer.output();
  }

  it('answers an oversized header block with 431 and closes', async () => {
    const big = `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(2000)}\r\n\r\n`;
    expect(await answer(big, { maxHeaderBytes: 1024 - 4096 + 1000 })).toBe(plain('431 Request Header Fields Too Large'));
    // Without an end of the header block in sight, too.
    expect(await answer(`GET / HTTP/1.1\r\nX: ${'a'.repeat(3000)}`, { maxHeaderBytes: 2048 - 4096 })).toBe(plain('431 Request Header Fields Too Large'));
  });

  it('enforces the default 1 MiB limit', async () => {
    const peer = serve(echo);
    peer.send(`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat((1 << 20) + 5000)}\r\n\r\n`);
    await peer.done;
    expect(peer.output()).toBe(plain('431 Request Header Fields Too Large'));
  });

  it('answers malformed requests with 400 Bad Request', async () => {
    const bad = plain('400 Bad Request');
    expect(await answer('GARBAGE\r\n\r\n')).toBe(bad);
    expect(await answer('GET /\r\n\r\n')).toBe(bad);
    expect(await answer('GET / HTTP/1.1 extra\r\nHost: x\r\n\r\n')).toBe(bad);
    expect(await answer('G(T / HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(bad);
    expect(await answer('GET / HTTP/x.y\r\nHost: x\r\n\r\n')).toBe(bad);
    expect(await answer('GET / HTTP/1.1\r\nHost: x\r\nBad Name: 1\r\n\r\n')).toBe(bad);
    expect(await answer('GET / HTTP/1.1\r\nHost: x\r\nno-colon\r\n\r\n')).toBe(bad);
    expect(await answer('GET / HTTP/1.1\r\n folded-first: 1\r\nHost: x\r\n\r\n')).toBe(bad);
    expect(await answer('GET nopath HTTP/1.1\r\nHost: x\r\n\r\n')).toBe(bad);
  });

  it('answers as Go does for Host, Content-Length, Transfer-Encoding and the protocol version', async () => {
    expect(await answer('GET / HTTP/1.1\r\n\r\n')).toBe(plain('400 Bad Request: missing required Host header'));
    expect(await answer('GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n')).toBe(plain('400 Bad Request: too many Host headers'));
    expect(await answer('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n')).toBe(plain('400 Bad Request: bad Content-Length'));
    expect(await answer('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n')).toBe(plain('400 Bad Request: bad Content-Length'));
    expect(await answer('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n')).toBe(
      'HTTP/1.1 501 Not Implemented\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\nUnsupported transfer encoding',
    );
    expect(await answer('GET / HTTP/2.0\r\nHost: x\r\n\r\n')).toBe(plain('505 HTTP Version Not Supported: unsupported protocol version'));
  });

  it('says nothing to a peer that sends half a request and leaves', async () => {
    const peer = serve(echo);
    peer.send('GET / HTTP/1.1\r\nHost');
    peer.end();
    await peer.done;
    expect(peer.output()).toBe('');
    expect(peer.closed()).toBe(true);
  });

  it('fails the body stream on malformed chunks or a body cut short, and closes the connection', async () => {
    for (const [request, message] of [
      ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', 'invalid byte in chunk length'],
      ['POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcd\r\n', 'malformed chunked encoding'],
      ['POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc', 'unexpected EOF'],
    ]) {
      let failure = '';
      const peer = serve(async (r) => {
        try {
          await r.body();
        } catch (error) {
          failure = (error as Error).message;
        }
        return json(400, { message: failure });
      });
      peer.send(request);
      peer.end();
      await peer.done;
      expect(failure).toBe(message);
      expect(peer.output()).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(peer.closed()).toBe(true);
    }
  });

  it('answers 500 as JSON if the handler throws', async () => {
    const errors: unknown[] = [];
    const peer = serve(
      async () => {
        throw new Error('boom');
      },
      { onError: (e) => errors.push(e) },
    );
    peer.send('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    const text = await peer.waitFor('}\n');
    expect(text).toMatch(/^HTTP\/1\.1 500 Internal Server Error\r\n/);
    expect(text.endsWith('{"message":"boom"}\n')).toBe(true);
    expect(errors).toHaveLength(1);
  });
});
