// The Engine API's container shapes (moby api/types/container), as the docker CLI sends and reads them,
// and the record the engine keeps for each container.

import type { CreateConfig, Health as HealthState, HostConfig } from '../../api';
import type { ProcessRef } from '../runtime/types';
import type { VolumeMount } from './mounts';

// The API's shapes live in src/api; the engine keeps their names here for its own modules.
export type {
  RestartPolicy,
  PortBinding,
  MountSpec,
  DeviceMapping,
  HostConfig,
  CreateConfig,
  CreateRequest,
  HealthLog,
  Health as HealthState,
} from '../../api';

export type ContainerStatus = 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';

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
  /** The interface in the container (eth0 for the first network, then eth1, ...). */
  iface?: string;
}

/** A container's place on one network (NetworkSettings.Networks[name]), kept while it is stopped too. */
export interface NetworkAttachmentRecord {
  /** --network-alias, --alias */
  aliases?: string[];
  /** --ip */
  ipv4Address?: string;
  /** --link given at connect (on a user network) */
  links?: string[];
  /** The endpoint while the container runs (the first network's is the record's endpoint). */
  endpoint?: EndpointRecord;
}

/** One published port of a running container. */
export interface PublishedPort {
  bridge: string;
  proto: 'tcp' | 'udp' | 'sctp';
  /** "" or 0.0.0.0 for every address of the host. */
  hostIp: string;
  hostPort: number;
  containerIp: string;
  containerPort: number;
  hostVeth?: string;
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
  /** The endpoint of the container's first network (its eth0) while it runs. */
  endpoint?: EndpointRecord;
  /**
   * The networks it is connected to, by name (NetworkSettings.Networks), with the first one (the
   * endpoint on eth0) named by `primaryNetwork`; absent in records from before user networks.
   */
  networks?: Record<string, NetworkAttachmentRecord>;
  primaryNetwork?: string;
  /** The host ports bound to it while it runs (-p, -P), as the iptables rules have them. */
  publishedPorts?: PublishedPort[];
  /** The running process as the runtime names it, to take it back when the whole machine is resumed. */
  processRef?: ProcessRef;
  hostnamePath: string;
  hostsPath: string;
  resolvConfPath: string;
  /** The volumes it uses (named, anonymous, from --volumes-from), chosen at create. */
  volumeMounts?: VolumeMount[];
}

export const ZERO_TIME = '0001-01-01T00:00:00Z';
