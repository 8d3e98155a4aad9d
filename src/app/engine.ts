// The engine wired to a booted guest: the daemon (src/engine) on the guest's runtime, and the guest's
// sockets served by it. `docker` typed in the guest reaches the CLI through the docker-cli socket,
// /var/run/docker.sock carries raw Engine API bytes, and the service socket carries `service docker
// ...` and `systemctl ... docker`, which start and stop the daemon as a Linux host would.

import { InProcessClient } from '../cli/client';
import { ConnectionError } from '../cli/http-client';
import { runDocker } from '../cli/docker';
import type { DockerEnv } from '../cli/env';
import { serveHttpConnection } from '../engine/api/http1';
import type { ApiRequest, ApiResponse, RawConnection } from '../engine/api/types';
import { Daemon, type DaemonOptions } from '../engine/daemon';
import type { RegistrySource } from '../engine/registry/source';
import type { Store } from '../engine/store';
import type { DockerCommandRecord } from '../lessons/types';
import type { Guest } from '../vm/guest';
import type { GuestConnection } from '../vm/guest-connections';
import { serveDockerSession, type ClientFiles } from './docker-sessions';
import { GuestClientFiles } from './guest-files';
import { serviceCommand } from './docker-service';

export interface DockerCommandContext {
  /** The environment of the guest's docker client. */
  environment: Readonly<Record<string, string>>;
}

/** How much of a docker command's stderr its record keeps (the end of it). */
const STDERR_KEPT = 4096;

/** What docker's client says when the daemon's socket is not there. */
export const DAEMON_UNREACHABLE = 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?';

/** The guest's facts that docker info and version report: its kernel's release is uname -r's (6.1.176, not 6.1). */
async function guestHost(guest: Guest): Promise<DaemonOptions['host']> {
  const files = await guest.runtime.readFiles(['/proc/sys/kernel/osrelease']).catch(() => ({}) as Record<string, string | null>);
  const release = files['/proc/sys/kernel/osrelease']?.trim();
  return { name: 'dockside', cpus: 1, memoryBytes: 256 * 1024 * 1024, kernelVersion: release || '6.1' };
}

export interface EngineOptions {
  guest: Guest;
  store: Store;
  registry: RegistrySource;
  clock?: () => Date;
  host?: DaemonOptions['host'];
  /** Files of the guest for the CLI (default: through the runtime's 9p staging). */
  files?: ClientFiles;
  /** Serves HTTP/1.1 on a raw connection (default: the engine's serveHttpConnection). */
  serveHttp?: (connection: RawConnection, handle: (request: ApiRequest) => Promise<ApiResponse>) => Promise<void>;
  /** Runs the CLI for a session (default: runDocker; tests wrap it). */
  run?: (argv: readonly string[], env: DockerEnv) => Promise<number>;
  /** Unexpected failures of a session (tests and DOCKSIDE_DEBUG print them). */
  onError?: (error: unknown) => void;
  /**
   * The guest and the store were resumed together from a saved pair (src/app/machine-pair.ts): the
   * containers that were running are taken back, not reported exited as after a reboot.
   */
  resumed?: boolean;
}

export class DocksideEngine {
  readonly daemon: Daemon;
  private running = false;
  /** When the daemon last started or stopped (systemctl status prints it). */
  changedAt: Date;
  private readonly files: ClientFiles;
  private readonly unsubscribe: (() => void)[] = [];
  private transition: Promise<void> = Promise.resolve();
  private readonly dockerListeners = new Set<(record: DockerCommandRecord, context: DockerCommandContext) => void>();
  private commandsRunning = 0;

  private constructor(private readonly options: EngineOptions) {
    this.daemon = new Daemon({ store: options.store, runtime: options.guest.runtime, registry: options.registry, clock: options.clock, host: options.host, resumed: options.resumed });
    this.files = options.files ?? new GuestClientFiles(options.guest.runtime);
    this.changedAt = this.now();
  }

  /** Creates the daemon and starts serving the guest's sockets (the daemon starts running). */
  static async start(options: EngineOptions): Promise<DocksideEngine> {
    const engine = new DocksideEngine({ ...options, host: options.host ?? (await guestHost(options.guest)) });
    const { guest } = options;
    engine.unsubscribe.push(
      guest.onConnection('cli', (connection) => engine.serveCli(connection)),
      guest.onConnection('api', (connection) => engine.serveApi(connection)),
      guest.onConnection('service', (connection) => engine.serveService(connection)),
    );
    await guest.connections.listen('service', 0o600);
    // The client stays when the daemon stops, as /usr/bin/docker stays on a Linux host: `docker
    // version` prints its Client section, then docker's "Cannot connect" (see client()).
    await guest.connections.listen('cli', 0o666);
    await engine.startDaemon();
    return engine;
  }

  get isRunning(): boolean {
    return this.running;
  }

  now(): Date {
    return (this.options.clock ?? (() => new Date()))();
  }

  /** The in-process Engine API client the CLI uses; while the daemon is stopped it cannot connect, as docker's cannot. */
  client(): InProcessClient {
    return new InProcessClient(async (request) => {
      if (!this.running) throw new ConnectionError(DAEMON_UNREACHABLE);
      return this.daemon.router.handle(request);
    });
  }

  /**
   * Calls `listener` each time a `docker …` run in the guest (typed, pasted, a Run button, a script)
   * ends: its argv, exit status (-1 when the client went away before docker finished), the last 4 KiB
   * of what it printed on stderr, and when it ended; with the environment it ran in (the lessons tell
   * their own checks' commands from the learner's by it). The lessons' record of the learner's commands.
   */
  onDockerCommand(listener: (record: DockerCommandRecord, context: DockerCommandContext) => void): () => void {
    this.dockerListeners.add(listener);
    return () => this.dockerListeners.delete(listener);
  }

  /** How many `docker …` commands run in the guest now (the page saves the machine when none does). */
  get dockerCommandsRunning(): number {
    return this.commandsRunning;
  }

  /** `service docker start`: the sockets appear; containers with restart policy always come back. */
  startDaemon(): Promise<void> {
    return this.serialize(async () => {
      if (this.running) return;
      await this.options.guest.connections.listen('api', 0o660);
      this.running = true;
      this.changedAt = this.now();
      await this.restartContainers();
    });
  }

  /**
   * `service docker stop`: /var/run/docker.sock goes away (so `docker` cannot connect), running containers get
   * SIGTERM and, after the grace period, SIGKILL. Images, volumes and stopped containers stay.
   */
  stopDaemon(): Promise<void> {
    return this.serialize(async () => {
      if (!this.running) return;
      const { connections } = this.options.guest;
      await connections.unlisten('api');
      this.running = false;
      this.changedAt = this.now();
      await this.stopContainers();
    });
  }

  /** Stops serving the guest (the guest itself is the caller's). */
  async dispose(): Promise<void> {
    for (const off of this.unsubscribe.splice(0)) off();
    const { connections } = this.options.guest;
    await Promise.all(['api', 'cli', 'service'].map((s) => connections.unlisten(s as 'api').catch(() => undefined)));
  }

  private serialize(step: () => Promise<void>): Promise<void> {
    const next = this.transition.then(step);
    this.transition = next.catch(() => undefined);
    return next;
  }

  /** Running containers stop (each its own --stop-timeout, else docker's 10 s); their restart policies still apply at the next start. */
  private stopContainers(): Promise<void> {
    return this.daemon.containers.shutdown(undefined, (error) => this.options.onError?.(error));
  }

  private restartContainers(): Promise<void> {
    return this.daemon.containers.startUp((error) => this.options.onError?.(error));
  }

  private serveCli(connection: GuestConnection): void {
    const run = this.options.run ?? ((argv, env) => runDocker(argv, env));
    let argv: readonly string[] = [];
    let environment: Readonly<Record<string, string>> = {};
    let stderr = '';
    this.commandsRunning++;
    let ended = false;
    const end = (): void => {
      if (!ended) this.commandsRunning--;
      ended = true;
    };
    serveDockerSession(connection, {
      client: this.client(),
      files: this.files,
      run: (args, env) => {
        argv = args;
        environment = env.environment;
        if (this.dockerListeners.size === 0) return run(args, env);
        // The same env (its rows and columns follow resizes), with stderr also kept for the record.
        const tee = (text: string): void => {
          stderr = (stderr + text).slice(-STDERR_KEPT);
          env.stderr(text);
        };
        const teed = new Proxy(env, { get: (target, key) => (key === 'stderr' ? tee : Reflect.get(target, key)) });
        return run(args, teed);
      },
      now: this.options.clock,
      onError: this.options.onError,
    })
      .then((status) => {
        end();
        if (this.dockerListeners.size === 0) return;
        const record: DockerCommandRecord = { argv, status, stderr, endedAt: this.now().getTime() };
        for (const listener of [...this.dockerListeners]) {
          try {
            listener(record, { environment });
          } catch (error) {
            this.options.onError?.(error);
          }
        }
      })
      .catch((error: unknown) => {
        end();
        this.options.onError?.(error);
        connection.destroy();
      });
  }

  private serveApi(connection: GuestConnection): void {
    const serve = this.options.serveHttp ?? ((c, handle) => serveHttpConnection(c, handle));
    serve(connection, (request) => this.daemon.router.handle(request))
      .catch((error: unknown) => this.options.onError?.(error))
      .finally(() => connection.close());
  }

  private serveService(connection: GuestConnection): void {
    serveDockerSession(connection, {
      client: this.client(),
      files: this.files,
      run: (argv, env) => serviceCommand(this, argv, env),
      now: this.options.clock,
      onError: this.options.onError,
    }).catch((error: unknown) => {
      this.options.onError?.(error);
      connection.destroy();
    });
  }
}
