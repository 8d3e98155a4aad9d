// Go's archive/tar as docker uses it: writing docker's save format and layers, reading `docker load`
// input, layers, build contexts and archives (ustar, pax and GNU long names, as real docker and GNU
// tar write them). The one tar of the project: engine, vm and cli use it.

import { concatBytes } from './bytes';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface TarEntry {
  name: string;
  /** '0' file, '5' directory, '2' symlink, '1' hard link, ... */
  type: string;
  size: number;
  mode: number;
  mtime: number;
  linkName: string;
  uid: number;
  gid: number;
  /** Device numbers of character and block devices ('3', '4'). */
  devMajor: number;
  devMinor: number;
  /** Extended attributes from pax records (SCHILY.xattr.NAME), e.g. security.capability. */
  xattrs: Map<string, string>;
  data: Uint8Array;
}

const maxOctalId = 0o7777777;

export class TarFormatError extends Error {}
const xattrPrefix = 'SCHILY.xattr.';

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

interface HeaderFields {
  uid?: number;
  gid?: number;
  devMajor?: number;
  devMinor?: number;
}

/** Whether a name fits a ustar header (100 bytes, or a prefix of up to 155 bytes cut at a slash). */
function fitsUstar(name: string): boolean {
  if (encoder.encode(name).length <= 100) return true;
  const cut = name.lastIndexOf('/', 154);
  return cut > 0 && encoder.encode(name.slice(cut + 1)).length <= 100 && encoder.encode(name.slice(0, cut)).length <= 155;
}

/** One pax record, "<length> <key>=<value>\n", its length counting its own digits. */
function paxRecord(key: string, value: Uint8Array): Uint8Array {
  const rest = concatBytes([encoder.encode(` ${key}=`), value, Uint8Array.of(0x0a)]);
  let length = rest.length + 1;
  while (length !== rest.length + String(length).length) length = rest.length + String(length).length;
  return concatBytes([encoder.encode(String(length)), rest]);
}

/** A string of one character per byte back to its bytes (xattr values). */
function stringBytes(text: string): Uint8Array {
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0) & 0xff);
}

/** A pax extended header ('x') carrying what ustar cannot hold (long names and link targets, big ids, xattrs). */
function paxHeader(name: string, records: [string, string][]): Uint8Array[] {
  const body = concatBytes(records.map(([key, value]) => paxRecord(key, key.startsWith(xattrPrefix) ? stringBytes(value) : encoder.encode(value))));
  const pad = (512 - (body.length % 512)) % 512;
  return [header(`PaxHeaders/${name.replace(/\/+$/, '').split('/').pop() ?? ''}`.slice(0, 100), 'x', body.length, 0o644, 0), body, new Uint8Array(pad)];
}

function header(name: string, type: string, size: number, mode: number, mtime: number, linkName = '', fields: HeaderFields = {}): Uint8Array {
  const block = new Uint8Array(512);
  const put = (text: string, offset: number, width: number): void => {
    block.set(encoder.encode(text).subarray(0, width), offset);
  };
  let prefix = '';
  let short = name;
  if (encoder.encode(name).length > 100) {
    const cut = name.lastIndexOf('/', 154);
    if (cut > 0 && encoder.encode(name.slice(cut + 1)).length <= 100) {
      prefix = name.slice(0, cut);
      short = name.slice(cut + 1);
    }
  }
  put(short, 0, 100);
  put(octal(mode, 8), 100, 8);
  put(octal(Math.min(fields.uid ?? 0, maxOctalId), 8), 108, 8);
  put(octal(Math.min(fields.gid ?? 0, maxOctalId), 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(mtime, 12), 136, 12);
  put('        ', 148, 8);
  put(type, 156, 1);
  put(linkName, 157, 100);
  put('ustar\0', 257, 6);
  put('00', 263, 2);
  if (type === '3' || type === '4') {
    put(octal(fields.devMajor ?? 0, 8), 329, 8);
    put(octal(fields.devMinor ?? 0, 8), 337, 8);
  }
  put(prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  put(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8);
  return block;
}

/** Builds a tar archive in memory, entry by entry. */
export class TarWriter {
  private readonly chunks: Uint8Array[] = [];

  directory(name: string, mtime = 0): void {
    this.chunks.push(header(name.endsWith('/') ? name : `${name}/`, '5', 0, 0o755, mtime));
  }

  file(name: string, data: Uint8Array | string, mtime = 0, mode = 0o644): void {
    const bytes = typeof data === 'string' ? encoder.encode(data) : data;
    this.chunks.push(header(name, '0', bytes.length, mode, mtime), bytes);
    const pad = (512 - (bytes.length % 512)) % 512;
    if (pad) this.chunks.push(new Uint8Array(pad));
  }

  symlink(name: string, target: string, mtime = 0): void {
    this.chunks.push(header(name, '2', 0, 0o777, mtime, target));
  }

  /**
   * Any entry with owner and device numbers: type '1' hard link, '3' character and '4' block device,
   * '6' FIFO, or the types above with an owner.
   */
  entry(
    name: string,
    type: string,
    options: HeaderFields & { mode?: number; mtime?: number; linkName?: string; data?: Uint8Array | string; xattrs?: ReadonlyMap<string, string> } = {},
  ): void {
    const bytes = typeof options.data === 'string' ? encoder.encode(options.data) : (options.data ?? new Uint8Array(0));
    const linkName = options.linkName ?? '';
    const records: [string, string][] = [];
    if (!fitsUstar(name)) records.push(['path', name]);
    if (encoder.encode(linkName).length > 100) records.push(['linkpath', linkName]);
    // Go's writer moves ids that do not fit 7 octal digits to pax records.
    if ((options.uid ?? 0) > maxOctalId) records.push(['uid', String(options.uid)]);
    if ((options.gid ?? 0) > maxOctalId) records.push(['gid', String(options.gid)]);
    for (const [key, value] of options.xattrs ?? []) records.push([`${xattrPrefix}${key}`, value]);
    if (records.length > 0) this.chunks.push(...paxHeader(name, records));
    this.chunks.push(header(name, type, bytes.length, options.mode ?? 0o644, options.mtime ?? 0, linkName, options), bytes);
    const pad = (512 - (bytes.length % 512)) % 512;
    if (pad) this.chunks.push(new Uint8Array(pad));
  }

  finish(): Uint8Array {
    this.chunks.push(new Uint8Array(1024));
    return concatBytes(this.chunks);
  }
}

function readString(block: Uint8Array, offset: number, width: number): string {
  const slice = block.subarray(offset, offset + width);
  const end = slice.indexOf(0);
  return decoder.decode(end === -1 ? slice : slice.subarray(0, end));
}

/** Go's ErrHeader: a header field that does not parse (an octal field with other characters, a pax number that is not one). */
function invalidHeader(): TarFormatError {
  return new TarFormatError('archive/tar: invalid tar header');
}

function readNumber(block: Uint8Array, offset: number, width: number): number {
  if (block[offset] & 0x80) {
    // GNU base-256 for large values.
    let value = 0;
    for (let i = offset + 1; i < offset + width; i++) value = value * 256 + block[i];
    return value;
  }
  const text = readString(block, offset, width).trim();
  if (text === '') return 0;
  // parseOctal: strconv.ParseUint(text, 8, 64), ErrHeader when it fails
  if (!/^[0-7]+$/.test(text)) throw invalidHeader();
  return parseInt(text, 8);
}

/** A pax record's integer (strconv.ParseInt(text, 10, 64)); ErrHeader when it is not one. */
function paxInteger(text: string): number {
  if (!/^[+-]?\d{1,19}$/.test(text)) throw invalidHeader();
  return Number(text);
}

/** A pax record's time in seconds, "1700000000.123" (parsePAXTime); ErrHeader when it is not one. */
function paxSeconds(text: string): number {
  if (!/^[+-]?\d{1,19}(\.\d*)?$/.test(text)) throw invalidHeader();
  return Math.floor(Number(text));
}

/** Bytes as a string of one character per byte (TextDecoder's 'latin1' is windows-1252 and would remap 0x80-0x9f). */
function byteString(bytes: Uint8Array): string {
  let out = '';
  for (const byte of bytes) out += String.fromCharCode(byte);
  return out;
}

/**
 * The records of a pax header, "<length> <key>=<value>\n" where the length counts bytes. Values are
 * UTF-8, except xattrs', which are raw bytes kept one character per byte (as Go's strings hold them).
 */
function parsePax(data: Uint8Array): Map<string, string> {
  const records = new Map<string, string>();
  let at = 0;
  while (at < data.length) {
    const space = data.indexOf(0x20, at);
    if (space === -1) break;
    const length = parseInt(byteString(data.subarray(at, space)), 10);
    if (!(length > 0) || at + length > data.length) break;
    const record = data.subarray(space + 1, at + length - 1);
    const equals = record.indexOf(0x3d);
    if (equals > 0) {
      const key = decoder.decode(record.subarray(0, equals));
      const value = record.subarray(equals + 1);
      const text = key.startsWith(xattrPrefix) ? byteString(value) : decoder.decode(value);
      // Sparse format 0.0 repeats offset and numbytes pairs: Go folds them into one map record.
      if (key === 'GNU.sparse.offset' || key === 'GNU.sparse.numbytes') {
        const map = records.get('GNU.sparse.map');
        records.set('GNU.sparse.map', map === undefined ? text : `${map},${text}`);
      } else records.set(key, text);
    }
    at += length;
  }
  return records;
}


const maxSparseSize = 2 ** 31 - 1;

/** Where a sparse file's stored fragments go: [offset, length] pairs, and the file's real size. */
interface SparseLayout {
  map: [number, number][];
  realSize: number;
  /** PAX sparse 1.0 keeps the map at the start of the data, in decimal lines padded to a block. */
  mapInData: boolean;
}

/** `count` old GNU sparse entries (12-byte octal offset and length each) from `offset` in a block. */
function oldGnuSparseEntries(block: Uint8Array, offset: number, count: number): [number, number][] {
  const entries: [number, number][] = [];
  for (let i = 0; i < count; i++) {
    const at = offset + i * 24;
    if (block[at] === 0) break;
    entries.push([readNumber(block, at, 12), readNumber(block, at + 12, 12)]);
  }
  return entries;
}

/** The sparse layout a pax header declares (GNU sparse formats 0.0, 0.1 and 1.0), if any. */
function paxSparse(records: Map<string, string>): SparseLayout | undefined {
  if (records.get('GNU.sparse.major') === '1' && records.get('GNU.sparse.minor') === '0') {
    return { map: [], realSize: paxInteger(records.get('GNU.sparse.realsize') ?? '0'), mapInData: true };
  }
  const map = records.get('GNU.sparse.map');
  if (map === undefined) return undefined;
  const numbers = map === '' ? [] : map.split(',').map(paxInteger);
  if (numbers.length % 2 !== 0) throw invalidHeader();
  const pairs: [number, number][] = [];
  for (let i = 0; i + 1 < numbers.length; i += 2) pairs.push([numbers[i], numbers[i + 1]]);
  return { map: pairs, realSize: paxInteger(records.get('GNU.sparse.size') ?? records.get('GNU.sparse.realsize') ?? '0'), mapInData: false };
}

/** The real file from a sparse entry's stored fragments: holes are zeros. */
function expandSparse(stored: Uint8Array, layout: SparseLayout): Uint8Array {
  let data = stored;
  let map = layout.map;
  if (layout.mapInData) {
    // "count\noffset\nlength\n..." then padding to the next block.
    const numbers: number[] = [];
    let at = 0;
    let expected = 1;
    while (numbers.length < expected) {
      const newline = data.indexOf(0x0a, at);
      if (newline < 0) throw new TarFormatError('archive/tar: invalid sparse map');
      numbers.push(paxInteger(byteString(data.subarray(at, newline))));
      at = newline + 1;
      if (numbers.length === 1) expected = 1 + 2 * numbers[0];
    }
    map = [];
    for (let i = 1; i < numbers.length; i += 2) map.push([numbers[i], numbers[i + 1]]);
    data = data.subarray(Math.ceil(at / 512) * 512);
  }
  // Go streams a sparse file; this reader holds it whole, so a size past what an array holds is refused.
  if (layout.realSize < 0 || layout.realSize > maxSparseSize) throw new TarFormatError('archive/tar: invalid sparse map');
  const out = new Uint8Array(layout.realSize);
  let from = 0;
  for (const [offset, length] of map) {
    if (offset < 0 || length < 0 || offset + length > out.length || from + length > data.length) throw new TarFormatError('archive/tar: invalid sparse map');
    out.set(data.subarray(from, from + length), offset);
    from += length;
  }
  return out;
}


/**
 * Reads a tar archive entry by entry from chunks; `keepData` decides which entries' contents are
 * collected (others are skipped without being held).
 */
export async function* readTar(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  keepData: (name: string, type: string) => boolean = () => true,
): AsyncIterable<TarEntry> {
  let buffer: Uint8Array = new Uint8Array(0);
  let pending:
    | {
        entry: Omit<TarEntry, 'data'>;
        remaining: number;
        padding: number;
        parts: Uint8Array[] | undefined;
        sparse?: SparseLayout;
        /** An old GNU sparse header continues in extension blocks before the data. */
        readingExtensions?: boolean;
      }
    | undefined;
  let longName: string | undefined;
  let longLink: string | undefined;
  let pax: Map<string, string> | undefined;
  let globalPax = new Map<string, string>();
  let ended = false;

  const take = (count: number): Uint8Array => {
    const out = buffer.subarray(0, count);
    buffer = buffer.subarray(count);
    return out;
  };

  for await (const chunk of chunks) {
    if (ended) continue;
    buffer = buffer.length === 0 ? chunk : concatBytes([buffer, chunk]);
    for (;;) {
      if (pending) {
        if (pending.readingExtensions) {
          if (buffer.length < 512) break;
          const extension = take(512);
          pending.sparse?.map.push(...oldGnuSparseEntries(extension, 0, 21));
          pending.readingExtensions = extension[504] !== 0;
          continue;
        }
        if (pending.remaining > 0) {
          if (buffer.length === 0) break;
          const part = take(Math.min(pending.remaining, buffer.length));
          pending.parts?.push(part.slice());
          pending.remaining -= part.length;
          if (pending.remaining > 0) break;
        }
        if (buffer.length < pending.padding) {
          pending.padding -= buffer.length;
          buffer = new Uint8Array(0);
          break;
        }
        take(pending.padding);
        const { entry, parts, sparse } = pending;
        pending = undefined;
        let data = parts ? concatBytes(parts) : new Uint8Array(0);
        if (sparse && parts) data = expandSparse(data, sparse);
        if (entry.type === 'L') longName = readString(data, 0, data.length);
        else if (entry.type === 'K') longLink = readString(data, 0, data.length);
        else if (entry.type === 'x') pax = parsePax(data);
        else if (entry.type === 'g') globalPax = new Map([...globalPax, ...parsePax(data)]);
        else yield { ...entry, data };
        continue;
      }
      if (buffer.length < 512) break;
      const block = take(512);
      if (block.every((byte) => byte === 0)) {
        ended = true;
        break;
      }
      let checksum = 0;
      for (let i = 0; i < 512; i++) checksum += i >= 148 && i < 156 ? 32 : block[i];
      if (checksum !== readNumber(block, 148, 8)) throw new TarFormatError('archive/tar: invalid tar header');
      const type = String.fromCharCode(block[156] || 48);
      const magic = readString(block, 257, 6);
      // Only POSIX ustar ("ustar\0") has a name prefix; GNU's "ustar  " keeps other fields there.
      const prefix = magic === 'ustar' && block[262] === 0 ? readString(block, 345, 155) : '';
      let name = prefix ? `${prefix}/${readString(block, 0, 100)}` : readString(block, 0, 100);
      let linkName = readString(block, 157, 100);
      let size = readNumber(block, 124, 12);
      let uid = readNumber(block, 108, 8);
      let gid = readNumber(block, 116, 8);
      let mtime = readNumber(block, 136, 12);
      const xattrs = new Map<string, string>();
      const meta = type === 'L' || type === 'K' || type === 'x' || type === 'g';
      let sparse: SparseLayout | undefined;
      let extended = false;
      if (type === 'S') {
        sparse = { map: oldGnuSparseEntries(block, 386, 4), realSize: readNumber(block, 483, 12), mapInData: false };
        extended = block[482] !== 0;
      }
      if (!meta) {
        const records = new Map([...globalPax, ...(pax ?? [])]);
        sparse = paxSparse(records) ?? sparse;
        name = longName ?? records.get('path') ?? name;
        linkName = longLink ?? records.get('linkpath') ?? linkName;
        if (records.has('size')) size = paxInteger(records.get('size') ?? '');
        if (records.has('uid')) uid = paxInteger(records.get('uid') ?? '');
        if (records.has('gid')) gid = paxInteger(records.get('gid') ?? '');
        if (records.has('mtime')) mtime = paxSeconds(records.get('mtime') ?? '');
        for (const [key, value] of records) if (key.startsWith(xattrPrefix)) xattrs.set(key.slice(xattrPrefix.length), value);
        longName = longLink = pax = undefined;
        if (sparse && records.has('GNU.sparse.name')) name = records.get('GNU.sparse.name') ?? name;
      }
      if (size < 0) throw invalidHeader();
      const device = magic.startsWith('ustar') && (type === '3' || type === '4');
      const entry = {
        name,
        // Go's reader hands sparse files out as regular files of their real size.
        type: type === 'S' ? '0' : type,
        size: sparse ? sparse.realSize : size,
        mode: readNumber(block, 100, 8),
        mtime,
        linkName,
        uid,
        gid,
        devMajor: device ? readNumber(block, 329, 8) : 0,
        devMinor: device ? readNumber(block, 337, 8) : 0,
        xattrs,
      };
      const hasData = type === '0' || type === '7' || type === 'S' || meta || (size > 0 && type !== '5' && type !== '1' && type !== '2');
      const length = hasData ? size : 0;
      pending = {
        entry,
        remaining: length,
        padding: (512 - (length % 512)) % 512,
        parts: meta || keepData(name, entry.type) ? [] : undefined,
        sparse,
        readingExtensions: extended,
      };
    }
  }
  if (pending && pending.remaining > 0) throw new TarFormatError('unexpected EOF');
}

/** Normalises a path inside an archive ("./x/y" → "x/y"). */
export function cleanTarName(name: string): string {
  return name.replace(/^(\.\/)+/, '').replace(/^\/+/, '');
}

/** An entry to write: a name and type, the rest as readTar returns it, all optional. */
export type TarEntryInput = Pick<TarEntry, 'name' | 'type'> & Partial<Omit<TarEntry, 'name' | 'type' | 'size' | 'data'>> & { data?: Uint8Array | string };

/** A whole archive as its entries (Go's tar.Reader read to the end). */
export async function readTarEntries(archive: Uint8Array): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  for await (const entry of readTar([archive])) entries.push(entry);
  return entries;
}

/** An archive of the entries, in order (Go's tar.Writer, then Close). */
export function writeTarEntries(entries: readonly TarEntryInput[]): Uint8Array {
  const tar = new TarWriter();
  for (const entry of entries) {
    tar.entry(entry.name, entry.type, {
      mode: entry.mode,
      mtime: entry.mtime,
      linkName: entry.linkName,
      uid: entry.uid,
      gid: entry.gid,
      devMajor: entry.devMajor,
      devMinor: entry.devMinor,
      xattrs: entry.xattrs,
      data: entry.data,
    });
  }
  return tar.finish();
}
