// The session the guest's `docker` program (vm-images/docker-client/docker.c) speaks over its socket:
// messages of kind (1 byte), length (u32 little-endian) and payload, in both directions.
//   client → host: 'h' hello (JSON, first), 'i' stdin bytes (empty: EOF), 'w' rows u16 + cols u16,
//                  's' signal number u8
//   host → client: 'o' stdout bytes, 'e' stderr bytes, 'i' start reading stdin, 'r' raw mode u8 (1/0),
//                  'x' exit status u8 (the client restores its terminal and exits)
// The client reads stdin only after 'i', so `docker ps` in `while read ...; done < file` leaves the
// loop's input alone, as docker does.

import { concatBytes } from '../go/bytes';

export const Msg = {
  Hello: 0x68, // 'h'
  Stdin: 0x69, // 'i' (client → host: bytes; host → client: start reading)
  Resize: 0x77, // 'w'
  Signal: 0x73, // 's'
  Stdout: 0x6f, // 'o'
  Stderr: 0x65, // 'e'
  Raw: 0x72, // 'r'
  Exit: 0x78, // 'x'
} as const;

export interface SessionMessage {
  kind: number;
  payload: Uint8Array;
}

/** What the client says first: its argv (without the program name), environment, cwd and terminal. */
export interface SessionHello {
  argv: string[];
  env: string[];
  cwd: string;
  tty: { stdin: boolean; stdout: boolean; stderr: boolean };
  /** 0 when no terminal is attached. */
  rows: number;
  cols: number;
}

/** A message is never larger than this (the client sends at most 16 KiB of stdin at a time). */
export const MAX_MESSAGE = 16 * 1024 * 1024;
const HEADER = 5;

export class SessionProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SessionProtocolError';
  }
}

export function encodeMessage(kind: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  out[0] = kind;
  new DataView(out.buffer).setUint32(1, payload.length, true);
  out.set(payload, HEADER);
  return out;
}

/** Splits the byte stream into messages. */
export class SessionReader {
  private buffer: Uint8Array = new Uint8Array(0);

  push(chunk: Uint8Array): SessionMessage[] {
    this.buffer = this.buffer.length === 0 ? chunk.slice() : concatBytes([this.buffer, chunk]);
    const messages: SessionMessage[] = [];
    let at = 0;
    while (this.buffer.length - at >= HEADER) {
      const length = new DataView(this.buffer.buffer, this.buffer.byteOffset + at + 1, 4).getUint32(0, true);
      if (length > MAX_MESSAGE) throw new SessionProtocolError(`session message of ${length} bytes`);
      if (this.buffer.length - at < HEADER + length) break;
      messages.push({ kind: this.buffer[at], payload: this.buffer.slice(at + HEADER, at + HEADER + length) });
      at += HEADER + length;
    }
    this.buffer = this.buffer.slice(at);
    return messages;
  }

  /** Bytes of an incomplete message. */
  get buffered(): number {
    return this.buffer.length;
  }
}

const decoder = new TextDecoder();

export function parseHello(payload: Uint8Array): SessionHello {
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(payload));
  } catch {
    throw new SessionProtocolError('the hello is not JSON');
  }
  if (typeof value !== 'object' || value === null) throw new SessionProtocolError('the hello is not an object');
  const o = value as Record<string, unknown>;
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  const tty = Array.isArray(o.tty) ? o.tty : [];
  const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? Math.floor(v) : 0);
  return {
    argv: strings(o.argv),
    env: strings(o.env),
    cwd: typeof o.cwd === 'string' && o.cwd.startsWith('/') ? o.cwd : '/',
    tty: { stdin: tty[0] === true, stdout: tty[1] === true, stderr: tty[2] === true },
    rows: count(o.rows),
    cols: count(o.cols),
  };
}

export function encodeHello(hello: SessionHello): Uint8Array {
  const { argv, env, cwd, tty, rows, cols } = hello;
  const json = JSON.stringify({ argv, env, cwd, tty: [tty.stdin, tty.stdout, tty.stderr], rows, cols });
  return encodeMessage(Msg.Hello, new TextEncoder().encode(json));
}

export function resizeOf(payload: Uint8Array): { rows: number; cols: number } | undefined {
  if (payload.length !== 4) return undefined;
  const view = new DataView(payload.buffer, payload.byteOffset, 4);
  return { rows: view.getUint16(0, true), cols: view.getUint16(2, true) };
}

export function encodeResize(rows: number, cols: number): Uint8Array {
  const payload = new Uint8Array(4);
  const view = new DataView(payload.buffer);
  view.setUint16(0, rows, true);
  view.setUint16(2, cols, true);
  return encodeMessage(Msg.Resize, payload);
}

/** "NAME=value" entries as a map (the first of duplicate names wins, like getenv). */
export function environmentOf(env: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of env) {
    const eq = entry.indexOf('=');
    if (eq <= 0) continue;
    const name = entry.slice(0, eq);
    if (!(name in out)) out[name] = entry.slice(eq + 1);
  }
  return out;
}

