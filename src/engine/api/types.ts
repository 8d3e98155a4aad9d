// The Engine API in HTTP terms but without sockets: the engine answers ApiRequests with ApiResponses;
// transports (the in-page client, the HTTP server in Node, the guest's /var/run/docker.sock) carry them.

import { invalidParameter } from '../errors';

export type HeaderMap = Record<string, string>;

export interface ApiRequest {
  method: string;
  /** The path as sent, with or without the /v1.NN prefix, without the query string. */
  path: string;
  query: URLSearchParams;
  /** Lower-case names. */
  headers: HeaderMap;
  /** The whole body (for JSON bodies and small uploads). */
  body(): Promise<Uint8Array>;
  /** The body as it arrives (tar uploads: load, import, build, cp). */
  bodyStream(): AsyncIterable<Uint8Array>;
}

/** The byte stream of an upgraded (hijacked) connection: attach and exec start. */
export interface RawConnection {
  /** What the client sends (stdin); ends when the client half-closes. */
  input: AsyncIterable<Uint8Array>;
  write(chunk: Uint8Array): Promise<void>;
  /** Ends what the engine sends. */
  close(): void;
}

export interface ApiResponse {
  status: number;
  headers: HeaderMap;
  /** A whole body, or a stream (newline-delimited JSON of pull, logs -f, events, wait). */
  body?: Uint8Array | AsyncIterable<Uint8Array>;
  /** Set for 101 UPGRADED answers: the engine takes over the connection. */
  upgrade?: (connection: RawConnection) => Promise<void>;
}

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

export function jsonResponse(status: number, value: unknown, headers: HeaderMap = {}): ApiResponse {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: encoder.encode(`${JSON.stringify(value)}\n`) };
}

export function emptyResponse(status: number, headers: HeaderMap = {}): ApiResponse {
  return { status, headers };
}

export async function readJson<T>(request: ApiRequest): Promise<T> {
  const text = decoder.decode(await request.body());
  if (text.trim() === '') return {} as T;
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    throw invalidParameter(`invalid JSON: ${(error as Error).message}`);
  }
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
