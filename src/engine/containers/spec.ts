// The runtime spec of a container, with docker's defaults (moby's DefaultLinuxSpec): the mounts, device
// nodes, masked and read-only paths every docker container gets, the overlay rootfs under
// /var/lib/docker and the cgroup at /sys/fs/cgroup/docker/<id>.

import type { ContainerSpec, DeviceFilter, DeviceNode, Mount, NetworkAttachment, ProcessSpec } from '../runtime/types';

export const DOCKER_ROOT = '/var/lib/docker';
export const CGROUP_PARENT = '/sys/fs/cgroup/docker';

export interface Resources {
  /** memory.max in bytes (docker -m); 0 = unlimited. */
  memory?: number;
  /** memory + swap (docker --memory-swap); -1 = unlimited swap; default: equal to memory (no swap). */
  memorySwap?: number;
  /** docker --cpu-shares (relative weight, default 1024). */
  cpuShares?: number;
  /** docker --cpus as quota/period. */
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  /** docker --pids-limit; 0 or negative = unlimited. */
  pidsLimit?: number;
}

export interface ContainerSpecOptions {
  id: string;
  hostname: string;
  /** Unpacked layer directories, top-most first. */
  layers: string[];
  process: ProcessSpec;
  resources?: Resources;
  readonlyRootfs?: boolean;
  /** Files the engine wrote for the container (hosts, hostname, resolv.conf), bind-mounted read-write like docker. */
  etcFiles?: { hosts?: string; hostname?: string; resolvConf?: string };
  extraMounts?: Mount[];
  network?: NetworkAttachment;
  /** 'new' (default with a network), 'none' (a new namespace with only lo), 'host', or /proc/PID/ns/net. */
  netNamespace?: string;
  /** --pid, --ipc and --uts: false shares the guest's namespace; an ipc path joins another container's. Default: new ones. */
  sharedNamespaces?: { pid?: boolean; ipc?: boolean | string; uts?: boolean };
  /** Host devices given with --device, by their path in the container (they replace defaults there). */
  devices?: DeviceNode[];
  /** The devices cgroup (see devices.ts); undefined: no filter. */
  deviceFilter?: DeviceFilter;
}

const DEFAULT_MASKED_PATHS = [
  '/proc/asound',
  '/proc/acpi',
  '/proc/interrupts',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

const DEFAULT_READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

const DEFAULT_DEVICES: DeviceNode[] = [
  { path: '/dev/null', type: 'c', major: 1, minor: 3, mode: 0o666 },
  { path: '/dev/zero', type: 'c', major: 1, minor: 5, mode: 0o666 },
  { path: '/dev/full', type: 'c', major: 1, minor: 7, mode: 0o666 },
  { path: '/dev/random', type: 'c', major: 1, minor: 8, mode: 0o666 },
  { path: '/dev/urandom', type: 'c', major: 1, minor: 9, mode: 0o666 },
  { path: '/dev/tty', type: 'c', major: 5, minor: 0, mode: 0o666 },
];

const DEFAULT_SYMLINKS = [
  { path: '/dev/fd', target: '/proc/self/fd' },
  { path: '/dev/stdin', target: '/proc/self/fd/0' },
  { path: '/dev/stdout', target: '/proc/self/fd/1' },
  { path: '/dev/stderr', target: '/proc/self/fd/2' },
  { path: '/dev/ptmx', target: 'pts/ptmx' },
  { path: '/dev/core', target: '/proc/kcore' },
];

function defaultMounts(): Mount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    { destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'] },
    { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    { destination: '/sys/fs/cgroup', type: 'cgroup2', source: 'cgroup', options: ['ro', 'nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=67108864'] },
  ];
}

/** docker's --cpu-shares (2..262144) to cgroup v2 cpu.weight (1..10000), as runc converts it. */
export function cpuSharesToWeight(shares: number): number {
  if (shares <= 0) return 100;
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

export function cgroupSettings(resources: Resources = {}): Record<string, string> {
  const settings: Record<string, string> = {};
  if (resources.memory && resources.memory > 0) {
    settings['memory.max'] = String(resources.memory);
    const swap = resources.memorySwap;
    if (swap === -1) settings['memory.swap.max'] = 'max';
    else if (swap === undefined || swap === 0) settings['memory.swap.max'] = '0';
    else settings['memory.swap.max'] = String(Math.max(0, swap - resources.memory));
  }
  if (resources.cpuShares) settings['cpu.weight'] = String(cpuSharesToWeight(resources.cpuShares));
  if (resources.cpuQuota && resources.cpuQuota > 0) settings['cpu.max'] = `${resources.cpuQuota} ${resources.cpuPeriod ?? 100000}`;
  if (resources.cpusetCpus) settings['cpuset.cpus'] = resources.cpusetCpus;
  if (resources.pidsLimit && resources.pidsLimit > 0) settings['pids.max'] = String(resources.pidsLimit);
  return settings;
}

export function containerSpec(options: ContainerSpecOptions): ContainerSpec {
  const dir = `${DOCKER_ROOT}/overlay2/${options.id}`;
  const mounts = defaultMounts();
  const etc = options.etcFiles ?? {};
  if (etc.resolvConf) mounts.push({ destination: '/etc/resolv.conf', type: 'bind', source: etc.resolvConf, options: ['rbind', 'rprivate'] });
  if (etc.hostname) mounts.push({ destination: '/etc/hostname', type: 'bind', source: etc.hostname, options: ['rbind', 'rprivate'] });
  if (etc.hosts) mounts.push({ destination: '/etc/hosts', type: 'bind', source: etc.hosts, options: ['rbind', 'rprivate'] });
  mounts.push(...(options.extraMounts ?? []));
  const net = options.netNamespace ?? 'new';
  return {
    id: options.id,
    rootfs: { lower: options.layers, upper: `${dir}/diff`, work: `${dir}/work`, merged: `${dir}/merged` },
    readonly: options.readonlyRootfs ?? false,
    hostname: options.hostname,
    namespaces: {
      pid: options.sharedNamespaces?.pid ?? true,
      ipc: options.sharedNamespaces?.ipc ?? true,
      uts: options.sharedNamespaces?.uts ?? true,
      net: net === 'none' ? 'new' : net,
      cgroup: true,
    },
    mounts,
    devices: [...DEFAULT_DEVICES.filter((device) => !options.devices?.some((extra) => extra.path === device.path)), ...(options.devices ?? [])],
    symlinks: DEFAULT_SYMLINKS,
    maskedPaths: DEFAULT_MASKED_PATHS,
    readonlyPaths: DEFAULT_READONLY_PATHS,
    cgroup: {
      path: `${CGROUP_PARENT}/${options.id}`,
      settings: cgroupSettings(options.resources),
      ...(options.deviceFilter ? { devices: options.deviceFilter } : {}),
    },
    network: net === 'new' ? options.network : undefined,
    process: options.process,
  };
}

/** Every capability of Linux 6.1, in kernel order (CAP_LAST_CAP = 40). */
export const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
  'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN',
  'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ',
  'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

/** docker's default set (moby oci/caps): what a container's root may do unless told otherwise. */
export const DEFAULT_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE',
];

/** "net_admin", "NET_ADMIN" and "CAP_NET_ADMIN" all name CAP_NET_ADMIN; "ALL" stays "ALL". */
function normalizeCapability(name: string): string {
  const upper = name.toUpperCase();
  if (upper === 'ALL') return 'ALL';
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/**
 * The bounding set from --privileged, --cap-add and --cap-drop, the way docker combines them: start
 * from the default set (or none with --cap-drop ALL), add, then drop what is not also added. Throws
 * docker's text for an unknown name.
 */
export function capabilitiesFor(options: { privileged?: boolean; capAdd?: readonly string[] | null; capDrop?: readonly string[] | null }): string[] {
  const adds = (options.capAdd ?? []).map(normalizeCapability);
  const drops = (options.capDrop ?? []).map(normalizeCapability);
  for (const cap of [...adds, ...drops]) {
    if (cap !== 'ALL' && !ALL_CAPABILITIES.includes(cap)) throw new Error(`unknown capability: "${cap}"`);
  }
  if (options.privileged) return [...ALL_CAPABILITIES];
  let caps = drops.includes('ALL') ? [] : [...DEFAULT_CAPABILITIES];
  if (adds.includes('ALL')) caps = [...ALL_CAPABILITIES];
  for (const cap of adds) if (cap !== 'ALL' && !caps.includes(cap)) caps.push(cap);
  return caps.filter((cap) => !drops.includes(cap) || adds.includes(cap));
}

