// `dockside serve`'s transport without a guest: node:net sockets adapted to RawConnection, loopback
// only unless asked, and a client that half-closes its side of an upgraded connection (docker run
// without -i does at once) still gets all the output.

import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ApiRequest, ApiResponse } from '../../src/engine/api/types';
import { isLoopback, listenApi, parseServeArgs } from '../../src/node/serve';
import { engineClientForDockerHost, parseDockerHost } from '../../src/node/net-connection';
import { Router } from '../../src/engine/api/router';
import { registerSystemRoutes } from '../../src/engine/api/routes/system';
import type { Daemon } from '../../src/engine/daemon';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const encoder = new TextEncoder();

async function handle(request: ApiRequest): Promise<ApiResponse> {
  if (request.path === '/attach') {
    return {
      status: 101,
      headers: { 'content-type': 'application/vnd.docker.raw-stream' },
      upgrade: async (raw) => {
        for await (const chunk of raw.input) void chunk; // stdin ends with the client's half-close
        await new Promise((r) => setTimeout(r, 50));
        await raw.write(encoder.encode('output after stdin closed'));
        raw.close();
      },
    };
  }
  return { status: 200, headers: { 'content-type': 'text/plain' }, body: encoder.encode('ok') };
}

function exchange(port: number, request: string, halfCloseAfterHead: boolean): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let text = '';
    socket.on('data', (d: Buffer) => {
      text += d.toString('latin1');
      if (halfCloseAfterHead && text.includes('\r\n\r\n') && socket.writable) socket.end();
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(text));
    socket.write(request);
    if (!halfCloseAfterHead) socket.end();
  });
}

describe('dockside serve transport', () => {
  it('keeps sending on an upgraded connection after the client half-closes', async () => {
    const server = await listenApi(handle, { host: '127.0.0.1', port: 0 });
    try {
      const text = await exchange(server.port ?? 0, 'POST /attach HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n', true);
      expect(text).toMatch(/^HTTP\/1\.1 101 UPGRADED\r\n[^]*\r\n\r\noutput after stdin closed$/);
      const plain = await exchange(server.port ?? 0, 'GET /x HTTP/1.1\r\nHost: x\r\n\r\n', false);
      expect(plain).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*\r\n\r\nok$/);
      expect(server.dockerHost).toBe(`tcp://127.0.0.1:${server.port}`);
    } finally {
      await server.close();
    }
  });

  it('listens on loopback only unless --unsafe-listen-any is given', () => {
    expect(parseServeArgs([])).toMatchObject({ host: '127.0.0.1', port: 2375, unsafeListenAny: false });
    expect(parseServeArgs(['--host', '::1', '--port=0'])).toMatchObject({ host: '::1', port: 0 });
    expect(parseServeArgs(['--host', '0.0.0.0'])).toMatch(/refusing to listen on 0\.0\.0\.0/);
    expect(parseServeArgs(['--host', '0.0.0.0', '--unsafe-listen-any'])).toMatchObject({ host: '0.0.0.0', unsafeListenAny: true });
    expect(parseServeArgs(['--unix', '/tmp/d.sock'])).toMatchObject({ unix: '/tmp/d.sock' });
    expect(parseServeArgs(['--port', 'x'])).toMatch(/invalid port/);
    expect(parseServeArgs(['--bogus'])).toMatch(/unknown argument/);
    expect([isLoopback('127.0.0.1'), isLoopback('127.1.2.3'), isLoopback('::1'), isLoopback('localhost'), isLoopback('10.0.0.1'), isLoopback('::')]).toEqual([true, true, true, true, false, false]);
  });

  it('parses DOCKER_HOST as docker does', () => {
    expect(parseDockerHost('tcp://127.0.0.1:2375')).toEqual({ kind: 'tcp', host: '127.0.0.1', port: 2375 });
    expect(parseDockerHost('tcp://localhost')).toEqual({ kind: 'tcp', host: 'localhost', port: 2375 });
    expect(parseDockerHost('tcp://[::1]:1234')).toEqual({ kind: 'tcp', host: '::1', port: 1234 });
    expect(parseDockerHost('unix:///var/run/docker.sock')).toEqual({ kind: 'unix', path: '/var/run/docker.sock' });
    expect(() => parseDockerHost('ssh://x')).toThrow('unable to parse docker host');
  });

  it('serves a unix socket, and the CLI HTTP client reaches it and TCP through DOCKER_HOST', async () => {
    const router = new Router();
    registerSystemRoutes(router, { host: { name: 'dockside', cpus: 1, memoryBytes: 1, kernelVersion: '6.1.0' } } as Daemon);
    const path = join(tmpdir(), `dockside-test-${process.pid}.sock`);
    const unix = await listenApi((r) => router.handle(r), { host: '127.0.0.1', port: 0, unix: path });
    const tcp = await listenApi((r) => router.handle(r), { host: '127.0.0.1', port: 0 });
    try {
      expect(unix.dockerHost).toBe(`unix://${path}`);
      for (const host of [unix.dockerHost, tcp.dockerHost]) {
        const client = engineClientForDockerHost(host);
        const response = await client.request('GET', '/version');
        expect(response.status).toBe(200);
        expect((await response.json<{ Version: string }>()).Version).toBe('28.2.2');
        expect(client.version).toBe('1.50');
      }
    } finally {
      await unix.close();
      await tcp.close();
    }
    await expect(engineClientForDockerHost(unix.dockerHost).request('GET', '/version')).rejects.toThrow(`Cannot connect to the Docker daemon at unix://${path}. Is the docker daemon running?`);
  });
});
