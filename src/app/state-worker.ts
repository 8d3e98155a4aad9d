// The saved machine's state packed and unpacked off the page's main thread (issue 14,
// state-chunks.ts): the emulator runs on the main thread, so hashing and compressing 100+ MB there
// would share its time with the guest; in a worker it runs on another core. Messages:
// { id, op: 'pack', raw, known, pinned } and { id, op: 'unpack', layout, head, saved, packs } in, { id, result } or
// { id, error } out; buffers are transferred where they can be.

import { packState, unpackState, type PackedState, type SavedChunks, type StateLayout } from './state-chunks';

type Request =
  | { id: number; op: 'pack'; raw: ArrayBuffer; known: SavedChunks; pinned?: SavedChunks }
  | { id: number; op: 'unpack'; layout: StateLayout; head: Uint8Array; saved: SavedChunks; packs: Map<string, Uint8Array> };

interface WorkerScope {
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  const request = event.data;
  const work: Promise<{ result: PackedState | Uint8Array; transfer: Transferable[] }> =
    request.op === 'pack'
      ? packState(new Uint8Array(request.raw), request.known, request.pinned).then((packed) => ({ result: packed, transfer: [...new Set([packed.head.buffer, ...packed.fresh.map(([, bytes]) => bytes.buffer)])] }))
      : unpackState(request.layout, request.head, request.saved, request.packs).then((raw) => ({ result: raw, transfer: [raw.buffer] }));
  work.then(
    ({ result, transfer }) => scope.postMessage({ id: request.id, result }, transfer),
    (error: unknown) => scope.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
  );
};
