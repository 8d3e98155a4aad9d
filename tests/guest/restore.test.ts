// The fast restore (src/vm/emulator.ts zeroes only the first MiB before unpacking the saved memory)
// must give the same machine as v86's own restore, which zeroes all of it first.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { EmulatorHandle } from '../../src/vm/emulator';
import { loadGuestArtifacts } from '../../src/node/artifacts';
import { sh, startGuest } from '../helpers/guest';

async function restoredMemoryDigest(zeroAllMemoryOnRestore: boolean): Promise<string> {
  const artifacts = await loadGuestArtifacts('restore');
  const emulator = new EmulatorHandle({
    bios: artifacts.bios,
    wasm: artifacts.wasm,
    memorySize: artifacts.manifest.memorySize,
    state: artifacts.state,
    autostart: false,
    zeroAllMemoryOnRestore,
  });
  await emulator.loaded;
  const digest = createHash('sha256').update(emulator.guestMemory().subarray(0)).digest('hex');
  await emulator.destroy();
  return digest;
}

describe('restore', () => {
  it('gives guest memory identical to v86 zeroing all memory first', async () => {
    const fast = await restoredMemoryDigest(false);
    const reference = await restoredMemoryDigest(true);
    expect(fast).toBe(reference);
    expect(fast).not.toBe(createHash('sha256').update(new Uint8Array(256 * 1024 * 1024)).digest('hex'));
  });
});

describe('a restored guest', () => {
  it("has the host's time, not the time the state was saved", async () => {
    const guest = await startGuest('restore');
    try {
      const result = await sh(guest, 'date -u +%s');
      expect(result.status).toBe(0);
      const guestSeconds = Number(result.stdout.trim());
      // The saved state is days old; a guest started from it now reads within a minute of the host.
      expect(Math.abs(guestSeconds - Date.now() / 1000)).toBeLessThan(60);
    } finally {
      await guest.destroy();
    }
  });
});
