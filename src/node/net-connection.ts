// node:net sockets as the engine's RawConnection (for `dockside serve`), and DOCKER_HOST connections for
// the TypeScript CLI's HTTP client (tcp://host:port, unix:///path).

import { connect as netConnect, type Socket } from 'node:net';
import type { RawConnection } from '../engine/api/types';
import { HttpEngineClient } from '../cli/http-client';

/**
 * A socket as a byte duplex. The socket must allow half-open connections: the client's half-close of
 * stdin ends `input` while the engine can still write. close() ends what we send; with `lingerMs` (the
 * server's side) a peer that does not close its side after that is cut off then.
 */
export function socketConnection(socket: Socket, lingerMs?: number): RawConnection {
  socket.setNoDelay(true);
  let closed = false;
  socket.on('error', () => undefined);
  return {
    input: (async function* () {
      try {
        // Not `for await (... of socket)`: that destroys the socket when its readable side ends, and a
        // half-closed peer (docker run without -i closes its write side at once) must still get output.
        for await (const chunk of socket.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
          yield new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength);
        }
      } catch {
        // ECONNRESET and friends: the peer is gone, which ends its input like a close would.
      }
    })(),
    // Resolves as soon as the socket buffered the bytes (below its high-water mark), else on 'drain':
    // backpressure without a round trip per chunk.
    write: (chunk) =>
      new Promise<void>((resolve, reject) => {
        if (closed || socket.destroyed || !socket.writable) {
          reject(new Error('connection closed'));
          return;
        }
        if (socket.write(chunk)) {
          resolve();
          return;
        }
        const done = (error?: Error) => {
          socket.off('drain', onDrain);
          socket.off('close', onClose);
          if (error) reject(error);
          else resolve();
        };
        const onDrain = () => done();
        const onClose = () => done(new Error('connection closed'));
        socket.once('drain', onDrain);
        socket.once('close', onClose);
      }),
    close: () => {
      if (closed) return;
      closed = true;
      socket.end();
      if (lingerMs === undefined) return;
      const timer = setTimeout(() => socket.destroy(), lingerMs);
      timer.unref();
      socket.once('close', () => clearTimeout(timer));
    },
  };
}

export type DockerHost = { kind: 'tcp'; host: string; port: number } | { kind: 'unix'; path: string };

/** DOCKER_HOST as docker parses it: tcp://HOST:PORT (port 2375 by default), unix:///PATH. */
export function parseDockerHost(value: string): DockerHost {
  const unix = /^unix:\/\/(\/.*)$/.exec(value);
  if (unix) return { kind: 'unix', path: unix[1] };
  const tcp = /^(?:tcp|http):\/\/(\[[^\]]+\]|[^:/]*)(?::(\d+))?\/?$/.exec(value);
  if (tcp) {
    const host = tcp[1].replace(/^\[|\]$/g, '') || '127.0.0.1';
    return { kind: 'tcp', host, port: tcp[2] ? Number(tcp[2]) : 2375 };
  }
  throw new Error(`unable to parse docker host \`${value}\``);
}

/** A connect function for the CLI's HTTP client: one new socket per call. */
export function dockerHostConnector(host: DockerHost): () => Promise<RawConnection> {
  return () =>
    new Promise<RawConnection>((resolve, reject) => {
      const socket = host.kind === 'unix' ? netConnect({ path: host.path, allowHalfOpen: true }) : netConnect({ host: host.host, port: host.port, allowHalfOpen: true });
      const onError = (error: Error) => reject(error);
      socket.once('error', onError);
      socket.once('connect', () => {
        socket.off('error', onError);
        resolve(socketConnection(socket));
      });
    });
}

/** The TypeScript CLI's client for DOCKER_HOST (tcp://HOST:PORT or unix:///PATH), as docker connects. */
export function engineClientForDockerHost(value: string): HttpEngineClient {
  const host = parseDockerHost(value);
  return new HttpEngineClient({
    connect: dockerHostConnector(host),
    host: host.kind === 'tcp' ? `${host.host.includes(':') ? `[${host.host}]` : host.host}:${host.port}` : 'api.moby.localhost',
    address: value,
  });
}
