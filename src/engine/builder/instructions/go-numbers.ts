// Go's time.ParseDuration and strconv.ParseInt(s, 10, 32) with their error texts, which HEALTHCHECK
// prints as they are ("time: invalid duration \"5x\"").

import { goQuote } from '../../../go/strconv';

/** Nanoseconds in one second (image configs keep durations in nanoseconds). */
export const SECOND = 1_000_000_000;

const unitNanos = new Map<string, bigint>([
  ['ns', 1n],
  ['us', 1_000n],
  ['\u00b5s', 1_000n], // micro sign
  ['\u03bcs', 1_000n], // Greek mu
  ['ms', 1_000_000n],
  ['s', 1_000_000_000n],
  ['m', 60_000_000_000n],
  ['h', 3_600_000_000_000n],
]);

const maxMagnitude = 1n << 63n;

/** The time package's own quoting: ASCII as is (with \" and \\), anything else as \x bytes. */
function timeQuote(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (code >= 0x80 || code < 0x20) {
      for (const byte of new TextEncoder().encode(ch)) out += `\\x${byte.toString(16).padStart(2, '0')}`;
    } else {
      out += ch === '"' || ch === '\\' ? `\\${ch}` : ch;
    }
  }
  return `${out}"`;
}

/** time.ParseDuration ("1h30m", "1.5s", "-2ms"), in nanoseconds. */
export function parseGoDuration(input: string): number {
  const invalid = (): Error => new Error(`time: invalid duration ${timeQuote(input)}`);
  let text = input;
  let negative = false;
  if (text.startsWith('-') || text.startsWith('+')) {
    negative = text[0] === '-';
    text = text.slice(1);
  }
  if (text === '0') return 0;
  if (text === '') throw invalid();
  let total = 0n;
  while (text !== '') {
    const number = /^([0-9]*)(?:\.([0-9]*))?/.exec(text);
    const whole = number?.[1] ?? '';
    const fraction = number?.[2];
    if (!number || (whole === '' && !fraction)) throw invalid();
    text = text.slice(number[0].length);
    const unit = /^[^0-9.]*/.exec(text)?.[0] ?? '';
    if (unit === '') throw new Error(`time: missing unit in duration ${timeQuote(input)}`);
    const scale = unitNanos.get(unit);
    if (scale === undefined) throw new Error(`time: unknown unit ${timeQuote(unit)} in duration ${timeQuote(input)}`);
    text = text.slice(unit.length);
    const wholeValue = BigInt(whole === '' ? '0' : whole);
    if (wholeValue > maxMagnitude / scale) throw invalid();
    let value = wholeValue * scale;
    if (fraction) {
      // Go keeps at most the digits that fit in int64 and scales through a float64
      const digits = fraction.slice(0, 18);
      value += BigInt(Math.trunc(Number(digits) * (Number(scale) / 10 ** digits.length)));
      if (value > maxMagnitude) throw invalid();
    }
    total += value;
    if (total > maxMagnitude) throw invalid();
  }
  if (!negative && total > maxMagnitude - 1n) throw invalid();
  return Number(negative ? -total : total);
}

/** strconv.ParseInt(s, 10, 32). */
export function parseGoInt32(input: string): number {
  const syntax = (): Error => new Error(`strconv.ParseInt: parsing ${goQuote(input)}: invalid syntax`);
  const match = /^([+-]?)([0-9]+)$/.exec(input);
  if (!match) throw syntax();
  const value = BigInt(match[2]) * (match[1] === '-' ? -1n : 1n);
  if (value > 2147483647n || value < -2147483648n) throw new Error(`strconv.ParseInt: parsing ${goQuote(input)}: value out of range`);
  return Number(value);
}
