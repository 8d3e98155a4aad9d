// Byte plumbing for containers: docker's stdcopy framing, an async queue for streamed responses, and
// the container's log (kept like the json-file driver: one entry per line with its stream and time).

import { concatBytes } from '../../go/bytes';

export const STDIN = 0;
export const STDOUT = 1;
export const STDERR = 2;
export const SYSTEMERR = 3;

/** stdcopy: [stream, 0, 0, 0, size uint32 BE] + payload. */
export function frame(stream: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  out[0] = stream;
  new DataView(out.buffer).setUint32(4, payload.length, false);
  out.set(payload, 8);
  return out;
}

export { AsyncQueue } from '../../go/async-queue';

export interface LogEntry {
  stream: 'stdout' | 'stderr';
  /** Milliseconds since the epoch, plus a sub-millisecond sequence (nanoseconds) for ordering. */
  timeMs: number;
  subNanos: number;
  data: Uint8Array;
}

const MAX_ENTRIES = 10_000;

/** A container's log: complete lines (and a trailing partial line when the stream pauses). */
export class ContainerLog {
  readonly entries: LogEntry[] = [];
  private readonly listeners = new Set<(entry: LogEntry) => void>();
  private readonly partial: Record<'stdout' | 'stderr', Uint8Array[]> = { stdout: [], stderr: [] };
  private lastMs = 0;
  private lastSub = 0;

  constructor(private readonly clock: () => Date) {}

  write(stream: 'stdout' | 'stderr', chunk: Uint8Array): void {
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] !== 0x0a) continue;
      this.add(stream, concatBytes([...this.partial[stream], chunk.subarray(start, i + 1)]));
      this.partial[stream] = [];
      start = i + 1;
    }
    if (start < chunk.length) this.partial[stream].push(chunk.slice(start));
  }

  /** Writes out partial lines (the process ended without a final newline). */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.partial[stream].length === 0) continue;
      this.add(stream, concatBytes(this.partial[stream]));
      this.partial[stream] = [];
    }
  }

  /** The last entries as JSON (kept in the store when a container stops, so logs survive the daemon). */
  toJson(limit = 2000): [string, number, number, string][] {
    return this.entries.slice(-limit).map((entry) => [entry.stream, entry.timeMs, entry.subNanos, toBase64(entry.data)]);
  }

  restore(saved: [string, number, number, string][]): void {
    for (const [stream, timeMs, subNanos, data] of saved) {
      this.entries.push({ stream: stream === 'stderr' ? 'stderr' : 'stdout', timeMs, subNanos, data: fromBase64(data) });
      this.lastMs = timeMs;
      this.lastSub = subNanos;
    }
  }

  subscribe(listener: (entry: LogEntry) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private add(stream: 'stdout' | 'stderr', data: Uint8Array): void {
    let timeMs = this.clock().getTime();
    let subNanos = 0;
    if (timeMs <= this.lastMs) {
      timeMs = this.lastMs;
      subNanos = Math.min(this.lastSub + 1, 999_999);
    }
    this.lastMs = timeMs;
    this.lastSub = subNanos;
    const entry: LogEntry = { stream, timeMs, subNanos, data };
    this.entries.push(entry);
    if (this.entries.length > MAX_ENTRIES) this.entries.shift();
    for (const listener of this.listeners) listener(entry);
  }
}

function toBase64(data: Uint8Array): string {
  let binary = '';
  for (const byte of data) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

/** RFC 3339 with nanoseconds, as docker's log timestamps: 2024-05-01T10:00:00.123456789Z. */
export function rfc3339Nano(timeMs: number, subNanos = 0): string {
  const iso = new Date(timeMs).toISOString(); // 2024-05-01T10:00:00.123Z
  const fraction = String((timeMs % 1000) * 1_000_000 + subNanos).padStart(9, '0');
  return `${iso.slice(0, 19)}.${fraction}Z`;
}
