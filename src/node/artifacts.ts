// Loads the committed guest artifacts from vm-images/ for Node, checking each against the manifest.

import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Guest, type BootMode, type GuestArtifacts } from '../vm/guest';
import { verifyArtifact, type ArtifactName, type GuestManifest } from '../vm/manifest';

export const projectRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** DOCKSIDE_VM_DIR points at another built guest (same layout: manifest.json and dist/), for work on the guest. */
export const vmImagesDir = process.env.DOCKSIDE_VM_DIR ?? join(projectRoot, 'vm-images');

export async function readManifest(dir = vmImagesDir): Promise<GuestManifest> {
  return JSON.parse(await readFile(join(dir, 'manifest.json'), 'utf8')) as GuestManifest;
}

async function loadArtifact(manifest: GuestManifest, name: ArtifactName, dir: string): Promise<ArrayBuffer> {
  const record = manifest.artifacts[name];
  const bytes = await readFile(join(dir, 'dist', record.file));
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  await verifyArtifact(record, buffer);
  return buffer;
}

export async function loadV86Wasm(): Promise<ArrayBuffer> {
  const require = createRequire(import.meta.url);
  const bytes = await readFile(join(dirname(require.resolve('v86')), 'v86.wasm'));
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/** Only what the boot mode needs: a restore never reads the kernel or the initramfs. */
export async function loadGuestArtifacts(mode: BootMode, dir = vmImagesDir): Promise<GuestArtifacts> {
  const manifest = await readManifest(dir);
  const [bios, wasm] = await Promise.all([loadArtifact(manifest, 'bios', dir), loadV86Wasm()]);
  if (mode === 'restore') {
    return { manifest, bios, wasm, state: await loadArtifact(manifest, 'state', dir) };
  }
  const [kernel, initramfs] = await Promise.all([
    loadArtifact(manifest, 'kernel', dir),
    loadArtifact(manifest, 'initramfs', dir),
  ]);
  return { manifest, bios, wasm, kernel, initramfs };
}

/** Loads and starts the guest; DOCKSIDE_DEBUG=1 copies the kernel log (ttyS0) to stderr. */
export async function startNodeGuest(mode: BootMode = 'restore'): Promise<Guest> {
  const onKernelLog = process.env.DOCKSIDE_DEBUG ? (byte: number) => process.stderr.write(Buffer.of(byte)) : undefined;
  return Guest.start(await loadGuestArtifacts(mode), mode, { onKernelLog });
}
