// The guest's listening unix sockets and the connections accepted on them. The agent listens only
// where the host tells it to (op `listen`), relays each accepted connection as a stream (EVENT
// "accept"), and removes the socket file on `unlisten`; this class keeps the names, paths and handlers.

import type { AgentClient } from './agent/client';
import type { GuestConnection } from './agent/connection';

export type { GuestConnection } from './agent/connection';

/** The sockets Dockside uses in the guest, by the name the agent reports in its accept events. */
export const GUEST_SOCKETS = {
  /** The guest's `docker` program (vm-images/docker-client). */
  cli: '/run/dockside/docker-cli.sock',
  /** Raw Engine API bytes: curl --unix-socket, SDKs. */
  api: '/var/run/docker.sock',
  /** `service docker ...` and `systemctl ... docker`: there while the daemon is stopped. */
  service: '/run/dockside/service.sock',
} as const;

export type GuestSocketName = keyof typeof GUEST_SOCKETS;

export type ConnectionHandler = (connection: GuestConnection) => void;

export class GuestConnections {
  private readonly handlers = new Map<string, ConnectionHandler>();
  /** What the host asked to listen on, with the mode: a respawned agent listens on it again. */
  private readonly listening = new Map<GuestSocketName, number>();

  constructor(private readonly agent: AgentClient) {
    agent.onAccept((connection) => {
      const handler = this.handlers.get(connection.socket);
      if (!handler) return false;
      handler(connection);
      return true;
    });
    agent.onStarted(() => {
      for (const [socket, mode] of this.listening) {
        this.agent.request('listen', { socket, path: GUEST_SOCKETS[socket], mode }, { timeoutMs: 10_000 }).catch((error: unknown) => {
          // Nobody awaits this: say it where a developer looks, the learner's `docker` will say the rest.
          console.warn(`dockside: listening on ${socket} again after the agent restarted failed:`, error);
        });
      }
    });
  }

  /** Handles connections accepted on `socket` (one handler per socket); returns the unsubscribe. */
  onConnection(socket: string, handler: ConnectionHandler): () => void {
    this.handlers.set(socket, handler);
    return () => {
      if (this.handlers.get(socket) === handler) this.handlers.delete(socket);
    };
  }

  /** Makes the agent listen on the socket (the file appears in the guest). */
  async listen(socket: GuestSocketName, mode = 0o660): Promise<void> {
    await this.agent.request('listen', { socket, path: GUEST_SOCKETS[socket], mode }, { timeoutMs: 10_000 });
    this.listening.set(socket, mode);
  }

  /** Closes the listening socket and removes its file; connections already accepted go on. */
  async unlisten(socket: GuestSocketName): Promise<void> {
    this.listening.delete(socket);
    await this.agent.request('unlisten', { socket }, { timeoutMs: 10_000 });
  }
}
