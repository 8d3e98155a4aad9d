// Flag value types with pflag's (and docker's opts package's) parsing, type names and defaults.
// `type` is what --help prints after the flag name; `set` throws the error text docker shows
// after `invalid argument "<value>" for "<flag>" flag: `.

import { formatDuration, parseDuration } from '../../go/duration';
import { goQuote, parseBool, parseInt64, parseUint } from '../../go/strconv';
import { bytesSize, ramInBytes } from '../../go/units';

export interface FlagValue<T = unknown> {
  /** pflag's Value.Type(): "string", "bool", "int", "list", "bytes"... */
  readonly type: string;
  /** Parses one occurrence of the flag; throws an Error with docker's text when invalid. */
  set(raw: string): void;
  /** pflag's Value.String(), used for defaults in --help. */
  toString(): string;
  /** Whether --help should hide "(default ...)" for the default value. */
  isZeroDefault(defaultText: string): boolean;
  readonly value: T;
}

/** Go's csv writer for one record, as pflag prints slice defaults. */
function writeCsvRecord(fields: string[]): string {
  return fields
    .map((field) => {
      const needsQuotes = field === '' ? false : /[",\r\n]/.test(field) || field.startsWith(' ') || field.startsWith('\t');
      return needsQuotes ? `"${field.replace(/"/g, '""')}"` : field;
    })
    .join(',');
}

/** Go's encoding/csv reader for one record (pflag's string slices split `a,b` and `"a,b"` this way). */
export function readCsvRecord(text: string): string[] {
  if (text === '') return [];
  const fields: string[] = [];
  let index = 0;
  let column = 1;
  for (;;) {
    if (text[index] === '"') {
      let field = '';
      index++;
      for (;;) {
        const quote = text.indexOf('"', index);
        if (quote === -1) {
          throw new Error(`parse error on line 1, column ${text.length + 1}: extraneous or missing " in quoted-field`);
        }
        field += text.slice(index, quote);
        index = quote + 1;
        if (text[index] === '"') {
          field += '"';
          index++;
          continue;
        }
        if (index < text.length && text[index] !== ',') {
          throw new Error(`parse error on line 1, column ${index + 1}: extraneous or missing " in quoted-field`);
        }
        break;
      }
      fields.push(field);
    } else {
      const comma = text.indexOf(',', index);
      const field = comma === -1 ? text.slice(index) : text.slice(index, comma);
      const bareQuote = field.indexOf('"');
      if (bareQuote !== -1) {
        throw new Error(`parse error on line 1, column ${column + bareQuote}: bare " in non-quoted-field`);
      }
      fields.push(field);
      index = comma === -1 ? text.length : comma;
    }
    if (index >= text.length) break;
    index++; // the comma
    column = index + 1;
    if (index === text.length) {
      fields.push('');
      break;
    }
  }
  return fields;
}

abstract class BaseValue<T> implements FlagValue<T> {
  abstract readonly type: string;
  constructor(public value: T) {}
  abstract set(raw: string): void;
  abstract toString(): string;
  isZeroDefault(defaultText: string): boolean {
    return defaultText === '' || defaultText === '0' || defaultText === 'false' || defaultText === '<nil>';
  }
}

export class BoolValue extends BaseValue<boolean> {
  readonly type = 'bool';
  set(raw: string): void {
    this.value = parseBool(raw);
  }
  toString(): string {
    return String(this.value);
  }
  override isZeroDefault(defaultText: string): boolean {
    return defaultText === 'false';
  }
}

export class StringValue extends BaseValue<string> {
  readonly type = 'string';
  set(raw: string): void {
    this.value = raw;
  }
  toString(): string {
    return this.value;
  }
  override isZeroDefault(defaultText: string): boolean {
    return defaultText === '';
  }
}

/** A Go int (64-bit): held as a number, range-checked like strconv.ParseInt. */
export class IntValue extends BaseValue<number> {
  constructor(value: number, readonly type: 'int' | 'int64' = 'int') {
    super(value);
  }
  set(raw: string): void {
    this.value = Number(parseInt64(raw, 0, 64));
  }
  toString(): string {
    return String(this.value);
  }
  override isZeroDefault(defaultText: string): boolean {
    return defaultText === '0';
  }
}

export class UintValue extends BaseValue<number> {
  constructor(value: number, readonly type: 'uint' | 'uint16' | 'uint64' = 'uint') {
    super(value);
  }
  set(raw: string): void {
    const bits = this.type === 'uint16' ? 16 : 64;
    this.value = Number(parseUint(raw, 0, bits));
  }
  toString(): string {
    return String(this.value);
  }
  override isZeroDefault(defaultText: string): boolean {
    return defaultText === '0';
  }
}

/** A time.Duration in nanoseconds. */
export class DurationValue extends BaseValue<bigint> {
  readonly type = 'duration';
  set(raw: string): void {
    this.value = parseDuration(raw);
  }
  toString(): string {
    return formatDuration(this.value);
  }
  override isZeroDefault(defaultText: string): boolean {
    return defaultText === '0' || defaultText === '0s';
  }
}

/** docker's opts.MemBytes: go-units RAMInBytes ("512m"), printed as BytesSize. */
export class BytesValue extends BaseValue<number> {
  readonly type = 'bytes';
  /** MemSwapBytes accepts -1 (unlimited). */
  constructor(value: number, private readonly allowUnlimited = false) {
    super(value);
  }
  set(raw: string): void {
    if (this.allowUnlimited && raw === '-1') {
      this.value = -1;
      return;
    }
    this.value = ramInBytes(raw);
  }
  toString(): string {
    return this.value !== 0 ? bytesSize(this.value) : '0';
  }
}

/** pflag's stringSlice: each occurrence is read as CSV and appended ("strings" in --help). */
export class StringSliceValue extends BaseValue<string[]> {
  readonly type = 'stringSlice';
  private changed = false;
  set(raw: string): void {
    const fields = readCsvRecord(raw);
    this.value = this.changed ? [...this.value, ...fields] : fields;
    this.changed = true;
  }
  toString(): string {
    return `[${writeCsvRecord(this.value)}]`;
  }
  override isZeroDefault(defaultText: string): boolean {
    return defaultText === '[]';
  }
}

/** pflag's stringArray: each occurrence is one element, commas kept. */
export class StringArrayValue extends BaseValue<string[]> {
  readonly type = 'stringArray';
  private changed = false;
  set(raw: string): void {
    this.value = this.changed ? [...this.value, raw] : [raw];
    this.changed = true;
  }
  toString(): string {
    return `[${writeCsvRecord(this.value)}]`;
  }
  override isZeroDefault(defaultText: string): boolean {
    return defaultText === '[]';
  }
}

/** Returns the value to keep, or throws docker's validation error. */
export type Validator = (raw: string) => string;

/** docker's opts.ListOpts ("list"): repeatable, each occurrence validated, printed as Go's %v. */
export class ListValue extends BaseValue<string[]> {
  constructor(value: string[] = [], private readonly validator?: Validator, readonly type: string = 'list') {
    super([...value]);
  }
  set(raw: string): void {
    this.value.push(this.validator ? this.validator(raw) : raw);
  }
  toString(): string {
    return this.value.length === 0 ? '' : `[${this.value.join(' ')}]`;
  }
}

/** docker's opts.MapOpts ("map"): `-l k=v` repeated; a later key wins. */
export class MapValue extends BaseValue<Map<string, string>> {
  readonly type = 'map';
  constructor(value: Map<string, string> = new Map(), private readonly validator?: Validator) {
    super(new Map(value));
  }
  set(raw: string): void {
    const text = this.validator ? this.validator(raw) : raw;
    const equals = text.indexOf('=');
    this.value.set(equals === -1 ? text : text.slice(0, equals), equals === -1 ? '' : text.slice(equals + 1));
  }
  toString(): string {
    const entries = [...this.value.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, v]) => `${k}:${v}`).join(' ')}]`;
  }
}

/** A value parsed by a caller-supplied function (filters, ulimits, port options...). */
export class CustomValue<T> extends BaseValue<T> {
  constructor(
    value: T,
    readonly type: string,
    private readonly parse: (raw: string, current: T) => T,
    private readonly show: (value: T) => string = (v) => String(v),
  ) {
    super(value);
  }
  set(raw: string): void {
    this.value = this.parse(raw, this.value);
  }
  toString(): string {
    return this.show(this.value);
  }
}

/** Quoted default for string flags in --help: `(default "info")`. */
export function quoteDefault(value: FlagValue, defaultText: string): string {
  return value.type === 'string' ? goQuote(defaultText) : defaultText;
}
