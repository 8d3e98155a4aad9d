// opencontainers/go-digest: content digests as OCI and docker write them, `<algorithm>:<lowercase
// hex>`, incremental hashing, and the one sha256 of the project (engine, vm and app use this module).
//
// Hashing uses @noble/hashes: audited, no dependencies, the same code in Node and browsers, and,
// unlike WebCrypto's digest(), incremental (a layer is hashed as its chunks arrive, never held whole).
// Bytes already whole in memory go through WebCrypto (sha256Hex): about 8 times faster on 16 MB.

import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

export type DigestAlgorithm = 'sha256' | 'sha384' | 'sha512';
/** `sha256:<64 hex>` (or sha384/sha512); always validated by parseDigest before it is trusted. */
export type Digest = `${DigestAlgorithm}:${string}`;

const hexLength: Record<DigestAlgorithm, number> = { sha256: 64, sha384: 96, sha512: 128 };
const hashers = { sha256, sha384, sha512 };

/** The general shape of a digest (go-digest's DigestRegexp), whether or not we can compute it. */
const anyDigestPattern = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

/** go-digest's error texts, which docker prints unchanged. */
export const digestErrors = {
  invalidFormat: 'invalid checksum digest format',
  invalidLength: 'invalid checksum digest length',
  unsupported: 'unsupported digest algorithm',
} as const;

export class InvalidDigestError extends Error {
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message);
    this.name = 'InvalidDigestError';
  }
}

function isAlgorithm(name: string): name is DigestAlgorithm {
  return Object.hasOwn(hexLength, name);
}

/** Validates a digest string as go-digest's Digest.Validate does, with the same error texts. */
export function parseDigest(input: string): Digest {
  const separator = input.indexOf(':');
  if (separator <= 0 || separator + 1 === input.length) throw new InvalidDigestError(digestErrors.invalidFormat, input);
  const algorithm = input.slice(0, separator);
  const encoded = input.slice(separator + 1);
  if (!isAlgorithm(algorithm)) {
    const message = anyDigestPattern.test(input) ? digestErrors.unsupported : digestErrors.invalidFormat;
    throw new InvalidDigestError(message, input);
  }
  if (encoded.length !== hexLength[algorithm]) throw new InvalidDigestError(digestErrors.invalidLength, input);
  if (!/^[a-f0-9]+$/.test(encoded)) throw new InvalidDigestError(digestErrors.invalidFormat, input);
  return input as Digest;
}

export function isDigest(input: string): input is Digest {
  try {
    parseDigest(input);
    return true;
  } catch {
    return false;
  }
}

export function digestAlgorithm(digest: Digest): DigestAlgorithm {
  return digest.slice(0, digest.indexOf(':')) as DigestAlgorithm;
}

/** The hex part of a digest (what docker shows, cut to 12 characters, as an image id). */
export function digestHex(digest: Digest): string {
  return digest.slice(digest.indexOf(':') + 1);
}

/** The 12-character short form docker prints (stringid.TruncateID): without the algorithm. */
export function shortId(idOrDigest: string): string {
  const separator = idOrDigest.indexOf(':');
  return idOrDigest.slice(separator + 1, separator + 1 + 12);
}

const textEncoder = new TextEncoder();

/** Incremental digest: feed chunks with update(), read the result once with digest(). */
export class Hasher {
  private readonly state;
  private finished: Digest | undefined;
  private byteCount = 0;

  constructor(readonly algorithm: DigestAlgorithm = 'sha256') {
    this.state = hashers[algorithm].create();
  }

  update(chunk: Uint8Array): this {
    if (this.finished) throw new Error('Hasher: update() after digest()');
    this.state.update(chunk);
    this.byteCount += chunk.byteLength;
    return this;
  }

  /** Bytes fed so far. */
  get size(): number {
    return this.byteCount;
  }

  digest(): Digest {
    this.finished ??= `${this.algorithm}:${bytesToHex(this.state.digest())}`;
    return this.finished;
  }
}

/** The digest of some bytes (or of a string's UTF-8 encoding). */
export function digestOf(data: Uint8Array | string, algorithm: DigestAlgorithm = 'sha256'): Digest {
  const bytes = typeof data === 'string' ? textEncoder.encode(data) : data;
  return new Hasher(algorithm).update(bytes).digest();
}

/** The digest and size of a stream, consumed to its end. */
export async function digestOfStream(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  algorithm: DigestAlgorithm = 'sha256',
): Promise<{ digest: Digest; size: number }> {
  const hasher = new Hasher(algorithm);
  for await (const chunk of chunks) hasher.update(chunk);
  return { digest: hasher.digest(), size: hasher.size };
}

/**
 * The chain id of a layer stack (the OCI image spec's ChainID): the first layer's is its diff id,
 * each next one is sha256 of "<parent chain id> <diff id>". Layers are shared by chain id, so the
 * same diff on a different base is a different layer.
 */
export function chainIds(diffIds: readonly Digest[]): Digest[] {
  const result: Digest[] = [];
  for (const diffId of diffIds) {
    const parent = result.at(-1);
    result.push(parent === undefined ? diffId : digestOf(`${parent} ${diffId}`));
  }
  return result;
}

export function chainId(diffIds: readonly Digest[]): Digest | undefined {
  return chainIds(diffIds).at(-1);
}

/** The sha256 of bytes already in memory, as lowercase hex, computed by WebCrypto off the JS thread. */
export async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const view = data instanceof Uint8Array ? data : new Uint8Array(data);
  const digest = await globalThis.crypto.subtle.digest('SHA-256', view as Uint8Array<ArrayBuffer>);
  return bytesToHex(new Uint8Array(digest));
}
