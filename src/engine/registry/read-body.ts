// Reads an HTTP response body whole, reporting the bytes received so far (pull's "Downloading" lines).

import { concatBytes } from '../../go/bytes';

export async function readBodyWithProgress(body: ReadableStream<Uint8Array>, onProgress?: (bytesReceived: number) => void): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let received = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    received += value.length;
    onProgress?.(received);
  }
  return concatBytes(chunks, received);
}
