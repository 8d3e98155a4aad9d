// archive/tar's ErrHeader for fields that do not parse, found by tests/fuzz/archives.fuzz.test.ts:
// a pax size, uid or mtime that is not a number, an octal field with other characters, a negative
// size, and a GNU sparse map that is not numbers (which crashed with RangeError) or too large.

import { describe, expect, it } from 'vitest';
import { readTarEntries, TarFormatError, writeTarEntries, type TarEntryInput } from '../../src/go/tar';

/** A pax header with `records` before a file "f" holding "hi". */
function withPax(records: Record<string, string>): Uint8Array {
  const text = Object.entries(records)
    .map(([key, value]) => {
      const body = ` ${key}=${value}\n`;
      let length = body.length + 1;
      if (String(length).length + body.length !== length) length++;
      return `${length}${body}`;
    })
    .join('');
  const entries: TarEntryInput[] = [{ name: 'PaxHeaders/f', type: 'x', data: text }, { name: 'f', type: '0', data: 'hi' }];
  return writeTarEntries(entries);
}

/** The archive with `value` written into a header field of the first block, checksum fixed. */
function withField(archive: Uint8Array, offset: number, width: number, value: string): Uint8Array {
  const out = archive.slice();
  for (let i = 0; i < width; i++) out[offset + i] = i < value.length ? value.charCodeAt(i) : 0;
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : out[i];
  const text = `${sum.toString(8).padStart(6, '0')}\0 `;
  for (let i = 0; i < 8; i++) out[148 + i] = text.charCodeAt(i);
  return out;
}

const invalid = 'archive/tar: invalid tar header';

describe('readTar refuses headers Go refuses', () => {
  it('pax numbers that are not numbers', async () => {
    await expect(readTarEntries(withPax({ size: '0,1000000000000' }))).rejects.toThrow(new TarFormatError(invalid));
    await expect(readTarEntries(withPax({ uid: 'abc' }))).rejects.toThrow(invalid);
    await expect(readTarEntries(withPax({ mtime: 'NaN' }))).rejects.toThrow(invalid);
    await expect(readTarEntries(withPax({ size: '-1' }))).rejects.toThrow(invalid);
    const [entry] = await readTarEntries(withPax({ mtime: '1700000000.75', uid: '+7' }));
    expect([entry.mtime, entry.uid, new TextDecoder().decode(entry.data)]).toEqual([1700000000, 7, 'hi']);
  });

  it('a GNU sparse map that is not numbers, odd or too large (was RangeError: offset is out of bounds)', async () => {
    await expect(readTarEntries(withPax({ 'GNU.sparse.map': '1.5', 'GNU.sparse.size': '4' }))).rejects.toThrow(invalid);
    await expect(readTarEntries(withPax({ 'GNU.sparse.map': '0,1,2', 'GNU.sparse.size': '4' }))).rejects.toThrow(invalid);
    await expect(readTarEntries(withPax({ 'GNU.sparse.map': '0,2', 'GNU.sparse.size': '1000000000000' }))).rejects.toThrow('archive/tar: invalid sparse map');
    const [entry] = await readTarEntries(withPax({ 'GNU.sparse.map': '2,2', 'GNU.sparse.size': '5' }));
    expect([...entry.data]).toEqual([0, 0, 0x68, 0x69, 0]);
  });

  it('octal header fields with other characters', async () => {
    const archive = writeTarEntries([{ name: 'f', type: '0', data: 'hi' }]);
    await expect(readTarEntries(withField(archive, 124, 12, '9'))).rejects.toThrow(invalid);
    await expect(readTarEntries(withField(archive, 100, 8, '-1'))).rejects.toThrow(invalid);
    const [entry] = await readTarEntries(withField(archive, 108, 8, ' 17 '));
    expect(entry.uid).toBe(0o17);
  });
});
