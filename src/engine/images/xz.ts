// An xz decompressor for ADD of .tar.xz archives: the .xz container (stream header, blocks, index,
// footer, concatenated streams) with the LZMA2 filter that xz uses by default. CRC32 checks are
// verified; CRC64 and SHA-256 checks are skipped (their data is still read). Other filters (BCJ,
// delta) are refused with a clear error.

export class XzError extends Error {
  override name = 'XzError';
}

const crc32Table = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[i] = c >>> 0;
  }
  return table;
})();

function crc32(data: Uint8Array, start: number, end: number): number {
  let crc = 0xffffffff;
  for (let i = start; i < end; i++) crc = crc32Table[(crc ^ data[i]) & 0xff] ^ (crc >>> 8);
  return ~crc >>> 0;
}

function readUint32LE(data: Uint8Array, at: number): number {
  return (data[at] | (data[at + 1] << 8) | (data[at + 2] << 16) | (data[at + 3] << 24)) >>> 0;
}

export function isXz(bytes: Uint8Array): boolean {
  return bytes.length >= 6 && bytes[0] === 0xfd && bytes[1] === 0x37 && bytes[2] === 0x7a && bytes[3] === 0x58 && bytes[4] === 0x5a && bytes[5] === 0x00;
}

/** A growing output buffer that is also the LZMA dictionary. */
class Output {
  buffer = new Uint8Array(1 << 16);
  length = 0;

  private grow(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  push(byte: number): void {
    this.grow(1);
    this.buffer[this.length++] = byte;
  }

  append(bytes: Uint8Array): void {
    this.grow(bytes.length);
    this.buffer.set(bytes, this.length);
    this.length += bytes.length;
  }

  copyMatch(distance: number, length: number): void {
    this.grow(length);
    for (let i = 0; i < length; i++) {
      this.buffer[this.length] = this.buffer[this.length - distance];
      this.length++;
    }
  }

  byteBack(distance: number): number {
    return this.buffer[this.length - distance];
  }
}

class RangeDecoder {
  private range = 0xffffffff;
  private code = 0;
  private at: number;

  constructor(
    private readonly data: Uint8Array,
    start: number,
    private readonly end: number,
  ) {
    this.at = start;
    if (this.next() !== 0) throw new XzError('xz: corrupt LZMA data (range coder)');
    for (let i = 0; i < 4; i++) this.code = ((this.code << 8) | this.next()) >>> 0;
  }

  private next(): number {
    if (this.at >= this.end) throw new XzError('xz: unexpected end of LZMA data');
    return this.data[this.at++];
  }

  private normalize(): void {
    if (this.range < 0x1000000) {
      this.range = (this.range << 8) >>> 0;
      this.code = ((this.code << 8) | this.next()) >>> 0;
    }
  }

  bit(probs: Uint16Array, index: number): number {
    const prob = probs[index];
    const bound = (this.range >>> 11) * prob;
    let bit: number;
    if (this.code < bound) {
      this.range = bound;
      probs[index] = prob + ((2048 - prob) >>> 5);
      bit = 0;
    } else {
      this.range -= bound;
      this.code -= bound;
      probs[index] = prob - (prob >>> 5);
      bit = 1;
    }
    this.normalize();
    return bit;
  }

  direct(count: number): number {
    let result = 0;
    for (let i = 0; i < count; i++) {
      this.range >>>= 1;
      let bit = 0;
      if (this.code >= this.range) {
        this.code -= this.range;
        bit = 1;
      }
      result = ((result << 1) | bit) >>> 0;
      this.normalize();
    }
    return result;
  }

  tree(probs: Uint16Array, offset: number, bits: number): number {
    let m = 1;
    for (let i = 0; i < bits; i++) m = (m << 1) | this.bit(probs, offset + m);
    return m - (1 << bits);
  }

  reverseTree(probs: Uint16Array, offset: number, bits: number): number {
    let m = 1;
    let symbol = 0;
    for (let i = 0; i < bits; i++) {
      const bit = this.bit(probs, offset + m);
      m = (m << 1) | bit;
      symbol |= bit << i;
    }
    return symbol;
  }

  get position(): number {
    return this.at;
  }
}

class LengthDecoder {
  // choice, choice2, low[16][8], mid[16][8], high[256]
  readonly probs = new Uint16Array(2 + 16 * 8 + 16 * 8 + 256);

  reset(): void {
    this.probs.fill(1024);
  }

  decode(rc: RangeDecoder, posState: number): number {
    if (rc.bit(this.probs, 0) === 0) return rc.tree(this.probs, 2 + posState * 8, 3);
    if (rc.bit(this.probs, 1) === 0) return 8 + rc.tree(this.probs, 2 + 128 + posState * 8, 3);
    return 16 + rc.tree(this.probs, 2 + 256, 8);
  }
}

/** LZMA state that lives across LZMA2 chunks. */
class Lzma {
  lc = 0;
  lp = 0;
  pb = 0;
  state = 0;
  reps = [0, 0, 0, 0];
  literal = new Uint16Array(0x300);
  readonly isMatch = new Uint16Array(12 << 4);
  readonly isRep = new Uint16Array(12);
  readonly isRepG0 = new Uint16Array(12);
  readonly isRepG1 = new Uint16Array(12);
  readonly isRepG2 = new Uint16Array(12);
  readonly isRep0Long = new Uint16Array(12 << 4);
  readonly posSlot = new Uint16Array(4 * 64);
  readonly posSpecial = new Uint16Array(115);
  readonly align = new Uint16Array(16);
  readonly len = new LengthDecoder();
  readonly repLen = new LengthDecoder();

  setProperties(props: number): void {
    if (props > 224) throw new XzError('xz: invalid LZMA properties');
    this.lc = props % 9;
    props = Math.floor(props / 9);
    this.lp = props % 5;
    this.pb = Math.floor(props / 5);
    if (this.lc + this.lp > 4) throw new XzError('xz: invalid LZMA2 properties (lc + lp > 4)');
    this.literal = new Uint16Array(0x300 << (this.lc + this.lp));
  }

  resetState(): void {
    this.state = 0;
    this.reps = [0, 0, 0, 0];
    for (const probs of [this.literal, this.isMatch, this.isRep, this.isRepG0, this.isRepG1, this.isRepG2, this.isRep0Long, this.posSlot, this.posSpecial, this.align]) probs.fill(1024);
    this.len.reset();
    this.repLen.reset();
  }

  /** Decodes one chunk's `size` bytes with a fresh range decoder. */
  decode(rc: RangeDecoder, out: Output, size: number, dictStart: number): void {
    const end = out.length + size;
    const pbMask = (1 << this.pb) - 1;
    const lpMask = (1 << this.lp) - 1;
    while (out.length < end) {
      const posState = out.length & pbMask;
      const s = this.state;
      if (rc.bit(this.isMatch, (s << 4) | posState) === 0) {
        const previous = out.length > dictStart ? out.byteBack(1) : 0;
        const base = 0x300 * (((out.length & lpMask) << this.lc) + (previous >>> (8 - this.lc)));
        let symbol = 1;
        if (s >= 7) {
          let matchByte = out.byteBack(this.reps[0] + 1);
          while (symbol < 0x100) {
            const matchBit = (matchByte >>> 7) & 1;
            matchByte <<= 1;
            const bit = rc.bit(this.literal, base + ((1 + matchBit) << 8) + symbol);
            symbol = (symbol << 1) | bit;
            if (matchBit !== bit) break;
          }
        }
        while (symbol < 0x100) symbol = (symbol << 1) | rc.bit(this.literal, base + symbol);
        out.push(symbol & 0xff);
        this.state = s < 4 ? 0 : s < 10 ? s - 3 : s - 6;
        continue;
      }
      let length: number;
      if (rc.bit(this.isRep, s) === 1) {
        if (out.length === dictStart) throw new XzError('xz: corrupt LZMA data (repeat before any data)');
        if (rc.bit(this.isRepG0, s) === 0) {
          if (rc.bit(this.isRep0Long, (s << 4) | posState) === 0) {
            this.state = s < 7 ? 9 : 11;
            out.push(out.byteBack(this.reps[0] + 1));
            continue;
          }
        } else {
          let distance: number;
          if (rc.bit(this.isRepG1, s) === 0) {
            distance = this.reps[1];
          } else {
            if (rc.bit(this.isRepG2, s) === 0) {
              distance = this.reps[2];
            } else {
              distance = this.reps[3];
              this.reps[3] = this.reps[2];
            }
            this.reps[2] = this.reps[1];
          }
          this.reps[1] = this.reps[0];
          this.reps[0] = distance;
        }
        length = this.repLen.decode(rc, posState);
        this.state = s < 7 ? 8 : 11;
      } else {
        this.reps[3] = this.reps[2];
        this.reps[2] = this.reps[1];
        this.reps[1] = this.reps[0];
        length = this.len.decode(rc, posState);
        this.state = s < 7 ? 7 : 10;
        const lenState = Math.min(length, 3);
        const slot = rc.tree(this.posSlot, lenState * 64, 6);
        let distance: number;
        if (slot < 4) distance = slot;
        else {
          const direct = (slot >>> 1) - 1;
          distance = (2 | (slot & 1)) * 2 ** direct;
          if (slot < 14) distance += rc.reverseTree(this.posSpecial, distance - slot, direct);
          else {
            distance += rc.direct(direct - 4) * 16;
            distance += rc.reverseTree(this.align, 0, 4);
          }
        }
        if (distance === 0xffffffff) break; // end marker (not used by LZMA2)
        this.reps[0] = distance;
      }
      length += 2;
      const back = this.reps[0] + 1;
      if (back > out.length - dictStart) throw new XzError('xz: corrupt LZMA data (distance beyond the dictionary)');
      if (out.length + length > end) throw new XzError('xz: corrupt LZMA data (match past the chunk)');
      out.copyMatch(back, length);
    }
  }
}

function decodeLzma2(data: Uint8Array, start: number, out: Output): number {
  const lzma = new Lzma();
  let at = start;
  let dictStart = out.length;
  let needProps = true;
  let needDictReset = true;
  for (;;) {
    if (at >= data.length) throw new XzError('xz: unexpected end of LZMA2 data');
    const control = data[at++];
    if (control === 0x00) return at;
    if (control === 0x01 || control === 0x02) {
      if (control === 0x01) {
        dictStart = out.length;
        needDictReset = false;
      } else if (needDictReset) throw new XzError('xz: corrupt LZMA2 data (no dictionary reset)');
      const size = ((data[at] << 8) | data[at + 1]) + 1;
      at += 2;
      if (at + size > data.length) throw new XzError('xz: unexpected end of LZMA2 data');
      out.append(data.subarray(at, at + size));
      at += size;
      continue;
    }
    if (control < 0x80) throw new XzError('xz: corrupt LZMA2 data (bad control byte)');
    const unpacked = ((control & 0x1f) << 16) + (data[at] << 8) + data[at + 1] + 1;
    const packed = (data[at + 2] << 8) + data[at + 3] + 1;
    at += 4;
    const reset = (control >>> 5) & 3;
    if (reset === 3) {
      dictStart = out.length;
      needDictReset = false;
    } else if (needDictReset) throw new XzError('xz: corrupt LZMA2 data (no dictionary reset)');
    if (reset >= 2) {
      lzma.setProperties(data[at++]);
      needProps = false;
    } else if (needProps) throw new XzError('xz: corrupt LZMA2 data (no properties)');
    if (reset >= 1) lzma.resetState();
    const rc = new RangeDecoder(data, at, at + packed);
    lzma.decode(rc, out, unpacked, dictStart);
    at += packed;
  }
}

function readVarint(data: Uint8Array, at: number): [number, number] {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < 9; i++) {
    if (at >= data.length) throw new XzError('xz: unexpected end of data');
    const byte = data[at++];
    value += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (!(byte & 0x80)) return [value, at];
  }
  throw new XzError('xz: invalid number');
}

const checkSizes: Record<number, number> = { 0: 0, 1: 4, 4: 8, 10: 32 };

/** Decompresses one or more concatenated .xz streams. */
export function unxz(data: Uint8Array): Uint8Array {
  const out = new Output();
  let at = 0;
  while (at < data.length) {
    if (!isXz(data.subarray(at))) throw new XzError('xz: not in .xz format');
    if (crc32(data, at + 6, at + 8) !== readUint32LE(data, at + 8)) throw new XzError('xz: corrupt stream header');
    const check = data[at + 7] & 0x0f;
    const checkSize = checkSizes[check];
    if (checkSize === undefined) throw new XzError(`xz: unsupported check type ${check}`);
    at += 12;
    // Blocks, until the index.
    for (;;) {
      if (at >= data.length) throw new XzError('xz: unexpected end of data');
      if (data[at] === 0x00) break;
      const headerSize = (data[at] + 1) * 4;
      if (crc32(data, at, at + headerSize - 4) !== readUint32LE(data, at + headerSize - 4)) throw new XzError('xz: corrupt block header');
      const flags = data[at + 1];
      let p = at + 2;
      if (flags & 0x40) p = readVarint(data, p)[1];
      if (flags & 0x80) p = readVarint(data, p)[1];
      const filters = (flags & 3) + 1;
      for (let i = 0; i < filters; i++) {
        let id: number;
        let propsSize: number;
        [id, p] = readVarint(data, p);
        [propsSize, p] = readVarint(data, p);
        if (id !== 0x21 || filters !== 1) throw new XzError(`xz: filter 0x${id.toString(16)} is not supported (only LZMA2)`);
        p += propsSize;
      }
      const blockStart = out.length;
      const compressedStart = at + headerSize;
      let end = decodeLzma2(data, compressedStart, out);
      while ((end - compressedStart) % 4 !== 0) end++;
      if (check === 1 && crc32(out.buffer, blockStart, out.length) !== readUint32LE(data, end)) throw new XzError('xz: block checksum mismatch');
      at = end + checkSize;
    }
    // Index: records, padding, CRC32; then the 12-byte footer.
    const indexStart = at;
    const [records, afterCount] = readVarint(data, at + 1);
    let p = afterCount;
    for (let i = 0; i < records; i++) {
      p = readVarint(data, p)[1];
      p = readVarint(data, p)[1];
    }
    while ((p - indexStart) % 4 !== 0) p++;
    if (crc32(data, indexStart, p) !== readUint32LE(data, p)) throw new XzError('xz: corrupt index');
    const footer = p + 4;
    at = footer + 12;
    if (at > data.length || data[at - 2] !== 0x59 || data[at - 1] !== 0x5a || crc32(data, footer + 4, footer + 10) !== readUint32LE(data, footer)) {
      throw new XzError('xz: corrupt stream footer');
    }
    // Stream padding.
    while (at < data.length && data[at] === 0) at++;
  }
  return out.buffer.slice(0, out.length);
}
