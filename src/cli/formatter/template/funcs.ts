// Go's text/template functions (funcs.go) and docker's own (json, split, join, title, lower, upper,
// pad, truncate), with the comparisons and printing they share.

import { formatG } from '../../../go/fmt';
import { GoFloat, formatValue, isGoMap, toGoJson, typeName } from '../govalue';
import { goQuote } from '../../../go/strconv';
import { TemplateError } from './lex';

type TemplateFunction = (...args: unknown[]) => unknown;

export interface FunctionEntry {
  fn: TemplateFunction;
  /** Go parameter types, for argument checks; "any" accepts anything; a trailing "..." is variadic. */
  params: string[];
}

export type FunctionMap = Record<string, FunctionEntry>;

export function checkType(expected: string, value: unknown): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'string':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case '[]string':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    default:
      return true;
  }
}

/** Builds a function entry with Go-like parameter types. */
export function templateFunction(params: string[], fn: TemplateFunction): FunctionEntry {
  return { fn, params };
}

/** Go's strings.Title: upper-cases the first letter of each word. */
function title(text: string): string {
  return text.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}

/** docker's templates.basicFunctions. */
export const dockerFunctions: FunctionMap = {
  json: templateFunction(['any'], (value) => toGoJson(value)),
  split: templateFunction(['string', 'string'], (s, sep) => splitGo(s as string, sep as string)),
  join: templateFunction(['[]string', 'string'], (items, sep) => (items as string[]).join(sep as string)),
  title: templateFunction(['string'], (s) => title(s as string)),
  lower: templateFunction(['string'], (s) => (s as string).toLowerCase()),
  upper: templateFunction(['string'], (s) => (s as string).toUpperCase()),
  pad: templateFunction(['string', 'int', 'int'], (s, prefix, suffix) =>
    s === '' ? '' : ' '.repeat(prefix as number) + (s as string) + ' '.repeat(suffix as number),
  ),
  truncate: templateFunction(['string', 'int'], (s, length) => truncateBytes(s as string, length as number)),
};

/** docker's templates.HeaderFunctions: table headers stay as they are. */
export const headerFunctions: FunctionMap = {
  json: templateFunction(['string'], (v) => v),
  split: templateFunction(['string', 'string'], (v) => v),
  join: templateFunction(['string', 'string'], (v) => v),
  title: templateFunction(['string'], (v) => v),
  lower: templateFunction(['string'], (v) => v),
  upper: templateFunction(['string'], (v) => v),
  truncate: templateFunction(['string', 'int'], (v) => v),
};

function splitGo(text: string, separator: string): string[] {
  if (separator === '') return [...text];
  return text.split(separator);
}

/** Go slices strings by bytes: truncate keeps the first `length` UTF-8 bytes. */
function truncateBytes(text: string, length: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length < length) return text;
  return new TextDecoder().decode(bytes.slice(0, length));
}

export function lengthOf(value: unknown): number {
  if (typeof value === 'string') return new TextEncoder().encode(value).length;
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map) return value.size;
  if (isGoMap(value)) return Object.keys(value).length;
  throw new TemplateError(`len of type ${typeName(value)}`);
}

function basicKind(value: unknown): 'bool' | 'int' | 'float' | 'string' | 'nil' | 'other' {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (value instanceof GoFloat) return 'float';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'string') return 'string';
  return 'other';
}

function numeric(value: unknown): number {
  if (value instanceof GoFloat) return value.value;
  return Number(value);
}

export function equal(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if ((ka === 'int' || ka === 'float') && (kb === 'int' || kb === 'float')) return numeric(a) === numeric(b);
  if (ka === 'other' || kb === 'other') {
    if (Array.isArray(a) || isGoMap(a)) throw new TemplateError('error calling eq: non-comparable type');
    return a === b;
  }
  if (ka !== kb) throw new TemplateError('error calling eq: incompatible types for comparison');
  return a === b;
}

export function less(name: string, a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  const numericKinds = ['int', 'float'];
  if (numericKinds.includes(ka) && numericKinds.includes(kb)) return numeric(a) < numeric(b);
  if (ka === 'string' && kb === 'string') return (a as string) < (b as string);
  if (ka !== kb) throw new TemplateError(`error calling ${name}: incompatible types for comparison`);
  throw new TemplateError(`error calling ${name}: invalid type for comparison`);
}

export function indexValue(item: unknown, indexes: unknown[]): unknown {
  let current = item;
  for (const index of indexes) {
    if (current === null || current === undefined) throw new TemplateError('error calling index: index of untyped nil');
    if (Array.isArray(current) || typeof current === 'string') {
      if (typeof index !== 'number' || !Number.isInteger(index)) throw new TemplateError(`error calling index: cannot index slice/array with type ${typeName(index)}`);
      const length = typeof current === 'string' ? new TextEncoder().encode(current).length : current.length;
      if (index < 0 || index >= length) throw new TemplateError(`error calling index: index out of range: ${index}`);
      current = typeof current === 'string' ? new TextEncoder().encode(current)[index] : current[index];
    } else if (isGoMap(current)) {
      const map = current;
      const found = map instanceof Map ? map.get(index) : Object.prototype.hasOwnProperty.call(map, String(index)) ? map[String(index)] : undefined;
      if (found === undefined) {
        // A missing key gives the zero value of the element type ("" for string maps).
        const values = map instanceof Map ? [...map.values()] : Object.values(map);
        current = values.every((value) => typeof value === 'string') ? '' : undefined;
      } else current = found;
    } else throw new TemplateError(`error calling index: can't index item of type ${typeName(current)}`);
  }
  return current;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
export function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}

/** fmt.Sprintf for the verbs people use in --format: %s %v %d %q %t %f %g %x %%, widths and precision. */
export function sprintf(format: string, args: unknown[]): string {
  let argIndex = 0;
  return format.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (whole, flags: string, width: string | undefined, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (argIndex >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[argIndex++];
    let text: string;
    switch (verb) {
      case 'v':
      case 's':
        text = formatValue(arg);
        if (precision !== undefined && verb === 's') text = [...text].slice(0, Number(precision)).join('');
        break;
      case 'd':
        text = typeof arg === 'number' ? String(Math.trunc(arg)) : `%!d(${typeName(arg)}=${formatValue(arg)})`;
        break;
      case 'q':
        text = typeof arg === 'string' ? goQuote(arg) : formatValue(arg);
        break;
      case 't':
        text = typeof arg === 'boolean' ? String(arg) : `%!t(${typeName(arg)}=${formatValue(arg)})`;
        break;
      case 'f':
        text = typeof arg === 'number' || arg instanceof GoFloat ? numeric(arg).toFixed(precision === undefined ? 6 : Number(precision)) : `%!f(${typeName(arg)}=${formatValue(arg)})`;
        break;
      case 'g':
        text = typeof arg === 'number' || arg instanceof GoFloat ? formatG(numeric(arg), precision === undefined ? -1 : Number(precision)) : formatValue(arg);
        break;
      case 'x':
        text = typeof arg === 'number' ? Math.trunc(arg).toString(16) : [...new TextEncoder().encode(String(arg))].map((b) => b.toString(16).padStart(2, '0')).join('');
        break;
      default:
        return whole;
    }
    if (width !== undefined && text.length < Number(width)) {
      const pad = (flags.includes('0') && !flags.includes('-') ? '0' : ' ').repeat(Number(width) - text.length);
      text = flags.includes('-') ? text + ' '.repeat(Number(width) - text.length) : pad + text;
    }
    return text;
  });
}

export const builtinNames = ['and', 'or', 'not', 'len', 'index', 'slice', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'html', 'js', 'urlquery', 'call'];
