// docker/go-units: human sizes and durations exactly as docker prints and parses them (the daemon's
// "Up 2 minutes" and the CLI's "3 days ago" both use HumanDuration).

import { formatG } from './fmt';
import { parseFloat64 } from './strconv';

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

/** units.HumanDuration for a duration in milliseconds ("About a minute", "3 days"). */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.trunc(milliseconds / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(milliseconds / 60_000);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.trunc(milliseconds / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(milliseconds / 3_600_000) / 24 / 365)} years`;
}
