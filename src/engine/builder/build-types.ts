// What the legacy builder works with: the image service it needs, its options, its messages and
// errors, and the state of the stage being built.

import type { ContainerService } from '../containers/service';
import type { HostConfig } from '../containers/types';
import type { ContainerConfig, ImageConfig } from '../oci/types';
import type { Runtime } from '../runtime/types';

/** A file of an image, as its layers stack up. */
export interface ImageFile {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  data: Uint8Array;
  linkName: string;
  mtime: number;
}

/** What the builder needs of the image service. */
export interface BuildImages {
  /** The local image id of a reference or id, or undefined. */
  localId(reference: string): Promise<string | undefined>;
  config(imageId: string): Promise<ImageConfig>;
  /** docker pull's message stream (newline-delimited JSON). */
  pull(reference: string): Promise<AsyncIterable<Uint8Array>>;
  buildCommit(input: { parentId: string | undefined; config: ContainerConfig; containerConfig: ContainerConfig; createdBy: string; author: string; layerTar?: Uint8Array }): Promise<string>;
  buildCacheProbe(parentId: string | undefined, containerConfig: ContainerConfig): Promise<string | undefined>;
  /** `withData`: which files' contents to keep (by clean relative name); default /etc/passwd and /etc/group. */
  imageFiles(imageId: string, withData?: (name: string) => boolean): Promise<Map<string, ImageFile>>;
  /** Tags the image; returns the familiar name docker prints ("myimg:latest"). */
  tag(imageId: string, reference: string): Promise<string>;
  /** Checks a -t value up front (moby's sanitizeRepoAndTags); throws "invalid reference format". */
  checkTag(reference: string): void;
}

export interface BuildOptions {
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  noCache: boolean;
  remove: boolean;
  forceRemove: boolean;
  pull: boolean;
  /** --target: the last stage to build. */
  target?: string;
  /** What the RUN (and intermediate) containers get: network mode, resources, extra hosts (hostConfigFromOptions). */
  hostConfig?: HostConfig;
}

/** A message of the build's output stream. */
export type BuildMessage = { stream: string } | { aux: { ID: string } } | Record<string, unknown>;

/** A failed step with the exit code the CLI exits with (jsonmessage.JSONError). */
export class BuildStepError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'BuildStepError';
  }
}

/** An error before anything ran (the Dockerfile cannot be read or parsed): HTTP 400. */
export class BuildRequestError extends Error {
  override name = 'BuildRequestError';
}

export interface State {
  imageId: string | undefined;
  runConfig: ContainerConfig;
  maintainer: string;
  cmdSet: boolean;
  stageName: string;
}


export interface BuilderDeps {
  images: BuildImages;
  containers: ContainerService;
  runtime: Runtime;
}
