// How the CLI reaches the engine: Engine API requests (method, path, query, body), exactly the calls
// docker/cli makes. The in-process client answers them with the engine's router; an HTTP client can
// carry the same calls to `dockside serve` or a real docker daemon.

import type { ApiRequest, ApiResponse, RawConnection } from '../api/transport';
import { AsyncQueue } from '../go/async-queue';

export type QueryValue = string | number | boolean | string[] | undefined;

export interface ClientRequestOptions {
  query?: Record<string, QueryValue>;
  /** JSON bodies are objects; raw bodies (tar uploads) are bytes or a stream. */
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ClientResponse {
  status: number;
  headers: Record<string, string>;
  /** The body as it arrives (pull progress, logs -f, events). */
  stream(): AsyncIterable<Uint8Array>;
  bytes(): Promise<Uint8Array>;
  text(): Promise<string>;
  json<T>(): Promise<T>;
}

export interface HijackedResponse {
  status: number;
  headers: Record<string, string>;
  connection: RawConnection;
}

export interface EngineClient {
  request(method: string, path: string, options?: ClientRequestOptions): Promise<ClientResponse>;
  /** attach and exec start: the response is a raw bidirectional stream. */
  hijack(method: string, path: string, options?: ClientRequestOptions): Promise<HijackedResponse>;
  /** The API version calls are made with (negotiated with /_ping). */
  readonly version: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function buildQuery(query: Record<string, QueryValue> = {}): URLSearchParams {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    if (Array.isArray(value)) for (const item of value) params.append(key, item);
    else if (typeof value === 'boolean') params.append(key, value ? '1' : '0');
    else params.append(key, String(value));
  }
  return params;
}

async function* once(bytes: Uint8Array): AsyncIterable<Uint8Array> {
  if (bytes.length > 0) yield bytes;
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.length;
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

function isByteStream(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

export function clientResponse(status: number, headers: Record<string, string>, body: Uint8Array | AsyncIterable<Uint8Array> | undefined): ClientResponse {
  let consumed = false;
  const stream = (): AsyncIterable<Uint8Array> => {
    if (consumed) throw new Error('response body already read');
    consumed = true;
    if (!body) return once(new Uint8Array(0));
    return body instanceof Uint8Array ? once(body) : body;
  };
  const bytes = () => collect(stream());
  return {
    status,
    headers,
    stream,
    bytes,
    text: async () => decoder.decode(await bytes()),
    json: async <T>() => JSON.parse(decoder.decode(await bytes())) as T,
  };
}

/** Answers requests with the engine in this process (the page, tests, the Node command line). */
export class InProcessClient implements EngineClient {
  readonly version = '1.50';

  constructor(private readonly handle: (request: ApiRequest) => Promise<ApiResponse>) {}

  private toApiRequest(method: string, path: string, options: ClientRequestOptions): ApiRequest {
    const body = options.body;
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(options.headers ?? {})) headers[key.toLowerCase()] = value;
    let bytes: Uint8Array | undefined;
    let stream: AsyncIterable<Uint8Array> | undefined;
    if (body instanceof Uint8Array) bytes = body;
    else if (isByteStream(body)) stream = body;
    else if (body !== undefined) {
      bytes = encoder.encode(JSON.stringify(body));
      headers['content-type'] ??= 'application/json';
    }
    return {
      method,
      path: `/v${this.version}${path}`,
      query: buildQuery(options.query),
      headers,
      body: async () => bytes ?? (stream ? collect(stream) : new Uint8Array(0)),
      bodyStream: () => stream ?? once(bytes ?? new Uint8Array(0)),
    };
  }

  async request(method: string, path: string, options: ClientRequestOptions = {}): Promise<ClientResponse> {
    const response = await this.handle(this.toApiRequest(method, path, options));
    return clientResponse(response.status, response.headers, response.body);
  }

  async hijack(method: string, path: string, options: ClientRequestOptions = {}): Promise<HijackedResponse> {
    const response = await this.handle(this.toApiRequest(method, path, { ...options, headers: { ...options.headers, connection: 'Upgrade', upgrade: 'tcp' } }));
    if (!response.upgrade) {
      const text = response.body instanceof Uint8Array ? decoder.decode(response.body) : '';
      throw Object.assign(new Error(text), { status: response.status });
    }
    const [clientSide, engineSide] = rawPipe();
    void response.upgrade(engineSide).finally(() => engineSide.close());
    return { status: response.status, headers: response.headers, connection: clientSide };
  }
}

/** Two connected ends of an in-memory raw connection. */
export function rawPipe(): [RawConnection, RawConnection] {
  const a = new ByteQueue();
  const b = new ByteQueue();
  const end = (incoming: ByteQueue, outgoing: ByteQueue): RawConnection => ({
    input: incoming,
    write: async (chunk) => outgoing.push(chunk),
    close: () => outgoing.end(),
  });
  return [end(a, b), end(b, a)];
}

/** An async byte queue: push on one side, iterate on the other (empty chunks are dropped). */
export class ByteQueue extends AsyncQueue<Uint8Array> {
  override push(chunk: Uint8Array): void {
    if (chunk.length > 0) super.push(chunk.slice());
  }
}
