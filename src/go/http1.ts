// HTTP/1.1 on the wire as Go's net/http reads it, for both ends: the engine's server (requests) and
// the CLI's client (responses) parse with this one reader, header parser and body framing.
//
// ConnectionReader is a buffered reader over a connection's incoming bytes: it finds the end of a
// header block, reads lines (chunk sizes) and bounded runs of bytes, and hands what is left to an
// upgraded connection. It reads ahead only up to a high-water mark, so a slow handler holds back a
// fast uploader instead of buffering the whole upload.

import { concatBytes } from './bytes';

export type HeadResult = { kind: 'head'; bytes: Uint8Array } | { kind: 'eof'; partial: boolean } | { kind: 'too-large' };

export class ConnectionReader {
  private chunks: Uint8Array[] = [];
  private size = 0;
  private ended = false;
  private failure: unknown;
  private waiter: (() => void) | undefined;
  private drained: (() => void) | undefined;
  private readonly endListeners = new Set<() => void>();

  constructor(
    private readonly input: AsyncIterable<Uint8Array>,
    private readonly highWaterMark = 1 << 20,
  ) {
    void this.pump();
  }

  /** True once the peer has sent its last byte (half-close or disconnect). */
  get isEnded(): boolean {
    return this.ended;
  }

  /** Called once when the input ends; returns an unsubscribe function. */
  onEnd(listener: () => void): () => void {
    if (this.ended) {
      listener();
      return () => undefined;
    }
    this.endListeners.add(listener);
    return () => this.endListeners.delete(listener);
  }

  private async pump(): Promise<void> {
    try {
      for await (const chunk of this.input) {
        if (chunk.length === 0) continue;
        this.chunks.push(chunk);
        this.size += chunk.length;
        this.wake();
        if (this.size >= this.highWaterMark) {
          await new Promise<void>((resolve) => (this.drained = resolve));
        }
      }
    } catch (error) {
      this.failure = error;
    }
    this.ended = true;
    this.wake();
    for (const listener of this.endListeners) listener();
    this.endListeners.clear();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private async more(): Promise<boolean> {
    if (this.ended) return false;
    // The consumer needs more than is buffered: let the pump read past its high-water mark.
    const drained = this.drained;
    this.drained = undefined;
    drained?.();
    await new Promise<void>((resolve) => (this.waiter = resolve));
    return true;
  }

  private consumed(): void {
    if (this.size < this.highWaterMark) {
      const drained = this.drained;
      this.drained = undefined;
      drained?.();
    }
  }

  private flatten(): Uint8Array {
    if (this.chunks.length === 1) return this.chunks[0];
    const all = new Uint8Array(this.size);
    let at = 0;
    for (const chunk of this.chunks) {
      all.set(chunk, at);
      at += chunk.length;
    }
    this.chunks = this.size > 0 ? [all] : [];
    return all;
  }

  private take(n: number): Uint8Array {
    const all = this.flatten();
    const out = all.subarray(0, n);
    const rest = all.subarray(n);
    this.chunks = rest.length > 0 ? [rest] : [];
    this.size = rest.length;
    this.consumed();
    return out;
  }

  /** Bytes already received and not yet read. */
  get buffered(): number {
    return this.size;
  }

  /**
   * Reads a header block up to and including its empty line (CRLF CRLF, or bare LF LF). Empty lines
   * before it are skipped (a client may send a CRLF after a body). `max` bounds the block's size.
   */
  async readHead(max: number): Promise<HeadResult> {
    let searchedFrom = 0;
    for (;;) {
      // Leading empty lines.
      while (this.size > 0) {
        const all = this.flatten();
        if (all[0] === 0x0a) this.take(1);
        else if (all[0] === 0x0d && all.length >= 2 && all[1] === 0x0a) this.take(2);
        else break;
        searchedFrom = 0;
      }
      if (this.size > 0 && !(this.size === 1 && this.flatten()[0] === 0x0d)) {
        const all = this.flatten();
        const end = findHeadEnd(all, searchedFrom);
        if (end >= 0) {
          if (end > max) return { kind: 'too-large' };
          return { kind: 'head', bytes: this.take(end) };
        }
        if (all.length > max) return { kind: 'too-large' };
        searchedFrom = Math.max(0, all.length - 3);
      }
      if (!(await this.more())) return { kind: 'eof', partial: this.size > 0 };
    }
  }

  /** A line without its CRLF (or LF); undefined at EOF; 'too-long' past max bytes. */
  async readLine(max: number): Promise<string | undefined | 'too-long'> {
    for (;;) {
      if (this.size > 0) {
        const all = this.flatten();
        const lf = all.indexOf(0x0a);
        if (lf >= 0) {
          if (lf > max) return 'too-long';
          const line = this.take(lf + 1);
          const end = lf > 0 && line[lf - 1] === 0x0d ? lf - 1 : lf;
          return latin1(line.subarray(0, end));
        }
        if (all.length > max) return 'too-long';
      }
      if (!(await this.more())) return undefined;
    }
  }

  /** Up to max bytes (at least one) as soon as any are there; undefined at EOF. */
  async read(max: number): Promise<Uint8Array | undefined> {
    for (;;) {
      if (this.size > 0) {
        const first = this.chunks[0];
        if (first.length <= max) {
          this.chunks.shift();
          this.size -= first.length;
          this.consumed();
          return first;
        }
        this.chunks[0] = first.subarray(max);
        this.size -= max;
        this.consumed();
        return first.subarray(0, max);
      }
      if (!(await this.more())) return undefined;
    }
  }

  /** Everything that arrives from now on, buffered bytes first (an upgraded connection's input). */
  async *rest(): AsyncIterable<Uint8Array> {
    for (;;) {
      const chunk = await this.read(Number.MAX_SAFE_INTEGER);
      if (!chunk) return;
      yield chunk;
    }
  }

  /** The error that ended the input, if it did not end normally. */
  get error(): unknown {
    return this.failure;
  }
}

function findHeadEnd(bytes: Uint8Array, from: number): number {
  for (let i = from; i < bytes.length; i++) {
    if (bytes[i] !== 0x0a) continue;
    if (i + 1 < bytes.length && bytes[i + 1] === 0x0a) return i + 2;
    if (i + 2 < bytes.length && bytes[i + 1] === 0x0d && bytes[i + 2] === 0x0a) return i + 3;
  }
  return -1;
}

export function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 8192) out += String.fromCharCode(...bytes.subarray(i, i + 8192));
  return out;
}

/** Header names in lower case; repeated fields joined with ", " (Go's Header.Values, joined). */
export type HeaderFields = Record<string, string>;

/** A header block that net/textproto refuses. */
export class HeaderSyntaxError extends Error {}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether a string is an RFC 7230 token (a method or a header name). */
export function isToken(text: string): boolean {
  return TOKEN.test(text);
}

/** A header block's lines without their line ends, the empty lines at its end dropped. */
export function headLines(bytes: Uint8Array): string[] {
  const lines = latin1(bytes)
    .split('\n')
    .map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * textproto.ReadMIMEHeader over the lines after the start line: obsolete line folding continues a
 * value, names must be tokens, values may not hold NUL, CR or LF. Also counts each name's fields
 * (a server refuses two Host headers).
 */
export function parseHeaderFields(lines: readonly string[]): { headers: HeaderFields; counts: Map<string, number> } {
  const headers: HeaderFields = {};
  const counts = new Map<string, number>();
  let last: string | undefined;
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      if (last === undefined) throw new HeaderSyntaxError(`malformed MIME header initial line: ${line}`);
      headers[last] = `${headers[last]} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HeaderSyntaxError(`malformed MIME header line: ${line}`);
    const name = line.slice(0, colon);
    if (!isToken(name)) throw new HeaderSyntaxError(`malformed MIME header line: ${line}`);
    const value = line.slice(colon + 1).trim();
    if (/[\0\r\n]/.test(value)) throw new HeaderSyntaxError(`malformed MIME header line: ${line}`);
    const key = name.toLowerCase();
    counts.set(key, (counts.get(key) ?? 0) + 1);
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    last = key;
  }
  return { headers, counts };
}

/** How a message's body is delimited: none, a length, chunks, or (responses only) the connection's end. */
export type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'until-close' };

/** A body that cannot be framed: Go answers 501 for a transfer coding it lacks, 400 otherwise. */
export class FramingError extends Error {
  constructor(
    readonly status: 400 | 501,
    message: string,
  ) {
    super(message);
  }
}

/** The framing a request's headers declare (net/http's transferReader for a request). */
export function requestFraming(headers: HeaderFields): BodyFraming {
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    const codings = te
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    if (codings.length !== 1 || codings[0] !== 'chunked') throw new FramingError(501, `unsupported transfer encoding: ${JSON.stringify(te)}`);
    return { kind: 'chunked' };
  }
  const cl = headers['content-length'];
  if (cl !== undefined) {
    const values = new Set(cl.split(',').map((s) => s.trim()));
    if (values.size !== 1) throw new FramingError(400, 'bad Content-Length');
    const [value] = values;
    if (!/^\d{1,15}$/.test(value)) throw new FramingError(400, 'bad Content-Length');
    const length = Number(value);
    return length === 0 ? { kind: 'none' } : { kind: 'length', length };
  }
  return { kind: 'none' };
}

/** The framing of a response to `method` (no body for HEAD, 1xx, 204 and 304; else until close when undeclared). */
export function responseFraming(method: string, status: number, headers: HeaderFields): BodyFraming {
  if (method === 'HEAD' || status === 204 || status === 304 || status < 200) return { kind: 'none' };
  if ((headers['transfer-encoding'] ?? '').toLowerCase().includes('chunked')) return { kind: 'chunked' };
  const length = headers['content-length'];
  if (length !== undefined) {
    const value = Number(length);
    return value === 0 ? { kind: 'none' } : { kind: 'length', length: value };
  }
  return { kind: 'until-close' };
}

/** An HTTP/1.x response's status line: "HTTP/1.1 200 OK" → 200. */
export function parseStatusLine(line: string): number {
  const match = /^HTTP\/1\.\d (\d{3})(?: .*)?$/.exec(line);
  if (!match) throw new Error(`malformed HTTP response ${JSON.stringify(line)}`);
  return Number(match[1]);
}

/** The body of one message as it arrives from the connection, with its end tracked for pipelining. */
export class BodyReader {
  private remaining: number;
  private done: boolean;
  /** Set when the body could not be read to its end (malformed chunks, the peer went away). */
  broken = false;
  private started = false;
  private cached: Uint8Array | undefined;
  private streaming = false;

  constructor(
    private readonly reader: ConnectionReader,
    private readonly framing: BodyFraming,
    /** Runs before the first byte is read (a server's "100 Continue"). */
    private readonly onFirstRead: () => Promise<void> = async () => undefined,
  ) {
    this.remaining = framing.kind === 'length' ? framing.length : 0;
    this.done = framing.kind === 'none';
  }

  get finished(): boolean {
    return this.done;
  }

  private async next(): Promise<Uint8Array | undefined> {
    if (this.done) return undefined;
    if (!this.started) {
      this.started = true;
      await this.onFirstRead();
    }
    if (this.framing.kind === 'until-close') {
      const chunk = await this.reader.read(64 * 1024);
      if (!chunk) this.done = true;
      return chunk;
    }
    if (this.framing.kind === 'length') {
      const chunk = await this.reader.read(Math.min(this.remaining, 64 * 1024));
      if (!chunk) return this.fail('unexpected EOF');
      this.remaining -= chunk.length;
      if (this.remaining === 0) this.done = true;
      return chunk;
    }
    // chunked
    for (;;) {
      if (this.remaining > 0) {
        const chunk = await this.reader.read(Math.min(this.remaining, 64 * 1024));
        if (!chunk) return this.fail('unexpected EOF');
        this.remaining -= chunk.length;
        if (this.remaining === 0) {
          const crlf = await this.reader.readLine(2);
          if (crlf !== '') return this.fail('malformed chunked encoding');
        }
        return chunk;
      }
      const line = await this.reader.readLine(4096);
      if (line === undefined) return this.fail('unexpected EOF');
      if (line === 'too-long') return this.fail('http chunk length too large');
      const size = /^([0-9a-fA-F]{1,15})[ \t]*(;.*)?$/.exec(line);
      if (!size) return this.fail('invalid byte in chunk length');
      const length = parseInt(size[1], 16);
      if (length === 0) {
        // Trailers, up to the empty line.
        for (;;) {
          const trailer = await this.reader.readLine(64 * 1024);
          if (trailer === undefined) return this.fail('unexpected EOF');
          if (trailer === 'too-long') return this.fail('trailer too large');
          if (trailer === '') break;
        }
        this.done = true;
        return undefined;
      }
      this.remaining = length;
    }
  }

  private fail(message: string): never {
    this.broken = true;
    this.done = true;
    throw new Error(message);
  }

  async *stream(): AsyncIterable<Uint8Array> {
    if (this.cached) {
      if (this.cached.length > 0) yield this.cached;
      return;
    }
    if (this.streaming) throw new Error('body already read');
    this.streaming = true;
    for (;;) {
      const chunk = await this.next();
      if (!chunk) return;
      yield chunk;
    }
  }

  async whole(): Promise<Uint8Array> {
    if (this.cached) return this.cached;
    const parts: Uint8Array[] = [];
    for await (const chunk of this.stream()) parts.push(chunk);
    this.cached = concatBytes(parts);
    return this.cached;
  }

  /** Reads and drops what the handler left, up to max bytes; false if the connection cannot be reused. */
  async drain(max: number): Promise<boolean> {
    if (this.broken) return false;
    if (this.done) return true;
    if (this.streaming && !this.started) return false;
    let dropped = 0;
    try {
      for (;;) {
        const chunk = await this.next();
        if (!chunk) return true;
        dropped += chunk.length;
        if (dropped > max) return false;
      }
    } catch {
      return false;
    }
  }
}
