// The manifest of the committed guest artifacts (vm-images/manifest.json): what to load, how to
// check it, and how the saved state was made, so a restore uses the same machine it was saved from.

import { sha256Hex } from '../go/digest';

export interface ArtifactRecord {
  file: string;
  size: number;
  sha256: string;
}

export interface GuestManifest {
  /** Kernel command line used for cold boot (and so for the saved state). */
  cmdline: string;
  /** Guest RAM in bytes; a restore must use the size the state was saved with. */
  memorySize: number;
  artifacts: {
    bios: ArtifactRecord;
    kernel: ArtifactRecord;
    initramfs: ArtifactRecord;
    state: ArtifactRecord;
  };
  sources: Record<string, string>;
}

export type ArtifactName = keyof GuestManifest['artifacts'];

export class ChecksumError extends Error {
  constructor(
    readonly artifact: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`checksum mismatch for ${artifact}: expected sha256 ${expected}, got ${actual}`);
    this.name = 'ChecksumError';
  }
}

/** Throws ChecksumError unless the bytes are exactly the ones the manifest names. */
export async function verifyArtifact(record: ArtifactRecord, data: ArrayBuffer): Promise<void> {
  const actual = await sha256Hex(data);
  if (actual !== record.sha256) throw new ChecksumError(record.file, record.sha256, actual);
}
