// Frames of the agent protocol (vm-images/agent/PROTOCOL.md): a 12-byte header (magic "DS",
// version, kind, id, length) and a payload. The reader survives garbage by skipping to the next magic.

import { concatBytes } from '../../go/bytes';

export const PROTOCOL_VERSION = 1;
export const MAX_PAYLOAD = 1 << 20;
export const HEADER_SIZE = 12;
/** Every stream's window in each direction starts with this many bytes. */
export const INITIAL_WINDOW = 65536;

export enum FrameKind {
  Request = 1,
  Reply = 2,
  Data = 3,
  Credit = 4,
  Error = 5,
  /** Agent → host: something happened in the guest (a connection was accepted on a socket). */
  Event = 6,
}

/** Stream ids of connections accepted by the agent start here; ids the host chooses stay below. */
export const CONNECTION_STREAM_BASE = 0x80000000;

export interface Frame {
  kind: FrameKind;
  id: number;
  payload: Uint8Array;
}

const MAGIC0 = 0x44; // 'D'
const MAGIC1 = 0x53; // 'S'
const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function encodeFrame(kind: FrameKind, id: number, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (payload.length > MAX_PAYLOAD) throw new RangeError(`frame payload of ${payload.length} bytes exceeds ${MAX_PAYLOAD}`);
  const frame = new Uint8Array(HEADER_SIZE + payload.length);
  const view = new DataView(frame.buffer);
  frame[0] = MAGIC0;
  frame[1] = MAGIC1;
  frame[2] = PROTOCOL_VERSION;
  frame[3] = kind;
  view.setUint32(4, id >>> 0, true);
  view.setUint32(8, payload.length, true);
  frame.set(payload, HEADER_SIZE);
  return frame;
}

export function encodeJson(kind: FrameKind, id: number, value: unknown): Uint8Array {
  return encodeFrame(kind, id, encoder.encode(JSON.stringify(value)));
}

export function encodeCredit(streamId: number, bytes: number): Uint8Array {
  const payload = new Uint8Array(4);
  new DataView(payload.buffer).setUint32(0, bytes, true);
  return encodeFrame(FrameKind.Credit, streamId, payload);
}

export function creditOf(frame: Frame): number {
  if (frame.payload.length !== 4) return 0;
  return new DataView(frame.payload.buffer, frame.payload.byteOffset, 4).getUint32(0, true);
}

export function jsonOf(frame: Frame): unknown {
  return JSON.parse(decoder.decode(frame.payload));
}

/** Splits a byte stream into frames; bytes that do not start a valid header are skipped and counted. */
export class FrameReader {
  private buffer: Uint8Array = new Uint8Array(0);
  /** Bytes thrown away while looking for a valid header. */
  skipped = 0;

  push(chunk: Uint8Array): Frame[] {
    this.buffer = this.buffer.length === 0 ? chunk.slice() : concatBytes([this.buffer, chunk]);
    const frames: Frame[] = [];
    let at = 0;
    while (this.buffer.length - at >= HEADER_SIZE) {
      const view = new DataView(this.buffer.buffer, this.buffer.byteOffset + at, HEADER_SIZE);
      const kind = this.buffer[at + 3];
      const length = view.getUint32(8, true);
      const valid =
        this.buffer[at] === MAGIC0 &&
        this.buffer[at + 1] === MAGIC1 &&
        this.buffer[at + 2] === PROTOCOL_VERSION &&
        kind >= FrameKind.Request &&
        kind <= FrameKind.Event &&
        length <= MAX_PAYLOAD;
      if (!valid) {
        at++;
        this.skipped++;
        continue;
      }
      if (this.buffer.length - at < HEADER_SIZE + length) break;
      frames.push({
        kind: kind as FrameKind,
        id: view.getUint32(4, true),
        payload: this.buffer.slice(at + HEADER_SIZE, at + HEADER_SIZE + length),
      });
      at += HEADER_SIZE + length;
    }
    this.buffer = this.buffer.slice(at);
    return frames;
  }
}

