// The container service of the daemon: every container's record and state machine (created, running,
// paused, restarting, exited, dead, removing), its processes in the runtime, its log, attach streams,
// execs, restart policies, healthchecks and the events of every change.

import { EngineError, conflict, invalidParameter, notFound, notModified, systemError } from '../errors';
import type { EventBus } from '../events';
import type { ImageProvider, RunnableImage } from '../images/types';
import { RuntimeError, type DeviceNode, type ExitStatus, type ProcessSpec, type Runtime, type RuntimeProcess, type User } from '../runtime/types';
import type { JsonValue, Store } from '../store/types';
import { BRIDGE_GATEWAY, BRIDGE_NAME, BRIDGE_PREFIX, BridgeIpam, hostVethName, hostsFile, macForIp, resolvConf } from '../network/bridge';
import { predefinedNetworks } from '../network/networks';
import { generateName, VALID_NAME } from './names';
import { parseSignal } from './signals';
import { ALL_CAPABILITIES, CGROUP_PARENT, DOCKER_ROOT, capabilitiesFor, cgroupSettings, containerSpec, type Resources } from './spec';
import { ContainerLog } from './streams';
import { deviceFilter, dockerDeviceRules } from './devices';
import { SeccompError, seccompErrorMessage, seccompFilter } from './seccomp';
import { parseSecurityOpt } from './security-opt';
import { cleanPath, containerMounts, volumeRequests, type VolumeMount } from './mounts';
import type { VolumeService } from '../volumes/service';
import {
  ZERO_TIME,
  type ContainerRecord,
  type ContainerStatus,
  type CreateRequest,
  type DeviceMapping,
  type HealthLog,
  type HostConfig,
} from './types';

export interface ServiceDeps {
  runtime: Runtime;
  images: () => ImageProvider;
  events: EventBus;
  clock: () => Date;
  store: Store;
  host: { name: string; cpus: number; memoryBytes: number; kernelVersion: string };
  random?: () => number;
  /** The daemon's volumes (-v name:/path, anonymous volumes); without it volumes are refused. */
  volumes?: VolumeService;
}

export interface WaitResult {
  StatusCode: number;
  Error: { Message: string } | null;
}

/** An output listener of an attached client: stream 1 stdout, 2 stderr. */
export type OutputListener = (stream: 1 | 2, chunk: Uint8Array) => void | Promise<void>;

export interface ExecRecord {
  id: string;
  containerId: string;
  user: string;
  privileged: boolean;
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  detachKeys: string;
  env: string[];
  workingDir: string;
  cmd: string[];
  consoleSize?: [number, number];
  running: boolean;
  exitCode: number | null;
  pid: number;
  process?: RuntimeProcess;
  exited: Promise<void>;
  resolveExited: () => void;
  canRemove: boolean;
}

export class LiveContainer {
  process: RuntimeProcess | undefined;
  readonly log: ContainerLog;
  readonly listeners = new Set<OutputListener>();
  /** Called when the current run ends (attach streams close). */
  readonly endListeners = new Set<() => void>();
  readonly stdinQueue: Uint8Array[] = [];
  exitWaiters: ((result: WaitResult) => void)[] = [];
  removedWaiters: ((result: WaitResult) => void)[] = [];
  readonly execs = new Set<string>();
  restartTimer: ReturnType<typeof setTimeout> | undefined;
  healthTimer: ReturnType<typeof setTimeout> | undefined;
  /** Resolves when the current run's exit has been handled. */
  exitHandled: Promise<void> = Promise.resolve();
  stdinClosed = false;
  /** The seccomp filter of the current run, for its processes and execs (program undefined: unconfined). */
  seccomp: { program: Uint8Array | undefined } | undefined;

  constructor(
    public record: ContainerRecord,
    clock: () => Date,
  ) {
    this.log = new ContainerLog(clock);
  }

  get id(): string {
    return this.record.id;
  }
  get status(): ContainerStatus {
    return this.record.state.status;
  }
  get cgroupPath(): string {
    return `${CGROUP_PARENT}/${this.record.id}`;
  }
  get shortName(): string {
    return this.record.name.slice(1);
  }
}

const encoder = new TextEncoder();
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const MIN_MEMORY = 6 * 1024 * 1024;

function randomHex(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

/** How docker reports a failed execve of the container's process (and the exit code it records). */
export function execFailure(error: unknown, command: string): { message: string; exitCode: number } | undefined {
  if (!(error instanceof RuntimeError) || (error.op !== 'execve' && error.op !== 'exec')) return undefined;
  let reason: string;
  let exitCode = 127;
  if (error.code === 'ENOENT') {
    reason = command.includes('/') ? `exec: "${command}": stat ${command}: no such file or directory` : `exec: "${command}": executable file not found in $PATH`;
  } else if (error.code === 'EACCES') {
    reason = `exec: "${command}": permission denied`;
    exitCode = 126;
  } else if (error.code === 'EISDIR') {
    reason = `exec: "${command}": is a directory`;
    exitCode = 126;
  } else {
    reason = `exec: "${command}": ${error.message}`;
    exitCode = 126;
  }
  return { message: reason, exitCode };
}

export class ContainerService {
  readonly containers = new Map<string, LiveContainer>();
  readonly execs = new Map<string, ExecRecord>();
  readonly ipam = new BridgeIpam();
  private readonly random: () => number;
  private loaded: Promise<void> | undefined;

  constructor(private readonly deps: ServiceDeps) {
    this.random = deps.random ?? Math.random;
    deps.volumes?.setUsers((name) =>
      [...this.containers.values()].filter((live) => (live.record.volumeMounts ?? []).some((mount) => mount.name === name)).map((live) => live.id),
    );
  }

  /** The id of a predefined network (bridge, host, none) as the network model keeps it; after ready(). */
  networkId(name: string): string {
    return predefinedNetworks(this.deps.store).id(name);
  }

  // ---- persistence ----

  /** Reads the containers of a previous daemon run: those that were running are now exited. */
  ready(): Promise<void> {
    this.loaded ??= (async () => {
      const images = this.deps.images() as ImageProvider | undefined;
      images?.setInUse((imageId) => {
        const users = [...this.containers.values()].filter((live) => live.record.image === imageId);
        const running = users.find((live) => live.status === 'running' || live.status === 'paused' || live.status === 'restarting');
        const user = running ?? users[0];
        return user ? { containerId: user.id, running: running !== undefined } : undefined;
      });
      await predefinedNetworks(this.deps.store, this.deps.clock, this.random).ready();
      const keys = await this.deps.store.metadata.keys('container/');
      const comeBack: LiveContainer[] = [];
      for (const key of keys) {
        const record = (await this.deps.store.metadata.get(key)) as unknown as ContainerRecord | undefined;
        if (!record || this.containers.has(record.id)) continue;
        const wasUp = ['running', 'paused', 'restarting'].includes(record.state.status);
        if (wasUp || record.state.status === 'removing') {
          record.state = { ...record.state, status: 'exited', pid: 0, exitCode: record.state.status === 'removing' ? record.state.exitCode : 255, finishedAt: this.now() };
        }
        record.endpoint = undefined;
        if (record.created > this.lastCreated) this.lastCreated = record.created;
        const live = new LiveContainer(record, this.deps.clock);
        const savedLog = await this.deps.store.metadata.get(`containerlog/${record.id}`);
        if (Array.isArray(savedLog)) live.log.restore(savedLog as [string, number, number, string][]);
        this.containers.set(record.id, live);
        const policy = record.hostConfig.RestartPolicy?.Name ?? 'no';
        if (policy === 'always' || (policy === 'unless-stopped' && !record.manuallyStopped)) comeBack.push(live);
      }
      // Like dockerd at start-up: always and unless-stopped (not stopped by the user) containers come back.
      for (const live of comeBack) {
        live.record.manuallyStopped = false;
        void this.startProcess(live).catch(() => undefined);
      }
    })();
    return this.loaded;
  }

  /**
   * The daemon stops: every running container gets its stop signal, then SIGKILL after its timeout
   * (default 10 s), as dockerd does on shutdown. Restart policies are not applied to these exits.
   */
  async shutdown(timeoutSeconds?: number): Promise<void> {
    await this.ready();
    this.shuttingDown = true;
    const running = [...this.containers.values()].filter((live) => live.process);
    for (const live of this.containers.values()) {
      if (live.restartTimer) clearTimeout(live.restartTimer);
      live.restartTimer = undefined;
    }
    await Promise.all(
      running.map(async (live) => {
        const manually = live.record.manuallyStopped;
        await this.stop(live.id, timeoutSeconds).catch(() => undefined);
        live.record.manuallyStopped = manually;
        await this.persist(live);
      }),
    );
  }

  private shuttingDown = false;

  private async persist(live: LiveContainer): Promise<void> {
    if (!this.containers.has(live.id)) return;
    await this.deps.store.metadata.put(`container/${live.id}`, JSON.parse(JSON.stringify(live.record)) as JsonValue);
  }

  private now(): string {
    return this.deps.clock().toISOString();
  }

  private lastCreated = '';

  /** Creation time with nanoseconds, strictly increasing, so containers made in the same millisecond keep their order. */
  private createdStamp(): string {
    const base = this.deps.clock().toISOString().slice(0, 23);
    let stamp = `${base}000000Z`;
    if (stamp <= this.lastCreated) {
      const previous = this.lastCreated;
      const nanos = BigInt(previous.slice(20, 29)) + 1n;
      stamp = `${previous.slice(0, 20)}${String(nanos).padStart(9, '0')}Z`;
    }
    this.lastCreated = stamp;
    return stamp;
  }

  // ---- lookup ----

  /** docker's GetContainer: full id, exact name, then unique id prefix. */
  find(ref: string): LiveContainer | undefined {
    if (ref === '') return undefined;
    const exact = this.containers.get(ref);
    if (exact) return exact;
    const name = ref.startsWith('/') ? ref : `/${ref}`;
    for (const live of this.containers.values()) if (live.record.name === name) return live;
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = [...this.containers.values()].filter((live) => live.id.startsWith(ref));
    if (matches.length > 1) throw invalidParameter(`multiple IDs found with provided prefix: ${ref}`);
    return matches[0];
  }

  get(ref: string): LiveContainer {
    const live = this.find(ref);
    if (!live) throw notFound(`No such container: ${ref}`);
    return live;
  }

  list(): LiveContainer[] {
    return [...this.containers.values()].sort((a, b) => (a.record.created < b.record.created ? 1 : a.record.created > b.record.created ? -1 : 0));
  }

  attributes(live: LiveContainer, extra: Record<string, string> = {}): Record<string, string> {
    return { ...(live.record.config.Labels ?? {}), image: live.record.config.Image ?? '', name: live.shortName, ...extra };
  }

  private emit(live: LiveContainer, action: string, extra: Record<string, string> = {}): void {
    this.deps.events.emit('container', action, live.id, this.attributes(live, extra));
  }

  // ---- create ----

  async create(name: string, body: CreateRequest, platform = ''): Promise<{ Id: string; Warnings: string[] }> {
    await this.ready();
    void platform;
    if (!body.Image) throw invalidParameter('config cannot be empty in order to create a container');
    const hostConfig: HostConfig = body.HostConfig ?? {};
    this.validateHostConfig(hostConfig);
    if (name !== '') {
      if (!VALID_NAME.test(name)) throw invalidParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      const existing = this.find(name.replace(/^\//, ''));
      if (existing && existing.record.name === `/${name.replace(/^\//, '')}`) {
        throw conflict(
          `Conflict. The container name "/${name.replace(/^\//, '')}" is already in use by container "${existing.id}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
    }
    containerMounts(hostConfig);
    // --volumes-from first; the container's own -v and --mount win at the same path (as in moby).
    const own = new Set([...containerMounts(hostConfig).points, ...volumeRequests(hostConfig, [])].map((m) => ('Destination' in m ? m.Destination : m.destination)));
    const fromVolumes = this.volumesFrom(hostConfig).filter((mount) => !own.has(mount.destination));
    const image = await this.deps.images().prepareForRun(body.Image);
    const warnings: string[] = [];
    const id = this.newId();
    const finalName = name !== '' ? `/${name.replace(/^\//, '')}` : `/${this.uniqueName()}`;
    const { HostConfig: _h, NetworkingConfig: _n, ...configPart } = body;
    void _h;
    void _n;
    const config = mergeImageConfig(configPart, image);
    config.Hostname = config.Hostname || id.slice(0, 12);
    const entrypoint = config.Entrypoint ?? [];
    const cmd = config.Cmd ?? [];
    const argv = [...entrypoint, ...cmd];
    if (argv.length === 0) throw invalidParameter('no command specified');
    const volumeMounts = await this.createVolumes(
      [...fromVolumes, ...volumeRequests(hostConfig, Object.keys(config.Volumes ?? {}), new Set(fromVolumes.map((mount) => mount.destination)))],
      image.layerDirs,
    );
    const dir = `${DOCKER_ROOT}/containers/${id}`;
    const record: ContainerRecord = {
      id,
      name: finalName,
      created: this.createdStamp(),
      path: argv[0],
      args: argv.slice(1),
      config,
      hostConfig: normalizeHostConfig(hostConfig),
      image: image.id,
      imageSize: image.size,
      layerDirs: image.layerDirs,
      state: { status: 'created', pid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: ZERO_TIME, finishedAt: ZERO_TIME },
      restartCount: 0,
      manuallyStopped: false,
      hostnamePath: `${dir}/hostname`,
      hostsPath: `${dir}/hosts`,
      resolvConfPath: `${dir}/resolv.conf`,
    };
    if (volumeMounts.length > 0) record.volumeMounts = volumeMounts;
    const live = new LiveContainer(record, this.deps.clock);
    this.containers.set(id, live);
    await this.persist(live);
    this.emit(live, 'create');
    return { Id: id, Warnings: warnings };
  }

  /** --volumes-from container[:ro|:rw]: the other container's volumes and binds, at the same paths (moby's registerMountPoints). */
  private volumesFrom(hostConfig: HostConfig): VolumeMount[] {
    const out: VolumeMount[] = [];
    for (const spec of hostConfig.VolumesFrom ?? []) {
      if (spec === '') throw invalidParameter('volumes-from specification cannot be an empty string');
      const colon = spec.indexOf(':');
      const ref = colon === -1 ? spec : spec.slice(0, colon);
      const mode = colon === -1 ? 'rw' : spec.slice(colon + 1);
      if (!['ro', 'rw'].includes(mode)) throw invalidParameter(`invalid mode: ${mode}`);
      const other = this.find(ref);
      if (!other) throw invalidParameter(`No such container: ${ref}`);
      for (const mount of other.record.volumeMounts ?? []) {
        out.push({ ...mount, rw: mount.rw && mode === 'rw', mode: '', anonymous: false, noCopy: true });
      }
      for (const point of containerMounts(other.record.hostConfig).points) {
        if (point.Type !== 'bind') continue;
        out.push({ name: '', bindSource: point.Source, propagation: point.Propagation, destination: point.Destination, rw: point.RW && mode === 'rw', mode: '', anonymous: false, noCopy: true });
      }
    }
    return out;
  }

  /** Creates the volumes a new container needs; a new empty volume gets the image's content at its path. */
  private async createVolumes(requests: VolumeMount[], layerDirs: readonly string[]): Promise<VolumeMount[]> {
    if (requests.length === 0) return [];
    if (requests.every((request) => request.bindSource !== undefined)) return requests;
    const volumes = this.deps.volumes;
    if (!volumes) throw invalidParameter('volumes are not available in this engine');
    await volumes.ready();
    const out: VolumeMount[] = [];
    for (const request of requests) {
      if (request.bindSource !== undefined) {
        out.push(request);
        continue;
      }
      const record = request.name !== '' && volumes.find(request.name) ? await volumes.get(request.name) : await volumes.create({ name: request.name, anonymous: request.name === '' });
      out.push({ ...request, name: record.name });
      // Like docker, a volume that no container used yet (so still empty) gets the image's content.
      const fresh = await volumes.claim(record.name);
      if (fresh && !request.noCopy) await this.copyImageContent(layerDirs, request.destination, record.name);
    }
    return out;
  }

  /**
   * docker copies what the image has at a volume's path into a new volume. Dockside packs that path of
   * each layer, lowest first, and unpacks it into the volume (whiteouts of upper layers are not applied).
   */
  private async copyImageContent(layerDirs: readonly string[], destination: string, volume: string): Promise<void> {
    const runtime = this.deps.runtime;
    const root = `/var/lib/docker/volumes/${volume}`;
    const tar = `${root}/.copy.tar`;
    for (const layer of [...layerDirs].reverse()) {
      try {
        await runtime.pack(`${layer}${cleanPath(destination)}`, tar, ['.'], false);
      } catch {
        continue; // this layer has nothing at that path
      }
      try {
        await runtime.unpack(tar, `${root}/_data`, false);
      } finally {
        await runtime.removePath(tar).catch(() => undefined);
      }
    }
  }

  private newId(): string {
    for (;;) {
      const id = randomHex(this.random, 64);
      if (/^\d{12}/.test(id) || this.containers.has(id)) continue;
      return id;
    }
  }

  private uniqueName(): string {
    for (let retry = 0; ; retry++) {
      const name = generateName(this.random, retry > 5 ? retry : 0);
      if (!this.find(name)) return name;
    }
  }

  private validateHostConfig(hostConfig: HostConfig): void {
    const memory = hostConfig.Memory ?? 0;
    if (memory > 0 && memory < MIN_MEMORY) throw invalidParameter('Minimum memory limit allowed is 6MB');
    if (hostConfig.MemorySwap && hostConfig.MemorySwap > 0 && memory > 0 && hostConfig.MemorySwap < memory) {
      throw invalidParameter('Minimum memoryswap limit should be larger than memory limit, see usage');
    }
    if (hostConfig.NanoCpus && hostConfig.NanoCpus > 0) {
      const cpus = this.deps.host.cpus;
      if (hostConfig.NanoCpus < 1e7 || hostConfig.NanoCpus > cpus * 1e9) {
        throw invalidParameter(`range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`);
      }
      if ((hostConfig.CpuQuota ?? 0) > 0 || (hostConfig.CpuPeriod ?? 0) > 0) {
        throw invalidParameter('Conflicting options: Nano CPUs and CPU Period cannot both be set');
      }
    }
    for (const [field, list] of [['CapAdd', hostConfig.CapAdd], ['CapDrop', hostConfig.CapDrop]] as const) {
      try {
        capabilitiesFor({ capAdd: list });
      } catch (error) {
        throw invalidParameter(`invalid ${field}: ${(error as Error).message}`);
      }
    }
    try {
      parseSecurityOpt(hostConfig.SecurityOpt ?? []);
    } catch (error) {
      throw systemError((error as Error).message); // moby's setSecurityOptions: a plain error
    }
    const policy = hostConfig.RestartPolicy;
    if (policy && policy.Name !== '' && policy.Name !== 'no' && hostConfig.AutoRemove) {
      throw invalidParameter('can\'t create \'AutoRemove\' container with restart policy');
    }
    if (policy) {
      if (!['', 'no', 'always', 'on-failure', 'unless-stopped'].includes(policy.Name)) {
        throw invalidParameter(`invalid restart policy: unknown policy '${policy.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
      }
      if (policy.Name !== 'on-failure' && (policy.MaximumRetryCount ?? 0) !== 0) {
        throw invalidParameter("invalid restart policy: maximum retry count can only be used with 'on-failure'");
      }
    }
    const mode = hostConfig.NetworkMode ?? 'default';
    if (!['', 'default', 'bridge', 'none', 'host'].includes(mode) && !mode.startsWith('container:')) {
      throw invalidParameter(`network ${mode} not found: user-defined networks are not available yet in Dockside`);
    }
    if (mode.startsWith('container:') && mode.length === 'container:'.length) throw invalidParameter('invalid container format container:<name|id>');
    if ((hostConfig.Links ?? []).length > 0) throw invalidParameter('links (--link) are not available yet in Dockside');
    const published = Object.values(hostConfig.PortBindings ?? {}).some((bindings) => (bindings ?? []).length > 0);
    if (published || hostConfig.PublishAllPorts) throw invalidParameter('published ports (-p, -P) are not available yet in Dockside');
  }

  // ---- start and exit ----

  async start(ref: string): Promise<void> {
    await this.ready();
    const live = this.get(ref);
    const status = live.status;
    if (status === 'paused') throw conflict('cannot start a paused container, try unpause instead');
    if (status === 'running') throw notModified();
    if (status === 'removing') throw conflict(`container is marked for removal and cannot be started`);
    if (status === 'dead') throw conflict('container is marked for removal and cannot be started');
    if (live.restartTimer) {
      clearTimeout(live.restartTimer);
      live.restartTimer = undefined;
    }
    live.record.manuallyStopped = false;
    await this.startProcess(live);
  }

  private networkMode(live: LiveContainer): string {
    const mode = live.record.hostConfig.NetworkMode ?? 'default';
    return mode === '' || mode === 'default' ? 'bridge' : mode;
  }

  private async startProcess(live: LiveContainer): Promise<void> {
    const { record } = live;
    const { config, hostConfig } = record;
    const runtime = this.deps.runtime;
    const mode = this.networkMode(live);
    let netNamespace = 'new';
    let hostname = config.Hostname ?? record.id.slice(0, 12);
    let etcFiles: { hosts?: string; hostname?: string; resolvConf?: string } = {
      hosts: record.hostsPath,
      hostname: record.hostnamePath,
      resolvConf: record.resolvConfPath,
    };
    if (mode === 'bridge') {
      const ip = this.ipam.allocate();
      record.endpoint = {
        ip,
        prefixLen: BRIDGE_PREFIX,
        gateway: BRIDGE_GATEWAY,
        mac: config.MacAddress || macForIp(ip),
        hostVeth: hostVethName(this.random),
        endpointId: randomHex(this.random, 64),
      };
    } else if (mode === 'none') {
      netNamespace = 'none';
    } else if (mode === 'host') {
      netNamespace = 'host';
      hostname = this.deps.host.name;
    } else if (mode.startsWith('container:')) {
      const other = this.get(mode.slice('container:'.length));
      if (other.status !== 'running' && other.status !== 'paused') {
        throw conflict(`cannot join network namespace of a non running container: container ${other.id} is not running`);
      }
      netNamespace = `/proc/${other.record.state.pid}/ns/net`;
      hostname = other.record.config.Hostname ?? hostname;
      etcFiles = { hosts: other.record.hostsPath, hostname: other.record.hostnamePath, resolvConf: other.record.resolvConfPath };
    }
    try {
      if (!mode.startsWith('container:')) {
        await Promise.all([
          runtime.writeFile(
            record.hostsPath,
            mode === 'host'
              ? hostsFile({ hostname: this.deps.host.name, extraHosts: hostConfig.ExtraHosts ?? [] })
              : hostsFile({ hostname, domainname: config.Domainname, ip: record.endpoint?.ip, extraHosts: hostConfig.ExtraHosts ?? [] }),
          ),
          runtime.writeFile(record.hostnamePath, `${hostname}\n`),
          runtime.writeFile(
            record.resolvConfPath,
            resolvConf({ dns: hostConfig.Dns ?? [], dnsSearch: hostConfig.DnsSearch ?? [], dnsOptions: hostConfig.DnsOptions ?? [] }),
          ),
        ]);
      }
      live.seccomp = undefined;
      const devices = await this.hostDevices(hostConfig.Devices ?? [], hostConfig.Privileged ?? false);
      const filter = this.deviceFilterOf(live, devices);
      this.seccompOf(live);
      const process = await this.processSpec(live, config.Entrypoint ?? [], [record.path, ...record.args], {
        env: config.Env ?? [],
        user: config.User ?? '',
        cwd: config.WorkingDir || '/',
        tty: config.Tty ?? false,
        consoleSize: hostConfig.ConsoleSize,
        hostname,
      });
      const spec = containerSpec({
        id: record.id,
        hostname,
        layers: record.layerDirs,
        devices: devices.map(({ node }) => node),
        deviceFilter: filter,
        process,
        resources: resourcesOf(hostConfig),
        readonlyRootfs: hostConfig.ReadonlyRootfs ?? false,
        etcFiles,
        extraMounts: containerMounts(hostConfig, record.volumeMounts ?? []).mounts,
        network: record.endpoint
          ? {
              bridge: BRIDGE_NAME,
              hostVeth: record.endpoint.hostVeth,
              address: `${record.endpoint.ip}/${record.endpoint.prefixLen}`,
              gateway: record.endpoint.gateway,
              mac: record.endpoint.mac,
              mtu: 1500,
            }
          : undefined,
        netNamespace,
      });
      const proc = await runtime.create(spec, {
        stdin: config.OpenStdin ?? false,
        stdout: (chunk) => this.output(live, 1, chunk),
        stderr: config.Tty ? undefined : (chunk) => this.output(live, 2, chunk),
      });
      live.process = proc;
      try {
        await runtime.start(record.id);
      } catch (error) {
        live.process = undefined;
        await runtime.delete(record.id).catch(() => undefined);
        throw error;
      }
      record.state = {
        ...record.state,
        status: 'running',
        pid: proc.pid,
        exitCode: 0,
        error: '',
        oomKilled: false,
        startedAt: this.now(),
        finishedAt: record.state.finishedAt,
        health: config.Healthcheck?.Test && config.Healthcheck.Test[0] !== 'NONE' && config.Healthcheck.Test.length > 0 ? { Status: 'starting', FailingStreak: 0, Log: [] } : undefined,
      };
      let resolveHandled!: () => void;
      live.exitHandled = new Promise((resolve) => (resolveHandled = resolve));
      void proc
        .wait()
        .then(
          (status) => this.onExit(live, proc, status),
          (error: unknown) => this.onExit(live, proc, { exitCode: 255, signal: 0, oomKilled: false }, error instanceof Error ? error.message : String(error)),
        )
        .finally(resolveHandled);
      const queued = live.stdinQueue.splice(0);
      const closeAfter = live.stdinClosed;
      live.stdinClosed = false;
      if (queued.length > 0 || closeAfter) {
        void (async () => {
          for (const chunk of queued) await proc.writeStdin(chunk).catch(() => undefined);
          if (closeAfter) await proc.closeStdin().catch(() => undefined);
        })();
      }
      await this.persist(live);
      this.emit(live, 'start');
      if (record.state.health) this.scheduleHealthcheck(live, true);
    } catch (error) {
      if (record.endpoint) {
        this.ipam.release(record.endpoint.ip);
        record.endpoint = undefined;
      }
      const failure = execFailure(error, record.path);
      if (failure) {
        const message = `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${failure.message}: unknown`;
        record.state = { ...record.state, exitCode: failure.exitCode, error: message };
        await this.persist(live);
        if (record.hostConfig.AutoRemove) await this.remove(live.id, { force: true, volumes: true }).catch(() => undefined);
        throw invalidParameter(message);
      }
      // As docker's containerStart: the error is kept in State.Error, exit code 128, and --rm removes it.
      const message = error instanceof Error ? error.message : String(error);
      record.state = { ...record.state, exitCode: 128, error: message };
      await this.persist(live);
      if (record.hostConfig.AutoRemove) await this.remove(live.id, { force: true, volumes: true }).catch(() => undefined);
      if (error instanceof EngineError) throw error;
      throw systemError(`failed to create task for container: ${message}`);
    }
  }

  private async output(live: LiveContainer, stream: 1 | 2, chunk: Uint8Array): Promise<void> {
    live.log.write(stream === 1 ? 'stdout' : 'stderr', chunk);
    const pending: Promise<void>[] = [];
    for (const listener of live.listeners) {
      const result = listener(stream, chunk);
      if (result) pending.push(result.catch(() => undefined));
    }
    if (pending.length > 0) await Promise.all(pending);
  }

  /** Builds a process spec: env with HOSTNAME (and TERM for a TTY), the user from the image's passwd. */
  async processSpec(
    live: LiveContainer,
    _entrypoint: string[],
    args: string[],
    options: { env: string[]; user: string; cwd: string; tty: boolean; consoleSize?: [number, number]; hostname?: string; privileged?: boolean },
  ): Promise<ProcessSpec> {
    const env = [...options.env];
    const has = (key: string) => env.some((entry) => entry.startsWith(`${key}=`));
    if (!has('PATH')) env.unshift(DEFAULT_PATH);
    if (options.hostname !== undefined && !has('HOSTNAME')) env.splice(1, 0, `HOSTNAME=${options.hostname}`);
    if (options.tty && !has('TERM')) env.push('TERM=xterm');
    const user = await this.resolveUser(live, options.user);
    if (!has('HOME')) env.push(`HOME=${user.home}`);
    return {
      args,
      env,
      cwd: options.cwd || '/',
      user: { uid: user.uid, gid: user.gid, groups: user.groups },
      terminal: options.tty,
      rows: options.consoleSize?.[0] || undefined,
      cols: options.consoleSize?.[1] || undefined,
      // The bounding set: docker's defaults, --cap-add/--cap-drop, everything with --privileged (exec too).
      capabilities: options.privileged
        ? [...ALL_CAPABILITIES]
        : capabilitiesFor({ privileged: live.record.hostConfig.Privileged, capAdd: live.record.hostConfig.CapAdd, capDrop: live.record.hostConfig.CapDrop }),
      // The container's and every exec's processes, as runc applies the container's setting to both.
      noNewPrivileges: noNewPrivileges(live.record.hostConfig.SecurityOpt ?? []),
      // The container's filter, for execs too (runc gives an exec the container's seccomp, --privileged or not).
      seccomp: this.seccompOf(live),
    };
  }

  /**
   * The container's seccomp filter (docker's default profile, a custom one, or none), computed once per
   * run. Throws the error docker gives for a profile that cannot be used.
   */
  private seccompOf(live: LiveContainer): Uint8Array | undefined {
    if (live.seccomp) return live.seccomp.program;
    const hostConfig = live.record.hostConfig;
    try {
      const program = seccompFilter({
        profile: parseSecurityOpt(hostConfig.SecurityOpt ?? []).seccompProfile,
        privileged: hostConfig.Privileged ?? false,
        capabilities: capabilitiesFor({ privileged: hostConfig.Privileged, capAdd: hostConfig.CapAdd, capDrop: hostConfig.CapDrop }),
        kernelVersion: this.deps.host.kernelVersion,
      });
      live.seccomp = { program };
      return program;
    } catch (error) {
      if (error instanceof SeccompError) throw systemError(seccompErrorMessage(error));
      throw systemError((error as Error).message);
    }
  }

  /** The devices cgroup of a run: docker's rules for --privileged, --device and --device-cgroup-rule. */
  private deviceFilterOf(live: LiveContainer, devices: readonly { node: DeviceNode; permissions: string }[]) {
    const hostConfig = live.record.hostConfig;
    try {
      return deviceFilter(
        dockerDeviceRules({
          privileged: hostConfig.Privileged ?? false,
          devices: devices.map(({ node, permissions }) => ({ type: node.type, major: node.major, minor: node.minor, permissions })),
          cgroupRules: hostConfig.DeviceCgroupRules,
        }),
      );
    } catch (error) {
      throw systemError((error as Error).message);
    }
  }

  private async resolveUser(live: LiveContainer, spec: string): Promise<User & { home: string }> {
    if (spec === '') return { uid: 0, gid: 0, groups: [], home: '/root' };
    const [userPart, groupPart] = spec.split(':');
    const read = async (file: string): Promise<string> => {
      const paths = live.record.layerDirs.map((dir) => `${dir}${file}`);
      const files = await this.deps.runtime.readFiles(paths).catch(() => ({}) as Record<string, string | null>);
      for (const path of paths) if (files[path]) return files[path] ?? '';
      return '';
    };
    let uid: number;
    let gid = 0;
    let home = '/';
    const passwd = (await read('/etc/passwd')).split('\n').map((line) => line.split(':'));
    if (/^\d+$/.test(userPart)) {
      uid = Number(userPart);
      const entry = passwd.find((fields) => fields[2] === userPart);
      if (entry) {
        gid = Number(entry[3]);
        home = entry[5] || '/';
      }
    } else {
      const entry = passwd.find((fields) => fields[0] === userPart);
      if (!entry) throw invalidParameter(`unable to find user ${userPart}: no matching entries in passwd file`);
      uid = Number(entry[2]);
      gid = Number(entry[3]);
      home = entry[5] || '/';
    }
    if (groupPart !== undefined) {
      if (/^\d+$/.test(groupPart)) gid = Number(groupPart);
      else {
        const entry = (await read('/etc/group')).split('\n').map((line) => line.split(':')).find((fields) => fields[0] === groupPart);
        if (!entry) throw invalidParameter(`unable to find group ${groupPart}: no matching entries in group file`);
        gid = Number(entry[2]);
      }
    }
    return { uid, gid, groups: [], home };
  }

  private async onExit(live: LiveContainer, proc: RuntimeProcess, status: ExitStatus, failure = ''): Promise<void> {
    if (live.process !== proc) return;
    live.process = undefined;
    live.log.flush();
    if (live.healthTimer) clearTimeout(live.healthTimer);
    live.healthTimer = undefined;
    const { record } = live;
    const startedAtMs = Date.parse(record.state.startedAt);
    record.state = {
      ...record.state,
      status: 'exited',
      pid: 0,
      exitCode: status.exitCode,
      oomKilled: status.oomKilled,
      error: failure,
      finishedAt: this.now(),
      health: record.state.health ? { ...record.state.health, Status: 'unhealthy' } : undefined,
    };
    if (record.state.health) record.state.health = undefined;
    await this.deps.runtime.delete(record.id).catch(() => undefined);
    if (record.endpoint) {
      this.ipam.release(record.endpoint.ip);
      record.endpoint = undefined;
    }
    for (const execId of live.execs) {
      const exec = this.execs.get(execId);
      if (exec && exec.running) {
        exec.running = false;
        exec.exitCode ??= 137;
        exec.resolveExited();
      }
    }
    if (status.oomKilled) this.emit(live, 'oom');
    this.emit(live, 'die', { exitCode: String(status.exitCode), execDuration: String(Math.max(0, Math.round((this.deps.clock().getTime() - startedAtMs) / 1000))) });
    for (const end of [...live.endListeners]) end();
    const result: WaitResult = { StatusCode: status.exitCode, Error: null };
    const waiters = live.exitWaiters;
    live.exitWaiters = [];
    for (const waiter of waiters) waiter(result);
    if (this.shouldRestart(live)) {
      record.state = { ...record.state, status: 'restarting' };
      await this.persist(live);
      const delay = Math.min(100 * 2 ** record.restartCount, 60_000);
      const ranFor = this.deps.clock().getTime() - startedAtMs;
      live.restartTimer = setTimeout(() => void this.restartAfterExit(live), ranFor > 10_000 ? 100 : delay);
      return;
    }
    await this.persist(live);
    if (record.hostConfig.AutoRemove) await this.remove(live.id, { force: true, volumes: true }).catch(() => undefined);
    else await this.deps.store.metadata.put(`containerlog/${live.id}`, live.log.toJson()).catch(() => undefined);
  }

  private shouldRestart(live: LiveContainer): boolean {
    const { record } = live;
    if (this.shuttingDown || record.manuallyStopped || record.hostConfig.AutoRemove) return false;
    const policy = record.hostConfig.RestartPolicy ?? { Name: 'no', MaximumRetryCount: 0 };
    switch (policy.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return record.state.exitCode !== 0 && (policy.MaximumRetryCount === 0 || record.restartCount < policy.MaximumRetryCount);
      default:
        return false;
    }
  }

  private async restartAfterExit(live: LiveContainer): Promise<void> {
    live.restartTimer = undefined;
    if (!this.containers.has(live.id) || live.status !== 'restarting') return;
    live.record.restartCount++;
    try {
      await this.startProcess(live);
      this.emit(live, 'restart');
    } catch {
      live.record.state = { ...live.record.state, status: 'exited' };
      await this.persist(live);
    }
  }

  // ---- stop, kill, restart, pause ----

  private waitForExit(live: LiveContainer, timeoutMs: number): Promise<boolean> {
    if (!live.process) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (value: boolean) => {
        if (timer) clearTimeout(timer);
        resolve(value);
      };
      live.exitWaiters.push(() => done(true));
      if (timeoutMs >= 0) timer = setTimeout(() => done(false), timeoutMs);
    });
  }

  async stop(ref: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    await this.ready();
    const live = this.get(ref);
    if (live.status === 'restarting' && live.restartTimer) {
      clearTimeout(live.restartTimer);
      live.restartTimer = undefined;
      live.record.manuallyStopped = true;
      live.record.state = { ...live.record.state, status: 'exited' };
      await this.persist(live);
      this.emit(live, 'stop');
      return;
    }
    if (!live.process) throw notModified();
    live.record.manuallyStopped = true;
    const stopSignal = parseSignal(signal || live.record.config.StopSignal || 'SIGTERM');
    const timeout = timeoutSeconds ?? live.record.config.StopTimeout ?? 10;
    const handled = live.exitHandled;
    const exited = this.waitForExit(live, timeout < 0 ? -1 : timeout * 1000);
    this.emit(live, 'kill', { signal: String(stopSignal) });
    await live.process.signal(stopSignal).catch(() => undefined);
    if (live.status === 'paused') await this.unpauseQuietly(live);
    if (!(await exited)) {
      this.emit(live, 'kill', { signal: '9' });
      await this.deps.runtime.killAll(live.cgroupPath, 9).catch(() => undefined);
      if (live.status === 'paused') await this.unpauseQuietly(live);
      await this.waitForExit(live, -1);
    }
    await handled;
    this.emit(live, 'stop');
  }

  private async unpauseQuietly(live: LiveContainer): Promise<void> {
    await this.deps.runtime.resume(live.cgroupPath).catch(() => undefined);
    if (live.status === 'paused') live.record.state = { ...live.record.state, status: 'running' };
  }

  async kill(ref: string, signalText = 'KILL'): Promise<void> {
    await this.ready();
    const live = this.get(ref);
    let signal: number;
    try {
      signal = parseSignal(signalText);
    } catch (error) {
      throw invalidParameter((error as Error).message);
    }
    if (!live.process || (live.status !== 'running' && live.status !== 'paused')) {
      throw conflict(`cannot kill container: ${ref}: container ${live.id} is not running`);
    }
    const handled = live.exitHandled;
    if (signal === 9 || signal === 15 || signal === 2) live.record.manuallyStopped = true;
    this.emit(live, 'kill', { signal: String(signal) });
    if (signal === 9) {
      await this.deps.runtime.killAll(live.cgroupPath, 9);
      if (live.status === 'paused') await this.unpauseQuietly(live);
      await handled;
    } else {
      await live.process.signal(signal);
    }
  }

  async restart(ref: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    await this.ready();
    const live = this.get(ref);
    if (live.process) await this.stop(ref, timeoutSeconds, signal);
    live.record.manuallyStopped = false;
    if (live.restartTimer) clearTimeout(live.restartTimer);
    live.restartTimer = undefined;
    await this.startProcess(live);
    this.emit(live, 'restart');
  }

  async pause(ref: string): Promise<void> {
    await this.ready();
    const live = this.get(ref);
    if (live.status === 'paused') throw conflict(`Container ${live.id} is already paused`);
    if (live.status !== 'running') throw conflict(`Container ${live.id} is not running`);
    await this.deps.runtime.pause(live.cgroupPath);
    live.record.state = { ...live.record.state, status: 'paused' };
    await this.persist(live);
    this.emit(live, 'pause');
  }

  async unpause(ref: string): Promise<void> {
    await this.ready();
    const live = this.get(ref);
    if (live.status !== 'paused') throw conflict(`Container ${live.id} is not paused`);
    await this.deps.runtime.resume(live.cgroupPath);
    live.record.state = { ...live.record.state, status: 'running' };
    await this.persist(live);
    this.emit(live, 'unpause');
  }

  // ---- remove, rename, wait ----

  async remove(ref: string, options: { force?: boolean; volumes?: boolean; link?: boolean } = {}): Promise<void> {
    await this.ready();
    const live = this.get(ref);
    if (options.link) throw invalidParameter('links are not available yet in Dockside');
    if (live.status === 'removing') throw conflict(`removal of container ${live.id} is already in progress`);
    if ((live.status === 'running' || live.status === 'paused' || live.status === 'restarting') && !options.force) {
      const what = live.status === 'paused' ? 'paused' : live.status === 'restarting' ? 'restarting' : 'running';
      throw conflict(`cannot remove container "${live.record.name}": container is ${what}: stop the container before removing or force remove`);
    }
    live.record.manuallyStopped = true;
    if (live.restartTimer) clearTimeout(live.restartTimer);
    live.restartTimer = undefined;
    if (live.process) {
      const handled = live.exitHandled;
      this.emit(live, 'kill', { signal: '9' });
      await this.deps.runtime.killAll(live.cgroupPath, 9).catch(() => undefined);
      if (live.status === 'paused') await this.unpauseQuietly(live);
      await handled;
      if (!this.containers.has(live.id)) return; // --rm removed it meanwhile
    }
    const wasDead = live.status === 'dead';
    live.record.state = { ...live.record.state, status: 'removing' };
    // An exited container's runtime state went when it exited; only a dead one may have some left.
    if (wasDead) await this.deps.runtime.delete(live.id).catch(() => undefined);
    // Its layer and its files (hosts, resolv.conf, logs) live in guest RAM: give it back.
    await this.deps.runtime.removePath(`${DOCKER_ROOT}/overlay2/${live.id}`).catch(() => undefined);
    await this.deps.runtime.removePath(`${DOCKER_ROOT}/containers/${live.id}`).catch(() => undefined);
    this.containers.delete(live.id);
    for (const execId of live.execs) this.execs.delete(execId);
    await this.deps.store.metadata.delete(`container/${live.id}`);
    await this.deps.store.metadata.delete(`containerlog/${live.id}`);
    this.emit(live, 'destroy');
    // rm -v (and --rm): the anonymous volumes made for it go too; named ones stay.
    if (options.volumes && this.deps.volumes) {
      for (const mount of live.record.volumeMounts ?? []) {
        if (mount.anonymous) await this.deps.volumes.remove(mount.name).catch(() => undefined);
      }
    }
    const result: WaitResult = { StatusCode: live.record.state.exitCode, Error: null };
    const waiters = [...live.removedWaiters, ...live.exitWaiters];
    live.removedWaiters = [];
    live.exitWaiters = [];
    for (const waiter of waiters) waiter(result);
  }

  async rename(ref: string, newName: string): Promise<void> {
    await this.ready();
    const live = this.get(ref);
    const clean = newName.replace(/^\//, '');
    if (clean === '') throw invalidParameter('Neither old nor new names may be empty');
    if (!VALID_NAME.test(clean)) throw invalidParameter(`Invalid container name (${clean}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    if (`/${clean}` === live.record.name) throw invalidParameter('Renaming a container with the same name as its current name');
    const other = this.find(clean);
    if (other && other.record.name === `/${clean}`) {
      throw conflict(
        `Error when allocating new name: Conflict. The container name "/${clean}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`,
      );
    }
    const oldName = live.record.name;
    live.record.name = `/${clean}`;
    await this.persist(live);
    this.emit(live, 'rename', { oldName });
  }

  /** Resolves when the condition holds: not-running (default), next-exit, removed. */
  /** Resolves when the condition is met; `cancel` (the client hung up) forgets the waiter. */
  wait(live: LiveContainer, condition: string): { result: Promise<WaitResult>; cancel: () => void } {
    const running = live.status === 'running' || live.status === 'paused' || live.status === 'restarting';
    if ((condition === '' || condition === 'not-running') && !running) {
      return { result: Promise.resolve({ StatusCode: live.record.state.exitCode, Error: null }), cancel: () => undefined };
    }
    const waiters = condition === 'removed' ? live.removedWaiters : live.exitWaiters;
    let waiter: ((result: WaitResult) => void) | undefined;
    const result = new Promise<WaitResult>((resolve) => {
      waiter = resolve;
      waiters.push(resolve);
    });
    const cancel = () => {
      const at = waiter ? waiters.indexOf(waiter) : -1;
      if (at !== -1) waiters.splice(at, 1);
    };
    return { result, cancel };
  }

  // ---- update ----

  async update(ref: string, hostConfig: HostConfig): Promise<string[]> {
    await this.ready();
    const live = this.get(ref);
    const merged: HostConfig = { ...live.record.hostConfig };
    const keys: (keyof HostConfig)[] = [
      'CpuShares', 'Memory', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'CpusetMems', 'MemoryReservation', 'MemorySwap',
      'PidsLimit', 'BlkioWeight', 'CpuRealtimePeriod', 'CpuRealtimeRuntime',
    ];
    for (const key of keys) {
      const value = hostConfig[key];
      if (value !== undefined && value !== null && value !== 0 && value !== '') (merged as Record<string, unknown>)[key] = value;
    }
    if (hostConfig.RestartPolicy && hostConfig.RestartPolicy.Name !== '') {
      if (merged.AutoRemove && hostConfig.RestartPolicy.Name !== 'no') {
        throw invalidParameter('Cannot update restart policy on a container with --rm (autoRemove)');
      }
      merged.RestartPolicy = hostConfig.RestartPolicy;
    }
    if (hostConfig.Memory && hostConfig.Memory > 0 && !hostConfig.MemorySwap && live.record.hostConfig.MemorySwap && live.record.hostConfig.MemorySwap > 0 && hostConfig.Memory > live.record.hostConfig.MemorySwap) {
      throw conflict('Cannot update container: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time');
    }
    if (hostConfig.Memory && hostConfig.Memory > 0 && !hostConfig.MemorySwap) merged.MemorySwap = live.record.hostConfig.MemorySwap && live.record.hostConfig.MemorySwap > 0 ? live.record.hostConfig.MemorySwap : hostConfig.Memory * 2;
    this.validateHostConfig({ ...merged, RestartPolicy: merged.RestartPolicy, AutoRemove: false, PortBindings: {}, Binds: [], Links: [], Mounts: [], Devices: [] });
    if (live.process) {
      const settings = cgroupSettings(resourcesOf(merged));
      for (const [file, value] of Object.entries(settings)) {
        try {
          await this.deps.runtime.writeFile(`${live.cgroupPath}/${file}`, value);
        } catch (error) {
          throw systemError(`Cannot update container ${live.id}: writing ${file}: ${(error as Error).message}`);
        }
      }
    }
    live.record.hostConfig = merged;
    await this.persist(live);
    this.emit(live, 'update');
    return [];
  }

  // ---- exec ----

  async execCreate(
    ref: string,
    body: { User?: string; Privileged?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null; AttachStdin?: boolean; AttachStdout?: boolean; AttachStderr?: boolean; DetachKeys?: string; Env?: string[] | null; WorkingDir?: string; Cmd?: string[] | null },
  ): Promise<string> {
    await this.ready();
    const live = this.get(ref);
    if (live.status === 'paused') throw conflict(`Container ${live.id} is paused, unpause the container before exec`);
    if (live.status !== 'running') throw conflict(`container ${live.id} is not running`);
    if (!body.Cmd || body.Cmd.length === 0) throw invalidParameter('No exec command specified');
    const id = this.newId();
    let resolveExited!: () => void;
    const exited = new Promise<void>((resolve) => (resolveExited = resolve));
    const exec: ExecRecord = {
      id,
      containerId: live.id,
      user: body.User ?? '',
      privileged: body.Privileged ?? false,
      tty: body.Tty ?? false,
      attachStdin: body.AttachStdin ?? false,
      attachStdout: body.AttachStdout ?? false,
      attachStderr: body.AttachStderr ?? false,
      detachKeys: body.DetachKeys ?? '',
      env: body.Env ?? [],
      workingDir: body.WorkingDir ?? '',
      cmd: body.Cmd,
      consoleSize: body.ConsoleSize ?? undefined,
      running: false,
      exitCode: null,
      pid: 0,
      exited,
      resolveExited,
      canRemove: false,
    };
    this.execs.set(id, exec);
    live.execs.add(id);
    this.emit(live, `exec_create: ${exec.cmd.join(' ')}`, { execID: id });
    return id;
  }

  getExec(id: string): ExecRecord {
    const exec = this.execs.get(id);
    if (!exec) throw notFound(`No such exec instance: ${id}`);
    return exec;
  }

  /** Starts an exec; output goes to the sinks. Throws before starting (an EngineError) or reports a failed execve. */
  async execStart(
    exec: ExecRecord,
    io: { stdin: boolean; stdout?: (chunk: Uint8Array) => void | Promise<void>; stderr?: (chunk: Uint8Array) => void | Promise<void> },
    overrides: { tty?: boolean; consoleSize?: [number, number] } = {},
  ): Promise<RuntimeProcess | { failure: string }> {
    if (exec.running || exec.exitCode !== null) throw conflict(`Error: Exec command ${exec.id} has already run`);
    const live = this.get(exec.containerId);
    if (live.status === 'paused') throw conflict(`Container ${live.id} is paused, unpause the container before exec`);
    if (live.status !== 'running') throw conflict(`container ${live.id} is not running`);
    const tty = overrides.tty ?? exec.tty;
    const spec = await this.processSpec(live, [], exec.cmd, {
      env: [...(live.record.config.Env ?? []), ...exec.env],
      user: exec.user || live.record.config.User || '',
      cwd: exec.workingDir || live.record.config.WorkingDir || '/',
      tty,
      consoleSize: overrides.consoleSize ?? exec.consoleSize,
      hostname: live.record.config.Hostname,
      privileged: exec.privileged,
    });
    exec.running = true;
    this.emit(live, `exec_start: ${exec.cmd.join(' ')}`, { execID: exec.id });
    let proc: RuntimeProcess;
    try {
      proc = await this.deps.runtime.exec(live.id, spec, { stdin: io.stdin, stdout: io.stdout, stderr: tty ? undefined : io.stderr });
    } catch (error) {
      exec.running = false;
      const failure = execFailure(error, exec.cmd[0]);
      exec.exitCode = failure ? 126 : 126;
      exec.resolveExited();
      this.emit(live, 'exec_die', { execID: exec.id, exitCode: String(exec.exitCode) });
      const message = failure ? failure.message : error instanceof Error ? error.message : String(error);
      return { failure: `OCI runtime exec failed: exec failed: unable to start container process: ${message}: unknown` };
    }
    exec.process = proc;
    exec.pid = proc.pid;
    void proc.wait().then(
      (status) => {
        exec.running = false;
        exec.exitCode = status.exitCode;
        exec.process = undefined;
        exec.resolveExited();
        if (this.containers.has(live.id)) this.emit(live, 'exec_die', { execID: exec.id, exitCode: String(status.exitCode) });
      },
      () => {
        exec.running = false;
        exec.exitCode = 126;
        exec.resolveExited();
      },
    );
    return proc;
  }

  // ---- attach ----

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

  async resize(ref: string, rows: number, cols: number): Promise<void> {
    const live = this.get(ref);
    if (!live.process) throw conflict(`Container ${live.id} is not running`);
    await live.process.resize(rows, cols).catch(() => undefined);
  }

  // ---- healthchecks ----

  private scheduleHealthcheck(live: LiveContainer, first: boolean): void {
    const health = live.record.config.Healthcheck;
    if (!health?.Test || health.Test.length === 0 || health.Test[0] === 'NONE') return;
    const interval = (health.Interval || 30e9) / 1e6;
    const startInterval = (health.StartInterval || 5e9) / 1e6;
    const startPeriod = (health.StartPeriod || 0) / 1e6;
    const inStart = this.deps.clock().getTime() - Date.parse(live.record.state.startedAt) < startPeriod;
    const delay = first || inStart ? Math.min(interval, inStart ? startInterval : interval) : interval;
    live.healthTimer = setTimeout(() => void this.runHealthcheck(live), delay);
  }

  private async runHealthcheck(live: LiveContainer): Promise<void> {
    live.healthTimer = undefined;
    const health = live.record.config.Healthcheck;
    const state = live.record.state.health;
    if (!health?.Test || !state || live.status !== 'running' || !live.process) {
      if (live.status === 'paused') this.scheduleHealthcheck(live, false);
      return;
    }
    const cmd = health.Test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', health.Test.slice(1).join(' ')] : health.Test.slice(1);
    const start = this.now();
    let output = '';
    let exitCode = -1;
    const timeoutMs = (health.Timeout || 30e9) / 1e6;
    try {
      const spec = await this.processSpec(live, [], cmd, { env: live.record.config.Env ?? [], user: live.record.config.User ?? '', cwd: live.record.config.WorkingDir || '/', tty: false });
      const decoder = new TextDecoder();
      const sink = (chunk: Uint8Array) => {
        if (output.length < 4096) output += decoder.decode(chunk);
      };
      const proc = await this.deps.runtime.exec(live.id, spec, { stdin: false, stdout: sink, stderr: sink });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<ExitStatus | undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
      const status = await Promise.race([proc.wait(), timedOut]);
      if (timer) clearTimeout(timer);
      if (status) exitCode = status.exitCode;
      else {
        await proc.signal(9).catch(() => undefined);
        output = `Health check exceeded timeout (${timeoutMs / 1000}s)`;
      }
    } catch (error) {
      output = error instanceof Error ? error.message : String(error);
    }
    if (!live.process || live.record.state.health !== state) return;
    const entry: HealthLog = { Start: start, End: this.now(), ExitCode: exitCode, Output: output };
    state.Log = [...state.Log, entry].slice(-5);
    const before = state.Status;
    if (exitCode === 0) {
      state.FailingStreak = 0;
      state.Status = 'healthy';
    } else {
      const startPeriod = (health.StartPeriod || 0) / 1e6;
      const inStart = this.deps.clock().getTime() - Date.parse(live.record.state.startedAt) < startPeriod;
      if (!(inStart && before === 'starting')) {
        state.FailingStreak++;
        if (state.FailingStreak >= (health.Retries || 3)) state.Status = 'unhealthy';
      }
    }
    if (state.Status !== before) this.emit(live, `health_status: ${state.Status}`);
    this.scheduleHealthcheck(live, false);
  }

  // ---- files ----

  /** Runs `use` with the container's merged rootfs mounted (a stopped container gets a throw-away mount). */
  async withRootfs<T>(live: LiveContainer, use: (merged: string) => Promise<T>): Promise<T> {
    const merged = `${DOCKER_ROOT}/overlay2/${live.id}/merged`;
    if (live.process) return use(merged);
    const spec = containerSpec({
      id: live.id,
      hostname: live.record.config.Hostname ?? live.id.slice(0, 12),
      layers: live.record.layerDirs,
      process: { args: ['/nonexistent'], env: [], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false },
      netNamespace: 'none',
    });
    const placeholder = await this.deps.runtime.create(spec, { stdin: false });
    try {
      return await use(merged);
    } finally {
      await this.deps.runtime.delete(live.id).catch(() => undefined);
      // The agent keeps a process's name until its exit is waited for; the next use needs it again.
      await placeholder.wait().catch(() => undefined);
    }
  }

  /**
   * --device: the host's nodes at their container paths (a directory brings every node under it), each
   * with the cgroup permissions of its --device. --privileged brings every device node of the host's
   * /dev, as moby does with containerd's HostDevices (not pts, shm, fd, mqueue or the console); a
   * --device then only adds nodes at other paths, with rwm.
   */
  private async hostDevices(requests: readonly DeviceMapping[], privileged: boolean): Promise<{ node: DeviceNode; permissions: string }[]> {
    const nodes: { node: DeviceNode; permissions: string }[] = [];
    if (privileged) {
      const skipped = /^\/dev\/(pts|shm|fd|mqueue|\.lxc|\.lxd-mounts|\.udev)(\/|$)/;
      for (const node of await this.deps.runtime.hostDevices('/dev')) {
        if (!skipped.test(node.path) && node.path !== '/dev/console') nodes.push({ node, permissions: 'rwm' });
      }
      requests = requests
        .filter((request) => request.PathOnHost !== (request.PathInContainer || request.PathOnHost))
        .map((request) => ({ ...request, CgroupPermissions: 'rwm' }));
    }
    for (const request of requests) {
      let found: DeviceNode[];
      try {
        found = await this.deps.runtime.hostDevices(request.PathOnHost);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw systemError(`error gathering device information while adding custom device "${request.PathOnHost}": ${reason}`);
      }
      const inContainer = request.PathInContainer || request.PathOnHost;
      for (const node of found) {
        const below = node.path === request.PathOnHost ? '' : node.path.slice(request.PathOnHost.replace(/\/+$/, '').length);
        nodes.push({ node: { ...node, path: `${inContainer.replace(/\/+$/, '')}${below}` || inContainer }, permissions: request.CgroupPermissions || 'rwm' });
      }
    }
    return nodes;
  }

  upperDir(live: LiveContainer): string {
    return `${DOCKER_ROOT}/overlay2/${live.id}/diff`;
  }

  /**
   * docker's SizeRw (the bytes of the container's own layer) and SizeRootFs (its image's layers plus
   * that), for `ps -s` and `inspect -s`. A layer that cannot be measured counts as empty.
   */
  async sizes(live: LiveContainer): Promise<{ rw: number; rootfs: number }> {
    const rw = await this.deps.runtime.directorySize(this.upperDir(live)).catch(() => 0);
    return { rw, rootfs: (live.record.imageSize ?? 0) + rw };
  }

  /** Encodes text for the upgraded-stream error messages. */
  static bytes(text: string): Uint8Array {
    return encoder.encode(text);
  }
}

/** --security-opt no-new-privileges (also =true, :true; =false turns it off), as moby parses it. */
export function noNewPrivileges(securityOpt: readonly string[]): boolean {
  try {
    return parseSecurityOpt(securityOpt).noNewPrivileges;
  } catch {
    return false; // refused at create
  }
}

/** The container's config: what the request says, the image's config for what it leaves out. */
export function mergeImageConfig(config: CreateRequest, image: RunnableImage): ContainerRecord['config'] {
  const imageConfig = image.config.config ?? {};
  const merged: ContainerRecord['config'] = { ...config };
  merged.Image = config.Image;
  const userEnv = config.Env ?? [];
  const env = [...(imageConfig.Env ?? [])];
  for (const entry of userEnv) {
    const key = entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry;
    const at = env.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === key);
    if (at === -1) env.push(entry);
    else env[at] = entry;
  }
  merged.Env = env;
  if (!config.Entrypoint || config.Entrypoint.length === 0) {
    if (config.Entrypoint && config.Entrypoint.length === 0 && config.Entrypoint !== null && Array.isArray(config.Entrypoint)) {
      // --entrypoint "" clears the image's entrypoint.
      merged.Entrypoint = config.Cmd && config.Cmd.length > 0 ? null : null;
    } else {
      merged.Entrypoint = imageConfig.Entrypoint ?? null;
      if (!config.Cmd || config.Cmd.length === 0) merged.Cmd = imageConfig.Cmd ?? null;
    }
  } else if (!config.Cmd) {
    merged.Cmd = null;
  }
  if (!merged.Cmd || merged.Cmd.length === 0) merged.Cmd = merged.Cmd ?? null;
  if (!config.WorkingDir) merged.WorkingDir = imageConfig.WorkingDir ?? '';
  if (!config.User) merged.User = imageConfig.User ?? '';
  merged.Labels = { ...(imageConfig.Labels ?? {}), ...(config.Labels ?? {}) };
  const exposed = { ...(imageConfig.ExposedPorts ?? {}), ...(config.ExposedPorts ?? {}) };
  merged.ExposedPorts = Object.keys(exposed).length > 0 ? exposed : undefined;
  const volumes = { ...(imageConfig.Volumes ?? {}), ...(config.Volumes ?? {}) };
  merged.Volumes = Object.keys(volumes).length > 0 ? volumes : null;
  if (!config.StopSignal && imageConfig.StopSignal) merged.StopSignal = imageConfig.StopSignal;
  const health = config.Healthcheck;
  const imageHealth = imageConfig.Healthcheck;
  if (health?.Test && health.Test.length > 0) {
    merged.Healthcheck = { ...imageHealth, ...health };
    if (health.Test[0] === 'NONE') merged.Healthcheck = { Test: ['NONE'] };
  } else if (imageHealth?.Test && imageHealth.Test.length > 0) {
    merged.Healthcheck = { ...imageHealth, ...Object.fromEntries(Object.entries(health ?? {}).filter(([, v]) => v)) };
  }
  if (imageConfig.OnBuild) merged.OnBuild = imageConfig.OnBuild;
  if (imageConfig.Shell && !config.Shell) merged.Shell = imageConfig.Shell;
  return merged;
}

function normalizeHostConfig(hostConfig: HostConfig): HostConfig {
  return {
    ...hostConfig,
    NetworkMode: hostConfig.NetworkMode || 'bridge',
    RestartPolicy: hostConfig.RestartPolicy ?? { Name: 'no', MaximumRetryCount: 0 },
    LogConfig: hostConfig.LogConfig && hostConfig.LogConfig.Type ? hostConfig.LogConfig : { Type: 'json-file', Config: {} },
    MemorySwap: hostConfig.Memory && hostConfig.Memory > 0 && !hostConfig.MemorySwap ? hostConfig.Memory * 2 : (hostConfig.MemorySwap ?? 0),
  };
}

export function resourcesOf(hostConfig: HostConfig): Resources {
  const resources: Resources = {};
  if (hostConfig.Memory) resources.memory = hostConfig.Memory;
  if (hostConfig.MemorySwap) resources.memorySwap = hostConfig.MemorySwap;
  if (hostConfig.CpuShares) resources.cpuShares = hostConfig.CpuShares;
  if (hostConfig.NanoCpus) {
    resources.cpuPeriod = 100000;
    resources.cpuQuota = Math.round((hostConfig.NanoCpus / 1e9) * 100000);
  } else if (hostConfig.CpuQuota) {
    resources.cpuQuota = hostConfig.CpuQuota;
    resources.cpuPeriod = hostConfig.CpuPeriod || 100000;
  }
  if (hostConfig.CpusetCpus) resources.cpusetCpus = hostConfig.CpusetCpus;
  if (hostConfig.PidsLimit && hostConfig.PidsLimit > 0) resources.pidsLimit = hostConfig.PidsLimit;
  return resources;
}
