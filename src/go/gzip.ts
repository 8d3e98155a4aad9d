// Go's compress/gzip through the platform's CompressionStream (the same in browsers and Node).

import { concatBytes } from './bytes';

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

async function* streamChunks(stream: ReadableStream<Uint8Array>): AsyncIterable<Uint8Array> {
  const reader = stream.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function sourceStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  const step = 1 << 20;
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (at >= bytes.length) {
        controller.close();
        return;
      }
      controller.enqueue(bytes.slice(at, at + step));
      at += step;
    },
  });
}

/** gunzip as chunks. */
export function gunzipChunks(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  return streamChunks(sourceStream(bytes).pipeThrough(new DecompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>));
}

export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of gunzipChunks(bytes)) parts.push(chunk);
  return concatBytes(parts);
}

export async function gzip(bytes: Uint8Array): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of streamChunks(sourceStream(bytes).pipeThrough(new CompressionStream('gzip') as unknown as TransformStream<Uint8Array, Uint8Array>))) {
    parts.push(chunk);
  }
  return concatBytes(parts);
}
