// docker's timetypes.GetTimestamp: "42m" (relative), RFC 3339 or a date, as Unix seconds with nanoseconds.

import { parseDuration } from '../../flags';

export function parseTimestamp(value: string, now: Date): string {
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  try {
    const nanos = parseDuration(value);
    const ms = now.getTime() - Number(nanos / 1_000_000n);
    return unixText(ms);
  } catch {
    // not a duration
  }
  let text = value;
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00Z';
  else if (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text)) text += 'Z';
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`invalid value for "since": failed to parse value as time or duration: "${value}"`);
  return unixText(ms);
}

function unixText(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  const nanos = (ms - seconds * 1000) * 1_000_000;
  return `${seconds}.${String(nanos).padStart(9, '0')}`;
}
