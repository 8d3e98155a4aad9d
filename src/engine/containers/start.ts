// docker start (moby's daemon/start.go): the container's network endpoint on docker0 (or host, none,
// another container's), its /etc files, devices and their cgroup rules, seccomp, and its process in the
// runtime; the exit is handed to the monitor.

import { EngineError, conflict, invalidParameter, notFound, notModified, systemError } from '../errors';
import type { DeviceNode, RuntimeProcess } from '../runtime/types';
import { BRIDGE_NAME, hostsFile, resolvConf } from '../network/bridge';
import { embeddedResolvConf } from '../network/resolver';
import type { NetworkModel } from '../network/networks';
import type { ContainerContext } from './context';
import { linkedSetup, withLinkEnv } from './links';
import { allocatePorts } from './ports';
import { allocateEndpoint, attachRunning, endpointsOf, modeNetworkName, recordNetworks, releaseEndpoints } from './endpoints';
import { deviceFilter, dockerDeviceRules } from './devices';
import type { HealthMonitor } from './health';
import type { LiveContainer } from './live';
import { containerMounts } from './mounts';
import type { ExitMonitor } from './monitor';
import { execFailure, processSpec, seccompOf } from './process';
import { DOCKER_ROOT, containerSpec, type Resources } from './spec';
import type { DeviceMapping, HostConfig } from './types';

export interface StarterLinks {
  /** Watches each process it starts (exit, restart policy). */
  monitor: ExitMonitor;
  /** Schedules the healthcheck of a container that has one. */
  health: HealthMonitor;
  /** --rm: removes a container whose start failed. */
  autoRemove: (live: LiveContainer) => Promise<void>;
}

export class ContainerStarter {
  constructor(
    private readonly context: ContainerContext,
    private readonly links: StarterLinks,
  ) {}

  /** docker start: a created or exited container's process (moby's daemon/start.go). */
  async start(ref: string): Promise<void> {
    const live = this.context.get(ref);
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
    const mode = modeNetworkName(live.record.hostConfig.NetworkMode);
    // A user network named by id (prefix) in NetworkMode: its name.
    if (['bridge', 'host', 'none'].includes(mode) || mode.startsWith('container:')) return mode;
    return this.context.deps.networks.find(mode)?.name ?? mode;
  }

  /**
   * --pid=host, --ipc=host and --uts=host share the guest's namespaces (the agent leaves them out of the
   * clone); --ipc=container:NAME joins that container's. --pid=container:NAME is not carried out: the
   * agent can only join ipc, uts and net namespaces by path.
   */
  private sharedNamespaces(live: LiveContainer): { pid: boolean; ipc: boolean | string; uts: boolean } {
    const { hostConfig } = live.record;
    const ipcMode = hostConfig.IpcMode ?? '';
    let ipc: boolean | string = ipcMode !== 'host';
    if (ipcMode.startsWith('container:')) {
      const other = this.context.get(ipcMode.slice('container:'.length));
      if (other.status !== 'running' && other.status !== 'paused') throw conflict(`cannot join IPC of a non running container: ${other.id}`);
      ipc = `/proc/${other.record.state.pid}/ns/ipc`;
    }
    return { pid: hostConfig.PidMode !== 'host', ipc, uts: hostConfig.UTSMode !== 'host' };
  }

  /** Starts the container's process: its network, /etc files, devices, seccomp, then the runtime. */
  async startProcess(live: LiveContainer): Promise<void> {
    const { record } = live;
    const { config, hostConfig } = record;
    const runtime = this.context.deps.runtime;
    const mode = this.networkMode(live);
    const sharedNamespaces = this.sharedNamespaces(live);
    let netNamespace = 'new';
    let hostname = config.Hostname ?? record.id.slice(0, 12);
    let etcFiles: { hosts?: string; hostname?: string; resolvConf?: string } = {
      hosts: record.hostsPath,
      hostname: record.hostnamePath,
      resolvConf: record.resolvConfPath,
    };
    const attachments = recordNetworks(record);
    const bridgeNetworks: NetworkModel[] = [];
    if (mode !== 'none' && mode !== 'host' && !mode.startsWith('container:')) {
      await this.context.networksInGuest();
      for (const name of Object.keys(attachments)) {
        const network = this.context.deps.networks.byName(name);
        if (!network) throw notFound(`failed to set up container networking: network ${name} not found`);
        if (network.driver === 'bridge') bridgeNetworks.push(network);
      }
      // The NetworkMode's network gets eth0 (another one if it was disconnected), the others follow.
      bridgeNetworks.sort((a, b) => (a.name === mode ? -1 : b.name === mode ? 1 : 0));
      const first = bridgeNetworks[0];
      if (first) {
        record.primaryNetwork = first.name;
        record.endpoint = allocateEndpoint(this.context, first, attachments[first.name], 'eth0', config.MacAddress);
      }
    }
    if (bridgeNetworks.length > 0) {
      // the endpoint is made above
    } else if (mode === 'none') {
      netNamespace = 'none';
    } else if (mode === 'host') {
      netNamespace = 'host';
      hostname = this.context.deps.host.name;
    } else if (mode.startsWith('container:')) {
      const other = this.context.get(mode.slice('container:'.length));
      if (other.status !== 'running' && other.status !== 'paused') {
        throw conflict(`cannot join network namespace of a non running container: container ${other.id} is not running`);
      }
      netNamespace = `/proc/${other.record.state.pid}/ns/net`;
      hostname = other.record.config.Hostname ?? hostname;
      etcFiles = { hosts: other.record.hostsPath, hostname: other.record.hostnamePath, resolvConf: other.record.resolvConfPath };
    }
    const embeddedDns = bridgeNetworks.some((network) => !network.builtin);
    live.embeddedDns = false;
    try {
      const linked = mode === 'bridge' && record.endpoint ? linkedSetup(this.context, live) : { hosts: [], env: [] };
      if (!mode.startsWith('container:')) {
        await Promise.all([
          runtime.writeFile(
            record.hostsPath,
            mode === 'host'
              ? hostsFile({ hostname: this.context.deps.host.name, extraHosts: hostConfig.ExtraHosts ?? [] })
              : hostsFile({ hostname, domainname: config.Domainname, ip: record.endpoint?.ip, extraHosts: hostConfig.ExtraHosts ?? [], linkHosts: linked.hosts }),
          ),
          runtime.writeFile(record.hostnamePath, `${hostname}\n`),
          runtime.writeFile(
            record.resolvConfPath,
            // A user-defined network: docker's embedded DNS at 127.0.0.11 (the default bridge has none).
            (embeddedDns ? embeddedResolvConf : resolvConf)({ dns: hostConfig.Dns ?? [], dnsSearch: hostConfig.DnsSearch ?? [], dnsOptions: hostConfig.DnsOptions ?? [] }),
          ),
        ]);
      }
      // /.dockerenv, which docker keeps in the container's -init layer (here the upper directory; diff and
      // commit leave it out), and the missing HOST directories of -v HOST:CTR (moby's createIfDoesNotExist;
      // --mount was checked at create).
      const bindSources = (hostConfig.Binds ?? []).map((bind) => bind.split(':')[0]).filter((source) => source.startsWith('/'));
      const made = await runtime.hostShell(
        'u=$1; shift; [ -e "$u/.dockerenv" ] || { mkdir -p "$u" && : > "$u/.dockerenv" && chmod 755 "$u/.dockerenv"; }; for d; do [ -e "$d" ] || mkdir -p "$d" || exit 1; done',
        [`${DOCKER_ROOT}/overlay2/${record.id}/diff`, ...bindSources],
      );
      if (made.exitCode !== 0) throw systemError(`error while creating mount source path: ${made.stderr.trim()}`);
      const ports = record.endpoint && bridgeNetworks[0] ? allocatePorts(this.context, live, record.endpoint, bridgeNetworks[0].bridge ?? BRIDGE_NAME) : [];
      live.seccomp = undefined;
      const devices = await this.hostDevices(hostConfig.Devices ?? [], hostConfig.Privileged ?? false);
      const filter = this.deviceFilterOf(live, devices);
      seccompOf(this.context, live);
      const process = await processSpec(this.context, live, [record.path, ...record.args], {
        env: withLinkEnv(config.Env ?? [], linked.env),
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
              bridge: bridgeNetworks[0].bridge ?? BRIDGE_NAME,
              hostVeth: record.endpoint.hostVeth,
              address: `${record.endpoint.ip}/${record.endpoint.prefixLen}`,
              gateway: record.endpoint.gateway,
              mac: record.endpoint.mac,
              mtu: 1500,
            }
          : undefined,
        netNamespace,
        sharedNamespaces,
      });
      const proc = await runtime.create(spec, {
        stdin: config.OpenStdin ?? false,
        stdout: (chunk) => this.output(live, 1, chunk),
        stderr: config.Tty ? undefined : (chunk) => this.output(live, 2, chunk),
      });
      live.process = proc;
      try {
        if (embeddedDns) {
          // The server listens in the new namespace before the container's process runs.
          live.embeddedDns = true;
          await this.context.syncDns({ id: record.id, pid: proc.pid }).catch(() => undefined);
        }
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
        startedAt: this.context.now(),
        finishedAt: record.state.finishedAt,
        health: config.Healthcheck?.Test && config.Healthcheck.Test[0] !== 'NONE' && config.Healthcheck.Test.length > 0 ? { Status: 'starting', FailingStreak: 0, Log: [] } : undefined,
      };
      this.watch(live, proc);
      record.processRef = proc.ref; // after watch: with the wait it asked for
      const queued = live.stdinQueue.splice(0);
      const closeAfter = live.stdinClosed;
      live.stdinClosed = false;
      if (queued.length > 0 || closeAfter) {
        void (async () => {
          for (const chunk of queued) await proc.writeStdin(chunk).catch(() => undefined);
          if (closeAfter) await proc.closeStdin().catch(() => undefined);
        })();
      }
      for (const network of bridgeNetworks.slice(1)) await attachRunning(this.context, live, network);
      // The other containers' resolvers learn this one's names (and this one those of its other networks).
      if (bridgeNetworks.length > 0) await this.context.syncDns().catch(() => undefined);
      if (ports.length > 0) {
        record.publishedPorts = ports;
        await this.context.syncRules();
      }
      await this.context.persist(live);
      this.context.emit(live, 'start');
      if (record.state.health) this.links.health.schedule(live, true);
    } catch (error) {
      releaseEndpoints(this.context, record);
      const failure = execFailure(error, record.path);
      if (failure) {
        const message = `failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: ${failure.message}: unknown`;
        record.state = { ...record.state, exitCode: failure.exitCode, error: message };
        await this.context.persist(live);
        if (record.hostConfig.AutoRemove) await this.links.autoRemove(live).catch(() => undefined);
        throw invalidParameter(message);
      }
      // As docker's containerStart: the error is kept in State.Error, exit code 128, and --rm removes it.
      const message = error instanceof Error ? error.message : String(error);
      record.state = { ...record.state, exitCode: 128, error: message };
      await this.context.persist(live);
      if (record.hostConfig.AutoRemove) await this.links.autoRemove(live).catch(() => undefined);
      if (error instanceof EngineError) throw error;
      throw systemError(`failed to create task for container: ${message}`);
    }
  }

  /** Hands the process's exit to the monitor. */
  private watch(live: LiveContainer, proc: RuntimeProcess): void {
    let resolveHandled!: () => void;
    live.exitHandled = new Promise((resolve) => (resolveHandled = resolve));
    void proc
      .wait()
      .then(
        (status) => this.links.monitor.onExit(live, proc, status),
        (error: unknown) => this.links.monitor.onExit(live, proc, { exitCode: 255, signal: 0, oomKilled: false }, error instanceof Error ? error.message : String(error)),
      )
      .finally(resolveHandled);
  }

  /**
   * A container that was running when the whole machine was saved, in the resumed machine: its process
   * is still there, so the engine takes it back (output into its log, exit to the monitor) instead of
   * reporting it exited as after a reboot. Only when canAdopt(live).
   */
  adopt(live: LiveContainer): void {
    const { record } = live;
    const runtime = this.context.deps.runtime;
    if (!record.processRef || !runtime.adopt) throw new Error(`container ${record.id} cannot be taken back`);
    const proc = runtime.adopt(record.processRef, {
      stdout: (chunk) => this.output(live, 1, chunk),
      stderr: record.config.Tty ? undefined : (chunk) => this.output(live, 2, chunk),
    });
    live.process = proc;
    for (const { network: name, endpoint } of endpointsOf(record)) {
      const network = this.context.deps.networks.byName(name);
      if (network && network.driver === 'bridge') this.context.deps.networks.ipam(network).reserve(endpoint.ip);
    }
    this.watch(live, proc);
    if (record.state.health) this.links.health.schedule(live, false);
  }

  /** Whether the runtime can take back the container's process (see adopt). */
  canAdopt(live: LiveContainer): boolean {
    return live.record.processRef !== undefined && this.context.deps.runtime.adopt !== undefined;
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
      for (const node of await this.context.deps.runtime.hostDevices('/dev')) {
        if (!skipped.test(node.path) && node.path !== '/dev/console') nodes.push({ node, permissions: 'rwm' });
      }
      requests = requests
        .filter((request) => request.PathOnHost !== (request.PathInContainer || request.PathOnHost))
        .map((request) => ({ ...request, CgroupPermissions: 'rwm' }));
    }
    for (const request of requests) {
      let found: DeviceNode[];
      try {
        found = await this.context.deps.runtime.hostDevices(request.PathOnHost);
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
