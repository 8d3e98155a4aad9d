// moby api/types/container (API v1.50): what POST /containers/create takes and what GET
// /containers/json, /containers/{id}/json, top, wait, exec and stats answer. Field names are the
// wire's; optional fields are the ones moby omits when empty or that older clients leave out.

/** container.HealthConfig; durations are in nanoseconds. */
export interface HealthConfig {
  /** [] inherit, ["NONE"], ["CMD", args...] or ["CMD-SHELL", command]. */
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  StartInterval?: number;
  Retries?: number;
}

/** The `config` object of an image config: the defaults of a container made from the image. */
export interface ContainerConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  /** "80/tcp" -> {} */
  ExposedPorts?: Record<string, Record<string, never>> | null;
  Env?: string[] | null;
  Entrypoint?: string[] | null;
  Cmd?: string[] | null;
  /** "/data" -> {} */
  Volumes?: Record<string, Record<string, never>> | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  ArgsEscaped?: boolean;
  Healthcheck?: HealthConfig;
  OnBuild?: string[] | null;
  /** Docker's extension, set by SHELL. */
  Shell?: string[] | null;
}

/** container.Config: the image's ContainerConfig plus what only a container has. */
export interface CreateConfig extends ContainerConfig {
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Image?: string;
  NetworkDisabled?: boolean;
  MacAddress?: string;
  StopTimeout?: number | null;
  Healthcheck?: HealthConfig;
}

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'on-failure' | 'unless-stopped' | string;
  MaximumRetryCount: number;
}

/** nat.PortBinding. */
export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

/** mount.Mount: one --mount. */
export interface MountSpec {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
}

/** A --device request: a host path, where it appears in the container, and the cgroup permissions (rwm). */
export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export interface Ulimit {
  Name: string;
  Soft: number;
  Hard: number;
}

/** container.HostConfig of POST /containers/create (the fields Dockside reads; the rest are kept as sent). */
export interface HostConfig {
  Binds?: string[] | null;
  ContainerIDFile?: string;
  LogConfig?: { Type: string; Config: Record<string, string> };
  NetworkMode?: string;
  PortBindings?: Record<string, PortBinding[] | null> | null;
  RestartPolicy?: RestartPolicy;
  AutoRemove?: boolean;
  VolumeDriver?: string;
  VolumesFrom?: string[] | null;
  ConsoleSize?: [number, number];
  Annotations?: Record<string, string> | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  CgroupnsMode?: string;
  Dns?: string[] | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  ExtraHosts?: string[] | null;
  GroupAdd?: string[] | null;
  IpcMode?: string;
  Cgroup?: string;
  Links?: string[] | null;
  OomScoreAdj?: number;
  PidMode?: string;
  Privileged?: boolean;
  PublishAllPorts?: boolean;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[] | null;
  StorageOpt?: Record<string, string> | null;
  Tmpfs?: Record<string, string> | null;
  UTSMode?: string;
  UsernsMode?: string;
  ShmSize?: number;
  Sysctls?: Record<string, string> | null;
  Runtime?: string;
  Isolation?: string;
  CpuShares?: number;
  Memory?: number;
  NanoCpus?: number;
  CgroupParent?: string;
  BlkioWeight?: number;
  BlkioWeightDevice?: unknown[] | null;
  BlkioDeviceReadBps?: unknown[] | null;
  BlkioDeviceWriteBps?: unknown[] | null;
  BlkioDeviceReadIOps?: unknown[] | null;
  BlkioDeviceWriteIOps?: unknown[] | null;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  CpusetCpus?: string;
  CpusetMems?: string;
  Devices?: DeviceMapping[] | null;
  DeviceCgroupRules?: string[] | null;
  DeviceRequests?: unknown[] | null;
  MemoryReservation?: number;
  MemorySwap?: number;
  MemorySwappiness?: number | null;
  OomKillDisable?: boolean | null;
  PidsLimit?: number | null;
  Ulimits?: Ulimit[] | null;
  CpuCount?: number;
  CpuPercent?: number;
  IOMaximumIOps?: number;
  IOMaximumBandwidth?: number;
  Mounts?: MountSpec[] | null;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
  Init?: boolean | null;
}

/** network.NetworkingConfig of a create request. */
export interface NetworkingConfig {
  EndpointsConfig?: Record<string, unknown> | null;
}

/** container.CreateRequest: the body of POST /containers/create. */
export interface CreateRequest extends CreateConfig {
  HostConfig?: HostConfig;
  NetworkingConfig?: NetworkingConfig | null;
}

/** container.CreateResponse. */
export interface CreateResponse {
  Id: string;
  Warnings: string[] | null;
}

/** container.Port: one entry of a summary's Ports. */
export interface Port {
  IP?: string;
  PrivatePort: number;
  PublicPort?: number;
  Type: string;
}

/** container.MountPoint: a mount as summaries and inspect show it. */
export interface MountPoint {
  Type: 'bind' | 'tmpfs' | 'volume';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** network.EndpointSettings: a container's place on one network. */
export interface EndpointSettings {
  IPAMConfig: unknown;
  Links: string[] | null;
  Aliases: string[] | null;
  MacAddress: string;
  DriverOpts: Record<string, string> | null;
  GwPriority: number;
  NetworkID: string;
  EndpointID: string;
  Gateway: string;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  DNSNames: string[] | null;
}

/** container.Summary: one item of GET /containers/json. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID?: string;
  Command: string;
  /** Unix seconds. */
  Created: number;
  Ports?: Port[];
  SizeRw?: number;
  SizeRootFs?: number;
  Labels?: Record<string, string> | null;
  State: string;
  Status: string;
  HostConfig?: { NetworkMode?: string };
  NetworkSettings?: { Networks?: Record<string, EndpointSettings> } | null;
  Mounts?: MountPoint[];
}

/** container.HealthcheckResult. */
export interface HealthLog {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

/** container.Health. */
export interface Health {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  Log: HealthLog[];
}

/** container.State as inspect shows it. */
export interface ContainerInspectState {
  Status: string;
  Running: boolean;
  Paused: boolean;
  Restarting: boolean;
  OOMKilled: boolean;
  Dead: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
  Health?: Health;
}

/** container.NetworkSettings of inspect. */
export interface NetworkSettings {
  Bridge: string;
  SandboxID: string;
  SandboxKey: string;
  Ports: Record<string, PortBinding[] | null>;
  HairpinMode: boolean;
  LinkLocalIPv6Address: string;
  LinkLocalIPv6PrefixLen: number;
  SecondaryIPAddresses: unknown;
  SecondaryIPv6Addresses: unknown;
  EndpointID: string;
  Gateway: string;
  GlobalIPv6Address: string;
  GlobalIPv6PrefixLen: number;
  IPAddress: string;
  IPPrefixLen: number;
  IPv6Gateway: string;
  MacAddress: string;
  Networks: Record<string, EndpointSettings>;
}

/** storage.DriverData. */
export interface GraphDriverData {
  Data: Record<string, string> | null;
  Name: string;
}

/** container.Config as inspect shows it: moby writes these fields even when false or empty. */
export type InspectConfig = CreateConfig &
  Required<Pick<CreateConfig, 'Hostname' | 'Domainname' | 'User' | 'AttachStdin' | 'AttachStdout' | 'AttachStderr' | 'Tty' | 'OpenStdin' | 'StdinOnce' | 'Image' | 'WorkingDir'>>;

/** container.InspectResponse: GET /containers/{id}/json. */
export interface ContainerInspect {
  Id: string;
  Created: string;
  Path: string;
  Args: string[];
  State: ContainerInspectState;
  Image: string;
  ResolvConfPath: string;
  HostnamePath: string;
  HostsPath: string;
  LogPath: string;
  Name: string;
  RestartCount: number;
  Driver: string;
  Platform: string;
  MountLabel: string;
  ProcessLabel: string;
  AppArmorProfile: string;
  ExecIDs: string[] | null;
  HostConfig: HostConfig;
  GraphDriver: GraphDriverData;
  SizeRw?: number;
  SizeRootFs?: number;
  Mounts: MountPoint[];
  Config: InspectConfig;
  NetworkSettings: NetworkSettings;
}

/** container.TopResponse. */
export interface TopResponse {
  Titles: string[];
  Processes: string[][];
}

/** container.WaitResponse. */
export interface WaitResponse {
  StatusCode: number;
  Error?: { Message: string } | null;
}

/** container.ExecOptions: the body of POST /containers/{id}/exec. */
export interface ExecCreateRequest {
  User?: string;
  Privileged?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
  AttachStdin?: boolean;
  AttachStderr?: boolean;
  AttachStdout?: boolean;
  /** Sent by docker's client; the daemon takes detaching from the start request. */
  Detach?: boolean;
  DetachKeys?: string;
  Env?: string[] | null;
  WorkingDir?: string;
  Cmd?: string[] | null;
}

/** container.ExecStartOptions: the body of POST /exec/{id}/start. */
export interface ExecStartRequest {
  Detach?: boolean;
  Tty?: boolean;
  ConsoleSize?: [number, number] | null;
}

/** container.ExecInspect: GET /exec/{id}/json. */
export interface ExecInspect {
  ID: string;
  Running: boolean;
  ExitCode: number | null;
  ProcessConfig: { tty: boolean; entrypoint: string; arguments: string[]; privileged: boolean; user?: string };
  OpenStdin: boolean;
  OpenStderr: boolean;
  OpenStdout: boolean;
  CanRemove: boolean;
  ContainerID: string;
  DetachKeys: string;
  Pid: number;
}

/** container.CPUStats. */
export interface CpuStats {
  cpu_usage: { total_usage: number; usage_in_kernelmode: number; usage_in_usermode: number; percpu_usage?: number[] };
  system_cpu_usage?: number;
  online_cpus?: number;
  throttling_data: { periods: number; throttled_periods: number; throttled_time: number };
}

/** container.NetworkStats of one interface. */
export interface NetworkStats {
  rx_bytes: number;
  rx_packets: number;
  rx_errors: number;
  rx_dropped: number;
  tx_bytes: number;
  tx_packets: number;
  tx_errors: number;
  tx_dropped: number;
}

/** container.BlkioStatEntry. */
export interface BlkioStatEntry {
  major: number;
  minor: number;
  op: string;
  value: number;
}

/** container.StatsResponse: one sample of GET /containers/{id}/stats. */
export interface StatsResponse {
  name: string;
  id: string;
  read: string;
  preread: string;
  pids_stats: { current?: number; limit?: number };
  blkio_stats: {
    io_service_bytes_recursive: BlkioStatEntry[] | null;
    io_serviced_recursive: BlkioStatEntry[] | null;
    io_queue_recursive: BlkioStatEntry[] | null;
    io_service_time_recursive: BlkioStatEntry[] | null;
    io_wait_time_recursive: BlkioStatEntry[] | null;
    io_merged_recursive: BlkioStatEntry[] | null;
    io_time_recursive: BlkioStatEntry[] | null;
    sectors_recursive: BlkioStatEntry[] | null;
  };
  num_procs: number;
  storage_stats: Record<string, number>;
  cpu_stats: CpuStats;
  precpu_stats: CpuStats;
  memory_stats: { usage?: number; stats?: Record<string, number>; limit?: number };
  networks?: Record<string, NetworkStats>;
}

/** types.IDResponse: what commit and exec create answer. */
export interface IdResponse {
  Id: string;
}

/** container.UpdateResponse. */
export interface UpdateResponse {
  Warnings: string[] | null;
}

/** container.FilesystemChange: one item of GET /containers/{id}/changes (Kind 0 modified, 1 added, 2 deleted). */
export interface FilesystemChange {
  Path: string;
  Kind: number;
}

/** container.PruneReport. */
export interface ContainerPruneReport {
  ContainersDeleted: string[] | null;
  SpaceReclaimed: number;
}
