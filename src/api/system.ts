// moby api/types/system and events (API v1.50): GET /info, /version and /events.

/** system.Info: GET /info (the fields Dockside answers; docker info prints them). */
export interface SystemInfo {
  ID: string;
  Containers: number;
  ContainersRunning: number;
  ContainersPaused: number;
  ContainersStopped: number;
  Images: number;
  Driver: string;
  DriverStatus: [string, string][] | null;
  Plugins: { Volume: string[] | null; Network: string[] | null; Authorization: string[] | null; Log: string[] | null };
  MemoryLimit?: boolean;
  SwapLimit?: boolean;
  CpuCfsPeriod?: boolean;
  CpuCfsQuota?: boolean;
  CPUShares?: boolean;
  CPUSet?: boolean;
  PidsLimit?: boolean;
  IPv4Forwarding?: boolean;
  Debug: boolean;
  NFd?: number;
  OomKillDisable?: boolean;
  NGoroutines?: number;
  SystemTime?: string;
  LoggingDriver: string;
  CgroupDriver: string;
  CgroupVersion: string;
  NEventsListener?: number;
  KernelVersion: string;
  OperatingSystem: string;
  OSVersion?: string;
  OSType: string;
  Architecture: string;
  IndexServerAddress?: string;
  RegistryConfig?: {
    IndexConfigs?: Record<string, { Name: string; Mirrors: string[]; Secure: boolean; Official: boolean }>;
    InsecureRegistryCIDRs?: string[];
    Mirrors?: string[] | null;
  };
  NCPU: number;
  MemTotal: number;
  GenericResources?: unknown;
  DockerRootDir: string;
  HttpProxy?: string;
  HttpsProxy?: string;
  NoProxy?: string;
  Name: string;
  Labels: string[] | null;
  ExperimentalBuild: boolean;
  ServerVersion: string;
  Runtimes: Record<string, { path: string }>;
  DefaultRuntime: string;
  Swarm: { NodeID?: string; NodeAddr?: string; LocalNodeState: string; ControlAvailable?: boolean; Error?: string; RemoteManagers?: unknown };
  LiveRestoreEnabled: boolean;
  Isolation?: string;
  InitBinary: string;
  ContainerdCommit: { ID: string };
  RuncCommit: { ID: string };
  InitCommit: { ID: string };
  SecurityOptions: string[];
  CDISpecDirs?: string[];
  DefaultAddressPools?: { Base: string; Size: number }[];
  Warnings: string[] | null;
}

/** types.ComponentVersion. */
export interface ComponentVersion {
  Name: string;
  Version: string;
  Details?: Record<string, string>;
}

/** types.Version: GET /version. */
export interface Version {
  Platform?: { Name: string };
  Components?: ComponentVersion[];
  Version: string;
  ApiVersion: string;
  MinAPIVersion?: string;
  GitCommit: string;
  GoVersion: string;
  Os: string;
  Arch: string;
  KernelVersion?: string;
  Experimental?: boolean;
  BuildTime?: string;
}

/** events.Type. */
export type EventType = 'container' | 'image' | 'network' | 'volume' | 'daemon' | 'builder';

/** events.Actor. */
export interface EventActor {
  ID: string;
  Attributes: Record<string, string>;
}

/** events.Message: one line of GET /events (status, id and from are the pre-1.22 fields moby still sends). */
export interface EventMessage {
  Type: EventType;
  Action: string;
  Actor: EventActor;
  scope: 'local' | 'swarm';
  time: number;
  timeNano: number;
  status?: string;
  id?: string;
  from?: string;
}

/** The error body of every failed request. */
export interface ErrorResponse {
  message: string;
}
