// Layer diffs: a layer (gzip or plain tar) hashed and measured in one pass. The tar and gzip
// themselves are src/go's.

import { Hasher, type Digest } from '../../go/digest';
import { concatBytes } from '../../go/bytes';
import { readTar } from '../../go/tar';
import { gunzipChunks, isGzip } from '../../go/gzip';


const encoder = new TextEncoder();

export interface LayerDiff {
  /** sha256 of the uncompressed tar: the layer's diff id. */
  diffId: Digest;
  /** Bytes of the uncompressed tar. */
  tarSize: number;
  /** What docker reports as the layer's size: the bytes of its files and symlinks. */
  size: number;
  /** The uncompressed tar, when asked for (saves a second gunzip when it is unpacked next). */
  tar?: Uint8Array;
}

/** Hashes and measures a layer (gzip or plain tar) in one pass. */
export async function measureLayer(bytes: Uint8Array, hash = true, keepTar = false): Promise<LayerDiff> {
  const hasher = new Hasher();
  let tarSize = 0;
  const kept: Uint8Array[] = [];
  const gzipped = isGzip(bytes);
  async function* tee(): AsyncIterable<Uint8Array> {
    const source = gzipped ? gunzipChunks(bytes) : [bytes];
    for await (const chunk of source) {
      if (hash) hasher.update(chunk);
      if (keepTar && gzipped) kept.push(chunk);
      tarSize += chunk.length;
      yield chunk;
    }
  }
  let size = 0;
  for await (const entry of readTar(tee(), () => false)) {
    if (entry.type === '0' || entry.type === '7') size += entry.size;
    else if (entry.type === '2') size += encoder.encode(entry.linkName).length;
  }
  const diff: LayerDiff = { diffId: hash ? hasher.digest() : ('sha256:' as Digest), tarSize, size };
  if (keepTar) diff.tar = gzipped ? concatBytes(kept) : bytes;
  return diff;
}
