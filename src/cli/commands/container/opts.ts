// The options of docker run and docker create (docker/cli's container/opts.go): every flag with docker's
// name, type and usage text, and parse() turning them into the create request's Config, HostConfig and
// NetworkingConfig exactly as the real CLI sends them.

import type { FlagSet, FlagValue, ListValue, MapValue, StringValue, BoolValue, IntValue, BytesValue, DurationValue, CustomValue } from '../../flags';
import { BytesValue as Bytes, UintValue, readCsvRecord } from '../../flags';
import { convertKVStringsToMap, convertToStandardNotation, parseEnvFile, parseExpose, parseMount, parsePortSpecs, parseRestartPolicy, parseUlimit, parseVolume, parseCpus, validateLabel, type Mount, type Ulimit } from '../../opts';
import type { DockerEnv } from '../../env';
import { compactGoJson } from '../../../go/json';

export interface ContainerOptions {
  attach: ListValue;
  deviceCgroupRules: ListValue;
  devices: ListValue;
  gpus: CustomValue<string>;
  env: ListValue;
  envFile: ListValue;
  entrypoint: StringValue;
  groupAdd: ListValue;
  hostname: StringValue;
  domainname: StringValue;
  stdin: BoolValue;
  labels: ListValue;
  labelsFile: ListValue;
  readonlyRootfs: BoolValue;
  restartPolicy: StringValue;
  stopSignal: StringValue;
  stopTimeout: IntValue;
  sysctls: MapValue;
  tty: BoolValue;
  ulimits: CustomValue<Ulimit[]>;
  user: StringValue;
  workingDir: StringValue;
  autoRemove: BoolValue;
  capAdd: ListValue;
  capDrop: ListValue;
  privileged: BoolValue;
  securityOpt: ListValue;
  usernsMode: StringValue;
  cgroupnsMode: StringValue;
  extraHosts: ListValue;
  dns: ListValue;
  dnsOptions: ListValue;
  dnsSearch: ListValue;
  expose: ListValue;
  ipv4Address: StringValue;
  ipv6Address: StringValue;
  links: ListValue;
  linkLocalIPs: ListValue;
  macAddress: StringValue;
  publish: ListValue;
  publishAll: BoolValue;
  netMode: CustomValue<string[]>;
  aliases: ListValue;
  loggingDriver: StringValue;
  volumeDriver: StringValue;
  loggingOpts: ListValue;
  storageOpt: ListValue;
  tmpfs: ListValue;
  volumesFrom: ListValue;
  volumes: ListValue;
  mounts: CustomValue<Mount[]>;
  healthCmd: StringValue;
  healthInterval: DurationValue;
  healthRetries: IntValue;
  healthTimeout: DurationValue;
  healthStartPeriod: DurationValue;
  healthStartInterval: DurationValue;
  noHealthcheck: BoolValue;
  blkioWeight: UintValue;
  blkioWeightDevice: CustomValue<string[]>;
  containerIDFile: StringValue;
  cpusetCpus: StringValue;
  cpusetMems: StringValue;
  cpuCount: IntValue;
  cpuPercent: IntValue;
  cpuPeriod: IntValue;
  cpuQuota: IntValue;
  cpuRealtimePeriod: IntValue;
  cpuRealtimeRuntime: IntValue;
  cpuShares: IntValue;
  cpus: CustomValue<number>;
  deviceReadBps: CustomValue<string[]>;
  deviceReadIOps: CustomValue<string[]>;
  deviceWriteBps: CustomValue<string[]>;
  deviceWriteIOps: CustomValue<string[]>;
  ioMaxBandwidth: BytesValue;
  ioMaxIOps: UintValue;
  kernelMemory: BytesValue;
  memory: BytesValue;
  memoryReservation: BytesValue;
  memorySwap: BytesValue;
  swappiness: IntValue;
  oomKillDisable: BoolValue;
  oomScoreAdj: IntValue;
  pidsLimit: IntValue;
  cgroupParent: StringValue;
  ipcMode: StringValue;
  isolation: StringValue;
  pidMode: StringValue;
  shmSize: BytesValue;
  utsMode: StringValue;
  runtime: StringValue;
  init: BoolValue;
  annotations: MapValue;
}

function validateAttach(value: string): string {
  const lower = value.toLowerCase();
  if (['stdin', 'stdout', 'stderr'].includes(lower)) return lower;
  throw new Error('valid streams are STDIN, STDOUT and STDERR');
}

function throttleList(flags: FlagSet, name: string, usage: string): CustomValue<string[]> {
  return flags.custom<string[]>(name, '', 'list', [], usage, (raw, current) => [...current, raw], (v) => `[${v.join(' ')}]`);
}

/** addFlags: every container flag of run and create, in docker's order. */
export function addContainerFlags(flags: FlagSet): ContainerOptions {
  const list = (name: string, shorthand: string, usage: string, validator?: (raw: string) => string) => flags.list(name, shorthand, usage, validator);
  const o: Partial<ContainerOptions> = {};
  o.attach = list('attach', 'a', 'Attach to STDIN, STDOUT or STDERR', validateAttach);
  o.deviceCgroupRules = list('device-cgroup-rule', '', 'Add a rule to the cgroup allowed devices list');
  o.devices = list('device', '', 'Add a host device to the container');
  o.gpus = flags.custom<string>('gpus', '', 'gpu-request', '', "GPU devices to add to the container ('all' to pass all GPUs)", (raw) => raw, (v) => v);
  o.env = list('env', 'e', 'Set environment variables');
  o.envFile = list('env-file', '', 'Read in a file of environment variables');
  o.entrypoint = flags.string('entrypoint', '', '', 'Overwrite the default ENTRYPOINT of the image');
  o.groupAdd = list('group-add', '', 'Add additional groups to join');
  o.hostname = flags.string('hostname', 'h', '', 'Container host name');
  o.domainname = flags.string('domainname', '', '', 'Container NIS domain name');
  o.stdin = flags.bool('interactive', 'i', false, 'Keep STDIN open even if not attached');
  o.labels = list('label', 'l', 'Set meta data on a container', validateLabel);
  o.labelsFile = list('label-file', '', 'Read in a line delimited file of labels');
  o.readonlyRootfs = flags.bool('read-only', '', false, "Mount the container's root filesystem as read only");
  o.restartPolicy = flags.string('restart', '', 'no', 'Restart policy to apply when a container exits');
  o.stopSignal = flags.string('stop-signal', '', '', 'Signal to stop the container');
  o.stopTimeout = flags.int('stop-timeout', '', 0, 'Timeout (in seconds) to stop a container');
  o.sysctls = flags.map('sysctl', '', 'Sysctl options');
  o.tty = flags.bool('tty', 't', false, 'Allocate a pseudo-TTY');
  o.ulimits = flags.custom<Ulimit[]>('ulimit', '', 'ulimit', [], 'Ulimit options', (raw, current) => [...current, parseUlimit(raw)], (v) => `[${v.map((u) => `${u.Name}=${u.Soft}:${u.Hard}`).join(' ')}]`);
  o.user = flags.string('user', 'u', '', 'Username or UID (format: <name|uid>[:<group|gid>])');
  o.workingDir = flags.string('workdir', 'w', '', 'Working directory inside the container');
  o.autoRemove = flags.bool('rm', '', false, 'Automatically remove the container and its associated anonymous volumes when it exits');
  o.capAdd = list('cap-add', '', 'Add Linux capabilities');
  o.capDrop = list('cap-drop', '', 'Drop Linux capabilities');
  o.privileged = flags.bool('privileged', '', false, 'Give extended privileges to this container');
  o.securityOpt = list('security-opt', '', 'Security Options');
  o.usernsMode = flags.string('userns', '', '', 'User namespace to use');
  o.cgroupnsMode = flags.string(
    'cgroupns',
    '',
    '',
    `Cgroup namespace to use (host|private)
'host':    Run the container in the Docker host's cgroup namespace
'private': Run the container in its own private cgroup namespace
'':        Use the cgroup namespace as configured by the
           default-cgroupns-mode option on the daemon (default)`,
  );
  o.extraHosts = list('add-host', '', 'Add a custom host-to-IP mapping (host:ip)');
  o.dns = list('dns', '', 'Set custom DNS servers');
  const dnsOptions = list('dns-opt', '', 'Set DNS options');
  flags.define('dns-option', dnsOptions, 'Set DNS options');
  flags.markHidden('dns-opt');
  o.dnsOptions = dnsOptions;
  o.dnsSearch = list('dns-search', '', 'Set custom DNS search domains');
  o.expose = list('expose', '', 'Expose a port or a range of ports');
  o.ipv4Address = flags.string('ip', '', '', 'IPv4 address (e.g., 172.30.100.104)');
  o.ipv6Address = flags.string('ip6', '', '', 'IPv6 address (e.g., 2001:db8::33)');
  o.links = list('link', '', 'Add link to another container');
  o.linkLocalIPs = list('link-local-ip', '', 'Container IPv4/IPv6 link-local addresses');
  o.macAddress = flags.string('mac-address', '', '', 'Container MAC address (e.g., 92:d0:c6:0a:29:33)');
  o.publish = list('publish', 'p', "Publish a container's port(s) to the host");
  o.publishAll = flags.bool('publish-all', 'P', false, 'Publish all exposed ports to random ports');
  const netMode = flags.custom<string[]>('net', '', 'network', [], 'Connect a container to a network', (raw, current) => [...current, raw], (v) => v.join(','));
  flags.define('network', netMode, 'Connect a container to a network');
  flags.markHidden('net');
  o.netMode = netMode;
  const aliases = list('net-alias', '', 'Add network-scoped alias for the container');
  flags.define('network-alias', aliases, 'Add network-scoped alias for the container');
  flags.markHidden('net-alias');
  o.aliases = aliases;
  o.loggingDriver = flags.string('log-driver', '', '', 'Logging driver for the container');
  o.volumeDriver = flags.string('volume-driver', '', '', 'Optional volume driver for the container');
  o.loggingOpts = list('log-opt', '', 'Log driver options');
  o.storageOpt = list('storage-opt', '', 'Storage driver options for the container');
  o.tmpfs = list('tmpfs', '', 'Mount a tmpfs directory');
  o.volumesFrom = list('volumes-from', '', 'Mount volumes from the specified container(s)');
  o.volumes = list('volume', 'v', 'Bind mount a volume');
  o.mounts = flags.custom<Mount[]>('mount', '', 'mount', [], 'Attach a filesystem mount to the container', (raw, current) => [...current, parseMount(raw)], () => '');
  o.healthCmd = flags.string('health-cmd', '', '', 'Command to run to check health');
  o.healthInterval = flags.duration('health-interval', '', 0n, 'Time between running the check (ms|s|m|h) (default 0s)');
  o.healthRetries = flags.int('health-retries', '', 0, 'Consecutive failures needed to report unhealthy');
  o.healthTimeout = flags.duration('health-timeout', '', 0n, 'Maximum time to allow one check to run (ms|s|m|h) (default 0s)');
  o.healthStartPeriod = flags.duration('health-start-period', '', 0n, 'Start period for the container to initialize before starting health-retries countdown (ms|s|m|h) (default 0s)');
  o.healthStartInterval = flags.duration('health-start-interval', '', 0n, 'Time between running the check during the start period (ms|s|m|h) (default 0s)');
  o.noHealthcheck = flags.bool('no-healthcheck', '', false, 'Disable any container-specified HEALTHCHECK');
  o.blkioWeight = flags.uint16('blkio-weight', '', 0, 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)');
  o.blkioWeightDevice = throttleList(flags, 'blkio-weight-device', 'Block IO weight (relative device weight)');
  o.containerIDFile = flags.string('cidfile', '', '', 'Write the container ID to the file');
  o.cpusetCpus = flags.string('cpuset-cpus', '', '', 'CPUs in which to allow execution (0-3, 0,1)');
  o.cpusetMems = flags.string('cpuset-mems', '', '', 'MEMs in which to allow execution (0-3, 0,1)');
  o.cpuCount = flags.int64('cpu-count', '', 0, 'CPU count (Windows only)');
  o.cpuPercent = flags.int64('cpu-percent', '', 0, 'CPU percent (Windows only)');
  o.cpuPeriod = flags.int64('cpu-period', '', 0, 'Limit CPU CFS (Completely Fair Scheduler) period');
  o.cpuQuota = flags.int64('cpu-quota', '', 0, 'Limit CPU CFS (Completely Fair Scheduler) quota');
  o.cpuRealtimePeriod = flags.int64('cpu-rt-period', '', 0, 'Limit CPU real-time period in microseconds');
  o.cpuRealtimeRuntime = flags.int64('cpu-rt-runtime', '', 0, 'Limit CPU real-time runtime in microseconds');
  o.cpuShares = flags.int64('cpu-shares', 'c', 0, 'CPU shares (relative weight)');
  o.cpus = flags.custom<number>('cpus', '', 'decimal', 0, 'Number of CPUs', (raw) => parseCpus(raw), (v) => (v === 0 ? '' : String(v / 1e9)));
  o.deviceReadBps = throttleList(flags, 'device-read-bps', 'Limit read rate (bytes per second) from a device');
  o.deviceReadIOps = throttleList(flags, 'device-read-iops', 'Limit read rate (IO per second) from a device');
  o.deviceWriteBps = throttleList(flags, 'device-write-bps', 'Limit write rate (bytes per second) to a device');
  o.deviceWriteIOps = throttleList(flags, 'device-write-iops', 'Limit write rate (IO per second) to a device');
  o.ioMaxBandwidth = flags.bytes('io-maxbandwidth', '', 0, 'Maximum IO bandwidth limit for the system drive (Windows only)');
  o.ioMaxIOps = flags.define('io-maxiops', new UintValue(0, 'uint64'), 'Maximum IOps limit for the system drive (Windows only)');
  o.kernelMemory = flags.bytes('kernel-memory', '', 0, 'Kernel memory limit');
  o.memory = flags.bytes('memory', 'm', 0, 'Memory limit');
  o.memoryReservation = flags.bytes('memory-reservation', '', 0, 'Memory soft limit');
  o.memorySwap = flags.define('memory-swap', new Bytes(0, true), "Swap limit equal to memory plus swap: '-1' to enable unlimited swap");
  o.swappiness = flags.int64('memory-swappiness', '', -1, 'Tune container memory swappiness (0 to 100)');
  o.oomKillDisable = flags.bool('oom-kill-disable', '', false, 'Disable OOM Killer');
  o.oomScoreAdj = flags.int('oom-score-adj', '', 0, "Tune host's OOM preferences (-1000 to 1000)");
  o.pidsLimit = flags.int64('pids-limit', '', 0, 'Tune container pids limit (set -1 for unlimited)');
  o.cgroupParent = flags.string('cgroup-parent', '', '', 'Optional parent cgroup for the container');
  o.ipcMode = flags.string('ipc', '', '', 'IPC mode to use');
  o.isolation = flags.string('isolation', '', '', 'Container isolation technology');
  o.pidMode = flags.string('pid', '', '', 'PID namespace to use');
  o.shmSize = flags.bytes('shm-size', '', 0, 'Size of /dev/shm');
  o.utsMode = flags.string('uts', '', '', 'UTS namespace to use');
  o.runtime = flags.string('runtime', '', '', 'Runtime to use for this container');
  o.init = flags.bool('init', '', false, 'Run an init inside the container that forwards signals and reaps processes');
  o.annotations = flags.map('annotation', '', 'Add an annotation to the container (passed through to the OCI runtime)');
  return o as ContainerOptions;
}

export interface ContainerConfigBody {
  config: Record<string, unknown>;
  hostConfig: Record<string, unknown>;
  networkingConfig: { EndpointsConfig: Record<string, unknown> };
}

const decoder = new TextDecoder();

function nanos(value: bigint): number {
  return Number(value);
}

/** opts.go parse(): flags → the create request (throws docker's messages). */
export async function parseContainerOptions(
  o: ContainerOptions,
  flags: FlagSet,
  image: string,
  args: readonly string[],
  env: DockerEnv,
): Promise<ContainerConfigBody> {
  let attachStdin = o.attach.value.includes('stdin');
  let attachStdout = o.attach.value.includes('stdout');
  let attachStderr = o.attach.value.includes('stderr');
  if (o.macAddress.value !== '' && !/^([0-9a-fA-F]{2}[:-]){5}[0-9a-fA-F]{2}$/.test(o.macAddress.value)) {
    throw new Error(`${o.macAddress.value} is not a valid mac address`);
  }
  if (o.stdin.value) attachStdin = true;
  if (o.attach.value.length === 0) {
    attachStdout = true;
    attachStderr = true;
  }
  const swappiness = o.swappiness.value;
  if (swappiness !== -1 && (swappiness < 0 || swappiness > 100)) throw new Error(`invalid value: ${swappiness}. Valid memory swappiness range is 0-100`);
  const cwd = env.environment.PWD ?? '/';
  const binds: string[] = [];
  const volumes: Record<string, Record<string, never>> = {};
  for (const bind of [...new Set(o.volumes.value)]) {
    const parsed = parseVolume(bind);
    if (parsed.source !== '') {
      let toBind = bind;
      if (parsed.type === 'bind') {
        const colon = bind.indexOf(':');
        if (colon !== -1) {
          let host = bind.slice(0, colon);
          if (!host.startsWith('/') && host.startsWith('.')) host = `${cwd.replace(/\/$/, '')}/${host}`.replace(/\/\.\//g, '/').replace(/\/\.$/, '');
          toBind = host + bind.slice(colon);
        }
      }
      binds.push(toBind);
    } else volumes[bind] = {};
  }
  const tmpfs: Record<string, string> = {};
  for (const t of o.tmpfs.value) {
    const colon = t.indexOf(':');
    tmpfs[colon === -1 ? t : t.slice(0, colon)] = colon === -1 ? '' : t.slice(colon + 1);
  }
  const runCmd = args.length > 0 ? [...args] : null;
  let entrypoint: string[] | null = null;
  if (o.entrypoint.value !== '') entrypoint = [o.entrypoint.value];
  else if (flags.changed('entrypoint')) entrypoint = [''];
  const converted = convertToStandardNotation(o.publish.value);
  const { exposedPorts, portBindings } = parsePortSpecs(converted);
  for (const e of o.expose.value) for (const port of parseExpose(e)) exposedPorts[port] ??= {};
  const devices: { PathOnHost: string; PathInContainer: string; CgroupPermissions: string }[] = [];
  for (const device of o.devices.value) {
    const parts = device.split(':');
    const src = parts[0];
    let dst = src;
    let permissions = 'rwm';
    if (parts.length === 2) {
      if (/^[rwm]+$/.test(parts[1])) permissions = parts[1];
      else dst = parts[1];
    } else if (parts.length === 3) {
      dst = parts[1];
      permissions = parts[2];
    } else if (parts.length > 3) throw new Error(`invalid device specification: ${device}`);
    if (!dst.startsWith('/')) throw new Error(`bad format for path: ${dst}`);
    devices.push({ PathOnHost: src, PathInContainer: dst, CgroupPermissions: permissions });
  }
  const lookup = (name: string) => env.environment[name];
  const envFiles: { name: string; content: Uint8Array }[] = [];
  for (const file of o.envFile.value) {
    try {
      envFiles.push({ name: file, content: await env.readFile(file) });
    } catch {
      throw new Error(`open ${file}: no such file or directory`);
    }
  }
  const envVariables: string[] = [];
  for (const file of envFiles) envVariables.push(...parseEnvFile(file.name, file.content, lookup));
  for (const value of o.env.value) {
    const equals = value.indexOf('=');
    if (equals === 0) throw new Error(`invalid environment variable: ${value}`);
    if (equals === -1) {
      const found = lookup(value);
      if (found !== undefined) envVariables.push(`${value}=${found}`);
      continue;
    }
    envVariables.push(value);
  }
  const labelLines: string[] = [];
  for (const file of o.labelsFile.value) {
    let content: Uint8Array;
    try {
      content = await env.readFile(file);
    } catch {
      throw new Error(`open ${file}: no such file or directory`);
    }
    for (const line of decoder.decode(content).split('\n')) {
      const trimmed = line.trim();
      if (trimmed !== '' && !trimmed.startsWith('#')) labelLines.push(trimmed);
    }
  }
  labelLines.push(...o.labels.value);
  const pidMode = o.pidMode.value;
  if (pidMode !== '' && pidMode !== 'host' && !(pidMode.startsWith('container:') && pidMode.length > 10)) throw new Error('--pid: invalid PID mode');
  const utsMode = o.utsMode.value;
  if (utsMode !== '' && utsMode !== 'host') throw new Error('--uts: invalid UTS mode');
  const usernsMode = o.usernsMode.value;
  if (usernsMode !== '' && usernsMode !== 'host') throw new Error('--userns: invalid USER mode');
  const cgroupns = o.cgroupnsMode.value;
  if (cgroupns !== '' && cgroupns !== 'host' && cgroupns !== 'private') throw new Error('--cgroupns: invalid CGROUP mode');
  const restartPolicy = parseRestartPolicy(o.restartPolicy.value);
  const loggingOpts: Record<string, string> = convertKVStringsToMap(o.loggingOpts.value);
  if (o.loggingDriver.value === 'none' && o.loggingOpts.value.length > 0) throw new Error('invalid logging opts for driver none');
  const securityOpts: string[] = [];
  for (const opt of o.securityOpt.value) {
    if (opt === 'systempaths=unconfined') continue;
    let value = opt;
    if (!opt.includes('=') && !opt.includes(':') && opt !== 'no-new-privileges') throw new Error(`Invalid --security-opt: ${JSON.stringify(opt)}`);
    if (opt.includes(':') && !opt.includes('=')) value = opt.replace(':', '=');
    if (value.startsWith('seccomp=') && value !== 'seccomp=unconfined' && value !== 'seccomp=builtin') {
      let content: Uint8Array;
      try {
        content = await env.readFile(value.slice(8));
      } catch {
        throw new Error(`opening seccomp profile (${value.slice(8)}) failed: open ${value.slice(8)}: no such file or directory`);
      }
      // docker/cli sends the profile's content, compacted (and refuses what is not JSON)
      try {
        value = `seccomp=${compactGoJson(decoder.decode(content))}`;
      } catch (error) {
        throw new Error(`compacting json for seccomp profile (${value.slice(8)}) failed: ${(error as Error).message}`);
      }
    }
    securityOpts.push(value);
  }
  const unconfinedPaths = o.securityOpt.value.includes('systempaths=unconfined');
  const storageOpts: Record<string, string> = {};
  for (const opt of o.storageOpt.value) {
    const eq = opt.indexOf('=');
    if (eq === -1) throw new Error('invalid storage option');
    storageOpts[opt.slice(0, eq)] = opt.slice(eq + 1);
  }
  let healthConfig: Record<string, unknown> | undefined;
  const haveHealth =
    o.healthCmd.value !== '' || o.healthInterval.value !== 0n || o.healthTimeout.value !== 0n || o.healthStartPeriod.value !== 0n || o.healthRetries.value !== 0 || o.healthStartInterval.value !== 0n;
  if (o.noHealthcheck.value) {
    if (haveHealth) throw new Error('--no-healthcheck conflicts with --health-* options');
    healthConfig = { Test: ['NONE'] };
  } else if (haveHealth) {
    if (o.healthInterval.value < 0n) throw new Error('--health-interval cannot be negative');
    if (o.healthTimeout.value < 0n) throw new Error('--health-timeout cannot be negative');
    if (o.healthRetries.value < 0) throw new Error('--health-retries cannot be negative');
    if (o.healthStartPeriod.value < 0n) throw new Error('--health-start-period cannot be negative');
    if (o.healthStartInterval.value < 0n) throw new Error('--health-start-interval cannot be negative');
    // encoding/json omitempty: zero durations and retries are left out.
    healthConfig = {
      ...(o.healthCmd.value !== '' ? { Test: ['CMD-SHELL', o.healthCmd.value] } : {}),
      ...(o.healthInterval.value !== 0n ? { Interval: nanos(o.healthInterval.value) } : {}),
      ...(o.healthTimeout.value !== 0n ? { Timeout: nanos(o.healthTimeout.value) } : {}),
      ...(o.healthStartPeriod.value !== 0n ? { StartPeriod: nanos(o.healthStartPeriod.value) } : {}),
      ...(o.healthStartInterval.value !== 0n ? { StartInterval: nanos(o.healthStartInterval.value) } : {}),
      ...(o.healthRetries.value !== 0 ? { Retries: o.healthRetries.value } : {}),
    };
  }
  const throttle = (values: string[], rate: boolean) =>
    values.map((v) => {
      const colon = v.lastIndexOf(':');
      if (colon === -1 || !v.startsWith('/dev/')) throw new Error(`bad format: ${v}`);
      const path = v.slice(0, colon);
      const text = v.slice(colon + 1);
      return { Path: path, Rate: rate ? Number(text) : Number(text) };
    });
  const config: Record<string, unknown> = {
    Hostname: o.hostname.value,
    Domainname: o.domainname.value,
    User: o.user.value,
    AttachStdin: attachStdin,
    AttachStdout: attachStdout,
    AttachStderr: attachStderr,
    ...(Object.keys(exposedPorts).length > 0 ? { ExposedPorts: exposedPorts } : {}),
    Tty: o.tty.value,
    OpenStdin: o.stdin.value,
    StdinOnce: o.stdin.value && attachStdin,
    Env: envVariables,
    Cmd: runCmd,
    ...(healthConfig ? { Healthcheck: healthConfig } : {}),
    Image: image,
    Volumes: volumes,
    WorkingDir: o.workingDir.value,
    Entrypoint: entrypoint,
    ...(o.macAddress.value !== '' ? { MacAddress: o.macAddress.value } : {}),
    OnBuild: null,
    Labels: convertKVStringsToMap(labelLines),
    ...(o.stopSignal.value !== '' ? { StopSignal: o.stopSignal.value } : {}),
    ...(flags.changed('stop-timeout') ? { StopTimeout: o.stopTimeout.value } : {}),
  };
  const netModes = o.netMode.value;
  const primary = netModes.length > 0 ? netModes[0].split(',')[0].replace(/^name=/, '') : 'default';
  const hostConfig: Record<string, unknown> = {
    Binds: binds.length > 0 ? binds : null,
    ContainerIDFile: o.containerIDFile.value,
    LogConfig: { Type: o.loggingDriver.value, Config: loggingOpts },
    NetworkMode: primary,
    PortBindings: portBindings,
    RestartPolicy: restartPolicy.Name === '' ? { Name: 'no', MaximumRetryCount: 0 } : restartPolicy,
    AutoRemove: o.autoRemove.value,
    VolumeDriver: o.volumeDriver.value,
    VolumesFrom: o.volumesFrom.value.length > 0 ? o.volumesFrom.value : null,
    ConsoleSize: [0, 0],
    ...(o.annotations.value.size > 0 ? { Annotations: Object.fromEntries(o.annotations.value) } : {}),
    CapAdd: o.capAdd.value.length > 0 ? o.capAdd.value.map(normalizeCapability) : null,
    CapDrop: o.capDrop.value.length > 0 ? o.capDrop.value.map(normalizeCapability) : null,
    CgroupnsMode: cgroupns,
    Dns: o.dns.value,
    DnsOptions: o.dnsOptions.value,
    DnsSearch: o.dnsSearch.value,
    ExtraHosts: o.extraHosts.value.length > 0 ? o.extraHosts.value : null,
    GroupAdd: o.groupAdd.value.length > 0 ? o.groupAdd.value : null,
    IpcMode: o.ipcMode.value,
    Cgroup: '',
    Links: o.links.value.length > 0 ? o.links.value : null,
    OomScoreAdj: o.oomScoreAdj.value,
    PidMode: pidMode,
    Privileged: o.privileged.value,
    PublishAllPorts: o.publishAll.value,
    ReadonlyRootfs: o.readonlyRootfs.value,
    SecurityOpt: securityOpts.length > 0 ? securityOpts : null,
    ...(Object.keys(storageOpts).length > 0 ? { StorageOpt: storageOpts } : {}),
    ...(Object.keys(tmpfs).length > 0 ? { Tmpfs: tmpfs } : {}),
    UTSMode: utsMode,
    UsernsMode: usernsMode,
    ShmSize: o.shmSize.value,
    ...(o.sysctls.value.size > 0 ? { Sysctls: Object.fromEntries(o.sysctls.value) } : {}),
    ...(o.runtime.value !== '' ? { Runtime: o.runtime.value } : {}),
    Isolation: o.isolation.value,
    CpuShares: o.cpuShares.value,
    Memory: o.memory.value,
    NanoCpus: o.cpus.value,
    CgroupParent: o.cgroupParent.value,
    BlkioWeight: o.blkioWeight.value,
    BlkioWeightDevice: o.blkioWeightDevice.value.map((v) => {
      const colon = v.lastIndexOf(':');
      return { Path: v.slice(0, colon), Weight: Number(v.slice(colon + 1)) };
    }),
    BlkioDeviceReadBps: throttle(o.deviceReadBps.value, true),
    BlkioDeviceWriteBps: throttle(o.deviceWriteBps.value, true),
    BlkioDeviceReadIOps: throttle(o.deviceReadIOps.value, false),
    BlkioDeviceWriteIOps: throttle(o.deviceWriteIOps.value, false),
    CpuPeriod: o.cpuPeriod.value,
    CpuQuota: o.cpuQuota.value,
    CpuRealtimePeriod: o.cpuRealtimePeriod.value,
    CpuRealtimeRuntime: o.cpuRealtimeRuntime.value,
    CpusetCpus: o.cpusetCpus.value,
    CpusetMems: o.cpusetMems.value,
    Devices: devices,
    DeviceCgroupRules: o.deviceCgroupRules.value.length > 0 ? o.deviceCgroupRules.value : null,
    DeviceRequests: null,
    MemoryReservation: o.memoryReservation.value,
    MemorySwap: o.memorySwap.value,
    MemorySwappiness: swappiness,
    OomKillDisable: o.oomKillDisable.value,
    PidsLimit: o.pidsLimit.value,
    Ulimits: o.ulimits.value.map((u) => ({ Name: u.Name, Hard: u.Hard, Soft: u.Soft })),
    CpuCount: o.cpuCount.value,
    CpuPercent: o.cpuPercent.value,
    IOMaximumIOps: o.ioMaxIOps.value,
    IOMaximumBandwidth: o.ioMaxBandwidth.value,
    ...(o.mounts.value.length > 0 ? { Mounts: o.mounts.value } : {}),
    MaskedPaths: unconfinedPaths ? [] : null,
    ReadonlyPaths: unconfinedPaths ? [] : null,
    ...(flags.changed('init') ? { Init: o.init.value } : {}),
  };
  if (o.autoRemove.value && restartPolicy.Name !== '' && restartPolicy.Name !== 'no') {
    throw new Error('conflicting options: cannot specify both --restart and --rm');
  }
  const endpoints: Record<string, unknown> = {};
  const endpoint = (first: boolean): Record<string, unknown> => ({
    IPAMConfig: first && (o.ipv4Address.value !== '' || o.ipv6Address.value !== '') ? { IPv4Address: o.ipv4Address.value, IPv6Address: o.ipv6Address.value } : null,
    Links: first && o.links.value.length > 0 ? o.links.value : null,
    Aliases: first && o.aliases.value.length > 0 ? o.aliases.value : null,
    MacAddress: '',
    DriverOpts: null,
    GwPriority: 0,
    NetworkID: '',
    EndpointID: '',
    Gateway: '',
    IPAddress: '',
    IPPrefixLen: 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: null,
  });
  const isEmpty = (first: boolean) => !(first && (o.ipv4Address.value !== '' || o.ipv6Address.value !== '' || o.links.value.length > 0 || o.aliases.value.length > 0));
  if (netModes.length === 0) endpoints.default = endpoint(true);
  let hasUserDefined = false;
  let hasNonUserDefined = false;
  for (const [index, mode] of netModes.entries()) {
    // docker's NetworkOpt keeps an empty --network "" as the target "" (readCsvRecord('') has no fields)
    const name = (readCsvRecord(mode)[0] ?? '').replace(/^name=/, '');
    if (['default', 'bridge', 'host', 'none'].includes(name) || name.startsWith('container:')) hasNonUserDefined = true;
    else hasUserDefined = true;
    if (name in endpoints) throw new Error(`network "${name}" is specified multiple times`);
    if (index === 0 && netModes.length === 1 && isEmpty(true)) continue;
    endpoints[name] = endpoint(index === 0);
  }
  if (hasUserDefined && hasNonUserDefined) throw new Error('conflicting options: cannot attach both user-defined and non-user-defined network-modes');
  const userDefined = (name: string) => !['default', 'bridge', 'host', 'none'].includes(name) && !name.startsWith('container:');
  if (!userDefined(primary) && (o.aliases.value.length > 0 || o.ipv4Address.value !== '' || o.ipv6Address.value !== '')) {
    if (o.aliases.value.length > 0) throw new Error('network-scoped aliases are only supported for user-defined networks');
  }
  return { config, hostConfig, networkingConfig: { EndpointsConfig: endpoints } };
}

/** opts.NormalizeCapability: upper case with the CAP_ prefix, "ALL" as is. */
function normalizeCapability(cap: string): string {
  const upper = cap.trim().toUpperCase();
  if (upper === 'ALL' || upper.startsWith('CAP_')) return upper;
  return `CAP_${upper}`;
}

export type { FlagValue };
