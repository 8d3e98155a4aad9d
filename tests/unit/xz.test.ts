// The xz decompressor (ADD of .tar.xz): round trips through the system's xz (presets, CRC32, CRC64,
// SHA-256 and no check, several blocks, concatenated streams, data with and without repeats) and errors.

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { XzError, isXz, unxz } from '../../src/engine/images/xz';
import { tool } from '../helpers/requirements';

const hasXz = tool('xz', 'the round trips through xz');

function text(size: number): Buffer {
  const words = ['docker', 'build', 'layer', 'image', 'container', 'RUN', 'COPY', '\n', ' ', 'FROM busybox'];
  let out = '';
  let seed = 7;
  while (out.length < size) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    out += words[seed % words.length];
  }
  return Buffer.from(out.slice(0, size));
}

describe.skipIf(!hasXz)('unxz', () => {
  it('round-trips what xz writes', () => {
    const samples = [Buffer.from(''), Buffer.from('hello\n'), Buffer.alloc(100000, 120), randomBytes(70000), text(300000), Buffer.concat([text(50000), randomBytes(5000), text(50000)])];
    for (const sample of samples) {
      for (const args of [['-c'], ['-c', '-9e'], ['-c', '-0', '--check=crc32'], ['-c', '--check=sha256'], ['-c', '--check=none']]) {
        const compressed = new Uint8Array(execFileSync('xz', args, { input: sample }));
        expect(isXz(compressed)).toBe(true);
        expect(Buffer.from(unxz(compressed)).equals(sample)).toBe(true);
      }
    }
    const blocks = new Uint8Array(execFileSync('xz', ['-c', '--block-size=20000'], { input: text(100000) }));
    expect(Buffer.from(unxz(blocks)).equals(text(100000))).toBe(true);
    const two = new Uint8Array(Buffer.concat([execFileSync('xz', ['-c'], { input: 'one\n' }), execFileSync('xz', ['-c'], { input: 'two\n' })]));
    expect(new TextDecoder().decode(unxz(two))).toBe('one\ntwo\n');
  });

  it('refuses corrupt data and other filters', () => {
    const good = new Uint8Array(execFileSync('xz', ['-c', '--check=crc32'], { input: text(10000) }));
    const bad = good.slice();
    bad[Math.floor(bad.length / 2)] ^= 0x55;
    expect(() => unxz(bad)).toThrow(XzError);
    expect(() => unxz(good.slice(0, 40))).toThrow(XzError);
    const footer = good.slice();
    footer[footer.length - 6] ^= 1;
    expect(() => unxz(footer)).toThrow('xz: corrupt stream footer');
    const x86 = new Uint8Array(execFileSync('xz', ['-c', '--x86', '--lzma2'], { input: text(1000) }));
    expect(() => unxz(x86)).toThrow('xz: filter 0x4 is not supported (only LZMA2)');
  });
});
