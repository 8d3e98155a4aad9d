// The built-in registry's content in Node: the OCI layout that vm-images/images/build.sh made
// (vm-images/images/dist), read from disk; the store verifies every blob as it is written.

import { createReadStream, existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ImageIndex } from '../engine/oci';
import { withOptionalRemote } from '../engine/registry/distribution';
import type { RegistrySource } from '../engine/registry/source';
import { projectRoot, vmImagesDir } from './artifacts';

export const bundledLayoutDir = join(vmImagesDir, 'images', 'dist');

export class NodeBundledRegistry implements RegistrySource {
  constructor(private readonly dir = bundledLayoutDir) {}

  async index(): Promise<ImageIndex> {
    return JSON.parse(await readFile(join(this.dir, 'index.json'), 'utf8')) as ImageIndex;
  }

  async blob(digest: string, onProgress?: (bytesReceived: number) => void): Promise<Uint8Array> {
    const [algorithm, hex] = digest.split(':');
    if (!algorithm || !hex || !/^[a-z0-9]+$/.test(algorithm) || !/^[a-f0-9]+$/.test(hex)) throw new Error(`invalid digest ${digest}`);
    const path = join(this.dir, 'blobs', algorithm, hex);
    if (!onProgress) return new Uint8Array(await readFile(path));
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
      const buffer = chunk as Buffer;
      chunks.push(buffer);
      received += buffer.length;
      onProgress(received);
    }
    return new Uint8Array(Buffer.concat(chunks));
  }
}

/**
 * The registry of `dockside sh` and `dockside serve`: the bundled images (a scratch guest,
 * DOCKSIDE_VM_DIR, without its own images uses the committed ones), and Docker Hub's linux/386 images
 * through the proxy DOCKSIDE_REGISTRY_PROXY names, when it is set (see proxyFromSetting).
 */
export function nodeRegistry(environment: Record<string, string | undefined> = process.env): RegistrySource {
  const committed = join(projectRoot, 'vm-images', 'images', 'dist');
  const bundled = new NodeBundledRegistry(existsSync(join(bundledLayoutDir, 'index.json')) ? bundledLayoutDir : committed);
  return withOptionalRemote(bundled, environment.DOCKSIDE_REGISTRY_PROXY);
}
