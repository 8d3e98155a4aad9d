// A saved machine and its engine store in one file (`dockside sh --state FILE`):
//   "DOCKSIDE-PAIR 1\n"
//   u32 LE length of the header, then the header: JSON { cursor, metadata, blobs: [{digest, size}],
//     state: { encoding: 'gzip', size } }
//   the blobs' bytes, one after another in the header's order
//   the v86 state, gzip-compressed (level 1: about half the size, and zlib runs off the main thread)
// Written to a temporary file in the same directory, flushed, then renamed over FILE: a process killed
// at any moment leaves the old pair or the new one, never a mixture.

import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzip, gzip, constants } from 'node:zlib';
import { parseDigest, type Digest } from '../go/digest';
import type { JsonValue } from '../engine/store';
import type { MachinePair } from '../app/machine-pair';
import type { GuestCursor } from '../vm/guest';

const MAGIC = 'DOCKSIDE-PAIR 1\n';
const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

interface Header {
  cursor: GuestCursor;
  metadata: [string, JsonValue][];
  blobs: { digest: string; size: number }[];
  state: { encoding: 'gzip'; size: number };
}

export async function writeStateFile(path: string, pair: MachinePair): Promise<void> {
  const state = await gzipAsync(new Uint8Array(pair.state), { level: constants.Z_BEST_SPEED });
  const header: Header = {
    cursor: pair.cursor,
    metadata: pair.store.metadata,
    blobs: pair.store.blobs.map((blob) => ({ digest: blob.digest, size: blob.bytes.byteLength })),
    state: { encoding: 'gzip', size: state.byteLength },
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(headerBytes.byteLength);
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(temp, 'wx');
  try {
    await handle.write(Buffer.from(MAGIC, 'latin1'));
    await handle.write(length);
    await handle.write(headerBytes);
    for (const blob of pair.store.blobs) await handle.write(blob.bytes);
    await handle.write(state);
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

export class StateFileError extends Error {
  constructor(path: string, reason: string) {
    super(`${path}: not a saved Dockside machine (${reason})`);
    this.name = 'StateFileError';
  }
}

export async function readStateFile(path: string): Promise<MachinePair> {
  const bytes = await readFile(path);
  if (bytes.subarray(0, MAGIC.length).toString('latin1') !== MAGIC) throw new StateFileError(path, 'bad magic');
  let offset = MAGIC.length;
  if (bytes.byteLength < offset + 4) throw new StateFileError(path, 'truncated');
  const headerLength = bytes.readUInt32LE(offset);
  offset += 4;
  let header: Header;
  try {
    header = JSON.parse(bytes.subarray(offset, offset + headerLength).toString('utf8')) as Header;
  } catch {
    throw new StateFileError(path, 'unreadable header');
  }
  offset += headerLength;
  const blobs: { digest: Digest; bytes: Uint8Array }[] = [];
  for (const blob of header.blobs) {
    if (offset + blob.size > bytes.byteLength) throw new StateFileError(path, 'truncated');
    // The store verifies each blob against its digest when it is loaded.
    blobs.push({ digest: parseDigest(blob.digest), bytes: new Uint8Array(bytes.subarray(offset, offset + blob.size)) });
    offset += blob.size;
  }
  if (header.state.encoding !== 'gzip' || offset + header.state.size !== bytes.byteLength) throw new StateFileError(path, 'truncated');
  const state = await gunzipAsync(bytes.subarray(offset));
  return {
    state: state.buffer.slice(state.byteOffset, state.byteOffset + state.byteLength) as ArrayBuffer,
    cursor: header.cursor,
    store: { metadata: header.metadata, blobs },
  };
}
