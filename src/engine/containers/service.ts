// The container service of the daemon: a facade over moby's seams. create.ts (create, validation,
// volumes), start.ts, monitor.ts (exits, restart policies, wait), health.ts, exec.ts, stop.ts (stop,
// kill, restart, pause), remove.ts (rm, rename), update.ts, archive.ts (cp, export, diff, sizes),
// commit.ts, attach.ts (attach, logs), stats.ts (top, stats) and list.ts (ps filters), sharing the
// state in context.ts. Here: loading the containers of a previous run, the daemon's start-up and
// shutdown, and the views the API returns.

import { conflict, invalidParameter } from '../errors';
import { ContainerFiles, type PathStat } from './archive';
import { attachStream, logStream, parseDetachKeys, parseTime, type LogsOptions } from './attach';
import { commitContainer, type CommitOptions } from './commit';
import { ContainerContext, type ContainerServiceDeps } from './context';
import { ContainerCreator } from './create';
import { ExecService } from './exec';
import { HealthMonitor } from './health';
import { imageNameOf, selectContainers, type ListOptions } from './list';
import { LiveContainer, type ExecRecord, type WaitResult } from './live';
import { ExitMonitor } from './monitor';
import { ContainerStopper } from './stop';
import { ContainerRemover } from './remove';
import { ContainerUpdater } from './update';
import { ContainerStarter } from './start';
import { statsOf, topOf } from './stats';
import { AsyncQueue } from './streams';
import type { ContainerRecord, CreateRequest, HostConfig } from './types';
import { inspect, summary } from './views';
import type { ContainerInspect, ContainerSummary, ExecInspect, StatsResponse } from '../../api';

export type { ContainerServiceDeps } from './context';
export type { LiveContainer, ExecRecord, WaitResult, OutputListener } from './live';
export { execFailure, noNewPrivileges } from './process';
export { mergeImageConfig } from './create';
export { resourcesOf } from './start';

/** The body of POST /containers/{id}/exec. */
export type ExecCreateRequest = Parameters<ExecService['create']>[1];

export class ContainerService {
  private readonly context: ContainerContext;
  private readonly creator: ContainerCreator;
  private readonly starter: ContainerStarter;
  private readonly monitor: ExitMonitor;
  private readonly health: HealthMonitor;
  private readonly exec: ExecService;
  private readonly files: ContainerFiles;
  private readonly stopper: ContainerStopper;
  private readonly remover: ContainerRemover;
  private readonly updater: ContainerUpdater;
  private loaded: Promise<void> | undefined;
  /** The starts of always and unless-stopped containers at load, which startUp waits for. */
  private comingBack: Promise<unknown> = Promise.resolve();

  constructor(private readonly deps: ContainerServiceDeps) {
    this.context = new ContainerContext(deps);
    const autoRemove = (live: LiveContainer) => this.remove(live.id, { force: true, volumes: true });
    this.creator = new ContainerCreator(this.context);
    this.health = new HealthMonitor(this.context);
    this.monitor = new ExitMonitor(this.context, { restart: (live) => this.starter.startProcess(live), autoRemove });
    this.starter = new ContainerStarter(this.context, { monitor: this.monitor, health: this.health, autoRemove });
    this.exec = new ExecService(this.context);
    this.files = new ContainerFiles(this.context);
    this.stopper = new ContainerStopper(this.context, { monitor: this.monitor, startProcess: (live) => this.starter.startProcess(live) });
    this.remover = new ContainerRemover(this.context);
    this.updater = new ContainerUpdater(this.context);
  }

  get containers(): ReadonlyMap<string, LiveContainer> {
    return this.context.containers;
  }

  /** The state the network service shares with the containers: the driver, endpoints, persistence. */
  networkContext(): ContainerContext {
    return this.context;
  }

  /** The id of a network by name as the network model keeps it; after ready(). */
  networkId(name: string): string {
    return this.deps.networks.id(name);
  }

  /** The ids of the containers that mount a volume (VolumeUsers); after ready(). */
  volumeUsers(name: string): string[] {
    return [...this.context.containers.values()].filter((live) => (live.record.volumeMounts ?? []).some((mount) => mount.name === name)).map((live) => live.id);
  }

  /** A container that uses an image, a running one first (ImageUsers); after ready(). */
  imageUser(imageId: string): { containerId: string; running: boolean } | undefined {
    const users = [...this.context.containers.values()].filter((live) => live.record.image === imageId);
    const running = users.find((live) => live.isUp);
    const user = running ?? users[0];
    return user ? { containerId: user.id, running: running !== undefined } : undefined;
  }

  // ---- the daemon starts and stops ----

  /** Reads the containers of a previous daemon run: those that were running are now exited. */
  ready(): Promise<void> {
    this.loaded ??= (async () => {
      await this.deps.networks.ready();
      const keys = await this.deps.store.metadata.keys('container/');
      const comeBack: LiveContainer[] = [];
      for (const key of keys) {
        const record = (await this.deps.store.metadata.get(key)) as unknown as ContainerRecord | undefined;
        if (!record || this.context.containers.has(record.id)) continue;
        const wasUp = ['running', 'paused', 'restarting'].includes(record.state.status);
        const live = new LiveContainer(record, this.deps.clock);
        // A resumed machine: the process is still running (or frozen); take it back.
        const goesOn = this.deps.resumed === true && (record.state.status === 'running' || record.state.status === 'paused') && this.starter.canAdopt(live);
        if (!goesOn) {
          if (wasUp || record.state.status === 'removing') {
            record.state = { ...record.state, status: 'exited', pid: 0, exitCode: record.state.status === 'removing' ? record.state.exitCode : 255, finishedAt: this.context.now() };
          }
          record.endpoint = undefined;
          record.publishedPorts = undefined;
          for (const attachment of Object.values(record.networks ?? {})) attachment.endpoint = undefined;
          record.processRef = undefined;
        }
        this.context.noteCreated(record.created);
        const savedLog = await this.deps.store.metadata.get(`containerlog/${record.id}`);
        if (Array.isArray(savedLog)) live.log.restore(savedLog as [string, number, number, string][]);
        this.context.containers.set(record.id, live);
        if (goesOn) {
          this.starter.adopt(live);
          continue;
        }
        const policy = record.hostConfig.RestartPolicy?.Name ?? 'no';
        if (policy === 'always' || (policy === 'unless-stopped' && !record.manuallyStopped)) comeBack.push(live);
      }
      // The resumed containers' resolvers (their servers run on; the records are written again).
      await this.context.syncDns().catch(() => undefined);
      // Like dockerd at start-up: always and unless-stopped (not stopped by the user) containers come back.
      this.comingBack = Promise.all(
        comeBack.map((live) => {
          live.record.manuallyStopped = false;
          return this.starter.startProcess(live).catch(() => undefined);
        }),
      );
    })();
    return this.loaded;
  }

  /**
   * The daemon starts again after shutdown() (`service docker start`): always and unless-stopped
   * containers that are not running come back, as at dockerd's start-up.
   */
  async startUp(onError: (error: unknown) => void = () => undefined): Promise<void> {
    await this.ready();
    await this.comingBack;
    this.context.shuttingDown = false;
    for (const live of this.context.list()) {
      const policy = live.record.hostConfig.RestartPolicy?.Name ?? '';
      const wanted = policy === 'always' || (policy === 'unless-stopped' && !live.record.manuallyStopped);
      if (!wanted || live.status === 'running') continue;
      try {
        await this.start(live.id);
      } catch (error) {
        onError(error);
      }
    }
  }

  /**
   * The daemon stops: every running container gets its stop signal, then SIGKILL after its timeout
   * (its own, else 10 s), as dockerd does on shutdown. Restart policies are not applied to these
   * exits, and a daemon shutdown is not the user's `docker stop`: the policies apply at the next start.
   */
  async shutdown(timeoutSeconds?: number, onError: (error: unknown) => void = () => undefined): Promise<void> {
    await this.ready();
    this.context.shuttingDown = true;
    const up = this.context.list().filter((live) => live.isUp);
    await Promise.all(
      up.map(async (live) => {
        const manually = live.record.manuallyStopped;
        try {
          await this.stop(live.id, timeoutSeconds);
        } catch (error) {
          onError(error);
        }
        live.record.manuallyStopped = manually;
        await this.context.persist(live);
      }),
    );
  }

  // ---- lookup and views ----

  /** docker's GetContainer: full id, exact name, then unique id prefix (after ready()). */
  find(ref: string): LiveContainer | undefined {
    return this.context.find(ref);
  }

  get(ref: string): LiveContainer {
    return this.context.get(ref);
  }

  /** A container by reference once the containers are loaded. */
  async lookup(ref: string): Promise<LiveContainer> {
    await this.ready();
    return this.context.get(ref);
  }

  /** Every container, newest first (after ready()). */
  list(): LiveContainer[] {
    return this.context.list();
  }

  /** GET /containers/json: docker ps's containers with its filters, as summaries. */
  async summaries(options: ListOptions & { size?: boolean }): Promise<ContainerSummary[]> {
    await this.ready();
    const nowMs = this.deps.clock().getTime();
    const containers = selectContainers(this.context.list(), options, (ref) => this.context.get(ref));
    const sizes = options.size ? await Promise.all(containers.map((live) => this.files.sizes(live))) : [];
    const resolved = new Map<string, Promise<string | undefined>>();
    const resolveId = (name: string) => resolved.get(name) ?? resolved.set(name, this.deps.images.resolveId(name)).get(name)!;
    const names = await Promise.all(containers.map((live) => imageNameOf(live.record, resolveId)));
    return containers.map((live, index) => summary(live, nowMs, names[index], sizes[index], (network) => this.networkId(network)));
  }

  /** GET /containers/{id}/json. */
  async inspect(ref: string, options: { size?: boolean } = {}): Promise<ContainerInspect> {
    const live = await this.lookup(ref);
    const size = options.size ? await this.files.sizes(live) : undefined;
    return inspect(live, { nowMs: this.deps.clock().getTime(), size, networkId: (network) => this.networkId(network) });
  }

  attributes(live: LiveContainer, extra: Record<string, string> = {}): Record<string, string> {
    return this.context.attributes(live, extra);
  }

  // ---- create and start ----

  /** options.builder: a build step's container, whose WORKDIR the builder makes in the image itself. */
  async create(name: string, body: CreateRequest, options: { builder?: boolean } = {}): Promise<{ Id: string; Warnings: string[] }> {
    await this.ready();
    return this.creator.create(name, body, options);
  }

  async start(ref: string): Promise<void> {
    await this.ready();
    return this.starter.start(ref);
  }

  // ---- stop, kill, restart, pause ----

  async stop(ref: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    await this.ready();
    return this.stopper.stop(ref, timeoutSeconds, signal);
  }

  async kill(ref: string, signalText = 'KILL'): Promise<void> {
    await this.ready();
    return this.stopper.kill(ref, signalText);
  }

  async restart(ref: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    await this.ready();
    return this.stopper.restart(ref, timeoutSeconds, signal);
  }

  async pause(ref: string): Promise<void> {
    await this.ready();
    return this.stopper.pause(ref);
  }

  async unpause(ref: string): Promise<void> {
    await this.ready();
    return this.stopper.unpause(ref);
  }

  // ---- remove, rename, update ----

  async remove(ref: string, options: { force?: boolean; volumes?: boolean; link?: boolean } = {}): Promise<void> {
    await this.ready();
    return this.remover.remove(ref, options);
  }

  async rename(ref: string, newName: string): Promise<void> {
    await this.ready();
    return this.remover.rename(ref, newName);
  }

  /** docker update: new limits and restart policy; docker's warnings (none). */
  async update(ref: string, hostConfig: HostConfig): Promise<string[]> {
    await this.ready();
    return this.updater.update(ref, hostConfig);
  }

  // ---- update ----

  // ---- wait ----

  /** Resolves when the condition is met (not-running, the default; next-exit; removed); `cancel` (the client hung up) forgets the waiter. */
  wait(live: LiveContainer, condition: string): { result: Promise<WaitResult>; cancel: () => void } {
    return this.monitor.wait(live, condition);
  }

  /** POST /containers/{id}/wait: checks the condition, then waits as wait() does. */
  async waitFor(ref: string, condition: string): Promise<{ result: Promise<WaitResult>; cancel: () => void }> {
    const live = await this.lookup(ref);
    if (!['', 'not-running', 'next-exit', 'removed'].includes(condition)) throw invalidParameter(`invalid condition: "${condition}"`);
    return this.monitor.wait(live, condition);
  }

  // ---- prune ----

  /** docker container prune: every stopped container (created before `until`). */
  async prune(filters: Map<string, string[]>): Promise<{ ContainersDeleted: string[] | null; SpaceReclaimed: number }> {
    await this.ready();
    const until = filters.get('until')?.[0];
    const untilMs = until ? parseTime(until) : undefined;
    const deleted: string[] = [];
    for (const live of this.context.list()) {
      if (live.status !== 'exited' && live.status !== 'created' && live.status !== 'dead') continue;
      if (untilMs !== undefined && Date.parse(live.record.created) >= untilMs) continue;
      await this.remove(live.id, {});
      deleted.push(live.id);
    }
    this.deps.events.emit('container', 'prune', '', { reclaimed: '0' });
    return { ContainersDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: 0 };
  }

  // ---- exec ----

  async execCreate(ref: string, body: ExecCreateRequest): Promise<string> {
    await this.ready();
    return this.exec.create(ref, body);
  }

  /** An exec instance by id (after ready()). */
  getExec(id: string): ExecRecord {
    return this.exec.get(id);
  }

  /** An exec instance by id once the containers are loaded. */
  async lookupExec(id: string): Promise<ExecRecord> {
    await this.ready();
    return this.exec.get(id);
  }

  /** Checks that an exec can start now (it has not run, its container runs and is not paused). */
  checkExecStartable(exec: ExecRecord): void {
    this.exec.checkStartable(exec);
  }

  /** Starts an exec; output goes to the sinks. Throws before starting or reports a failed execve. */
  execStart(...args: Parameters<ExecService['start']>): ReturnType<ExecService['start']> {
    return this.exec.start(...args);
  }

  async execResize(id: string, rows: number, cols: number): Promise<void> {
    const exec = await this.lookupExec(id);
    if (!exec.process) throw conflict(`Exec ${exec.id} is not running`);
    await exec.process.resize(rows, cols).catch(() => undefined);
  }

  /** GET /exec/{id}/json. */
  async execInspect(id: string): Promise<ExecInspect> {
    const exec = await this.lookupExec(id);
    return {
      ID: exec.id,
      Running: exec.running,
      ExitCode: exec.exitCode,
      ProcessConfig: { tty: exec.tty, entrypoint: exec.cmd[0], arguments: exec.cmd.slice(1), privileged: exec.privileged, ...(exec.user ? { user: exec.user } : {}) },
      OpenStdin: exec.attachStdin,
      OpenStderr: exec.attachStderr,
      OpenStdout: exec.attachStdout,
      CanRemove: exec.canRemove,
      ContainerID: exec.containerId,
      DetachKeys: exec.detachKeys,
      Pid: exec.pid,
    };
  }

  // ---- attach, logs, resize ----

  /** Sends stdin of an attached client to the container's process (queued until it starts). */
  async writeStdin(live: LiveContainer, chunk: Uint8Array): Promise<void> {
    if (!live.record.config.OpenStdin) return;
    if (live.process) await live.process.writeStdin(chunk).catch(() => undefined);
    else live.stdinQueue.push(chunk.slice());
  }

  async closeStdin(live: LiveContainer): Promise<void> {
    if (!live.record.config.StdinOnce) return;
    if (live.process) await live.process.closeStdin().catch(() => undefined);
    else live.stdinClosed = true;
  }

  /**
   * docker attach: checks the request and returns how to serve the client's connection (its output
   * already framed as the container's TTY setting says).
   */
  async attach(
    ref: string,
    options: { stdin: boolean; stdout: boolean; stderr: boolean; stream: boolean; logs: boolean; detachKeys: string },
  ): Promise<{ tty: boolean; serve: (connection: { input: AsyncIterable<Uint8Array>; write(chunk: Uint8Array): Promise<void> }) => Promise<void> }> {
    const live = await this.lookup(ref);
    const keys = parseDetachKeys(options.detachKeys);
    const tty = live.record.config.Tty ?? false;
    this.context.emit(live, 'attach');
    return { tty, serve: (connection) => attachStream(this, live, connection, { ...options, keys }) };
  }

  /** docker logs: the log as docker's stream, whole or followed. */
  async logs(ref: string, options: LogsOptions): Promise<{ tty: boolean; body: Uint8Array | AsyncQueue<Uint8Array> }> {
    const live = await this.lookup(ref);
    return { tty: live.record.config.Tty ?? false, body: logStream(live, options) };
  }

  async resize(ref: string, rows: number, cols: number): Promise<void> {
    await this.ready();
    if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) throw invalidParameter('invalid resize size');
    const live = this.context.get(ref);
    if (!live.process) throw conflict(`Container ${live.id} is not running`);
    await live.process.resize(rows, cols).catch(() => undefined);
    this.context.emit(live, 'resize', { height: String(rows), width: String(cols) });
  }

  // ---- top and stats ----

  async top(ref: string, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }> {
    return topOf(this.context, await this.lookup(ref), psArgs);
  }

  async stats(ref: string, options: { stream: boolean; oneShot: boolean }): Promise<StatsResponse | AsyncQueue<StatsResponse>> {
    return statsOf(this.context, await this.lookup(ref), options);
  }

  // ---- files and commit ----

  /** Runs `use` with the container's merged rootfs mounted (a stopped container gets a throw-away mount). */
  withRootfs<T>(live: LiveContainer, use: (merged: string) => Promise<T>): Promise<T> {
    return this.files.withRootfs(live, use);
  }

  /** The container's own layer (overlay upper directory) in the guest. */
  upperDir(live: LiveContainer): string {
    return this.files.upperDir(live);
  }

  /** docker's SizeRw and SizeRootFs (ps -s, inspect -s). */
  sizes(live: LiveContainer): Promise<{ rw: number; rootfs: number }> {
    return this.files.sizes(live);
  }

  async changes(ref: string): Promise<{ Path: string; Kind: number }[] | null> {
    return this.files.changes(await this.lookup(ref));
  }

  async export(ref: string): Promise<Uint8Array> {
    return this.files.export(await this.lookup(ref));
  }

  /** docker cp out of a container: a tar of the path and what docker cp shows of it. */
  async archive(ref: string, path: string | null): Promise<{ tar: Uint8Array; stat: PathStat }> {
    return this.files.archive(await this.lookup(ref), ref, path);
  }

  /** docker cp into a container: the tar unpacked at the path. */
  async extractArchive(ref: string, path: string | null, tar: Uint8Array): Promise<void> {
    return this.files.extract(await this.lookup(ref), ref, path, tar);
  }

  /** docker commit: a new image from the container's layer; its id. */
  async commit(ref: string, options: CommitOptions): Promise<string> {
    const live = await this.lookup(ref);
    return commitContainer(this.context, this.files, this.deps.images, live, options);
  }
}
