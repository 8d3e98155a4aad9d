// docker/go-units: human sizes and durations exactly as docker prints and parses them.

import { formatG } from './gofmt';
import { parseFloat64 } from '../flags/strconv';

const decimalAbbreviations = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const binaryAbbreviations = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

function sizeAndUnit(size: number, base: number, units: string[]): [number, string] {
  let index = 0;
  while (size >= base && index < units.length - 1) {
    size /= base;
    index++;
  }
  return [size, units[index]];
}

/** units.HumanSizeWithPrecision: base 1000, `%.*g` ("1.23MB", "1e+03kB"). */
export function humanSizeWithPrecision(size: number, precision: number): string {
  const [value, unit] = sizeAndUnit(size, 1000, decimalAbbreviations);
  return formatG(value, precision) + unit;
}

/** units.HumanSize: 4 significant digits. */
export function humanSize(size: number): string {
  return humanSizeWithPrecision(size, 4);
}

/** units.BytesSize: base 1024, `%.4g` ("15.51GiB"). */
export function bytesSize(size: number): string {
  const [value, unit] = sizeAndUnit(size, 1024, binaryAbbreviations);
  return formatG(value, 4) + unit;
}

const decimalMultipliers: Record<string, number> = { k: 1e3, m: 1e6, g: 1e9, t: 1e12, p: 1e15 };
const binaryMultipliers: Record<string, number> = { k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4, p: 1024 ** 5 };

function parseSize(sizeText: string, multipliers: Record<string, number>): number {
  let separator = -1;
  for (let i = sizeText.length - 1; i >= 0; i--) {
    if ('0123456789. '.includes(sizeText[i])) {
      separator = i;
      break;
    }
  }
  if (separator === -1) throw new Error(`invalid size: '${sizeText}'`);
  const numberText = sizeText[separator] === ' ' ? sizeText.slice(0, separator) : sizeText.slice(0, separator + 1);
  let suffix = sizeText.slice(separator + 1);
  let size = parseFloat64(numberText);
  if (size < 0) throw new Error(`invalid size: '${sizeText}'`);
  if (suffix.length === 0) return Math.trunc(size);
  const badSuffix = (): Error => new Error(`invalid suffix: '${suffix}'`);
  if (suffix.length > 3) throw badSuffix();
  suffix = suffix.toLowerCase();
  if (suffix[0] === 'b') {
    if (suffix.length > 1) throw badSuffix();
    return Math.trunc(size);
  }
  const multiplier = multipliers[suffix[0]];
  if (multiplier === undefined) throw badSuffix();
  size *= multiplier;
  if ((suffix.length === 2 && suffix[1] !== 'b') || (suffix.length === 3 && suffix.slice(1) !== 'ib')) throw badSuffix();
  return Math.trunc(size);
}

/** units.RAMInBytes: "512m" → 536870912; binary multipliers, case-insensitive, optional b/ib. */
export function ramInBytes(size: string): number {
  return parseSize(size, binaryMultipliers);
}

/** units.FromHumanSize: decimal multipliers ("44kB" → 44000). */
export function fromHumanSize(size: string): number {
  return parseSize(size, decimalMultipliers);
}

/** units.HumanDuration lives with the engine (the daemon's status strings use it too). */
export { humanDuration } from '../../engine/human-duration';
