// Go's encoding/json type checks for request bodies. moby decodes a body into Go structs, so a field
// of the wrong JSON kind (`"Image": {}`, `"Memory": "1g"`, `"Cmd": 5`) is answered with 400 and Go's
// text, "json: cannot unmarshal object into Go struct field ContainerConfigWrapper.Image of type
// string", before anything is created. The schemas list the fields Dockside reads; `null` is always
// allowed (Go leaves the zero value), unknown fields are ignored as Go ignores them.

import { invalidParameter } from '../errors';

export type GoType =
  | { kind: 'string' | 'bool' | 'any' }
  | { kind: 'int'; name: string; min: number; max: number }
  | { kind: 'float' }
  | { kind: 'slice'; name: string; of: GoType }
  | { kind: 'map'; name: string; of: GoType }
  | { kind: 'struct'; name: string; fields: Record<string, GoType> }
  /** strslice.StrSlice: a string or an array of strings */
  | { kind: 'strslice' };

export const goString: GoType = { kind: 'string' };
export const goBool: GoType = { kind: 'bool' };
export const goAny: GoType = { kind: 'any' };
export const goInt64: GoType = { kind: 'int', name: 'int64', min: -(2 ** 63), max: 2 ** 63 - 1 };
export const goInt: GoType = { kind: 'int', name: 'int', min: -(2 ** 63), max: 2 ** 63 - 1 };
export const goUint16: GoType = { kind: 'int', name: 'uint16', min: 0, max: 65535 };
export const goUint32: GoType = { kind: 'int', name: 'uint32', min: 0, max: 2 ** 32 - 1 };
export const goUint64: GoType = { kind: 'int', name: 'uint64', min: 0, max: 2 ** 64 - 1 };
export const goStrSlice: GoType = { kind: 'strslice' };
export const goStrings: GoType = { kind: 'slice', name: '[]string', of: goString };
export const goStringMap: GoType = { kind: 'map', name: 'map[string]string', of: goString };
export const goSet = (name: string): GoType => ({ kind: 'map', name, of: goAny });
export const goStruct = (name: string, fields: Record<string, GoType>): GoType => ({ kind: 'struct', name, fields });
export const goSlice = (of: GoType, name = `[]${typeName(of)}`): GoType => ({ kind: 'slice', name, of });
export const goMap = (of: GoType, name = `map[string]${typeName(of)}`): GoType => ({ kind: 'map', name, of });

function typeName(type: GoType): string {
  switch (type.kind) {
    case 'string':
    case 'bool':
      return type.kind;
    case 'any':
      return 'interface {}';
    case 'float':
      return 'float64';
    case 'strslice':
      return 'strslice.StrSlice';
    default:
      return type.name;
  }
}

function jsonKind(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return 'number';
  return typeof value === 'object' ? 'object' : 'string';
}

/**
 * Throws moby's 400 ("invalid JSON: json: cannot unmarshal ...") for the first value of the wrong
 * kind in `value`, decoded as `type`; `field` is Go's path of struct fields ("ContainerConfigWrapper.HostConfig.Memory").
 */
export function checkGoJson(value: unknown, type: GoType, field = ''): void {
  if (value === null || value === undefined || type.kind === 'any') return;
  const fail = (shown: string, into: GoType = type): never => {
    const where = field.includes('.') ? `Go struct field ${field}` : 'Go value';
    throw invalidParameter(`invalid JSON: json: cannot unmarshal ${shown} into ${where} of type ${typeName(into)}`);
  };
  switch (type.kind) {
    case 'string':
      if (typeof value !== 'string') fail(jsonKind(value));
      return;
    case 'bool':
      if (typeof value !== 'boolean') fail(jsonKind(value));
      return;
    case 'float':
      if (typeof value !== 'number') fail(jsonKind(value));
      return;
    case 'int':
      if (typeof value !== 'number') fail(jsonKind(value));
      if (!Number.isInteger(value) || (value as number) < type.min || (value as number) > type.max) fail(`number ${String(value)}`);
      return;
    case 'strslice':
      if (typeof value === 'string') return;
      if (!Array.isArray(value)) fail(jsonKind(value));
      for (const item of value as unknown[]) if (item !== null && typeof item !== 'string') fail(jsonKind(item), goString);
      return;
    case 'slice':
      if (!Array.isArray(value)) fail(jsonKind(value));
      for (const item of value as unknown[]) checkGoJson(item, type.of, field);
      return;
    case 'map':
      if (typeof value !== 'object' || Array.isArray(value)) fail(jsonKind(value));
      for (const item of Object.values(value as object)) checkGoJson(item, type.of, field);
      return;
    case 'struct': {
      if (typeof value !== 'object' || Array.isArray(value)) fail(jsonKind(value));
      const prefix = field === '' ? type.name : field;
      for (const [name, fieldType] of Object.entries(type.fields)) {
        if (Object.hasOwn(value as object, name)) checkGoJson((value as Record<string, unknown>)[name], fieldType, `${prefix}.${name}`);
      }
    }
  }
}

// ---- the bodies moby decodes ----

const restartPolicy = goStruct('container.RestartPolicy', { Name: goString, MaximumRetryCount: goInt });
const ulimit = goStruct('container.Ulimit', { Name: goString, Hard: goInt64, Soft: goInt64 });
const device = goStruct('container.DeviceMapping', { PathOnHost: goString, PathInContainer: goString, CgroupPermissions: goString });

/** container.Resources, part of HostConfig and of UpdateConfig. */
const resources: Record<string, GoType> = {
  CpuShares: goInt64,
  Memory: goInt64,
  NanoCpus: goInt64,
  CgroupParent: goString,
  BlkioWeight: goUint16,
  CpuPeriod: goInt64,
  CpuQuota: goInt64,
  CpuRealtimePeriod: goInt64,
  CpuRealtimeRuntime: goInt64,
  CpusetCpus: goString,
  CpusetMems: goString,
  Devices: goSlice(device),
  DeviceCgroupRules: goStrings,
  KernelMemory: goInt64,
  KernelMemoryTCP: goInt64,
  MemoryReservation: goInt64,
  MemorySwap: goInt64,
  MemorySwappiness: goInt64,
  OomKillDisable: goBool,
  PidsLimit: goInt64,
  Ulimits: goSlice(ulimit, '[]*container.Ulimit'),
  CpuCount: goInt64,
  CpuPercent: goInt64,
  IOMaximumIOps: goUint64,
  IOMaximumBandwidth: goUint64,
};

const mount = goStruct('mount.Mount', {
  Type: goString,
  Source: goString,
  Target: goString,
  ReadOnly: goBool,
  Consistency: goString,
  BindOptions: goStruct('mount.BindOptions', { Propagation: goString, NonRecursive: goBool, CreateMountpoint: goBool, ReadOnlyNonRecursive: goBool, ReadOnlyForceRecursive: goBool }),
  VolumeOptions: goStruct('mount.VolumeOptions', { NoCopy: goBool, Labels: goStringMap, Subpath: goString, DriverConfig: goStruct('mount.Driver', { Name: goString, Options: goStringMap }) }),
  ImageOptions: goStruct('mount.ImageOptions', { Subpath: goString }),
  TmpfsOptions: goStruct('mount.TmpfsOptions', { SizeBytes: goInt64, Mode: goUint32, Options: goSlice(goStrings, '[][]string') }),
});

const portBinding = goStruct('nat.PortBinding', { HostIp: goString, HostPort: goString });

const hostConfig = goStruct('container.HostConfig', {
  ...resources,
  Binds: goStrings,
  ContainerIDFile: goString,
  LogConfig: goStruct('container.LogConfig', { Type: goString, Config: goStringMap }),
  NetworkMode: goString,
  PortBindings: goMap(goSlice(portBinding), 'nat.PortMap'),
  RestartPolicy: restartPolicy,
  AutoRemove: goBool,
  VolumeDriver: goString,
  VolumesFrom: goStrings,
  ConsoleSize: goSlice({ kind: 'int', name: 'uint', min: 0, max: 2 ** 64 - 1 }, '[2]uint'),
  Annotations: goStringMap,
  CapAdd: goStrSlice,
  CapDrop: goStrSlice,
  CgroupnsMode: goString,
  Dns: goStrings,
  DnsOptions: goStrings,
  DnsSearch: goStrings,
  ExtraHosts: goStrings,
  GroupAdd: goStrings,
  IpcMode: goString,
  Cgroup: goString,
  Links: goStrings,
  OomScoreAdj: goInt,
  PidMode: goString,
  Privileged: goBool,
  PublishAllPorts: goBool,
  ReadonlyRootfs: goBool,
  SecurityOpt: goStrings,
  StorageOpt: goStringMap,
  Tmpfs: goStringMap,
  UTSMode: goString,
  UsernsMode: goString,
  ShmSize: goInt64,
  Sysctls: goStringMap,
  Runtime: goString,
  Isolation: goString,
  Mounts: goSlice(mount),
  MaskedPaths: goStrings,
  ReadonlyPaths: goStrings,
  Init: goBool,
});

const endpointSettings = goStruct('network.EndpointSettings', {
  IPAMConfig: goStruct('network.EndpointIPAMConfig', { IPv4Address: goString, IPv6Address: goString, LinkLocalIPs: goStrings }),
  Links: goStrings,
  Aliases: goStrings,
  MacAddress: goString,
  DriverOpts: goStringMap,
  GwPriority: goInt,
  NetworkID: goString,
  EndpointID: goString,
  Gateway: goString,
  IPAddress: goString,
  IPPrefixLen: goInt,
  IPv6Gateway: goString,
  GlobalIPv6Address: goString,
  GlobalIPv6PrefixLen: goInt,
  DNSNames: goStrings,
});

const healthConfig = goStruct('container.HealthConfig', { Test: goStrings, Interval: goInt64, Timeout: goInt64, StartPeriod: goInt64, StartInterval: goInt64, Retries: goInt });

/** container.Config's fields. */
const config: Record<string, GoType> = {
  Hostname: goString,
  Domainname: goString,
  User: goString,
  AttachStdin: goBool,
  AttachStdout: goBool,
  AttachStderr: goBool,
  ExposedPorts: goSet('nat.PortSet'),
  Tty: goBool,
  OpenStdin: goBool,
  StdinOnce: goBool,
  Env: goStrings,
  Cmd: goStrSlice,
  Healthcheck: healthConfig,
  ArgsEscaped: goBool,
  Image: goString,
  Volumes: goSet('map[string]struct {}'),
  WorkingDir: goString,
  Entrypoint: goStrSlice,
  NetworkDisabled: goBool,
  MacAddress: goString,
  OnBuild: goStrings,
  Labels: goStringMap,
  StopSignal: goString,
  StopTimeout: goInt,
  Shell: goStrSlice,
};

/** POST /containers/create (and /commit's config): runconfig's ContainerConfigWrapper. */
export const containerCreateType = goStruct('ContainerConfigWrapper', {
  ...config,
  HostConfig: hostConfig,
  NetworkingConfig: goStruct('network.NetworkingConfig', { EndpointsConfig: goMap(endpointSettings, 'map[string]*network.EndpointSettings') }),
});

export const containerUpdateType = goStruct('container.UpdateConfig', { ...resources, RestartPolicy: restartPolicy });

export const execCreateType = goStruct('container.ExecOptions', {
  User: goString,
  Privileged: goBool,
  Tty: goBool,
  ConsoleSize: goSlice({ kind: 'int', name: 'uint', min: 0, max: 2 ** 64 - 1 }, '*[2]uint'),
  AttachStdin: goBool,
  AttachStderr: goBool,
  AttachStdout: goBool,
  Detach: goBool,
  DetachKeys: goString,
  Env: goStrings,
  WorkingDir: goString,
  Cmd: goStrings,
});

export const networkCreateType = goStruct('network.CreateRequest', {
  Name: goString,
  Driver: goString,
  Scope: goString,
  EnableIPv4: goBool,
  EnableIPv6: goBool,
  IPAM: goStruct('network.IPAM', { Driver: goString, Options: goStringMap, Config: goSlice(goStruct('network.IPAMConfig', { Subnet: goString, IPRange: goString, Gateway: goString, AuxiliaryAddresses: goStringMap })) }),
  Internal: goBool,
  Attachable: goBool,
  Ingress: goBool,
  ConfigOnly: goBool,
  ConfigFrom: goStruct('network.ConfigReference', { Network: goString }),
  Options: goStringMap,
  Labels: goStringMap,
});

export const volumeCreateType = goStruct('volume.CreateOptions', { Name: goString, Driver: goString, DriverOpts: goStringMap, Labels: goStringMap });
