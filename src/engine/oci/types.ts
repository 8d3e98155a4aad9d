// The image shapes of the OCI image spec (v1.1) and of docker's manifest v2 schema 2 / image config,
// with docker's field names (the config's inner object keeps Go's capitalised names, as on the wire).

import type { Digest } from '../../go/digest';
import type { ContainerConfig } from '../../api';

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

// A container config inside an image config is the API's container.Config (src/api).
export type { ContainerConfig, HealthConfig } from '../../api';

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
