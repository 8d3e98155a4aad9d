// How JavaScript values stand in for Go values inside templates: printing as fmt's %v does,
// encoding as encoding/json does, truthiness and type names for error messages.
//
// - string, boolean, number (integral numbers print as Go ints), GoFloat (prints as float64)
// - null / undefined: Go nil (an action prints "<no value>")
// - arrays: slices ("[a b]")
// - Map instances and objects passed through goMap(): Go maps (sorted keys, "map[k:v]")
// - other objects: structs ("{v1 v2}" in key order); their methods are Go methods
//   (capitalised names, called by templates); a `[goTypeName]` property names the type in errors.

import { formatG } from '../../go/fmt';

/** Property naming the Go type of an object in template error messages. */
export const goTypeName = Symbol('goTypeName');

/** A number that Go holds as float64 (prints 1e+06, not 1000000). */
export class GoFloat {
  constructor(readonly value: number) {}
}

const mapMarks = new WeakSet<object>();
const nilMarks = new WeakSet<object>();

/** An empty slice or map that Go holds as nil: prints as `[]` or `map[]`, encodes as JSON null. */
export function goNil<T extends object>(object: T): T {
  nilMarks.add(object);
  return object;
}
const hiddenFields = new WeakMap<object, Set<string>>();

/**
 * Names a template cannot use as fields of this struct, though printing and JSON still show them:
 * a JSON key whose Go field is named otherwise (`Id` of docker's ContainerJSON is the field `ID`).
 */
export function hideTemplateFields(object: object, names: readonly string[]): void {
  hiddenFields.set(object, new Set([...(hiddenFields.get(object) ?? []), ...names]));
}

export function isHiddenTemplateField(object: object, name: string): boolean {
  return hiddenFields.get(object)?.has(name) ?? false;
}

/**
 * Gives a struct the Go names of fields whose JSON keys differ (`ApiVersion` of docker's Version is
 * the field `APIVersion`): templates see the Go names only; printing and JSON keep the JSON keys.
 */
export function aliasGoFields<T extends object>(object: T, names: Readonly<Record<string, string>>): T {
  const renamed: string[] = [];
  for (const [json, go] of Object.entries(names)) {
    if (json in object && !(go in object)) {
      Object.defineProperty(object, go, { value: (object as Record<string, unknown>)[json], enumerable: false });
      renamed.push(json);
    }
  }
  hideTemplateFields(object, renamed);
  return object;
}

/** Marks a plain object as a Go map (sorted keys when printed or encoded, "<no value>" for missing keys). */
export function goMap<T extends object>(object: T): T {
  mapMarks.add(object);
  return object;
}

export type GoMapLike = Map<unknown, unknown> | Record<string, unknown>;

export function isGoMap(value: unknown): value is GoMapLike {
  return value instanceof Map || (typeof value === 'object' && value !== null && mapMarks.has(value));
}

/** Entries of a Go map, sorted by key as fmt and encoding/json sort them. */
export function mapEntries(value: GoMapLike): [unknown, unknown][] {
  const entries: [unknown, unknown][] = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return entries.sort(([a], [b]) => compareKeys(a, b));
}

function compareKeys(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  const x = String(a);
  const y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isStruct(value: unknown): value is Record<string | symbol, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isGoMap(value) && !(value instanceof GoFloat);
}

/** The struct's fields: its own enumerable properties (methods live on prototypes and are skipped). */
function structFields(value: object): [string, unknown][] {
  return Object.entries(value).filter(([, field]) => typeof field !== 'function');
}

/** Go's type name of a value, for error messages. */
export function typeName(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (typeof value === 'bigint') return 'int64';
  if (value instanceof GoFloat) return 'float64';
  if (Array.isArray(value)) return value.length > 0 && value.every((item) => typeof item === 'string') ? '[]string' : '[]interface {}';
  if (isGoMap(value)) {
    const values = value instanceof Map ? [...value.values()] : Object.values(value);
    return values.every((item) => typeof item === 'string') ? 'map[string]string' : 'map[string]interface {}';
  }
  if (typeof value === 'function') return 'func';
  const named = (value as Record<symbol, unknown>)[goTypeName];
  if (typeof named === 'string') return named;
  const constructorName = (value as { constructor?: { name?: string } }).constructor?.name;
  return constructorName && constructorName !== 'Object' ? constructorName : 'struct';
}

/** fmt's %v. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatG(value);
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  if (value instanceof GoFloat) return formatG(value.value);
  if (Array.isArray(value)) return `[${value.map((item) => formatValue(item)).join(' ')}]`;
  if (isGoMap(value)) {
    return `map[${mapEntries(value).map(([k, v]) => `${formatValue(k)}:${formatValue(v)}`).join(' ')}]`;
  }
  if (typeof value === 'function') return '<func>';
  const stringer = (value as { String?: unknown }).String;
  if (typeof stringer === 'function') return String(stringer.call(value));
  if (value instanceof Date) return value.toISOString();
  return `{${structFields(value).map(([, field]) => formatValue(field)).join(' ')}}`;
}

/** What an action prints: fmt's %v, but a missing value is "<no value>". */
export function printValue(value: unknown): string {
  if (value === undefined || value === null) return '<no value>';
  return formatValue(value);
}

/** text/template's truth: non-zero, non-empty, non-nil. */
export function isTrue(value: unknown): boolean {
  if (value === null || value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'bigint') return value !== 0n;
  if (typeof value === 'string') return value.length > 0;
  if (value instanceof GoFloat) return value.value !== 0;
  if (Array.isArray(value)) return value.length > 0;
  if (value instanceof Map) return value.size > 0;
  if (isGoMap(value)) return Object.keys(value).length > 0;
  return true;
}

function jsonString(text: string): string {
  let out = '"';
  for (const ch of text) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code === 8) out += '\\b';
    else if (code === 12) out += '\\f';
    else if (code < 0x20 || code === 0x2028 || code === 0x2029) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return out + '"';
}

/** encoding/json with SetEscapeHTML(false), as docker's `json` template function. */
export function toGoJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object' && nilMarks.has(value)) return 'null';
  if (typeof value === 'string') return jsonString(value);
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof GoFloat) return JSON.stringify(value.value);
  if (Array.isArray(value)) return `[${value.map((item) => toGoJson(item)).join(',')}]`;
  if (isGoMap(value)) {
    return `{${mapEntries(value).map(([k, v]) => `${jsonString(String(k))}:${toGoJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'function') return 'null';
  const custom = (value as { toJSON?: unknown }).toJSON;
  if (typeof custom === 'function') return toGoJson(custom.call(value));
  if (value instanceof Date) return jsonString(value.toISOString());
  const fields = structFields(value).filter(([, field]) => field !== undefined);
  return `{${fields.map(([k, v]) => `${jsonString(k)}:${toGoJson(v)}`).join(',')}}`;
}

/**
 * docker's formatter.MarshalJSON: a map of every exported method that takes no argument
 * (ID, Names, Image...), keys sorted. Context classes call it from toJSON().
 */
export function marshalMethods(context: object): Record<string, unknown> {
  const names = new Set<string>();
  for (let proto = Object.getPrototypeOf(context) as object | null; proto && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const name of Object.getOwnPropertyNames(proto)) names.add(name);
  }
  const result: Record<string, unknown> = {};
  const record = context as Record<string, unknown>;
  for (const name of [...names].sort()) {
    if (!/^[A-Z]/.test(name) || name === 'FullHeader' || name === 'MarshalJSON') continue;
    const method = record[name];
    if (typeof method === 'function' && method.length === 0) result[name] = (method as () => unknown).call(context);
  }
  return goMap(result);
}
