// Digests: docker's text form and errors, incremental hashing that matches one-shot hashing (and
// Node's own sha256), and the OCI chain id.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { chainId, chainIds, digestHex, digestOf, digestOfStream, Hasher, isDigest, parseDigest, shortId, type Digest } from '../../src/go/digest';

describe('digests', () => {
  it('hashes as sha256 does', () => {
    expect(digestOf('')).toBe('sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(digestOf('abc')).toBe('sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(digestOf('abc', 'sha512')).toBe(`sha512:${createHash('sha512').update('abc').digest('hex')}`);
  });

  it('hashes chunk by chunk to the same digest as at once', async () => {
    const bytes = new Uint8Array(1_000_003).map((_, index) => (index * 31 + 7) & 0xff);
    const expected = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    expect(digestOf(bytes)).toBe(expected);
    async function* chunks(): AsyncIterable<Uint8Array> {
      for (let offset = 0; offset < bytes.length; offset += 65_537) yield bytes.subarray(offset, offset + 65_537);
    }
    expect(await digestOfStream(chunks())).toEqual({ digest: expected, size: bytes.length });
    const hasher = new Hasher();
    hasher.update(bytes.subarray(0, 10)).update(bytes.subarray(10));
    expect(hasher.digest()).toBe(expected);
    expect(hasher.digest()).toBe(expected);
    expect(() => hasher.update(bytes)).toThrow('update() after digest()');
  });

  it("validates with go-digest's rules and messages", () => {
    const hex = 'a'.repeat(64);
    expect(parseDigest(`sha256:${hex}`)).toBe(`sha256:${hex}`);
    expect(isDigest(`sha512:${'b'.repeat(128)}`)).toBe(true);
    expect(() => parseDigest(hex)).toThrow('invalid checksum digest format');
    expect(() => parseDigest('sha256:')).toThrow('invalid checksum digest format');
    expect(() => parseDigest(':abc')).toThrow('invalid checksum digest format');
    expect(() => parseDigest('sha256:abc')).toThrow('invalid checksum digest length');
    expect(() => parseDigest(`sha256:${'A'.repeat(64)}`)).toThrow('invalid checksum digest format');
    expect(() => parseDigest(`md5:${hex}`)).toThrow('unsupported digest algorithm');
    expect(() => parseDigest(`MD5:${hex}`)).toThrow('invalid checksum digest format');
  });

  it('shortens ids as docker prints them', () => {
    const digest = digestOf('x');
    expect(digestHex(digest)).toHaveLength(64);
    expect(shortId(digest)).toBe(digestHex(digest).slice(0, 12));
    expect(shortId('0123456789abcdef0123')).toBe('0123456789ab');
  });

  it('computes chain ids as the OCI image spec defines them', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((text) => digestOf(text)) as [Digest, Digest, Digest];
    const ab = digestOf(`${a} ${b}`);
    expect(chainIds([a, b, c])).toEqual([a, ab, digestOf(`${ab} ${c}`)]);
    expect(chainId([a])).toBe(a);
    expect(chainId([])).toBeUndefined();
  });
});
