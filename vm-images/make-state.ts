// Cold-boots the freshly built guest in Node, checks that it answers, and saves the machine state that
// the page and Node restore from. Writes dist/state.bin (raw; build.sh compresses it with zstd).
// Usage: node --import tsx vm-images/make-state.ts

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Guest } from '../src/vm/guest';
import { loadV86Wasm, vmImagesDir } from '../src/node/artifacts';
import type { GuestManifest } from '../src/vm/manifest';
import { GUEST_CMDLINE, GUEST_MEMORY_SIZE } from './guest-config';

const dist = join(vmImagesDir, 'dist');
const bytes = async (name: string): Promise<ArrayBuffer> => {
  const b = await readFile(join(dist, name));
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
};

const manifest = { cmdline: GUEST_CMDLINE, memorySize: GUEST_MEMORY_SIZE } as GuestManifest;
const started = Date.now();
const guest = await Guest.start(
  {
    manifest,
    bios: await bytes('seabios.bin'),
    wasm: await loadV86Wasm(),
    kernel: await bytes('bzImage'),
    initramfs: await bytes('initramfs.cpio.gz'),
  },
  'cold',
  { onKernelLog: process.env.DOCKSIDE_DEBUG ? (byte) => process.stderr.write(Buffer.of(byte)) : undefined },
);
const bootMs = Date.now() - started;
const check = await guest.run('uname -m; cat /sys/fs/cgroup/cgroup.subtree_control');
const text = new TextDecoder().decode(check.stdout);
if (check.status !== 0 || !text.startsWith('i686')) {
  throw new Error(`the booted guest does not look right: status ${check.status}: ${text}`);
}
// Let the guest settle (timers, deferred work) before the snapshot.
await new Promise((r) => setTimeout(r, 500));
const state = await guest.saveState();
await writeFile(join(dist, 'state.bin'), new Uint8Array(state));
await guest.destroy();
console.log(`cold boot to first answer: ${bootMs} ms; state: ${state.byteLength} bytes; controllers: ${text.split('\n')[1]}`);
process.exit(0);
