// gzip and gunzip of the saved machine's state off the page's main thread (issue 14): the emulator
// runs on the main thread, so compressing 100+ MB there would share its time with the guest; in a
// worker it runs on another core. Messages: { id, op: 'gzip' | 'gunzip', bytes } in, { id, bytes }
// or { id, error } out; the bytes' buffers are transferred both ways.

import { gunzip, gzip } from './machine-save';

interface Request {
  id: number;
  op: 'gzip' | 'gunzip';
  bytes: Uint8Array;
}

interface WorkerScope {
  onmessage: ((event: MessageEvent<Request>) => void) | null;
  postMessage(message: unknown, transfer?: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (event) => {
  const { id, op, bytes } = event.data;
  (op === 'gzip' ? gzip(bytes) : gunzip(bytes)).then(
    (out) => scope.postMessage({ id, bytes: out }, [out.buffer]),
    (error: unknown) => scope.postMessage({ id, error: error instanceof Error ? error.message : String(error) }),
  );
};
