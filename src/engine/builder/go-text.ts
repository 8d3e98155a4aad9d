// The few Go string rules that buildkit's Dockerfile frontend leans on and that show in its output:
// unicode.IsSpace, strings.TrimSpace and the UTF-8 byte view that a few of its loops walk instead of
// runes (strconv.Quote, for %q, is src/go/strconv.ts).

const goSpaces = new Set([0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x85, 0xa0, 0x1680, 0x2028, 0x2029, 0x202f, 0x205f, 0x3000]);

/** unicode.IsSpace for one code point (JavaScript's \s differs: it has U+FEFF, lacks U+0085). */
export function isGoSpace(codePoint: number): boolean {
  return goSpaces.has(codePoint) || (codePoint >= 0x2000 && codePoint <= 0x200a);
}

/** The same test for a one-character string (a code point); false for "". */
export function isGoSpaceChar(ch: string): boolean {
  return ch !== '' && isGoSpace(ch.codePointAt(0) ?? 0);
}

/** strings.TrimLeftFunc(s, unicode.IsSpace). */
export function goTrimLeftSpace(text: string): string {
  let start = 0;
  for (const ch of text) {
    if (!isGoSpaceChar(ch)) break;
    start += ch.length;
  }
  return text.slice(start);
}

/** strings.TrimSpace. */
export function goTrimSpace(text: string): string {
  const chars = Array.from(goTrimLeftSpace(text));
  let end = chars.length;
  while (end > 0 && isGoSpaceChar(chars[end - 1])) end--;
  return chars.slice(0, end).join('');
}

/** Splits on buildkit's reWhitespace, `[\t\v\f\r ]+` (ASCII only, no newline), at most `limit` parts. */
export function splitOnWhitespace(text: string, limit = -1): string[] {
  const parts: string[] = [];
  const separator = /[\t\v\f\r ]+/g;
  let start = 0;
  for (let match = separator.exec(text); match; match = separator.exec(text)) {
    if (limit > 0 && parts.length === limit - 1) break;
    parts.push(text.slice(start, match.index));
    start = match.index + match[0].length;
  }
  parts.push(text.slice(start));
  return parts;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The UTF-8 bytes of a string, for the loops buildkit runs over bytes rather than runes. */
export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Bytes back to a string (a sequence cut in half becomes U+FFFD where Go would keep the raw byte). */
export function utf8Text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** unicode.IsSpace of a single byte taken as a rune, as buildkit's byte loops do (0x85 and 0xA0 count). */
export function isGoSpaceByte(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d) || byte === 0x85 || byte === 0xa0;
}
