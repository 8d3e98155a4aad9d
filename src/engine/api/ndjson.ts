// Newline-delimited JSON bodies (docker events, docker stats): each value of a queue as one line; the
// client hanging up cancels the queue.

import { AsyncQueue } from '../async-queue';

const encoder = new TextEncoder();

export function ndjson<T>(values: AsyncQueue<T>, toJson: (value: T) => unknown = (value) => value): AsyncQueue<Uint8Array> {
  const out = new AsyncQueue<Uint8Array>();
  // Ending the values' iteration runs their onCancel (unsubscribe, stop sampling).
  out.onCancel = () => void values[Symbol.asyncIterator]().return?.();
  void (async () => {
    for await (const value of values) out.push(encoder.encode(`${JSON.stringify(toJson(value))}\n`));
    out.end();
  })();
  return out;
}
