// The image shapes of the OCI image spec (v1.1) and of docker's manifest v2 schema 2 / image config,
// with docker's field names (the config's inner object keeps Go's capitalised names, as on the wire).

import type { Digest } from '../../go/digest';

export interface Platform {
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
}

/** A pointer to content: what it is, its digest and its size in bytes. */
export interface Descriptor {
  mediaType: string;
  digest: Digest;
  size: number;
  urls?: string[];
  annotations?: Record<string, string>;
  /** Only in an index's manifests. */
  platform?: Platform;
  artifactType?: string;
  /** Embedded content, base64. */
  data?: string;
}

/** An OCI image index or a docker manifest list: one manifest per platform. */
export interface ImageIndex {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  manifests: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** An OCI image manifest or a docker v2 schema 2 manifest. */
export interface ImageManifest {
  schemaVersion: 2;
  mediaType?: string;
  artifactType?: string;
  config: Descriptor;
  layers: Descriptor[];
  subject?: Descriptor;
  annotations?: Record<string, string>;
}

/** Durations are in nanoseconds, as in docker's config. */
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

export interface HistoryEntry {
  created?: string;
  created_by?: string;
  author?: string;
  comment?: string;
  /** True when the step made no layer (ENV, CMD, ...): it has no entry in rootfs.diff_ids. */
  empty_layer?: boolean;
}

export interface RootFs {
  type: 'layers';
  /** Digests of the uncompressed layer tars, base first. */
  diff_ids: Digest[];
}

/** The image config; its sha256 is the image id. */
export interface ImageConfig {
  created?: string;
  author?: string;
  architecture: string;
  os: string;
  'os.version'?: string;
  'os.features'?: string[];
  variant?: string;
  config?: ContainerConfig;
  rootfs: RootFs;
  history?: HistoryEntry[];
  // Docker's own fields, written by the classic builder and `docker commit`.
  comment?: string;
  docker_version?: string;
  container?: string;
  container_config?: ContainerConfig;
}
