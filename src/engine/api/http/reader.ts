// A buffered reader over a connection's incoming bytes, shared by the HTTP/1.1 server: finds the end of
// a header block, reads lines (chunk sizes) and bounded runs of bytes, and hands what is left to an
// upgraded connection. It reads ahead only up to a high-water mark, so a slow handler holds back a fast
// uploader instead of buffering the whole upload.


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

