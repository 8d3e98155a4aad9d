// Starts the guest in the page: downloads the artifacts with progress, checks every byte against the
// manifest, restores the saved machine state (or cold-boots on request).

import manifestJson from '../../vm-images/manifest.json';
import biosUrl from '../../vm-images/dist/seabios.bin?url';
import stateUrl from '../../vm-images/dist/state.bin.zst?url';
import kernelUrl from '../../vm-images/dist/bzImage?url';
import initramfsUrl from '../../vm-images/dist/initramfs.cpio.gz?url';
import wasmUrl from 'v86/build/v86.wasm?url';
import { Guest, type BootMode, type GuestArtifacts, type GuestCursor } from '../vm/guest';
import { verifyArtifact, type ArtifactName, type GuestManifest } from '../vm/manifest';

export interface Progress {
  /** 0 to 1. */
  value: number;
  text: string;
}

export const manifest = manifestJson as GuestManifest;
const artifactUrls: Record<ArtifactName, string> = {
  bios: biosUrl,
  state: stateUrl,
  kernel: kernelUrl,
  initramfs: initramfsUrl,
};

/** The size of v86.wasm is not in our manifest; this only shapes the progress bar. */
const WASM_SIZE_ESTIMATE = 2_100_000;

export class DownloadError extends Error {
  constructor(url: string, reason: string) {
    super(`could not download ${url}: ${reason}`);
    this.name = 'DownloadError';
  }
}

async function download(url: string, onBytes: (n: number) => void): Promise<ArrayBuffer> {
  let response: Response;
  try {
    response = await fetch(url);
  } catch (error) {
    throw new DownloadError(url, error instanceof Error ? error.message : String(error));
  }
  if (!response.ok || !response.body) throw new DownloadError(url, `HTTP ${response.status}`);
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.length;
    onBytes(value.length);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out.buffer;
}

/** A saved machine to resume instead of the bundled state (machine-save.ts). */
export interface ResumeFrom {
  state: ArrayBuffer;
  cursor: GuestCursor;
}

/** The saved machine could not be read (`damaged`) or did not start: the caller falls back to the bundled state. */
export class ResumeFailedError extends Error {
  constructor(
    readonly reason: unknown,
    readonly damaged = false,
  ) {
    super(`the saved machine ${damaged ? 'could not be read' : 'did not start'}: ${reason instanceof Error ? reason.message : String(reason)}`);
    this.name = 'ResumeFailedError';
  }
}

/** `resume`: a saved machine to start instead of the bundled state, read while the emulator downloads. */
export async function bootGuestInPage(onProgress: (p: Progress) => void, mode: BootMode = 'restore', resume?: Promise<ResumeFrom>): Promise<Guest> {
  const names: ArtifactName[] = resume ? ['bios'] : mode === 'restore' ? ['bios', 'state'] : ['bios', 'kernel', 'initramfs'];
  const expected = names.reduce((n, name) => n + manifest.artifacts[name].size, WASM_SIZE_ESTIMATE);
  let received = 0;
  const tick = (n: number): void => {
    received += n;
    const mb = (x: number): string => (x / 1e6).toFixed(1);
    onProgress({ value: Math.min(0.9, (0.9 * received) / expected), text: `Downloading the Docker host (${mb(received)} of ${mb(expected)} MB)` });
  };
  tick(0);
  const [wasm, ...files] = await Promise.all([
    download(wasmUrl, tick),
    ...names.map(async (name) => {
      const data = await download(artifactUrls[name], tick);
      await verifyArtifact(manifest.artifacts[name], data);
      return [name, data] as const;
    }),
  ]);
  const artifacts: GuestArtifacts = { manifest, bios: new ArrayBuffer(0), wasm };
  for (const [name, data] of files) artifacts[name] = data;
  if (resume) {
    onProgress({ value: 0.95, text: 'Resuming your Docker host' });
    let from: ResumeFrom;
    try {
      from = await resume;
    } catch (error) {
      throw new ResumeFailedError(error, true);
    }
    try {
      const guest = await Guest.start({ ...artifacts, state: from.state }, 'restore', { resume: from.cursor, readyTimeoutMs: 60_000 });
      onProgress({ value: 1, text: 'Ready' });
      return guest;
    } catch (error) {
      throw new ResumeFailedError(error);
    }
  }
  onProgress({ value: 0.95, text: mode === 'restore' ? 'Restoring the Docker host' : 'Booting the Docker host' });
  const guest = await Guest.start(artifacts, mode);
  onProgress({ value: 1, text: 'Ready' });
  return guest;
}
