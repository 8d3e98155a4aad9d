// The one tar (src/go/tar.ts): its writer and reader agree on what ustar alone cannot hold (long names
// and link targets in pax records, owners, device numbers), pax records count bytes, and it reads
// what GNU tar writes in each of its formats, sparse files included.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { link, mkdir, mkdtemp, open, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TarWriter, readTar, type TarEntry } from '../../src/go/tar';

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

describe('readTar and pax records', () => {
  /** A pax header ('x') with the given records, then a ustar header for `name`, then the end. */
  function paxTar(records: Uint8Array, name: string): Uint8Array {
    const tar = new TarWriter();
    tar.entry(name, '0', { data: 'x' });
    const body = tar.finish();
    const block = (type: string, size: number): Uint8Array => {
      const header = new Uint8Array(512);
      header.set(new TextEncoder().encode('PaxHeaders/x'), 0);
      header.set(new TextEncoder().encode('0000644\0'), 100);
      header.set(new TextEncoder().encode(`${size.toString(8).padStart(11, '0')}\0`), 124);
      header.set(new TextEncoder().encode('00000000000\0'), 136);
      header[156] = type.charCodeAt(0);
      header.set(new TextEncoder().encode('ustar\x0000'), 257);
      let sum = 0;
      for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
      header.set(new TextEncoder().encode(`${sum.toString(8).padStart(6, '0')}\0 `), 148);
      return header;
    };
    const padded = new Uint8Array(Math.ceil(records.length / 512) * 512);
    padded.set(records);
    const out = new Uint8Array(512 + padded.length + body.length);
    out.set(block('x', records.length), 0);
    out.set(padded, 512);
    out.set(body, 512 + padded.length);
    return out;
  }
  const record = (key: string, value: Uint8Array): Uint8Array => {
    const rest = new Uint8Array([...new TextEncoder().encode(` ${key}=`), ...value, 0x0a]);
    let length = rest.length + 1;
    while (length !== rest.length + String(length).length) length = rest.length + String(length).length;
    return new Uint8Array([...new TextEncoder().encode(String(length)), ...rest]);
  };

  it('counts record lengths in bytes (a UTF-8 path), keeps xattr values as bytes and applies mtime', async () => {
    const capability = Uint8Array.of(0x01, 0x00, 0x00, 0x02, 0x80, 0x9f, 0xff, 0x00);
    const records = new Uint8Array([
      ...record('path', new TextEncoder().encode('ünïcødé-名前.txt')),
      ...record('SCHILY.xattr.security.capability', capability),
      ...record('mtime', new TextEncoder().encode('4070919845.123456789')),
    ]);
    const [entry] = await entries(paxTar(records, 'short'));
    expect(entry.name).toBe('ünïcødé-名前.txt');
    expect(Array.from(entry.xattrs.get('security.capability') ?? '', (c) => c.charCodeAt(0))).toEqual(Array.from(capability));
    expect(entry.mtime).toBe(4070919845);
  });
});

describe('readTar against GNU tar', () => {
  // The archives GNU tar writes in each of its formats, read back entry by entry.
  const long = `${'a'.repeat(90)}/${'b'.repeat(90)}/${'n'.repeat(60)}`;
  const target = 't'.repeat(160);
  let dir = '';

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dockside-gnutar-'));
    const src = join(dir, 'src');
    await mkdir(join(src, long.slice(0, long.lastIndexOf('/'))), { recursive: true });
    await writeFile(join(src, long), 'deep');
    await writeFile(join(src, 'ünïcødé-名前.txt'), 'u');
    await symlink(target, join(src, 'longlink'));
    await writeFile(join(src, 'file'), 'hello\n');
    await link(join(src, 'file'), join(src, 'hard'));
    // A sparse file: 3 bytes after a 5 MiB hole.
    const handle = await open(join(src, 'sparse'), 'w');
    await handle.write('end', 5 * 1024 * 1024);
    await handle.close();
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['gnu', []],
    ['oldgnu', []],
    ['pax', []],
    ['gnu', ['--sparse']],
    ['pax', ['--sparse', '--sparse-version=0.0']],
    ['pax', ['--sparse', '--sparse-version=0.1']],
    ['pax', ['--sparse', '--sparse-version=1.0']],
  ])('--format=%s %j', async (format, extra) => {
    const archive = join(dir, `${format}${extra.join('')}.tar`);
    execFileSync('tar', [`--format=${format}`, ...extra, '--sort=name', '-cf', archive, '-C', join(dir, 'src'), '.'], { stdio: 'pipe' });
    const read = await entries(new Uint8Array(readFileSync(archive)));
    const byName = new Map(read.map((entry) => [entry.name.replace(/^\.\//, '').replace(/\/$/, ''), entry]));
    const text = (name: string) => new TextDecoder().decode(byName.get(name)?.data);
    expect(text(long)).toBe('deep');
    expect(text('ünïcødé-名前.txt')).toBe('u');
    expect(text('file')).toBe('hello\n');
    expect([byName.get('hard')?.type, byName.get('hard')?.linkName.replace(/^\.\//, '')]).toEqual(['1', 'file']);
    expect([byName.get('longlink')?.type, byName.get('longlink')?.linkName]).toEqual(['2', target]);
    const sparse = byName.get('sparse');
    expect([sparse?.type, sparse?.size, sparse?.data.length]).toEqual(['0', 5 * 1024 * 1024 + 3, 5 * 1024 * 1024 + 3]);
    expect(new TextDecoder().decode(sparse?.data.subarray(-3))).toBe('end');
    expect(sparse?.data.subarray(0, 5 * 1024 * 1024).every((byte) => byte === 0)).toBe(true);
  });
});
