// Go's float formatting (%g, %.Ng, %v) with Go's rounding: docker prints sizes through `%.*g`, and
// Go rounds the exact binary value half-to-even, which JavaScript's toPrecision does not.

interface Decimal {
  digits: string; // no leading or trailing zeros; "" for zero
  point: number; // value = 0.digits × 10^point
}

/** The exact decimal expansion of a finite, non-negative double. */
function exactDecimal(value: number): Decimal {
  if (value === 0) return { digits: '', point: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const high = view.getUint32(0);
  const low = view.getUint32(4);
  const biasedExponent = (high >>> 20) & 0x7ff;
  let mantissa = (BigInt(high & 0xfffff) << 32n) | BigInt(low);
  let exponent: number;
  if (biasedExponent === 0) exponent = -1074;
  else {
    mantissa |= 1n << 52n;
    exponent = biasedExponent - 1075;
  }
  let digits: string;
  let point: number;
  if (exponent >= 0) {
    digits = (mantissa << BigInt(exponent)).toString();
    point = digits.length;
  } else {
    digits = (mantissa * 5n ** BigInt(-exponent)).toString();
    point = digits.length + exponent;
  }
  const trimmed = digits.replace(/0+$/, '');
  return { digits: trimmed, point };
}

/** Rounds to `count` significant digits, half to even on exact ties (strconv's decimal.Round). */
function roundDecimal(decimal: Decimal, count: number): Decimal {
  const { digits } = decimal;
  if (count < 0 || count >= digits.length) return decimal;
  let roundUp: boolean;
  if (digits[count] > '5') roundUp = true;
  else if (digits[count] < '5') roundUp = false;
  else if (count + 1 < digits.length) roundUp = true;
  else roundUp = count > 0 && Number(digits[count - 1]) % 2 === 1;
  if (!roundUp) {
    return { digits: digits.slice(0, count).replace(/0+$/, ''), point: decimal.point };
  }
  const kept = digits.slice(0, count).split('').map(Number);
  let index = kept.length - 1;
  while (index >= 0 && kept[index] === 9) index--;
  if (index < 0) return { digits: '1', point: decimal.point + 1 };
  kept[index]++;
  return { digits: kept.slice(0, index + 1).join(''), point: decimal.point };
}

/** The shortest digits that read back as the same double (what Go and JavaScript both compute). */
function shortestDecimal(value: number): Decimal {
  if (value === 0) return { digits: '', point: 0 };
  const [mantissa, exponentText] = value.toExponential().split('e');
  const digits = mantissa.replace('.', '').replace(/0+$/, '');
  return { digits, point: Number(exponentText) + 1 };
}

function formatE(negative: boolean, decimal: Decimal, fractionDigits: number): string {
  const digits = decimal.digits === '' ? '0' : decimal.digits;
  let out = digits[0];
  if (fractionDigits > 0) out += '.' + digits.slice(1, 1 + fractionDigits).padEnd(fractionDigits, '0');
  const exponent = decimal.digits === '' ? 0 : decimal.point - 1;
  const exponentText = String(Math.abs(exponent)).padStart(2, '0');
  return `${negative ? '-' : ''}${out}e${exponent < 0 ? '-' : '+'}${exponentText}`;
}

function formatF(negative: boolean, decimal: Decimal, fractionDigits: number): string {
  const { digits, point } = decimal;
  const integer = point > 0 ? digits.slice(0, point).padEnd(point, '0') : '0';
  let out = integer;
  if (fractionDigits > 0) {
    let fraction = '';
    for (let i = 0; i < fractionDigits; i++) {
      const index = point + i;
      fraction += index >= 0 && index < digits.length ? digits[index] : '0';
    }
    out += '.' + fraction;
  }
  return (negative ? '-' : '') + out;
}

/** Go's `%.{precision}g`; precision -1 is the shortest form (`%v` / `%g`). */
export function formatG(value: number, precision = -1): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
  const negative = value < 0 || Object.is(value, -0);
  const magnitude = Math.abs(value);
  const shortest = precision < 0;
  let decimal: Decimal;
  if (shortest) decimal = shortestDecimal(magnitude);
  else {
    if (precision === 0) precision = 1;
    decimal = roundDecimal(exactDecimal(magnitude), precision);
  }
  const digitCount = decimal.digits.length;
  let exponentLimit = shortest ? 6 : precision;
  if (!shortest && exponentLimit > digitCount && digitCount >= decimal.point) exponentLimit = digitCount;
  // Go's exponent is point-1 even for zero (point 0), which keeps zero in %f form.
  const exponent = decimal.point - 1;
  if (exponent < -4 || exponent >= exponentLimit) {
    const fractionDigits = (shortest ? digitCount : Math.min(precision, digitCount)) - 1;
    return formatE(negative, decimal, Math.max(fractionDigits, 0));
  }
  const fractionDigits = Math.max(digitCount - decimal.point, 0);
  return formatF(negative, decimal, fractionDigits);
}

/** Go's `%.{decimals}f` (used for percentages such as "40.00%"). */
export function formatFixed(value: number, decimals: number): string {
  if (!Number.isFinite(value)) return formatG(value);
  const negative = value < 0;
  const exact = exactDecimal(Math.abs(value));
  const rounded = roundDecimal(exact, Math.max(exact.point + decimals, 0));
  // Rounding to zero significant digits can still carry into a new digit ("0.5" at 0 decimals).
  if (exact.point + decimals < 0 || (rounded.digits === '' && exact.digits !== '')) {
    return formatF(negative, { digits: '', point: 0 }, decimals);
  }
  return formatF(negative, rounded, decimals);
}
