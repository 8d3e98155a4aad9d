// What the rest of the engine needs from images (containers run them, commit makes them). The image
// service implements it; container tests can use a small fake.

import type { ImageConfig } from '../oci';

export interface RunnableImage {
  /** "sha256:<64 hex>", the config digest. */
  id: string;
  config: ImageConfig;
  /** Unpacked layer directories in the guest, top-most first (overlay lowerdir order). */
  layerDirs: string[];
  /** Chain ids of its layers, bottom first (containers hold them so rmi cannot pull them away). */
  layers: string[];
  /** The name it was asked for as docker shows it in `ps` (IMAGE column), e.g. "busybox". */
  displayName: string;
  /** Bytes of all its layers (docker's image Size; a container's SizeRootFs starts from it). */
  size: number;
}

export interface ImageProvider {
  /**
   * Resolves a reference or id and makes sure its layers are unpacked in the guest. Throws the
   * error docker gives for an image that is not there: 404 "No such image: busybox:latest".
   */
  prepareForRun(referenceOrId: string): Promise<RunnableImage>;
  /** The id a reference or id resolves to now, undefined when nothing does (nothing is unpacked). */
  resolveId(referenceOrId: string): Promise<string | undefined>;
  /** docker commit: a new image from a container's upper layer tar (staged in the guest share). */
  commit(input: {
    parent: RunnableImage;
    layerTarPath: string;
    config: ImageConfig['config'];
    author: string;
    comment: string;
    createdBy: string;
    reference?: string;
  }): Promise<string>;
}

/**
 * Which container uses an image: rmi needs -f for an image a stopped container uses and refuses one a
 * running container uses; prune leaves both. The container service answers it.
 */
export interface ImageUsers {
  /** Resolves once the containers of the store are known. */
  ready(): Promise<void>;
  userOf(imageId: string): { containerId: string; running: boolean } | undefined;
}
