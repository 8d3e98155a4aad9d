// Go's bytes.Join(chunks, nil): the one byte-concatenation helper of engine, cli, vm and app.

/** The chunks one after another, always in a new array (callers may keep or change it freely). */
export function concatBytes(chunks: readonly Uint8Array[], totalLength?: number): Uint8Array {
  const out = new Uint8Array(totalLength ?? chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}
