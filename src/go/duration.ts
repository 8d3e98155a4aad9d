// Go's time.ParseDuration and time.Duration.String, in nanoseconds held as bigint (int64 range).

import { goQuote } from './strconv';

const unitNanos: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  'µs': 1_000n, // U+00B5 micro sign
  'μs': 1_000n, // U+03BC Greek mu
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};

const maxDuration = (1n << 63n) - 1n;

/** Parses "1h30m", "1.5s", "-2ms" like time.ParseDuration; throws Go's error texts. */
export function parseDuration(input: string): bigint {
  const invalid = (): Error => new Error(`time: invalid duration ${goQuote(input)}`);
  let text = input;
  let negative = false;
  if (text.startsWith('-') || text.startsWith('+')) {
    negative = text[0] === '-';
    text = text.slice(1);
  }
  if (text === '0') return 0n;
  if (text === '') throw invalid();
  let total = 0n;
  while (text !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(text);
    const whole = number?.[1] ?? '';
    const fraction = number?.[2];
    if (!number || (whole === '' && (fraction === undefined || fraction === ''))) throw invalid();
    text = text.slice(number[0].length);
    const unitMatch = /^[^0-9.]*/.exec(text);
    const unit = unitMatch ? unitMatch[0] : '';
    if (unit === '') throw new Error(`time: missing unit in duration ${goQuote(input)}`);
    const scale = unitNanos[unit];
    if (scale === undefined) throw new Error(`time: unknown unit ${goQuote(unit)} in duration ${goQuote(input)}`);
    text = text.slice(unit.length);
    let value = BigInt(whole === '' ? '0' : whole) * scale;
    if (fraction) {
      // Truncating division, as Go does for the fractional part.
      value += (BigInt(fraction) * scale) / 10n ** BigInt(fraction.length);
    }
    total += value;
    if (total > maxDuration + (negative ? 1n : 0n)) throw invalid();
  }
  return negative ? -total : total;
}

function fractionString(value: bigint, digits: number): string {
  // value holds `digits` decimal places; drop trailing zeros (Go's fmtFrac).
  const text = value.toString().padStart(digits, '0').replace(/0+$/, '');
  return text === '' ? '' : `.${text}`;
}

/** time.Duration.String(): "1h2m3.5s", "150ms", "0s". */
export function formatDuration(nanos: bigint): string {
  if (nanos === 0n) return '0s';
  const negative = nanos < 0n;
  const magnitude = negative ? -nanos : nanos;
  let out: string;
  if (magnitude < 1_000_000_000n) {
    if (magnitude < 1_000n) out = `${magnitude}ns`;
    else if (magnitude < 1_000_000n) out = `${magnitude / 1_000n}${fractionString(magnitude % 1_000n, 3)}µs`;
    else out = `${magnitude / 1_000_000n}${fractionString(magnitude % 1_000_000n, 6)}ms`;
  } else {
    const seconds = magnitude / 1_000_000_000n;
    const secondsText = `${seconds % 60n}${fractionString(magnitude % 1_000_000_000n, 9)}s`;
    const minutes = seconds / 60n;
    if (minutes === 0n) out = secondsText;
    else {
      const hours = minutes / 60n;
      out = hours === 0n ? `${minutes}m${secondsText}` : `${hours}h${minutes % 60n}m${secondsText}`;
    }
  }
  return negative ? `-${out}` : out;
}
