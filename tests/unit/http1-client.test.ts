// The CLI's HTTP client against the HTTP/1.1 server, in memory: version negotiation with /_ping,
// JSON and streamed bodies both ways, errors, and hijacked (upgraded) connections with half-close.

import { describe, expect, it } from 'vitest';
import { rawPipe } from '../../src/cli/client';
import { HttpEngineClient, ConnectionError } from '../../src/cli/http-client';
import { serveHttpConnection } from '../../src/engine/api/http1';
import { Router } from '../../src/engine/api/router';
import { registerSystemRoutes } from '../../src/engine/api/routes/system';
import { jsonResponse, readJson, type ApiRequest } from '../../src/engine/api/types';
import type { Daemon } from '../../src/engine/daemon';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function setup(apiVersion?: string) {
  const router = new Router();
  registerSystemRoutes(router, { host: { name: 'dockside', cpus: 1, memoryBytes: 1, kernelVersion: '6.1.0' } } as Daemon);
  const seen: string[] = [];
  router.add('POST', '/echo', async (request) => jsonResponse(200, { got: await readJson<object>(request), type: request.headers['content-type'] }));
  router.add('POST', '/upload', async (request) => {
    let size = 0;
    for await (const chunk of request.bodyStream()) size += chunk.length;
    return jsonResponse(200, { size, chunked: request.headers['transfer-encoding'] });
  });
  router.add('GET', '/stream', async () => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: (async function* () {
      for (let i = 0; i < 3; i++) yield encoder.encode(`{"n":${i}}\n`);
    })(),
  }));
  router.add('POST', '/attach', async () => ({
    status: 101,
    headers: { 'content-type': 'application/vnd.docker.raw-stream' },
    upgrade: async (raw) => {
      for await (const chunk of raw.input) await raw.write(encoder.encode(decoder.decode(chunk).toUpperCase()));
      await raw.write(encoder.encode('[stdin closed]'));
      raw.close();
    },
  }));
  const handle = async (request: ApiRequest) => {
    seen.push(`${request.method} ${request.path}`);
    const response = await router.handle(request);
    if (apiVersion !== undefined) {
      if (apiVersion === '') delete response.headers['api-version'];
      else response.headers['api-version'] = apiVersion;
    }
    return response;
  };
  const client = new HttpEngineClient({
    connect: async () => {
      const [clientSide, serverSide] = rawPipe();
      void serveHttpConnection(serverSide, handle);
      return clientSide;
    },
  });
  return { client, seen };
}

describe('HTTP engine client', () => {
  it('pings with HEAD first and speaks the server version (1.50)', async () => {
    const { client, seen } = setup();
    const response = await client.request('GET', '/version');
    expect(response.status).toBe(200);
    expect((await response.json<{ ApiVersion: string }>()).ApiVersion).toBe('1.50');
    expect(seen).toEqual(['HEAD /_ping', 'GET /v1.50/version']);
    expect(client.version).toBe('1.50');
  });

  it('falls back to 1.24 without an Api-Version header, and keeps its own maximum below the server', async () => {
    const old = setup('');
    await old.client.negotiate();
    expect(old.client.version).toBe('1.24');
    const newer = setup('1.51');
    await newer.client.negotiate();
    expect(newer.client.version).toBe('1.50');
    const older = setup('1.47');
    await older.client.negotiate();
    expect(older.client.version).toBe('1.47');
  });

  it('sends JSON bodies and streams uploads chunked', async () => {
    const { client } = setup();
    const echo = await client.request('POST', '/echo', { body: { Image: 'busybox', Cmd: ['echo', 'hi'] } });
    expect(await echo.json()).toEqual({ got: { Image: 'busybox', Cmd: ['echo', 'hi'] }, type: 'application/json' });
    const upload = await client.request('POST', '/upload', {
      body: (async function* () {
        for (let i = 0; i < 10; i++) yield new Uint8Array(10_000);
      })(),
      headers: { 'Content-Type': 'application/x-tar' },
    });
    expect(await upload.json()).toEqual({ size: 100_000, chunked: 'chunked' });
  });

  it('reads streamed answers as they come', async () => {
    const { client } = setup();
    const response = await client.request('GET', '/stream');
    const lines: string[] = [];
    for await (const chunk of response.stream()) lines.push(decoder.decode(chunk));
    expect(lines.join('')).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
  });

  it('returns docker JSON errors with their status', async () => {
    const { client } = setup();
    const response = await client.request('GET', '/nothing');
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'page not found' });
  });

  it('hijacks upgraded connections: raw both ways, and the engine still answers after stdin is half-closed', async () => {
    const { client } = setup();
    const hijacked = await client.hijack('POST', '/attach');
    expect(hijacked.status).toBe(101);
    await hijacked.connection.write(encoder.encode('hello'));
    const iterator = hijacked.connection.input[Symbol.asyncIterator]();
    expect(decoder.decode((await iterator.next()).value as Uint8Array)).toBe('HELLO');
    hijacked.connection.close();
    let rest = '';
    for (;;) {
      const next = await iterator.next();
      if (next.done) break;
      rest += decoder.decode(next.value);
    }
    expect(rest).toBe('[stdin closed]');
  });

  it('throws a hijack error with the status when the server does not upgrade', async () => {
    const { client } = setup();
    await expect(client.hijack('POST', '/nothing')).rejects.toMatchObject({ status: 404 });
  });

  it('says the daemon cannot be reached as docker does', async () => {
    const client = new HttpEngineClient({
      connect: async () => {
        throw new Error('connect ECONNREFUSED 127.0.0.1:1');
      },
      address: 'tcp://127.0.0.1:1',
    });
    const failure = client.request('GET', '/version');
    await expect(failure).rejects.toBeInstanceOf(ConnectionError);
    await expect(failure).rejects.toThrow('Cannot connect to the Docker daemon at tcp://127.0.0.1:1. Is the docker daemon running?');
  });
});
