// The bzip2 decompressor (ADD of .tar.bz2): a fixed stream, corrupt data, and round trips through the
// system's bzip2 when it is installed (runs, random data, several blocks, concatenated streams).

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { Bzip2Error, bunzip2, isBzip2 } from '../../src/engine/images/bzip2';
import { tool } from '../helpers/requirements';

const fixture = Uint8Array.from(atob('QlpoOTFBWSZTWRSVKSEAACfdgAAQQAAQAAQAHijIECAAUIAAAUqgA001J0TBNibkwT0npPiZJ8TBOCZJkn4u5IpwoSApKlJC'), (c) => c.charCodeAt(0));
const hasBzip2 = tool('bzip2', 'the round trips through bzip2');

describe('bunzip2', () => {
  it('decodes a stream and checks its checksums', () => {
    expect(isBzip2(fixture)).toBe(true);
    expect(new TextDecoder().decode(bunzip2(fixture))).toBe('Dockside bzip2\n'.repeat(20));
    const corrupt = fixture.slice();
    corrupt[corrupt.length - 20] ^= 0xff;
    expect(() => bunzip2(corrupt)).toThrow(Bzip2Error);
    expect(() => bunzip2(fixture.slice(0, 20))).toThrow('bzip2 data invalid');
  });

  it.skipIf(!hasBzip2)('round-trips what bzip2 writes', () => {
    const samples = [
      Buffer.from(''),
      Buffer.alloc(70000, 97),
      randomBytes(250000),
      Buffer.concat([Buffer.from('abcabcabc'.repeat(150000)), randomBytes(1000), Buffer.alloc(1000, 0)]),
    ];
    for (const sample of samples) {
      const compressed = execFileSync('bzip2', ['-c', '-1'], { input: sample });
      expect(Buffer.from(bunzip2(new Uint8Array(compressed))).equals(sample)).toBe(true);
    }
    const two = Buffer.concat([execFileSync('bzip2', ['-c'], { input: 'one\n' }), execFileSync('bzip2', ['-c'], { input: 'two\n' })]);
    expect(new TextDecoder().decode(bunzip2(new Uint8Array(two)))).toBe('one\ntwo\n');
  });
});
