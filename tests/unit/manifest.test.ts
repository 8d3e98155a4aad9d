import { describe, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ChecksumError, verifyArtifact } from '../../src/vm/manifest';
import { sha256Hex } from '../../src/go/digest';
import { readManifest, vmImagesDir } from '../../src/node/artifacts';

describe('manifest', () => {
  it('computes sha256 like everyone else', async () => {
    expect(await sha256Hex(new TextEncoder().encode('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });

  it('matches every committed artifact', async () => {
    const manifest = await readManifest();
    for (const record of Object.values(manifest.artifacts)) {
      const bytes = await readFile(join(vmImagesDir, 'dist', record.file));
      expect(bytes.length, record.file).toBe(record.size);
      await verifyArtifact(record, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer);
    }
  });

  it('refuses a single flipped bit', async () => {
    const data = new TextEncoder().encode('kernel bytes');
    const record = { file: 'bzImage', size: data.length, sha256: await sha256Hex(data) };
    data[3] ^= 1;
    await expect(verifyArtifact(record, data.buffer)).rejects.toBeInstanceOf(ChecksumError);
  });
});
