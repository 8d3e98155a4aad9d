// Writes vm-images/manifest.json: every committed artifact with its size and sha256, the sources and
// versions it was built from (collected by build.sh into dist/sources.json), and the machine settings.
// Usage: node --import tsx vm-images/write-manifest.ts

import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactRecord, GuestManifest } from '../src/vm/manifest';
import { sha256Hex } from '../src/go/digest';
import { vmImagesDir } from '../src/node/artifacts';
import { GUEST_CMDLINE, GUEST_MEMORY_SIZE } from './guest-config';

const dist = join(vmImagesDir, 'dist');

async function record(file: string): Promise<ArtifactRecord> {
  const bytes = await readFile(join(dist, file));
  return { file, size: (await stat(join(dist, file))).size, sha256: await sha256Hex(bytes) };
}

const manifest: GuestManifest = {
  cmdline: GUEST_CMDLINE,
  memorySize: GUEST_MEMORY_SIZE,
  artifacts: {
    bios: await record('seabios.bin'),
    kernel: await record('bzImage'),
    initramfs: await record('initramfs.cpio.gz'),
    state: await record('state.bin.zst'),
  },
  sources: JSON.parse(await readFile(join(dist, 'sources.json'), 'utf8')) as Record<string, string>,
};
await writeFile(join(vmImagesDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
console.log(JSON.stringify(manifest.artifacts, null, 2));
