// The machine's state saved in pieces (issue 14): v86's save_state is a header, an info block (JSON)
// and buffers (memory, disks, the 9p share's files); each buffer is cut into 256 KiB chunks named by
// their sha256, and only chunks no saved pair holds yet are compressed (together, in packs of about
// 4 MiB) and written. Most of a machine
// is the same from one save to the next (the 9p share's image layers, untouched memory), so after the
// first save a save writes a few MB instead of the whole state. Platform-neutral (the browser's and
// Node's CompressionStream and crypto.subtle); the page runs it in a worker (state-worker.ts).

// ---- gzip with the platform's streams (the browser's and Node's)

/**
 * Runs bytes through a transform stream, written and read directly (a Blob's stream piped into a
 * Response was 1.5 to 4 times slower in Chromium).
 */
async function throughStream(bytes: Uint8Array, transform: GenericTransformStream): Promise<Uint8Array> {
  const writer = (transform.writable as WritableStream<Uint8Array>).getWriter();
  // Their failures are the reader's too: reported there.
  writer.write(bytes).catch(() => undefined);
  writer.close().catch(() => undefined);
  const reader = (transform.readable as ReadableStream<Uint8Array>).getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
  }
  if (parts.length === 1) return parts[0];
  const out = new Uint8Array(size);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.byteLength;
  }
  return out;
}

export function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  return throughStream(bytes, new CompressionStream('gzip'));
}

/** Throws on a damaged stream (gzip's CRC-32 and length are checked). */
export function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  return throughStream(bytes, new DecompressionStream('gzip'));
}

export const CHUNK_SIZE = 256 * 1024;
/** v86's state magic (the first int32, little-endian) and the header's size. */
const V86_MAGIC = -2039052682;
const V86_HEADER = 16;

export interface StatePiece {
  /** Where the piece starts in the raw state. */
  offset: number;
  length: number;
  /** sha256 (hex) of each CHUNK_SIZE slice of the piece, in order. */
  chunks: string[];
}

export interface StateLayout {
  rawSize: number;
  /** Bytes before the first piece (v86's header and info block), stored gzip-compressed as the head. */
  headSize: number;
  pieces: StatePiece[];
}

/** Where a chunk's bytes are: a slice of a pack (several chunks compressed together as one gzip). */
export interface ChunkRef {
  pack: string;
  offset: number;
  length: number;
}

/** The chunks a saved state names and the packs that hold them (with their gzip sizes). */
export interface SavedChunks {
  chunks: Record<string, ChunkRef>;
  packs: Record<string, number>;
}

export interface PackedState {
  layout: StateLayout;
  /** The head, gzip. */
  head: Uint8Array;
  /** Every chunk the layout names, and every pack they are in. */
  saved: SavedChunks;
  /** The packs made by this save (the chunks no saved pair had), gzip, by id. */
  fresh: [string, Uint8Array][];
  freshChunks: number;
}

/**
 * Chunks are compressed in packs of about this many bytes: one gzip stream per pack instead of one per
 * chunk (most chunks are small: a 9p file each), which the streams' per-call cost made slow.
 */
export const PACK_SIZE = 4 * 1024 * 1024;

/** The buffers of a v86 state (absolute offsets), or the whole state as one piece when it is not one. */
function piecesOf(raw: Uint8Array): { headSize: number; ranges: { offset: number; length: number }[] } {
  const whole = { headSize: 0, ranges: [{ offset: 0, length: raw.byteLength }] };
  if (raw.byteLength < V86_HEADER) return whole;
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  if (view.getInt32(0, true) !== V86_MAGIC) return whole;
  const infoLength = view.getInt32(12, true);
  if (infoLength <= 0 || V86_HEADER + infoLength > raw.byteLength) return whole;
  let info: { buffer_infos?: { offset: number; length: number }[] };
  try {
    info = JSON.parse(new TextDecoder().decode(raw.subarray(V86_HEADER, V86_HEADER + infoLength))) as typeof info;
  } catch {
    return whole;
  }
  const blockStart = (V86_HEADER + infoLength + 3) & ~3;
  const ranges = (info.buffer_infos ?? []).map((b) => ({ offset: blockStart + b.offset, length: b.length }));
  if (ranges.some((r) => r.offset < blockStart || r.offset + r.length > raw.byteLength)) return whole;
  return { headSize: blockStart, ranges };
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>));
  let hex = '';
  for (const byte of digest) hex += byte.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Cuts a raw state into chunks; compresses the head and, in packs, the chunks neither `known` (the
 * current pair's) nor `pinned` (the lesson steps' snapshots': their packs stay stored anyway, so a chunk
 * in one is never packed again) has.
 */
export async function packState(raw: Uint8Array, known: SavedChunks = { chunks: {}, packs: {} }, pinned: SavedChunks = { chunks: {}, packs: {} }): Promise<PackedState> {
  const { headSize, ranges } = piecesOf(raw);
  const saved: SavedChunks = { chunks: {}, packs: {} };
  const fresh: [string, Uint8Array][] = [];
  let pending: { hash: string; bytes: Uint8Array }[] = [];
  let pendingSize = 0;
  let freshChunks = 0;
  const flush = async (): Promise<void> => {
    if (pending.length === 0) return;
    const joined = new Uint8Array(pendingSize);
    let at = 0;
    for (const chunk of pending) {
      joined.set(chunk.bytes, at);
      at += chunk.bytes.byteLength;
    }
    // Named by what it holds: the same chunks packed again get the same id.
    const id = await sha256Hex(new TextEncoder().encode(pending.map((chunk) => chunk.hash).join(',')));
    at = 0;
    for (const chunk of pending) {
      saved.chunks[chunk.hash] = { pack: id, offset: at, length: chunk.bytes.byteLength };
      at += chunk.bytes.byteLength;
    }
    const zipped = await gzip(joined);
    fresh.push([id, zipped]);
    saved.packs[id] = zipped.byteLength;
    pending = [];
    pendingSize = 0;
  };
  const pieces: StatePiece[] = [];
  // First every chunk's hash (a chunk the state holds twice is kept once).
  const unique = new Map<string, Uint8Array>();
  for (const range of ranges) {
    const chunks: string[] = [];
    for (let at = 0; at < range.length; at += CHUNK_SIZE) {
      const slice = raw.subarray(range.offset + at, range.offset + Math.min(range.length, at + CHUNK_SIZE));
      const hash = await sha256Hex(slice);
      chunks.push(hash);
      if (!unique.has(hash)) unique.set(hash, slice);
    }
    pieces.push({ offset: range.offset, length: range.length, chunks });
  }
  // A known pack of which this state still needs less than half is packed again (its live chunks go
  // into new packs), so packs of chunks long gone do not pile up from save to save.
  const total = new Map<string, number>();
  const live = new Map<string, number>();
  for (const ref of Object.values(known.chunks)) total.set(ref.pack, (total.get(ref.pack) ?? 0) + ref.length);
  for (const hash of unique.keys()) {
    const ref = known.chunks[hash];
    if (ref) live.set(ref.pack, (live.get(ref.pack) ?? 0) + ref.length);
  }
  const keep = (pack: string): boolean => known.packs[pack] !== undefined && (pinned.packs[pack] !== undefined || (live.get(pack) ?? 0) * 2 >= (total.get(pack) ?? 0));
  for (const [hash, slice] of unique) {
    const ref = known.chunks[hash];
    if (ref && keep(ref.pack)) {
      saved.chunks[hash] = ref;
      saved.packs[ref.pack] = known.packs[ref.pack];
      continue;
    }
    const held = pinned.chunks[hash];
    if (held && pinned.packs[held.pack] !== undefined) {
      saved.chunks[hash] = held;
      saved.packs[held.pack] = pinned.packs[held.pack];
      continue;
    }
    freshChunks++;
    pending.push({ hash, bytes: slice });
    pendingSize += slice.byteLength;
    if (pendingSize >= PACK_SIZE) await flush();
  }
  await flush();
  const head = await gzip(raw.subarray(0, headSize));
  return { layout: { rawSize: raw.byteLength, headSize, pieces }, head, saved, fresh, freshChunks };
}

/** Puts a raw state back together; throws when a pack is missing or damaged. */
export async function unpackState(layout: StateLayout, head: Uint8Array, saved: SavedChunks, packs: ReadonlyMap<string, Uint8Array>): Promise<Uint8Array> {
  const raw = new Uint8Array(layout.rawSize);
  const headBytes = await gunzip(head);
  if (headBytes.byteLength !== layout.headSize) throw new Error(`the state's head has ${headBytes.byteLength} bytes, the layout says ${layout.headSize}`);
  raw.set(headBytes, 0);
  const unzipped = new Map<string, Uint8Array>();
  const packOf = async (id: string): Promise<Uint8Array> => {
    let bytes = unzipped.get(id);
    if (bytes) return bytes;
    const zipped = packs.get(id);
    if (!zipped) throw new Error(`pack ${id} of the state is missing`);
    // gzip's CRC-32 and length catch a damaged pack.
    bytes = await gunzip(zipped).catch((error: unknown) => {
      throw new Error(`pack ${id} of the state is damaged (${error instanceof Error ? error.message : String(error)})`);
    });
    unzipped.set(id, bytes);
    return bytes;
  };
  for (const piece of layout.pieces) {
    let at = piece.offset;
    for (const hash of piece.chunks) {
      const ref = saved.chunks[hash];
      if (!ref) throw new Error(`chunk ${hash} of the state is missing`);
      const pack = await packOf(ref.pack);
      if (ref.offset + ref.length > pack.byteLength) throw new Error(`pack ${ref.pack} of the state is cut short`);
      raw.set(pack.subarray(ref.offset, ref.offset + ref.length), at);
      at += ref.length;
    }
    if (at !== piece.offset + piece.length) throw new Error(`a piece of the state has ${at - piece.offset} bytes, the layout says ${piece.length}`);
  }
  return raw;
}

/** Packs and unpacks states: in a worker (WorkerCodec), or on this thread. */
export interface StateCodec {
  /** The raw state's buffer is handed over (a worker takes it: it is left empty). */
  pack(raw: ArrayBuffer, known: SavedChunks, pinned?: SavedChunks): Promise<PackedState>;
  /** The head's and the packs' buffers are handed over too. */
  unpack(layout: StateLayout, head: Uint8Array, saved: SavedChunks, packs: ReadonlyMap<string, Uint8Array>): Promise<Uint8Array>;
}

export const inThreadCodec: StateCodec = {
  pack: (raw, known, pinned) => packState(new Uint8Array(raw), known, pinned),
  unpack: unpackState,
};
/** A worker running packState and unpackState (gzip-worker.ts), on another core than the emulator's. */
export class WorkerCodec implements StateCodec {
  private next = 0;
  /** The worker failed (its script did not load, say): the work goes on on this thread. */
  private broken = false;
  private readonly pending = new Map<number, { resolve: (value: never) => void; reject: (error: Error) => void }>();

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<{ id: number; result?: unknown; error?: string }>) => {
      const waiter = this.pending.get(event.data.id);
      if (!waiter) return;
      this.pending.delete(event.data.id);
      if (event.data.error === undefined) waiter.resolve(event.data.result as never);
      else waiter.reject(new Error(event.data.error));
    };
    worker.onerror = (event) => {
      this.broken = true;
      for (const waiter of this.pending.values()) waiter.reject(new Error(`the state worker failed: ${event.message}`));
      this.pending.clear();
    };
  }

  private call<T>(message: Record<string, unknown>, transfer: Transferable[]): Promise<T> {
    const id = ++this.next;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (value: never) => void, reject });
      this.worker.postMessage({ id, ...message }, transfer);
    });
  }

  pack(raw: ArrayBuffer, known: SavedChunks, pinned?: SavedChunks): Promise<PackedState> {
    if (this.broken) return inThreadCodec.pack(raw, known, pinned);
    return this.call({ op: 'pack', raw, known, pinned }, [raw]);
  }

  unpack(layout: StateLayout, head: Uint8Array, saved: SavedChunks, packs: ReadonlyMap<string, Uint8Array>): Promise<Uint8Array> {
    if (this.broken) return inThreadCodec.unpack(layout, head, saved, packs);
    // The packs go to the worker, not copied: the caller is done with them.
    return this.call({ op: 'unpack', layout, head, saved, packs }, [...new Set([head.buffer, ...[...packs.values()].map((pack) => pack.buffer)])] as Transferable[]);
  }
}
