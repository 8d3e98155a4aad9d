// What the API shows of containers: GET /containers/json summaries, GET /containers/{id}/json (shaped
// like docker's inspect), the status string, docker top from /proc, and docker stats from cgroup files.

import { endpointOn, recordNetworks } from './endpoints';
import { portSummaries, portsView } from './ports';
import { BRIDGE_GATEWAY } from '../network/bridge';
import type { Runtime } from '../runtime/types';
import { DOCKER_ROOT } from './spec';
import type { LiveContainer } from './live';
import type { ContainerRecord } from './types';
import { containerMounts, type MountPoint } from './mounts';
import { humanDuration } from '../../go/units';
import { invalidParameter, systemError } from '../errors';
import type { ContainerInspect, ContainerSummary, CpuStats, EndpointSettings, InspectConfig, HostConfig, StatsResponse, TopResponse } from '../../api';

/** The daemon's State.String(). */
export function statusString(record: ContainerRecord, nowMs: number): string {
  const state = record.state;
  switch (state.status) {
    case 'running': {
      const health = state.health ? (state.health.Status === 'starting' ? ' (health: starting)' : ` (${state.health.Status})`) : '';
      return `Up ${humanDuration(nowMs - Date.parse(state.startedAt))}${health}`;
    }
    case 'paused':
      return `Up ${humanDuration(nowMs - Date.parse(state.startedAt))} (Paused)`;
    case 'restarting':
      return `Restarting (${state.exitCode}) ${humanDuration(nowMs - Date.parse(state.finishedAt))} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    case 'exited':
      if (state.finishedAt === '0001-01-01T00:00:00Z') return '';
      return `Exited (${state.exitCode}) ${humanDuration(nowMs - Date.parse(state.finishedAt))} ago`;
  }
}

function mountPoints(record: ContainerRecord): MountPoint[] {
  try {
    return containerMounts(record.hostConfig, record.volumeMounts ?? []).points;
  } catch {
    return [];
  }
}

function commandLine(record: ContainerRecord): string {
  return [record.path, ...record.args].join(' ');
}

export function bridgeNetworkId(): string {
  // A stable id for the default bridge network (the network service may replace it).
  return 'b5c0a3f7e2d94e1f8c6a7b3d2e1f0a9c8b7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f';
}

/** The id of a network by name, from the network model (containers/service.ts networkId). */
export type NetworkIdOf = (name: string) => string;

function endpointSettings(record: ContainerRecord, networkName: string, networkId?: NetworkIdOf): EndpointSettings {
  const endpoint = endpointOn(record, networkName);
  const attachment = recordNetworks(record)[networkName] ?? {};
  const userNetwork = !['bridge', 'host', 'none'].includes(networkName);
  const aliases = attachment.aliases && attachment.aliases.length > 0 ? [...attachment.aliases] : null;
  // moby's buildEndpointDNSNames: the name, the aliases, the short id, the hostname (deduplicated).
  const dnsNames = userNetwork && endpoint ? [...new Set([record.name.slice(1), ...(aliases ?? []), record.id.slice(0, 12), ...(record.config.Hostname ? [record.config.Hostname] : [])])] : null;
  return {
    IPAMConfig: attachment.ipv4Address ? { IPv4Address: attachment.ipv4Address } : null,
    Links: attachment.links && attachment.links.length > 0 ? [...attachment.links] : null,
    Aliases: aliases,
    MacAddress: endpoint?.mac ?? '',
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: networkId ? networkId(networkName) : networkName === 'bridge' ? bridgeNetworkId() : networkName === 'host' ? 'host0000000000000000000000000000000000000000000000000000000000000'.slice(0, 64) : 'none0000000000000000000000000000000000000000000000000000000000000'.slice(0, 64),
    EndpointID: endpoint?.endpointId ?? '',
    Gateway: endpoint?.gateway ?? '',
    IPAddress: endpoint?.ip ?? '',
    IPPrefixLen: endpoint ? endpoint.prefixLen : 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: dnsNames,
  };
}

/** NetworkSettings.Networks: every network the container is connected to, by name. */
function networksView(record: ContainerRecord, networkId?: NetworkIdOf): Record<string, EndpointSettings> {
  const out: Record<string, EndpointSettings> = {};
  for (const name of Object.keys(recordNetworks(record)).sort()) out[name] = endpointSettings(record, name, networkId);
  return out;
}

/** GET /containers/json: one summary. */
export function summary(live: LiveContainer, nowMs: number, imageName: string, size?: { rw: number; rootfs: number }, networkId?: NetworkIdOf): ContainerSummary {
  const { record } = live;
  const result: ContainerSummary = {
    Id: record.id,
    Names: [record.name],
    Image: imageName,
    ImageID: record.image,
    Command: commandLine(record),
    Created: Math.floor(Date.parse(record.created) / 1000),
    // moby releases a stopped container's network and its ports with it: ps shows none for them
    Ports: ['running', 'paused', 'restarting'].includes(record.state.status) ? portSummaries(record) : [],
    Labels: record.config.Labels ?? {},
    State: record.state.status,
    Status: statusString(record, nowMs),
    HostConfig: { NetworkMode: record.hostConfig.NetworkMode ?? 'bridge' },
    NetworkSettings: { Networks: networksView(record, networkId) },
    Mounts: mountPoints(record),
  };
  if (size) {
    result.SizeRw = size.rw;
    result.SizeRootFs = size.rootfs;
  }
  return result;
}


/** GET /containers/{id}/json, as docker's ContainerJSON. */
export function inspect(live: LiveContainer, options: { nowMs: number; driverName?: string; size?: { rw: number; rootfs: number }; networkId?: NetworkIdOf }): ContainerInspect {
  const { record } = live;
  const state = record.state;
  const overlay = `${DOCKER_ROOT}/overlay2/${record.id}`;
  const ports = portsView(record);
  // The top-level addresses are the default bridge's only (deprecated fields, as docker fills them).
  const endpoint = endpointOn(record, 'bridge');
  const sandbox = record.endpoint ?? endpoint;
  const result: ContainerInspect = {
    Id: record.id,
    Created: isoNano(record.created),
    Path: record.path,
    Args: record.args,
    State: {
      Status: state.status,
      Running: state.status === 'running' || state.status === 'paused',
      Paused: state.status === 'paused',
      Restarting: state.status === 'restarting',
      OOMKilled: state.oomKilled,
      Dead: state.status === 'dead',
      Pid: state.pid,
      ExitCode: state.exitCode,
      Error: state.error,
      StartedAt: isoNano(state.startedAt),
      FinishedAt: isoNano(state.finishedAt),
      ...(state.health ? { Health: state.health } : {}),
    },
    Image: record.image,
    ResolvConfPath: record.resolvConfPath,
    HostnamePath: record.hostnamePath,
    HostsPath: record.hostsPath,
    LogPath: `${DOCKER_ROOT}/containers/${record.id}/${record.id}-json.log`,
    Name: record.name,
    RestartCount: record.restartCount,
    Driver: options.driverName ?? 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: live.execs.size > 0 ? [...live.execs] : null,
    HostConfig: hostConfigView(record),
    GraphDriver: {
      Data: {
        ID: record.id,
        LowerDir: record.layerDirs.join(':'),
        MergedDir: `${overlay}/merged`,
        UpperDir: `${overlay}/diff`,
        WorkDir: `${overlay}/work`,
      },
      Name: 'overlay2',
    },
    Mounts: mountPoints(record),
    Config: configView(record),
    NetworkSettings: {
      Bridge: '',
      SandboxID: sandbox ? sandbox.endpointId.split('').reverse().join('') : '',
      SandboxKey: sandbox || state.pid ? `/var/run/docker/netns/${(sandbox?.endpointId ?? record.id).slice(0, 12)}` : '',
      Ports: ports,
      HairpinMode: false,
      LinkLocalIPv6Address: '',
      LinkLocalIPv6PrefixLen: 0,
      SecondaryIPAddresses: null,
      SecondaryIPv6Addresses: null,
      EndpointID: endpoint?.endpointId ?? '',
      Gateway: endpoint ? BRIDGE_GATEWAY : '',
      GlobalIPv6Address: '',
      GlobalIPv6PrefixLen: 0,
      IPAddress: endpoint?.ip ?? '',
      IPPrefixLen: endpoint?.prefixLen ?? 0,
      IPv6Gateway: '',
      MacAddress: endpoint?.mac ?? '',
      Networks: networksView(record, options.networkId),
    },
  };
  if (options.size) {
    result.SizeRw = options.size.rw;
    result.SizeRootFs = options.size.rootfs;
  }
  return result;
}

function isoNano(iso: string): string {
  if (iso === '0001-01-01T00:00:00Z') return iso;
  const match = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(iso);
  if (!match) return iso;
  return `${match[1]}.${(match[2] ?? '').padEnd(9, '0')}Z`;
}

function configView(record: ContainerRecord): InspectConfig {
  const c = record.config;
  // Key order is moby's (inspect prints it); some keys only when set.
  return {
    Hostname: c.Hostname ?? '',
    Domainname: c.Domainname ?? '',
    User: c.User ?? '',
    AttachStdin: c.AttachStdin ?? false,
    AttachStdout: c.AttachStdout ?? false,
    AttachStderr: c.AttachStderr ?? false,
    ...(c.ExposedPorts && Object.keys(c.ExposedPorts).length > 0 ? { ExposedPorts: c.ExposedPorts } : {}),
    Tty: c.Tty ?? false,
    OpenStdin: c.OpenStdin ?? false,
    StdinOnce: c.StdinOnce ?? false,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    ...(c.Healthcheck ? { Healthcheck: c.Healthcheck } : {}),
    Image: c.Image ?? '',
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    ...(c.MacAddress ? { MacAddress: c.MacAddress } : {}),
    OnBuild: c.OnBuild ?? null,
    Labels: c.Labels ?? {},
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(c.StopTimeout !== undefined && c.StopTimeout !== null ? { StopTimeout: c.StopTimeout } : {}),
    ...(c.Shell ? { Shell: c.Shell } : {}),
  };
}

function hostConfigView(record: ContainerRecord): HostConfig {
  const h = record.hostConfig;
  return {
    Binds: h.Binds ?? null,
    ContainerIDFile: h.ContainerIDFile ?? '',
    LogConfig: h.LogConfig ?? { Type: 'json-file', Config: {} },
    NetworkMode: h.NetworkMode ?? 'bridge',
    PortBindings: h.PortBindings ?? {},
    RestartPolicy: h.RestartPolicy ?? { Name: 'no', MaximumRetryCount: 0 },
    AutoRemove: h.AutoRemove ?? false,
    VolumeDriver: h.VolumeDriver ?? '',
    VolumesFrom: h.VolumesFrom ?? null,
    ConsoleSize: h.ConsoleSize ?? [0, 0],
    CapAdd: h.CapAdd ?? null,
    CapDrop: h.CapDrop ?? null,
    CgroupnsMode: h.CgroupnsMode || 'private',
    Dns: h.Dns ?? [],
    DnsOptions: h.DnsOptions ?? [],
    DnsSearch: h.DnsSearch ?? [],
    ExtraHosts: h.ExtraHosts ?? null,
    GroupAdd: h.GroupAdd ?? null,
    IpcMode: h.IpcMode || 'private',
    Cgroup: h.Cgroup ?? '',
    Links: h.Links ?? null,
    OomScoreAdj: h.OomScoreAdj ?? 0,
    PidMode: h.PidMode ?? '',
    Privileged: h.Privileged ?? false,
    PublishAllPorts: h.PublishAllPorts ?? false,
    ReadonlyRootfs: h.ReadonlyRootfs ?? false,
    SecurityOpt: h.SecurityOpt ?? null,
    UTSMode: h.UTSMode ?? '',
    UsernsMode: h.UsernsMode ?? '',
    ShmSize: h.ShmSize || 67108864,
    Runtime: h.Runtime || 'runc',
    Isolation: h.Isolation ?? '',
    CpuShares: h.CpuShares ?? 0,
    Memory: h.Memory ?? 0,
    NanoCpus: h.NanoCpus ?? 0,
    CgroupParent: h.CgroupParent ?? '',
    BlkioWeight: h.BlkioWeight ?? 0,
    BlkioWeightDevice: h.BlkioWeightDevice ?? [],
    BlkioDeviceReadBps: h.BlkioDeviceReadBps ?? [],
    BlkioDeviceWriteBps: h.BlkioDeviceWriteBps ?? [],
    BlkioDeviceReadIOps: h.BlkioDeviceReadIOps ?? [],
    BlkioDeviceWriteIOps: h.BlkioDeviceWriteIOps ?? [],
    CpuPeriod: h.CpuPeriod ?? 0,
    CpuQuota: h.CpuQuota ?? 0,
    CpuRealtimePeriod: h.CpuRealtimePeriod ?? 0,
    CpuRealtimeRuntime: h.CpuRealtimeRuntime ?? 0,
    CpusetCpus: h.CpusetCpus ?? '',
    CpusetMems: h.CpusetMems ?? '',
    Devices: h.Devices ?? [],
    DeviceCgroupRules: h.DeviceCgroupRules ?? null,
    DeviceRequests: h.DeviceRequests ?? null,
    MemoryReservation: h.MemoryReservation ?? 0,
    MemorySwap: h.MemorySwap ?? 0,
    MemorySwappiness: h.MemorySwappiness ?? null,
    OomKillDisable: h.OomKillDisable ?? null,
    PidsLimit: h.PidsLimit ?? null,
    Ulimits: h.Ulimits ?? [],
    CpuCount: h.CpuCount ?? 0,
    CpuPercent: h.CpuPercent ?? 0,
    IOMaximumIOps: h.IOMaximumIOps ?? 0,
    IOMaximumBandwidth: h.IOMaximumBandwidth ?? 0,
    MaskedPaths: [
      '/proc/asound', '/proc/acpi', '/proc/interrupts', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list',
      '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap',
    ],
    ReadonlyPaths: ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'],
  };
}

// ---- top ----

interface ProcInfo {
  pid: number;
  ppid: number;
  uid: number;
  tty: string;
  state: string;
  startSeconds: number;
  cpuTicks: number;
  vszKb: number;
  rssKb: number;
  cmd: string;
  /** /proc/PID/stat's comm (ps's comm column). */
  comm: string;
}

function two(n: number): string {
  return String(n).padStart(2, '0');
}

/** The ps arguments whose procps output top() writes from /proc (the guest's busybox ps has no -e or aux). */
const EMULATED_PS_ARGS = new Set(['', '-ef', 'aux', '-aux', 'au', 'ux']);

/** ASCII whitespace only, as moby's fieldsASCII. */
const fieldsAscii = (line: string) => line.split(/[\t\n\f\r ]+/).filter((field) => field !== '');

/**
 * docker top with other ps options: moby runs `ps` with them (split on spaces) and keeps the rows whose
 * PID column is one of the container's; a row of a thread ("-" as PID) follows its process. The guest's
 * ps is busybox's.
 */
async function psTop(runtime: Runtime, psArgs: string, pids: number[]): Promise<TopResponse> {
  const result = await runtime.runHostTool(['ps', ...psArgs.split(' ')]);
  if (result.exitCode !== 0) {
    const line = result.stderr.split('\n')[0];
    throw systemError(`ps: ${line !== '' ? line : `exit status ${result.exitCode}`}`);
  }
  const lines = result.stdout.split('\n');
  const titles = fieldsAscii(lines[0] ?? '');
  const pidIndex = titles.indexOf('PID');
  if (pidIndex === -1) throw systemError("Couldn't find PID field in ps output");
  const processes: string[][] = [];
  const row = (fields: string[]) => [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
  let inContainer = false;
  for (const line of lines.slice(1)) {
    if (line === '') continue;
    const fields = fieldsAscii(line);
    if (fields[pidIndex] === '-') {
      if (inContainer) processes.push(row(fields));
      continue;
    }
    const pid = Number(fields[pidIndex]);
    if (!/^\d+$/.test(fields[pidIndex] ?? '')) throw systemError(`Unexpected pid '${fields[pidIndex]}': strconv.Atoi: parsing "${fields[pidIndex]}": invalid syntax`);
    inContainer = pids.includes(pid);
    if (inContainer) processes.push(row(fields));
  }
  return { Titles: titles, Processes: processes };
}

/** procps's headers of the -o keywords docker top users reach for. */
const PS_HEADERS: Record<string, string> = {
  pid: 'PID', ppid: 'PPID', uid: 'UID', euid: 'EUID', user: 'USER', euser: 'EUSER', uname: 'USER', comm: 'COMMAND', ucmd: 'CMD', ucomm: 'COMMAND',
  args: 'COMMAND', cmd: 'CMD', command: 'COMMAND', tty: 'TT', tt: 'TT', tname: 'TTY', s: 'S', state: 'S', stat: 'STAT', time: 'TIME', cputime: 'TIME',
  vsz: 'VSZ', vsize: 'VSZ', rss: 'RSS', rssize: 'RSS', '%cpu': '%CPU', pcpu: '%CPU', '%mem': '%MEM', pmem: '%MEM', stime: 'STIME', start_time: 'START', start: 'STARTED',
};

/** The columns of ps's -o (or o) format in ps_args ("-o pid,comm", "-eo pid,args", "o pid=ID"), undefined without one. */
function psOutputColumns(args: string): { key: string; header: string }[] | undefined {
  const tokens = args.split(/\s+/).filter((t) => t !== '');
  const formats: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const option = /^-?[a-zA-Z]*o(.*)$/.exec(tokens[i]);
    if (!option || /^--/.test(tokens[i])) continue;
    if (option[1] !== '') formats.push(option[1]);
    else if (i + 1 < tokens.length) formats.push(tokens[++i]);
  }
  if (formats.length === 0) return undefined;
  const columns: { key: string; header: string }[] = [];
  for (const format of formats) {
    for (const item of format.split(',').filter((f) => f !== '')) {
      const eq = item.indexOf('=');
      const key = (eq === -1 ? item : item.slice(0, eq)).toLowerCase();
      columns.push({ key, header: eq === -1 ? (PS_HEADERS[key] ?? key.toUpperCase()) : item.slice(eq + 1) });
    }
  }
  return columns;
}

/** docker top: ps-like rows from /proc for the pids of the container's cgroup. */
export async function top(runtime: Runtime, cgroupPath: string, psArgs: string, nowMs: number): Promise<TopResponse> {
  const procsFile = `${cgroupPath}/cgroup.procs`;
  const first = await runtime.readFiles([procsFile, '/proc/stat', '/proc/uptime', '/proc/meminfo']);
  const pids = (first[procsFile] ?? '')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number)
    .sort((a, b) => a - b);
  const btime = Number(/btime (\d+)/.exec(first['/proc/stat'] ?? '')?.[1] ?? Math.floor(nowMs / 1000));
  const uptime = Number((first['/proc/uptime'] ?? '0').split(' ')[0]);
  const memTotalKb = Number(/MemTotal:\s+(\d+)/.exec(first['/proc/meminfo'] ?? '')?.[1] ?? 0);
  // moby refuses a column renamed to PID: it finds the container's rows by that header
  for (const match of psArgs.matchAll(/\s+(\S*)=\s*(PID\S*)/g)) {
    if (match[1] !== 'pid') throw invalidParameter(`specifying "${match[1]}=${match[2]}" is not allowed`);
  }
  const args = psArgs.trim();
  // -o formats are written from /proc with procps's headers; other options go to the guest's ps
  if (!EMULATED_PS_ARGS.has(args) && !psOutputColumns(args)) return psTop(runtime, psArgs, pids);
  const paths = pids.flatMap((pid) => [`/proc/${pid}/stat`, `/proc/${pid}/cmdline`, `/proc/${pid}/status`]);
  const files = paths.length > 0 ? await runtime.readFiles(paths) : {};
  const procs: ProcInfo[] = [];
  for (const pid of pids) {
    const stat = files[`/proc/${pid}/stat`];
    if (!stat) continue;
    const close = stat.lastIndexOf(')');
    const comm = stat.slice(stat.indexOf('(') + 1, close);
    const fields = stat.slice(close + 2).split(' ');
    const ttyNr = Number(fields[4]);
    const major = (ttyNr >> 8) & 0xfff;
    const minor = (ttyNr & 0xff) | ((ttyNr >> 12) & 0xfff00);
    const tty = ttyNr === 0 ? '?' : major === 136 ? `pts/${minor}` : major === 4 ? `tty${minor}` : '?';
    const status = files[`/proc/${pid}/status`] ?? '';
    const uid = Number(/Uid:\s+(\d+)/.exec(status)?.[1] ?? 0);
    const cmdline = (files[`/proc/${pid}/cmdline`] ?? '').split('\0').filter((part) => part !== '').join(' ');
    procs.push({
      pid,
      ppid: Number(fields[1]),
      uid,
      tty,
      state: fields[0],
      startSeconds: btime + Number(fields[19]) / 100,
      cpuTicks: Number(fields[11]) + Number(fields[12]),
      vszKb: Math.floor(Number(fields[20]) / 1024),
      rssKb: Number(fields[21]) * 4,
      cmd: cmdline !== '' ? cmdline : `[${comm}]`,
      comm,
    });
  }
  const user = (uid: number) => (uid === 0 ? 'root' : String(uid));
  const stime = (seconds: number) => {
    const date = new Date(seconds * 1000);
    return `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}`;
  };
  const cpuTime = (ticks: number, withHours: boolean) => {
    const total = Math.floor(ticks / 100);
    const h = Math.floor(total / 3600);
    const m = Math.floor((total % 3600) / 60);
    const s = total % 60;
    return withHours ? `${two(h)}:${two(m)}:${two(s)}` : `${h * 60 + m}:${two(s)}`;
  };
  const columns = psOutputColumns(args);
  if (columns) {
    // -o/o: procps's user-defined format, its keywords' headers (key=HEADER renames one)
    const value = (p: ProcInfo, key: string): string => {
      const elapsed = Math.max(0.01, uptime - (p.startSeconds - btime));
      switch (key) {
        case 'pid': return String(p.pid);
        case 'ppid': return String(p.ppid);
        case 'uid': case 'euid': return String(p.uid);
        case 'user': case 'euser': case 'uname': return user(p.uid);
        case 'comm': case 'ucmd': case 'ucomm': return p.comm;
        case 'args': case 'cmd': case 'command': return p.cmd;
        case 'tty': case 'tt': case 'tname': return p.tty;
        case 's': case 'state': return p.state.slice(0, 1);
        case 'stat': return p.state;
        case 'time': case 'cputime': return cpuTime(p.cpuTicks, true);
        case 'vsz': case 'vsize': return String(p.vszKb);
        case 'rss': case 'rssize': return String(p.rssKb);
        case '%cpu': case 'pcpu': return (p.cpuTicks / 100 / elapsed * 100).toFixed(1);
        case '%mem': case 'pmem': return memTotalKb > 0 ? ((p.rssKb / memTotalKb) * 100).toFixed(1) : '0.0';
        case 'stime': case 'start_time': case 'start': return stime(p.startSeconds);
        default: return '-';
      }
    };
    return { Titles: columns.map((c) => c.header), Processes: procs.map((p) => columns.map((c) => value(p, c.key))) };
  }
  if (args === 'aux' || args === '-aux' || args === 'au' || args === 'ux') {
    const titles = ['USER', 'PID', '%CPU', '%MEM', 'VSZ', 'RSS', 'TTY', 'STAT', 'START', 'TIME', 'COMMAND'];
    const processes = procs.map((p) => {
      const elapsed = Math.max(0.01, uptime - (p.startSeconds - btime));
      return [
        user(p.uid),
        String(p.pid),
        (p.cpuTicks / 100 / elapsed * 100).toFixed(1),
        memTotalKb > 0 ? ((p.rssKb / memTotalKb) * 100).toFixed(1) : '0.0',
        String(p.vszKb),
        String(p.rssKb),
        p.tty,
        p.state,
        stime(p.startSeconds),
        cpuTime(p.cpuTicks, false),
        p.cmd,
      ];
    });
    return { Titles: titles, Processes: processes };
  }
  const titles = ['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD'];
  const processes = procs.map((p) => [user(p.uid), String(p.pid), String(p.ppid), '0', stime(p.startSeconds), p.tty, cpuTime(p.cpuTicks, true), p.cmd]);
  return { Titles: titles, Processes: processes };
}

// ---- stats ----

export interface StatsSample {
  read: string;
  cpuTotalNs: number;
  systemNs: number;
  onlineCpus: number;
  memoryUsage: number;
  memoryLimit: number;
  memoryStats: Record<string, number>;
  pids: number;
  pidsLimit: number;
  ioRead: number;
  ioWrite: number;
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
}

function parseFlat(text: string | null): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (text ?? '').split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) out[key] = Number(value);
  }
  return out;
}

/** One sample of the cgroup files of a container and of its host veth. */
export async function statsSample(runtime: Runtime, cgroupPath: string, hostVeth: string | undefined, hostMemory: number, cpus: number, now: Date): Promise<StatsSample> {
  const paths = ['memory.current', 'memory.stat', 'memory.max', 'cpu.stat', 'pids.current', 'pids.max', 'io.stat'].map((f) => `${cgroupPath}/${f}`);
  const net = hostVeth ? ['rx_bytes', 'tx_bytes', 'rx_packets', 'tx_packets'].map((f) => `/sys/class/net/${hostVeth}/statistics/${f}`) : [];
  const files = await runtime.readFiles([...paths, ...net, '/proc/stat']);
  const read = (name: string) => files[`${cgroupPath}/${name}`];
  const cpu = parseFlat(read('cpu.stat'));
  const cpuLine = (files['/proc/stat'] ?? '').split('\n').find((line) => line.startsWith('cpu '));
  const systemTicks = cpuLine ? cpuLine.trim().split(/\s+/).slice(1, 8).reduce((n, v) => n + Number(v), 0) : 0;
  let ioRead = 0;
  let ioWrite = 0;
  for (const line of (read('io.stat') ?? '').split('\n')) {
    ioRead += Number(/rbytes=(\d+)/.exec(line)?.[1] ?? 0);
    ioWrite += Number(/wbytes=(\d+)/.exec(line)?.[1] ?? 0);
  }
  const maxText = (read('memory.max') ?? 'max').trim();
  const netValue = (name: string) => Number((files[`/sys/class/net/${hostVeth}/statistics/${name}`] ?? '0').trim());
  const pidsMax = (read('pids.max') ?? 'max').trim();
  return {
    read: now.toISOString(),
    cpuTotalNs: (cpu.usage_usec ?? 0) * 1000,
    systemNs: systemTicks * 10_000_000,
    onlineCpus: cpus,
    memoryUsage: Number((read('memory.current') ?? '0').trim()),
    memoryLimit: maxText === 'max' || maxText === '' ? hostMemory : Number(maxText),
    memoryStats: parseFlat(read('memory.stat')),
    pids: Number((read('pids.current') ?? '0').trim()),
    pidsLimit: pidsMax === 'max' ? 0 : Number(pidsMax),
    ioRead,
    ioWrite,
    // The host end's counters are the container's the other way round.
    rxBytes: hostVeth ? netValue('tx_bytes') : 0,
    txBytes: hostVeth ? netValue('rx_bytes') : 0,
    rxPackets: hostVeth ? netValue('tx_packets') : 0,
    txPackets: hostVeth ? netValue('rx_packets') : 0,
  };
}

/** docker's StatsJSON from two samples (the first one is "precpu"). */
export function statsJson(live: LiveContainer, current: StatsSample | undefined, previous: StatsSample | undefined): StatsResponse {
  const cpuStats = (sample: StatsSample | undefined): CpuStats =>
    sample
      ? {
          cpu_usage: { total_usage: sample.cpuTotalNs, usage_in_kernelmode: 0, usage_in_usermode: sample.cpuTotalNs },
          system_cpu_usage: sample.systemNs,
          online_cpus: sample.onlineCpus,
          throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
        }
      : { cpu_usage: { total_usage: 0, usage_in_kernelmode: 0, usage_in_usermode: 0 }, throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 } };
  return {
    name: live.record.name,
    id: live.id,
    read: current?.read ?? '0001-01-01T00:00:00Z',
    preread: previous?.read ?? '0001-01-01T00:00:00Z',
    pids_stats: current ? { current: current.pids, ...(current.pidsLimit ? { limit: current.pidsLimit } : {}) } : {},
    blkio_stats: {
      io_service_bytes_recursive: current
        ? [
            { major: 254, minor: 0, op: 'read', value: current.ioRead },
            { major: 254, minor: 0, op: 'write', value: current.ioWrite },
          ]
        : null,
      io_serviced_recursive: null,
      io_queue_recursive: null,
      io_service_time_recursive: null,
      io_wait_time_recursive: null,
      io_merged_recursive: null,
      io_time_recursive: null,
      sectors_recursive: null,
    },
    num_procs: 0,
    storage_stats: {},
    cpu_stats: cpuStats(current),
    precpu_stats: cpuStats(previous),
    memory_stats: current ? { usage: current.memoryUsage, stats: current.memoryStats, limit: current.memoryLimit } : {},
    ...(current && live.record.endpoint
      ? {
          networks: {
            eth0: {
              rx_bytes: current.rxBytes,
              rx_packets: current.rxPackets,
              rx_errors: 0,
              rx_dropped: 0,
              tx_bytes: current.txBytes,
              tx_packets: current.txPackets,
              tx_errors: 0,
              tx_dropped: 0,
            },
          },
        }
      : {}),
  };
}
