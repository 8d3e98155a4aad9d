// Number and bool parsing with Go's strconv rules and error texts, because docker prints those texts
// verbatim inside its flag errors ("strconv.ParseInt: parsing "abc": invalid syntax").

/** Go's strconv.Quote for the ASCII and common cases (enough for error messages and %q). */
export function goQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\r') out += '\\r';
    else if (code === 7) out += '\\a';
    else if (code === 8) out += '\\b';
    else if (code === 12) out += '\\f';
    else if (code === 11) out += '\\v';
    else if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code === 0xfffd && ch !== '\ufffd') out += '\\ufffd';
    else out += ch;
  }
  return out + '"';
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
