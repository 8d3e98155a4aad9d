// `dockside serve`: boots the guest, runs the engine, and serves the Engine API over HTTP/1.1 on
// loopback (or a unix socket), so the real docker CLI, curl and Docker SDKs can drive Dockside:
//   dockside serve [--host 127.0.0.1] [--port 2375] [--unix PATH] [--unsafe-listen-any] [--cold]
// Anyone who reaches the port is root in the guest: any address but loopback needs --unsafe-listen-any.

import { createServer, isIP, type Server, type Socket } from 'node:net';
import { rm } from 'node:fs/promises';
import { DocksideEngine } from '../app/engine';
import { serveHttpConnection } from '../engine/api/http1';
import type { ApiRequest, ApiResponse } from '../engine/api/types';
import { Daemon } from '../engine/daemon';
import { MemoryStore } from '../engine/store';
import type { BootMode, Guest } from '../vm/guest';
import { startNodeGuest } from './artifacts';
import { nodeRegistry } from './bundled-registry';
import { socketConnection } from './net-connection';

export interface ServeOptions {
  host: string;
  /** 0 picks a free port (tests). */
  port: number;
  unix?: string;
  unsafeListenAny: boolean;
  mode: BootMode;
}

export const serveUsage = `Usage: dockside serve [--host ADDRESS] [--port PORT] [--unix PATH] [--unsafe-listen-any] [--cold]

Boots the guest and serves the Docker Engine API (docker 28.2.2, API 1.50) over HTTP.

Options:
  --host ADDRESS        address to listen on (default 127.0.0.1; others need --unsafe-listen-any)
  --port PORT           TCP port (default 2375; 0 picks a free one)
  --unix PATH           listen on a unix socket instead of TCP
  --unsafe-listen-any   allow an address other than loopback: anyone who reaches it is root in the guest
  --cold                cold-boot the guest instead of restoring its saved state
`;

export function parseServeArgs(args: string[]): ServeOptions | string {
  const options: ServeOptions = { host: '127.0.0.1', port: 2375, unsafeListenAny: false, mode: 'restore' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const [name, inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => {
      if (inline !== undefined) return inline;
      i++;
      return args[i];
    };
    if (name === '--host' || name === '-H') {
      const host = value();
      if (!host) return `dockside serve: ${name}: option requires an argument`;
      options.host = host;
    } else if (name === '--port' || name === '-p') {
      const port = value();
      if (!port || !/^\d+$/.test(port) || Number(port) > 65535) return `dockside serve: invalid port: ${port ?? ''}`;
      options.port = Number(port);
    } else if (name === '--unix') {
      const path = value();
      if (!path) return 'dockside serve: --unix: option requires an argument';
      options.unix = path;
    } else if (name === '--unsafe-listen-any' && inline === undefined) {
      options.unsafeListenAny = true;
    } else if (name === '--cold' && inline === undefined) {
      options.mode = 'cold';
    } else {
      return `dockside serve: unknown argument: ${arg}\n${serveUsage}`;
    }
  }
  if (!options.unix && !isLoopback(options.host) && !options.unsafeListenAny) {
    return `dockside serve: refusing to listen on ${options.host}: anyone who can reach it is root in the guest. Use a loopback address (127.0.0.1, ::1), or add --unsafe-listen-any if you really mean it.`;
  }
  return options;
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || /^(0{0,4}:){7}0{0,3}1$/.test(host);
  return false;
}

export interface ApiServer {
  /** What to put in DOCKER_HOST: tcp://127.0.0.1:2375 or unix:///path. */
  dockerHost: string;
  port?: number;
  /** Open connections (tests check that they end). */
  readonly connections: number;
  close(): Promise<void>;
}

/** Serves the Engine API of `handle` on a TCP address or a unix socket. */
export async function listenApi(handle: (request: ApiRequest) => Promise<ApiResponse>, options: Pick<ServeOptions, 'host' | 'port' | 'unix'>, onError?: (error: unknown) => void): Promise<ApiServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    void serveHttpConnection(socketConnection(socket, 2000), handle, { onError });
  });
  if (options.unix) await rm(options.unix, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    if (options.unix) server.listen(options.unix, () => resolve());
    else server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : undefined;
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  return {
    dockerHost: options.unix ? `unix://${options.unix}` : `tcp://${host}:${port}`,
    port,
    get connections() {
      return sockets.size;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closed;
      if (options.unix) await rm(options.unix, { force: true });
    },
  };
}

/**
 * The engine on a booted guest, as the page runs it (src/app/engine.ts): the guest's `docker` and its
 * /var/run/docker.sock reach the same daemon as the HTTP port. A memory store: state lives as long as
 * the process.
 */
export function startServeEngine(guest: Guest): Promise<DocksideEngine> {
  return DocksideEngine.start({
    guest,
    store: new MemoryStore(),
    registry: nodeRegistry(),
    onError: (error) => debug(error),
  });
}

function debug(error: unknown): void {
  if (process.env.DOCKSIDE_DEBUG) process.stderr.write(`dockside serve: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
}

export interface RunningServe extends ApiServer {
  guest: Guest;
  daemon: Daemon;
}

/**
 * A guest whose agent cannot listen on sockets (built before /var/run/docker.sock existed) still
 * serves the HTTP port: the daemon alone, without the guest's `docker` and socket.
 */
async function startEngineOrDaemon(guest: Guest): Promise<{ daemon: Daemon; dispose: () => Promise<void> }> {
  try {
    const engine = await startServeEngine(guest);
    return { daemon: engine.daemon, dispose: () => engine.dispose() };
  } catch (error) {
    process.stderr.write(`dockside serve: the guest's sockets are not served (${error instanceof Error ? error.message : String(error)}); serving the Engine API over HTTP only\n`);
    const daemon = new Daemon({ store: new MemoryStore(), runtime: guest.runtime, registry: nodeRegistry() });
    return { daemon, dispose: async () => undefined };
  }
}

/** Boots the guest, starts the engine and listens; close() stops all of it. */
export async function startServe(options: ServeOptions, make: { guest?: () => Promise<Guest> } = {}): Promise<RunningServe> {
  const guest = await (make.guest ?? (() => startNodeGuest(options.mode)))();
  let engine: { daemon: Daemon; dispose: () => Promise<void> } | undefined;
  try {
    engine = await startEngineOrDaemon(guest);
    const { daemon, dispose } = engine;
    const api = await listenApi((request) => daemon.router.handle(request), options, debug);
    return {
      guest,
      daemon,
      dockerHost: api.dockerHost,
      port: api.port,
      get connections() {
        return api.connections;
      },
      close: async () => {
        await api.close();
        await dispose();
        await guest.destroy();
      },
    };
  } catch (error) {
    await engine?.dispose().catch(() => undefined);
    await guest.destroy();
    throw error;
  }
}

/** `dockside serve`: runs until SIGINT or SIGTERM. */
export async function runServe(options: ServeOptions): Promise<number> {
  if (!options.unix && !isLoopback(options.host)) {
    process.stderr.write(
      `WARNING: the Engine API is listening on ${options.host} without TLS or authentication. Anyone who can reach this port is root in the Dockside guest.\n`,
    );
  }
  process.stderr.write('dockside serve: starting the guest...\n');
  const running = await startServe(options);
  process.stdout.write(`Docker Engine API (28.2.2, API 1.50) listening on ${running.dockerHost}\n\n  export DOCKER_HOST=${running.dockerHost}\n\nthen run docker, or curl ${running.dockerHost.startsWith('unix://') ? `--unix-socket ${options.unix} http://localhost/version` : `http://${running.dockerHost.slice('tcp://'.length)}/version`}. Ctrl-C stops.\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  process.stderr.write('dockside serve: stopping\n');
  await running.close();
  return 0;
}
