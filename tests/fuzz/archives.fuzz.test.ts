// Fuzzing the archive readers behind `docker load`, layers, build contexts and ADD: tar (ustar, pax,
// GNU long names and sparse files), gzip, xz and bzip2. Archives are written valid, then damaged
// where it matters: a header field overwritten with a telling value and the header's checksum made
// right again (so the damage gets past the checksum to the field's parser), pax records from the
// grammar, flipped and cut compressed bytes. Every input reads or fails with the reader's own error
// (TarFormatError, XzError, Bzip2Error; gzip's are the platform's DecompressionStream errors), never
// another crash, and what is read is a well-formed entry.

import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readTarEntries, TarFormatError, writeTarEntries, type TarEntryInput } from '../../src/go/tar';
import { gunzip, gzip } from '../../src/go/gzip';
import { unxz, XzError } from '../../src/engine/images/xz';
import { bunzip2, Bzip2Error } from '../../src/engine/images/bzip2';
import { toolRuns } from '../helpers/requirements';
import { check, expectInputError } from './budget';

const encoder = new TextEncoder();

const names = fc.oneof(fc.constantFrom('a', 'dir/', 'dir/file.txt', './x', '/abs', '../up', 'é'), fc.string({ maxLength: 8 }), fc.constantFrom('n'.repeat(101), `${'d/'.repeat(60)}f`));
const paxKeys = ['path', 'linkpath', 'size', 'uid', 'gid', 'mtime', 'GNU.sparse.map', 'GNU.sparse.size', 'GNU.sparse.realsize', 'GNU.sparse.major', 'GNU.sparse.minor', 'GNU.sparse.offset', 'GNU.sparse.numbytes', 'GNU.sparse.name', 'SCHILY.xattr.user.a'];
const paxValues = ['0', '1', '-1', '5', '511', '1e20', '99999999999999999999', 'NaN', 'abc', '', '0,5', '1,2,3', '0,1000000000000', '1.5', '9007199254740993'];
const paxRecord = fc.tuple(fc.constantFrom(...paxKeys), fc.constantFrom(...paxValues), fc.integer({ min: -2, max: 2 })).map(([key, value, skew]) => {
  const body = ` ${key}=${value}\n`;
  let length = body.length + 1;
  if (String(length).length + body.length !== length) length++;
  return `${length + skew}${body}`;
});

const entry: fc.Arbitrary<TarEntryInput> = fc.oneof(
  fc.record({ name: names, type: fc.constantFrom('0', '5', '2', '1', '3', '6', '7'), data: fc.string({ maxLength: 40 }), linkName: fc.constantFrom('', 'target', 'l'.repeat(120)) }),
  fc.array(paxRecord, { minLength: 1, maxLength: 4 }).map((records) => ({ name: 'PaxHeaders/x', type: 'x', data: records.join('') })),
  fc.array(paxRecord, { minLength: 1, maxLength: 2 }).map((records) => ({ name: 'global', type: 'g', data: records.join('') })),
  fc.string({ maxLength: 120 }).map((data) => ({ name: '././@LongLink', type: fc.sample(fc.constantFrom('L', 'K'), 1)[0], data })),
);

/** Header fields (offset, width) and values that stress their parsers. */
const fields: [number, number][] = [[0, 100], [100, 8], [108, 8], [116, 8], [124, 12], [136, 12], [156, 1], [157, 100], [257, 8], [329, 8], [345, 155], [386, 24], [482, 1], [483, 12]];
const fieldValues = ['0', '777', '-1', '77777777777', '7777777777777', '9', 'zz', ' ', 'S', 'L', 'x', '5', 'ustar\u000000', 'ustar  \u0000', '\u0080\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff\u00ff', '\u0080\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0010\u0000\u0000', '\u00ff'];

interface Damage {
  block: number;
  field: number;
  value: string;
}
const damage: fc.Arbitrary<Damage> = fc.record({ block: fc.nat(), field: fc.nat({ max: fields.length - 1 }), value: fc.constantFrom(...fieldValues) });

function damaged(archive: Uint8Array, damages: readonly Damage[]): Uint8Array {
  const out = archive.slice();
  const blocks = Math.max(1, Math.floor(out.length / 512) - 2);
  for (const { block, field, value } of damages) {
    const at = (block % blocks) * 512;
    const [offset, width] = fields[field];
    for (let i = 0; i < width; i++) out[at + offset + i] = i < value.length ? value.charCodeAt(i) & 0xff : 0;
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : out[at + i];
    const text = `${sum.toString(8).padStart(6, '0')}\u0000 `;
    for (let i = 0; i < 8; i++) out[at + 148 + i] = text.charCodeAt(i);
  }
  return out;
}

async function readsCleanly(archive: Uint8Array): Promise<void> {
  let entries;
  try {
    entries = await readTarEntries(archive);
  } catch (error) {
    expectInputError(error, [TarFormatError]);
    return;
  }
  for (const read of entries) {
    const numbers = `${read.name}: size ${read.size} mode ${read.mode} uid ${read.uid} gid ${read.gid} mtime ${read.mtime}`;
    for (const value of [read.size, read.mode]) expect(Number.isInteger(value) && value >= 0, numbers).toBe(true);
    for (const value of [read.uid, read.gid, read.mtime]) expect(Number.isInteger(value), numbers).toBe(true);
    if (read.type === '0') expect(read.data.length).toBe(read.size);
  }
}

/** Corruptions of a compressed stream: bit flips, overwritten bytes, a cut. */
const corruption = fc.record({
  flips: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 7 })), { maxLength: 3 }),
  writes: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 2 }),
  cut: fc.option(fc.nat(), { nil: undefined }),
});
function corrupted(bytes: Uint8Array, { flips, writes, cut }: { flips: [number, number][]; writes: [number, number][]; cut: number | undefined }): Uint8Array {
  const out = bytes.slice(0, cut === undefined ? bytes.length : cut % (bytes.length + 1));
  if (out.length === 0) return out;
  for (const [at, bit] of flips) out[at % out.length] ^= 1 << bit;
  for (const [at, value] of writes) out[at % out.length] = value;
  return out;
}

function compressWith(tool: string, data: Uint8Array): Uint8Array | undefined {
  if (!toolRuns(tool)) return undefined;
  const result = spawnSync(tool, ['-c'], { input: data });
  return result.status === 0 ? new Uint8Array(result.stdout) : undefined;
}

const plain = encoder.encode(`${'hello dockside '.repeat(40)}${Array.from({ length: 300 }, (_, i) => String.fromCharCode(i % 256)).join('')}`);
const xzSeed = compressWith('xz', plain);
const bzip2Seed = compressWith('bzip2', plain);

describe('fuzz: archive readers', () => {
  it('tar: damaged headers and pax records read, or fail with TarFormatError', async () => {
    await check(
      'tar',
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 4 }), fc.array(damage, { maxLength: 3 }), async (entries, damages) => {
        await readsCleanly(damaged(writeTarEntries(entries), damages));
      }),
      500,
    );
  });

  it('tar: arbitrary bytes and cut archives', async () => {
    await check(
      'tar-bytes',
      fc.asyncProperty(fc.array(entry, { minLength: 1, maxLength: 3 }), corruption, async (entries, corrupt) => {
        await readsCleanly(corrupted(writeTarEntries(entries), corrupt));
      }),
      500,
    );
  });

  it('gzip: corrupt streams decompress or fail', async () => {
    const seed = await gzip(plain);
    await check(
      'gzip',
      fc.asyncProperty(corruption, async (corrupt) => {
        try {
          await gunzip(corrupted(seed, corrupt));
        } catch (error) {
          // DecompressionStream rejects with the platform's zlib errors ("incorrect header check", "unexpected end of file")
          expect(error).toBeInstanceOf(Error);
        }
      }),
      300,
    );
  });

  it.skipIf(!xzSeed)('xz: corrupt streams decompress or fail with XzError', async () => {
    await check(
      'xz',
      fc.property(corruption, (corrupt) => {
        try {
          unxz(corrupted(xzSeed as Uint8Array, corrupt));
        } catch (error) {
          expectInputError(error, [XzError]);
        }
      }),
      1000,
    );
  });

  it.skipIf(!bzip2Seed)('bzip2: corrupt streams decompress or fail with Bzip2Error', async () => {
    await check(
      'bzip2',
      fc.property(corruption, (corrupt) => {
        try {
          bunzip2(corrupted(bzip2Seed as Uint8Array, corrupt));
        } catch (error) {
          expectInputError(error, [Bzip2Error]);
        }
      }),
      1000,
    );
  });
});
