// Where images come from: the bundled OCI layout served by the built-in registry (files in Node,
// lazily fetched URLs in the page), and, behind a setting, a real registry through a proxy
// (distribution.ts). Blobs are verified by the store when they are written.

import type { ImageIndex } from '../oci';

export interface RemoteManifest {
  bytes: Uint8Array;
  /** The Content-Type it was served with (an index or a manifest). */
  mediaType: string;
}

export interface RegistrySource {
  /** The layout's index.json: one manifest per image, named by `org.opencontainers.image.ref.name`. */
  index(): Promise<ImageIndex>;
  /**
   * A blob's bytes by digest ("sha256:..."). `onProgress`, when given, hears the bytes received so
   * far as they arrive (pull shows docker's "Downloading" lines from it).
   */
  blob(digest: string, onProgress?: (bytesReceived: number) => void): Promise<Uint8Array>;
  /**
   * Optional: a registry that is not a fixed catalog (a real one through a proxy) resolves a
   * repository ("docker.io/library/busybox") and a tag or digest that index() does not list;
   * undefined when it has no such manifest.
   */
  manifest?(name: string, reference: string): Promise<RemoteManifest | undefined>;
}
