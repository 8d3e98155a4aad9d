// The engine's tar writer and reader agree on what ustar alone cannot hold: long names and link
// targets (pax records), owners and device numbers.

import { describe, expect, it } from 'vitest';
import { TarWriter, readTar, type TarEntry } from '../../src/engine/images/tar';

async function entries(tar: Uint8Array): Promise<TarEntry[]> {
  const out: TarEntry[] = [];
  for await (const entry of readTar([tar])) out.push(entry);
  return out;
}

describe('TarWriter.entry and readTar', () => {
  it('round-trips long names, long link targets, owners and devices', async () => {
    const long = `./sub/${'l'.repeat(120)}`;
    const deep = `${'d'.repeat(90)}/${'e'.repeat(90)}/${'f'.repeat(90)}`;
    const tar = new TarWriter();
    tar.entry(long, '0', { data: 'a long name\n', mode: 0o640, uid: 1000, gid: 100, mtime: 1_700_000_000 });
    tar.entry(deep, '2', { linkName: `../${'t'.repeat(150)}`, mode: 0o777 });
    tar.entry('./hard', '1', { linkName: long });
    tar.entry('dev/null', '3', { mode: 0o666, devMajor: 1, devMinor: 3 });
    const read = await entries(tar.finish());
    expect(read.map((e) => [e.name, e.type, e.linkName])).toEqual([
      [long, '0', ''],
      [deep, '2', `../${'t'.repeat(150)}`],
      ['./hard', '1', long],
      ['dev/null', '3', ''],
    ]);
    expect(new TextDecoder().decode(read[0].data)).toBe('a long name\n');
    expect([read[0].mode, read[0].uid, read[0].gid, read[0].mtime]).toEqual([0o640, 1000, 100, 1_700_000_000]);
    expect([read[3].devMajor, read[3].devMinor]).toEqual([1, 3]);
  });
});
