// The Engine API's container shapes (moby api/types/container), as the docker CLI sends and reads them,
// and the record the engine keeps for each container.

import type { ContainerConfig, HealthConfig } from '../oci/types';
import type { VolumeMount } from './mounts';

export interface RestartPolicy {
  Name: '' | 'no' | 'always' | 'on-failure' | 'unless-stopped' | string;
  MaximumRetryCount: number;
}

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export interface MountSpec {
  Type: string;
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
}

/** HostConfig of POST /containers/create (the fields Dockside reads; the rest are kept as sent). */
/** A --device request: a host path, where it appears in the container, and the cgroup permissions (rwm). */
export interface DeviceMapping {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

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
  Ulimits?: { Name: string; Soft: number; Hard: number }[] | null;
  CpuCount?: number;
  CpuPercent?: number;
  IOMaximumIOps?: number;
  IOMaximumBandwidth?: number;
  Mounts?: MountSpec[] | null;
  MaskedPaths?: string[] | null;
  ReadonlyPaths?: string[] | null;
  Init?: boolean | null;
}

/** Config of POST /containers/create: the image's ContainerConfig plus what only a container has. */
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

export interface CreateRequest extends CreateConfig {
  HostConfig?: HostConfig;
  NetworkingConfig?: { EndpointsConfig?: Record<string, unknown> | null } | null;
}

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

export interface HealthLog {
  Start: string;
  End: string;
  ExitCode: number;
  Output: string;
}

export interface HealthState {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  Log: HealthLog[];
}

export interface ContainerState {
  status: ContainerStatus;
  pid: number;
  exitCode: number;
  error: string;
  oomKilled: boolean;
  /** ISO times; "0001-01-01T00:00:00Z" when never. */
  startedAt: string;
  finishedAt: string;
  health?: HealthState;
}

export interface EndpointRecord {
  ip: string;
  prefixLen: number;
  gateway: string;
  mac: string;
  hostVeth: string;
  endpointId: string;
}

/** What the engine persists for a container. */
export interface ContainerRecord {
  id: string;
  /** With the leading slash, as docker keeps it. */
  name: string;
  created: string;
  path: string;
  args: string[];
  config: CreateConfig;
  hostConfig: HostConfig;
  /** The image id ("sha256:..."). */
  image: string;
  /** The image's size when the container was created (its SizeRootFs starts from it). */
  imageSize?: number;
  layerDirs: string[];
  state: ContainerState;
  restartCount: number;
  /** docker stop / kill by the user: restart policies other than always do not bring it back. */
  manuallyStopped: boolean;
  endpoint?: EndpointRecord;
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
  /** The volumes it uses (named, anonymous, from --volumes-from), chosen at create. */
  volumeMounts?: VolumeMount[];
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';
