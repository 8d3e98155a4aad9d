// Go's strconv: quoting as %q prints it, and number and bool parsing with Go's rules and error texts,
// because docker prints those texts verbatim inside its errors ("strconv.ParseInt: parsing "abc":
// invalid syntax").

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
function isPrint(ch: string): boolean {
  return ch === ' ' || /^[\p{L}\p{M}\p{N}\p{P}\p{S}]$/u.test(ch);
}

const namedEscapes: Record<string, string> = { '\x07': '\\a', '\b': '\\b', '\f': '\\f', '\n': '\\n', '\r': '\\r', '\t': '\\t', '\v': '\\v' };

/** One character as Go writes it between `quote` characters (strconv's appendEscapedRune). */
function escapeRune(ch: string, quote: string): string {
  let code = ch.codePointAt(0) ?? 0;
  if (ch === quote || ch === '\\') return `\\${ch}`;
  if (code < 0xd800 || code > 0xdfff ? isPrint(ch) : false) return ch;
  if (namedEscapes[ch]) return namedEscapes[ch];
  if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code >= 0xd800 && code <= 0xdfff) code = 0xfffd; // a lone surrogate: Go's invalid rune
  return code < 0x10000 ? `\\u${code.toString(16).padStart(4, '0')}` : `\\U${code.toString(16).padStart(8, '0')}`;
}

/** strconv.Quote: what `%q` prints for a string (Go escapes, printable Unicode kept as it is). */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) out += escapeRune(ch, '"');
  return `${out}"`;
}

/** `%q` of a []string: `["a" "b"]` (nil prints as `[]`). */
export function goQuoteList(items: readonly string[] | null | undefined): string {
  return `[${(items ?? []).map(goQuote).join(' ')}]`;
}

/** strconv.QuoteRune: what `%q` prints for an integer, a character literal ('a', '\n', '\x03'). */
export function goQuoteRune(code: number): string {
  const valid = Number.isInteger(code) && code >= 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff);
  return `'${escapeRune(String.fromCodePoint(valid ? code : 0xfffd), "'")}'`;
}

export class NumError extends Error {
  constructor(func: string, input: string, reason: 'invalid syntax' | 'value out of range') {
    super(`strconv.${func}: parsing ${goQuote(input)}: ${reason}`);
  }
}

/** Digits of `text` in `base`, allowing Go's underscores only when the base came from a prefix. */
function parseDigits(text: string, base: number, underscoresOk: boolean): bigint | undefined {
  if (text === '') return undefined;
  let value = 0n;
  let previousUnderscore = true; // no leading underscore after the prefix check below
  for (const ch of text) {
    if (ch === '_') {
      if (!underscoresOk || previousUnderscore) return undefined;
      previousUnderscore = true;
      continue;
    }
    const digit = parseInt(ch, 36);
    if (Number.isNaN(digit) || digit >= base) return undefined;
    value = value * BigInt(base) + BigInt(digit);
    previousUnderscore = false;
  }
  if (previousUnderscore && underscoresOk && text.endsWith('_')) return undefined;
  return value;
}

/** strconv.ParseUint(s, base, bits) (base 0 reads 0x/0o/0b/0 prefixes). */
export function parseUint(input: string, base = 0, bits = 64, func = 'ParseUint'): bigint {
  let text = input;
  let underscores = false;
  if (base === 0) {
    base = 10;
    underscores = true;
    if (text.length > 1 && text[0] === '0') {
      const marker = text[1].toLowerCase();
      if (marker === 'x') { base = 16; text = text.slice(2); }
      else if (marker === 'o') { base = 8; text = text.slice(2); }
      else if (marker === 'b') { base = 2; text = text.slice(2); }
      else { base = 8; text = text.slice(1); }
      // "0_1" style: an underscore may follow the prefix directly
      if (text.startsWith('_')) text = text.slice(1);
    }
  }
  const value = parseDigits(text, base, underscores);
  if (value === undefined) throw new NumError(func, input, 'invalid syntax');
  if (value >= 1n << BigInt(bits)) throw new NumError(func, input, 'value out of range');
  return value;
}

/** strconv.ParseInt(s, base, bits). */
export function parseInt64(input: string, base = 0, bits = 64): bigint {
  let text = input;
  let negative = false;
  if (text.startsWith('+') || text.startsWith('-')) {
    negative = text[0] === '-';
    text = text.slice(1);
  }
  let magnitude: bigint;
  try {
    magnitude = parseUint(text, base, bits, 'ParseInt');
  } catch (error) {
    if (error instanceof NumError && error.message.endsWith('value out of range')) {
      throw new NumError('ParseInt', input, 'value out of range');
    }
    throw new NumError('ParseInt', input, 'invalid syntax');
  }
  const limit = 1n << BigInt(bits - 1);
  if (!negative && magnitude >= limit) throw new NumError('ParseInt', input, 'value out of range');
  if (negative && magnitude > limit) throw new NumError('ParseInt', input, 'value out of range');
  return negative ? -magnitude : magnitude;
}

/** strconv.ParseBool. */
export function parseBool(input: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(input)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(input)) return false;
  throw new NumError('ParseBool', input, 'invalid syntax');
}

/** strconv.ParseFloat(s, 64) for decimal input (also inf/nan and hex floats are rare enough to skip). */
export function parseFloat64(input: string): number {
  const text = input.replace(/_/g, '');
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  if (/^nan$/i.test(text)) return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || (input.includes('_') && !/^[+-]?\d/.test(input))) {
    throw new NumError('ParseFloat', input, 'invalid syntax');
  }
  const value = Number(text);
  if (!Number.isFinite(value)) throw new NumError('ParseFloat', input, 'value out of range');
  return value;
}
