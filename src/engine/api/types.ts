// The engine's side of the Engine API's HTTP terms: errors with their statuses, JSON bodies, query
// values. The request and response shapes themselves are src/api/transport.ts (the CLI uses them too).

import { parseGoJson } from '../../go/json';
import { invalidParameter } from '../errors';
import { checkGoJson, goStruct, type GoType } from './go-json';
import type { ApiRequest, ApiResponse, HeaderMap } from '../../api/transport';
export type { ApiRequest, ApiResponse, HeaderMap, RawConnection } from '../../api/transport';

/**
 * An error of the HTTP layer itself with its status (405 for a method a path does not have); the
 * engine's services throw EngineError kinds instead (errors.ts), mapped in api/errors.ts.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A JSON body; the type parameter, when given, checks the value against an API type (src/api). */
export function jsonResponse<T = unknown>(status: number, value: T, headers: HeaderMap = {}): ApiResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: encoder.encode(`${JSON.stringify(value)}\n`) };
}

export function emptyResponse(status: number, headers: HeaderMap = {}): ApiResponse {
  return { status, headers };
}

/**
 * A JSON request body decoded into a Go struct, as moby's ReadJSON / loadJSON do: an empty body or
 * `null` leaves the struct empty; a value of the wrong kind for the struct (`type`) or one of its
 * fields is refused with encoding/json's text (see go-json.ts).
 */
export async function readJson<T extends object>(request: ApiRequest, type: GoType = goStruct('struct', {})): Promise<T> {
  const text = decoder.decode(await request.body());
  if (text.trim() === '') return {} as T;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // moby's ReadJSON wraps encoding/json's error: Go's text, not JavaScript's
    let message = 'unexpected end of JSON input';
    try {
      parseGoJson(text);
    } catch (goError) {
      message = (goError as Error).message;
    }
    throw invalidParameter(`invalid JSON: ${message}`);
  }
  if (value === null) return {} as T;
  checkGoJson(value, type);
  return value as T;
}

/** moby's boolean query values: 1, true, True ... are true; absent, 0, false are false. */
export function queryBool(query: URLSearchParams, name: string): boolean {
  const value = query.get(name);
  if (value === null) return false;
  const lower = value.toLowerCase();
  return !(lower === '' || lower === '0' || lower === 'false' || lower === 'no');
}

/** The `filters` query parameter: {"status":{"exited":true}} (or the legacy {"status":["exited"]}). */
export function queryFilters(query: URLSearchParams): Map<string, string[]> {
  const raw = query.get('filters');
  const filters = new Map<string, string[]>();
  if (!raw) return filters;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw invalidParameter(`invalid filter '${raw}'`);
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalidParameter(`invalid filter '${raw}'`);
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (Array.isArray(value)) filters.set(key, value.map(String));
    else if (typeof value === 'object' && value !== null) filters.set(key, Object.keys(value));
    else throw invalidParameter(`invalid filter '${raw}'`);
  }
  return filters;
}
