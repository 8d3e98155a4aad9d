// A bzip2 decompressor (the format of bzip2 1.0 / Go's compress/bzip2), for ADD of .tar.bz2 archives:
// Huffman-coded MTF/RLE2 symbols, the inverse Burrows-Wheeler transform and the final run-length
// decoding, block by block, with every block's CRC and the stream's combined CRC checked.

export class Bzip2Error extends Error {
  override name = 'Bzip2Error';
}

class BitReader {
  private at = 0;
  private bits = 0;
  private count = 0;

  constructor(private readonly data: Uint8Array) {}

  read(n: number): number {
    // At most 16 bits at a time, so the buffer stays within 32-bit integers.
    if (n > 16) return this.read(n - 16) * 65536 + this.read(16);
    while (this.count < n) {
      if (this.at >= this.data.length) throw new Bzip2Error('bzip2 data invalid: unexpected end of data');
      this.bits = ((this.bits << 8) | this.data[this.at++]) >>> 0;
      this.count += 8;
    }
    this.count -= n;
    const value = (this.bits >>> this.count) & ((1 << n) - 1);
    this.bits &= (1 << this.count) - 1;
    return value >>> 0;
  }

  bit(): number {
    return this.read(1);
  }

  /** A 48-bit magic, as two parts. */
  magic(): [number, number] {
    return [this.read(24), this.read(24)];
  }

  get exhausted(): boolean {
    return this.at >= this.data.length;
  }

  /** Skips to the next byte (a new stream may follow the end-of-stream marker). */
  align(): void {
    this.count -= this.count % 8;
    this.bits &= (1 << this.count) - 1;
  }
}

const crcTable = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i << 24;
    for (let k = 0; k < 8; k++) c = c & 0x80000000 ? (c << 1) ^ 0x04c11db7 : c << 1;
    table[i] = c >>> 0;
  }
  return table;
})();

export function isBzip2(bytes: Uint8Array): boolean {
  return bytes.length >= 4 && bytes[0] === 0x42 && bytes[1] === 0x5a && bytes[2] === 0x68 && bytes[3] >= 0x31 && bytes[3] <= 0x39;
}

/** Decompresses one or more concatenated bzip2 streams. */
export function bunzip2(input: Uint8Array): Uint8Array {
  const reader = new BitReader(input);
  const out: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    if (reader.read(8) !== 0x42 || reader.read(8) !== 0x5a || reader.read(8) !== 0x68) throw new Bzip2Error('bzip2 data invalid: bad magic value');
    const level = reader.read(8) - 0x30;
    if (level < 1 || level > 9) throw new Bzip2Error('bzip2 data invalid: bad block size');
    const blockSize = level * 100_000;
    let streamCrc = 0;
    for (;;) {
      const [hi, lo] = reader.magic();
      if (hi === 0x177245 && lo === 0x385090) {
        const expected = reader.read(32) >>> 0;
        if (expected !== streamCrc >>> 0) throw new Bzip2Error('bzip2 data invalid: stream checksum mismatch');
        break;
      }
      if (hi !== 0x314159 || lo !== 0x265359) throw new Bzip2Error('bzip2 data invalid: bad block header');
      const blockCrc = reader.read(32) >>> 0;
      const block = decodeBlock(reader, blockSize);
      let crc = 0xffffffff;
      for (const byte of block) crc = ((crc << 8) ^ crcTable[((crc >>> 24) ^ byte) & 0xff]) >>> 0;
      crc = ~crc >>> 0;
      if (crc !== blockCrc) throw new Bzip2Error('bzip2 data invalid: block checksum mismatch');
      streamCrc = (((streamCrc << 1) | (streamCrc >>> 31)) ^ crc) >>> 0;
      out.push(block);
      total += block.length;
    }
    reader.align();
    if (reader.exhausted) break;
  }
  const result = new Uint8Array(total);
  let at = 0;
  for (const part of out) {
    result.set(part, at);
    at += part.length;
  }
  return result;
}

function decodeBlock(reader: BitReader, blockSize: number): Uint8Array {
  if (reader.bit()) throw new Bzip2Error('bzip2 data invalid: deprecated randomized files');
  const origPtr = reader.read(24);
  // The symbols in use: 16 ranges of 16 bytes.
  const used = reader.read(16);
  const symbols: number[] = [];
  for (let i = 0; i < 16; i++) {
    if (!(used & (0x8000 >> i))) continue;
    const bits = reader.read(16);
    for (let j = 0; j < 16; j++) if (bits & (0x8000 >> j)) symbols.push(i * 16 + j);
  }
  if (symbols.length === 0) throw new Bzip2Error('bzip2 data invalid: no symbols in use');
  const alphaSize = symbols.length + 2;
  const groups = reader.read(3);
  if (groups < 2 || groups > 6) throw new Bzip2Error('bzip2 data invalid: bad number of Huffman tables');
  const selectorCount = reader.read(15);
  if (selectorCount === 0) throw new Bzip2Error('bzip2 data invalid: no selectors');
  const mtfGroups = Array.from({ length: groups }, (_, i) => i);
  const selectors = new Uint8Array(selectorCount);
  for (let i = 0; i < selectorCount; i++) {
    let j = 0;
    while (reader.bit()) {
      j++;
      if (j >= groups) throw new Bzip2Error('bzip2 data invalid: bad selector');
    }
    const value = mtfGroups[j];
    mtfGroups.splice(j, 1);
    mtfGroups.unshift(value);
    selectors[i] = value;
  }
  // Code lengths, delta coded, then canonical Huffman tables.
  const tables: { limit: number[]; base: number[]; perm: number[]; min: number; max: number }[] = [];
  for (let t = 0; t < groups; t++) {
    const lengths = new Uint8Array(alphaSize);
    let length = reader.read(5);
    for (let s = 0; s < alphaSize; s++) {
      for (;;) {
        if (length < 1 || length > 20) throw new Bzip2Error('bzip2 data invalid: bad code length');
        if (!reader.bit()) break;
        length += reader.bit() ? -1 : 1;
      }
      lengths[s] = length;
    }
    let min = 32;
    let max = 0;
    for (const l of lengths) {
      min = Math.min(min, l);
      max = Math.max(max, l);
    }
    const perm: number[] = [];
    for (let l = min; l <= max; l++) for (let s = 0; s < alphaSize; s++) if (lengths[s] === l) perm.push(s);
    const count = new Array<number>(max + 2).fill(0);
    for (const l of lengths) count[l]++;
    const limit = new Array<number>(max + 2).fill(0);
    const base = new Array<number>(max + 2).fill(0);
    let code = 0;
    let index = 0;
    for (let l = min; l <= max; l++) {
      base[l] = index - code;
      code += count[l];
      index += count[l];
      limit[l] = code - 1;
      code <<= 1;
    }
    tables.push({ limit, base, perm, min, max });
  }
  // The MTF/RLE2 symbols → byte values, counting how often each occurs.
  const mtf = symbols.slice();
  const tt = new Uint32Array(blockSize);
  const counts = new Uint32Array(256);
  let n = 0;
  let runLength = 0;
  let runBit = 1;
  const endOfBlock = alphaSize - 1;
  let selectorIndex = 0;
  let left = 0;
  let table = tables[0];
  const flushRun = () => {
    if (runLength === 0) return;
    const value = mtf[0];
    if (n + runLength > blockSize) throw new Bzip2Error('bzip2 data invalid: block too long');
    counts[value] += runLength;
    for (let i = 0; i < runLength; i++) tt[n++] = value;
    runLength = 0;
    runBit = 1;
  };
  for (;;) {
    if (left === 0) {
      if (selectorIndex >= selectorCount) throw new Bzip2Error('bzip2 data invalid: out of selectors');
      table = tables[selectors[selectorIndex++]];
      left = 50;
    }
    left--;
    let length = table.min;
    let code = reader.read(length);
    while (code > table.limit[length]) {
      if (length >= table.max) throw new Bzip2Error('bzip2 data invalid: bad Huffman code');
      length++;
      code = (code << 1) | reader.bit();
    }
    const symbol = table.perm[table.base[length] + code];
    if (symbol === 0 || symbol === 1) {
      runLength += (symbol + 1) * runBit;
      runBit <<= 1;
      if (runLength > blockSize) throw new Bzip2Error('bzip2 data invalid: run too long');
      continue;
    }
    flushRun();
    if (symbol === endOfBlock) break;
    const position = symbol - 1;
    const value = mtf[position];
    mtf.splice(position, 1);
    mtf.unshift(value);
    if (n >= blockSize) throw new Bzip2Error('bzip2 data invalid: block too long');
    counts[value]++;
    tt[n++] = value;
  }
  if (origPtr >= n) throw new Bzip2Error('bzip2 data invalid: bad origin pointer');
  // Inverse BWT: tt[i] gets the index of the next byte in its high bits.
  const starts = new Uint32Array(256);
  for (let i = 0, sum = 0; i < 256; i++) {
    starts[i] = sum;
    sum += counts[i];
  }
  for (let i = 0; i < n; i++) {
    const value = tt[i] & 0xff;
    tt[starts[value]++] |= i << 8;
  }
  // Walk the chain and undo the initial run-length encoding (4 equal bytes + a count).
  const out: number[] = [];
  let position = tt[origPtr] >>> 8;
  let last = -1;
  let repeat = 0;
  for (let i = 0; i < n; i++) {
    const entry = tt[position];
    const byte = entry & 0xff;
    position = entry >>> 8;
    if (repeat === 4) {
      for (let k = 0; k < byte; k++) out.push(last);
      repeat = 0;
      last = -1;
      continue;
    }
    if (byte === last) repeat++;
    else {
      repeat = 1;
      last = byte;
    }
    out.push(byte);
  }
  return Uint8Array.from(out);
}
