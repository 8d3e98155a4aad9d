// Where images come from: the bundled OCI layout served by the built-in registry (files in Node,
// lazily fetched URLs in the page), or later a real registry through a proxy. Blobs are verified by
// the store when they are written.

import type { ImageIndex } from '../oci';

export interface RegistrySource {
  /** The layout's index.json: one manifest per image, named by `org.opencontainers.image.ref.name`. */
  index(): Promise<ImageIndex>;
  /** A blob's bytes by digest ("sha256:..."), with its size for progress. */
  blob(digest: string): Promise<Uint8Array>;
}
