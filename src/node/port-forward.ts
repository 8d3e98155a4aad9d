// `dockside serve` forwards the containers' published TCP ports to the same port on this machine's
// 127.0.0.1, so a browser here opens http://localhost:8080/ of `docker run -p 8080:80 nginx`. Each
// accepted connection becomes a TCP connection over v86's network to the guest's eth0 at that port,
// where docker's DNAT rule (PREROUTING, DOCKER chain) takes it to the container.

import { createServer, type Server } from 'node:net';
import type { Daemon } from '../engine/daemon';
import type { Guest } from '../vm/guest';

export interface PortForwarder {
  /** The ports listened on now. */
  ports(): number[];
  close(): Promise<void>;
}

/** The host ports of running containers that a loopback client may reach (tcp, 0.0.0.0 or 127.0.0.1). */
function publishedTcpPorts(daemon: Daemon): Set<number> {
  const out = new Set<number>();
  for (const live of daemon.containers.containers.values()) {
    if (!live.isUp) continue;
    for (const port of live.record.publishedPorts ?? []) {
      if (port.proto === 'tcp' && (port.hostIp === '0.0.0.0' || port.hostIp === '' || port.hostIp.startsWith('127.'))) out.add(port.hostPort);
    }
  }
  return out;
}

export function forwardPublishedPorts(daemon: Daemon, guest: Guest, options: { host?: string; onError?: (message: string) => void } = {}): PortForwarder {
  const host = options.host ?? '127.0.0.1';
  const servers = new Map<number, Server>();
  const forward = (port: number): Server =>
    createServer({ allowHalfOpen: true }, (socket) => {
      socket.pause();
      guest.emulator.connectTcp(port, (chunk) => void socket.write(chunk)).then(
        (connection) => {
          socket.on('data', (data: Buffer) => connection.write(new Uint8Array(data)));
          socket.on('end', () => connection.close());
          socket.on('error', () => connection.close());
          socket.resume();
          connection.response.then(
            () => socket.end(),
            () => socket.destroy(),
          );
        },
        () => socket.destroy(),
      );
    });
  const reconcile = (): void => {
    const wanted = publishedTcpPorts(daemon);
    for (const [port, server] of servers) {
      if (wanted.has(port)) continue;
      servers.delete(port);
      server.close();
    }
    for (const port of wanted) {
      if (servers.has(port)) continue;
      const server = forward(port);
      servers.set(port, server);
      server.once('error', (error: Error) => {
        servers.delete(port);
        options.onError?.(`dockside serve: cannot forward published port ${port} to ${host}:${port}: ${error.message}`);
      });
      server.listen(port, host);
    }
  };
  const unsubscribe = daemon.events.subscribe((event) => {
    if (event.Type === 'container' && ['start', 'die', 'destroy'].includes(event.Action)) reconcile();
    else if (event.Type === 'network' && event.Action === 'disconnect') reconcile();
  });
  reconcile();
  return {
    ports: () => [...servers.keys()].sort((a, b) => a - b),
    close: async () => {
      unsubscribe();
      await Promise.all([...servers.values()].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
      servers.clear();
    },
  };
}
