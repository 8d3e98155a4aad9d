// The built-in registry's content in the page: the bundled OCI layout served as static files
// (vite serves vm-images/images/dist under /images/ in development and copies it into the build).
// Blobs are fetched lazily, only when an image is pulled; the store verifies each one.

import type { ImageIndex } from '../engine/oci';
import type { RegistrySource } from '../engine/registry/source';
import { readBodyWithProgress } from '../engine/registry/read-body';

export class BundledRegistry implements RegistrySource {
  private indexPromise: Promise<ImageIndex> | undefined;

  /** baseUrl: where index.json and blobs/ are, e.g. `${import.meta.env.BASE_URL}images/`. */
  constructor(private readonly baseUrl: string, private readonly fetcher: typeof fetch = (...args) => fetch(...args)) {}

  index(): Promise<ImageIndex> {
    this.indexPromise ??= (async () => {
      const response = await this.fetcher(new URL('index.json', this.absoluteBase()).href);
      if (!response.ok) throw new Error(`GET ${this.baseUrl}index.json: ${response.status} ${response.statusText}`);
      return (await response.json()) as ImageIndex;
    })();
    this.indexPromise.catch(() => (this.indexPromise = undefined));
    return this.indexPromise;
  }

  async blob(digest: string, onProgress?: (bytesReceived: number) => void): Promise<Uint8Array> {
    const [algorithm, hex] = digest.split(':');
    if (!algorithm || !hex || !/^[a-f0-9]+$/.test(hex)) throw new Error(`invalid digest ${digest}`);
    const url = new URL(`blobs/${algorithm}/${hex}`, this.absoluteBase()).href;
    const response = await this.fetcher(url);
    if (!response.ok || !response.body) throw new Error(`GET ${url}: ${response.status} ${response.statusText}`);
    return readBodyWithProgress(response.body, onProgress);
  }

  private absoluteBase(): string {
    return new URL(this.baseUrl, globalThis.location?.href ?? 'http://localhost/').href;
  }
}
