// HTTP/1.1 over a byte duplex (a TCP or unix socket in Node, the guest's /var/run/docker.sock relayed by
// the agent): requests are parsed into ApiRequests for the engine's router, answers are written as Go's
// net/http (moby's server) writes them. Keep-alive and pipelining, Content-Length and chunked bodies both
// ways, HEAD, and the hijacked connections of attach and exec (`101 UPGRADED`, then raw bytes both ways).
// Pure TypeScript: the same code serves in the browser.

import { ConnectionReader, latin1 } from './http/reader';
import type { ApiRequest, ApiResponse, HeaderMap, RawConnection } from './types';
import { concatBytes } from '../../go/bytes';

export interface HttpServeOptions {
  /** Go's http.DefaultMaxHeaderBytes (1 MiB); Go allows 4096 bytes more for the request line. */
  maxHeaderBytes?: number;
  /** Unread request body bytes drained after a response before the connection is given up (Go: 256 KiB). */
  maxDrainBytes?: number;
  /** The Date header's clock. */
  now?: () => Date;
  /** Reports unexpected failures (a handler that threw past the router, a write to a dead peer). */
  onError?: (error: unknown) => void;
}

const encoder = new TextEncoder();

const STATUS_TEXT: Record<number, string> = {
  100: 'Continue',
  101: 'Switching Protocols',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  204: 'No Content',
  206: 'Partial Content',
  301: 'Moved Permanently',
  302: 'Found',
  304: 'Not Modified',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  416: 'Requested Range Not Satisfiable',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

export function statusText(status: number): string {
  return STATUS_TEXT[status] ?? '';
}

/** Go's textproto.CanonicalMIMEHeaderKey: "api-version" → "Api-Version". */
export function canonicalHeaderName(name: string): string {
  if (!/^[A-Za-z0-9-]+$/.test(name)) return name;
  return name
    .toLowerCase()
    .split('-')
    .map((part) => (part ? part[0].toUpperCase() + part.slice(1) : part))
    .join('-');
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** A request that cannot be parsed: answered as Go's server answers (`HTTP/1.1 400 Bad Request` ...) and closed. */
class ProtocolError extends Error {
  constructor(
    readonly status: number,
    /** The text after the status, as Go's statusError adds it (empty for a plain "400 Bad Request"). */
    readonly detail = '',
  ) {
    super(detail || statusText(status));
  }
}

interface ParsedHead {
  method: string;
  target: string;
  versionMinor: number;
  headers: HeaderMap;
}

function parseHead(bytes: Uint8Array): ParsedHead {
  const text = latin1(bytes);
  const lines = text.split('\n').map((line) => (line.endsWith('\r') ? line.slice(0, -1) : line));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const requestLine = lines.shift() ?? '';
  const parts = requestLine.split(' ');
  if (parts.length !== 3) throw new ProtocolError(400);
  const [method, target, proto] = parts;
  if (!TOKEN.test(method) || target === '') throw new ProtocolError(400);
  const version = /^HTTP\/(\d)\.(\d)$/.exec(proto);
  if (!version) throw new ProtocolError(400);
  if (version[1] !== '1') throw new ProtocolError(505, 'unsupported protocol version');
  const headers: HeaderMap = {};
  let hosts = 0;
  let last: string | undefined;
  for (const line of lines) {
    if (line.startsWith(' ') || line.startsWith('\t')) {
      // Obsolete line folding: continues the previous header's value.
      if (last === undefined) throw new ProtocolError(400);
      headers[last] = `${headers[last]} ${line.trim()}`.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ProtocolError(400);
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new ProtocolError(400);
    const value = line.slice(colon + 1).trim();
    if (/[\0\r\n]/.test(value)) throw new ProtocolError(400);
    const key = name.toLowerCase();
    if (key === 'host') hosts++;
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
    last = key;
  }
  const versionMinor = Number(version[2]);
  if (hosts > 1) throw new ProtocolError(400, 'too many Host headers');
  if (versionMinor >= 1 && hosts === 0 && method !== 'CONNECT') throw new ProtocolError(400, 'missing required Host header');
  return { method, target, versionMinor, headers };
}

function splitTarget(target: string): { path: string; query: URLSearchParams } {
  let rest = target;
  if (!rest.startsWith('/')) {
    // absolute-form: http://host/path?query
    const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*(.*)$/.exec(rest);
    if (!absolute) throw new ProtocolError(400);
    rest = absolute[1] || '/';
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = q >= 0 ? rest.slice(0, q) : rest;
  if (!path.startsWith('/')) throw new ProtocolError(400);
  return { path, query: new URLSearchParams(q >= 0 ? rest.slice(q + 1) : '') };
}

type BodyFraming = { kind: 'none' } | { kind: 'length'; length: number } | { kind: 'chunked' };

function bodyFraming(headers: HeaderMap): BodyFraming {
  const te = headers['transfer-encoding'];
  if (te !== undefined) {
    const codings = te
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .filter(Boolean);
    if (codings.length !== 1 || codings[0] !== 'chunked') throw new ProtocolError(501);
    return { kind: 'chunked' };
  }
  const cl = headers['content-length'];
  if (cl !== undefined) {
    const values = new Set(cl.split(',').map((s) => s.trim()));
    if (values.size !== 1) throw new ProtocolError(400, 'bad Content-Length');
    const [value] = values;
    if (!/^\d{1,15}$/.test(value)) throw new ProtocolError(400, 'bad Content-Length');
    const length = Number(value);
    return length === 0 ? { kind: 'none' } : { kind: 'length', length };
  }
  return { kind: 'none' };
}

function hasToken(value: string | undefined, token: string): boolean {
  return value !== undefined && value.split(',').some((part) => part.trim().toLowerCase() === token);
}

/** The body of one request as it arrives from the connection, with its end tracked for pipelining. */
class RequestBody {
  private remaining: number;
  private done: boolean;
  /** Set when the body could not be read to its end (malformed chunks, the peer went away). */
  broken = false;
  private started = false;
  private cached: Uint8Array | undefined;
  private streaming = false;

  constructor(
    private readonly reader: ConnectionReader,
    private readonly framing: BodyFraming,
    private readonly onFirstRead: () => Promise<void>,
  ) {
    this.remaining = framing.kind === 'length' ? framing.length : 0;
    this.done = framing.kind === 'none';
  }

  get finished(): boolean {
    return this.done;
  }

  private async next(): Promise<Uint8Array | undefined> {
    if (this.done) return undefined;
    if (!this.started) {
      this.started = true;
      await this.onFirstRead();
    }
    if (this.framing.kind === 'length') {
      const chunk = await this.reader.read(Math.min(this.remaining, 64 * 1024));
      if (!chunk) {
        this.broken = true;
        this.done = true;
        throw new Error('unexpected EOF');
      }
      this.remaining -= chunk.length;
      if (this.remaining === 0) this.done = true;
      return chunk;
    }
    // chunked
    for (;;) {
      if (this.remaining > 0) {
        const chunk = await this.reader.read(Math.min(this.remaining, 64 * 1024));
        if (!chunk) return this.fail('unexpected EOF');
        this.remaining -= chunk.length;
        if (this.remaining === 0) {
          const crlf = await this.reader.readLine(2);
          if (crlf !== '') return this.fail('malformed chunked encoding');
        }
        return chunk;
      }
      const line = await this.reader.readLine(4096);
      if (line === undefined) return this.fail('unexpected EOF');
      if (line === 'too-long') return this.fail('http chunk length too large');
      const size = /^([0-9a-fA-F]{1,15})[ \t]*(;.*)?$/.exec(line);
      if (!size) return this.fail('invalid byte in chunk length');
      const length = parseInt(size[1], 16);
      if (length === 0) {
        // Trailers, up to the empty line.
        for (;;) {
          const trailer = await this.reader.readLine(64 * 1024);
          if (trailer === undefined) return this.fail('unexpected EOF');
          if (trailer === 'too-long') return this.fail('trailer too large');
          if (trailer === '') break;
        }
        this.done = true;
        return undefined;
      }
      this.remaining = length;
    }
  }

  private fail(message: string): never {
    this.broken = true;
    this.done = true;
    throw new Error(message);
  }

  async *stream(): AsyncIterable<Uint8Array> {
    if (this.cached) {
      if (this.cached.length > 0) yield this.cached;
      return;
    }
    if (this.streaming) throw new Error('request body already read');
    this.streaming = true;
    for (;;) {
      const chunk = await this.next();
      if (!chunk) return;
      yield chunk;
    }
  }

  async whole(): Promise<Uint8Array> {
    if (this.cached) return this.cached;
    const parts: Uint8Array[] = [];
    for await (const chunk of this.stream()) parts.push(chunk);
    this.cached = concatBytes(parts);
    return this.cached;
  }

  /** Reads and drops what the handler left, up to max bytes; false if the connection cannot be reused. */
  async drain(max: number): Promise<boolean> {
    if (this.broken) return false;
    if (this.done) return true;
    if (this.streaming && !this.started) return false;
    let dropped = 0;
    try {
      for (;;) {
        const chunk = await this.next();
        if (!chunk) return true;
        dropped += chunk.length;
        if (dropped > max) return false;
      }
    } catch {
      return false;
    }
  }
}

function formatHeaders(headers: HeaderMap, skip: Set<string> = new Set()): string {
  let out = '';
  for (const name of Object.keys(headers).sort((a, b) => canonicalHeaderName(a).localeCompare(canonicalHeaderName(b)))) {
    if (skip.has(name.toLowerCase())) continue;
    const value = headers[name].replace(/[\r\n]+/g, ' ');
    out += `${canonicalHeaderName(name)}: ${value}\r\n`;
  }
  return out;
}

function lowerKeys(headers: HeaderMap): HeaderMap {
  const out: HeaderMap = {};
  for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = value;
  return out;
}

/** Go's http.TimeFormat: "Mon, 02 Jan 2006 15:04:05 GMT". */
function httpDate(date: Date): string {
  return date.toUTCString();
}

function isStream(body: ApiResponse['body']): body is AsyncIterable<Uint8Array> {
  return body !== undefined && !(body instanceof Uint8Array);
}

/** Stops a response stream without waiting for it (its generator may be parked on an await). */
function cancelStream(iterator: AsyncIterator<Uint8Array>): void {
  try {
    const result = iterator.return?.();
    if (result) void Promise.resolve(result).catch(() => undefined);
  } catch {
    // A stream that cannot be stopped has nothing left to clean up.
  }
}

function chunkFrame(chunk: Uint8Array): Uint8Array {
  const head = encoder.encode(`${chunk.length.toString(16)}\r\n`);
  const out = new Uint8Array(head.length + chunk.length + 2);
  out.set(head, 0);
  out.set(chunk, head.length);
  out[out.length - 2] = 0x0d;
  out[out.length - 1] = 0x0a;
  return out;
}

const LAST_CHUNK = encoder.encode('0\r\n\r\n');

/**
 * Serves HTTP/1.1 on one connection until the peer closes it, a request asks to close, a request is
 * malformed, or an upgraded stream ends. Resolves when the connection is done with (it is closed).
 */
export async function serveHttpConnection(
  connection: RawConnection,
  handle: (request: ApiRequest) => Promise<ApiResponse>,
  options: HttpServeOptions = {},
): Promise<void> {
  const maxHead = (options.maxHeaderBytes ?? 1 << 20) + 4096;
  const maxDrain = options.maxDrainBytes ?? 256 * 1024;
  const now = options.now ?? (() => new Date());
  const reader = new ConnectionReader(connection.input);
  let writeFailed = false;
  const write = async (bytes: Uint8Array): Promise<void> => {
    if (writeFailed) throw new Error('connection closed');
    try {
      await connection.write(bytes);
    } catch (error) {
      writeFailed = true;
      throw error;
    }
  };
  const writeText = (text: string): Promise<void> => write(encoder.encode(text));

  try {
    for (;;) {
      const head = await reader.readHead(maxHead);
      if (head.kind === 'eof') {
        // A peer that sent half a request and went away gets nothing (Go does the same).
        return;
      }
      if (head.kind === 'too-large') {
        const text = '431 Request Header Fields Too Large';
        await writeText(`HTTP/1.1 ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${text}`).catch(() => undefined);
        return;
      }
      let parsed: ParsedHead;
      let target: { path: string; query: URLSearchParams };
      let framing: BodyFraming;
      try {
        parsed = parseHead(head.bytes);
        target = splitTarget(parsed.target);
        framing = bodyFraming(parsed.headers);
      } catch (error) {
        if (!(error instanceof ProtocolError)) throw error;
        await writeProtocolError(writeText, error).catch(() => undefined);
        return;
      }
      const keepAlive = await serveOne(parsed, target, framing);
      if (!keepAlive) return;
    }
  } catch (error) {
    if (!writeFailed) options.onError?.(error);
  } finally {
    connection.close();
  }

  async function serveOne(parsed: ParsedHead, target: { path: string; query: URLSearchParams }, framing: BodyFraming): Promise<boolean> {
    const headers = parsed.headers;
    const http10 = parsed.versionMinor === 0;
    let keepAlive = http10 ? hasToken(headers.connection, 'keep-alive') : !hasToken(headers.connection, 'close');
    const wantsUpgrade = hasToken(headers.connection, 'upgrade') && headers.upgrade !== undefined;
    const expectContinue = !http10 && (headers.expect ?? '').toLowerCase() === '100-continue';
    let responseStarted = false;
    const body = new RequestBody(reader, framing, async () => {
      if (expectContinue && !responseStarted) await writeText('HTTP/1.1 100 Continue\r\n\r\n');
    });
    const request: ApiRequest = {
      method: parsed.method,
      path: target.path,
      query: target.query,
      headers,
      body: () => body.whole(),
      bodyStream: () => body.stream(),
    };
    let response: ApiResponse;
    try {
      response = await handle(request);
    } catch (error) {
      options.onError?.(error);
      const message = error instanceof Error ? error.message : String(error);
      response = { status: 500, headers: { 'content-type': 'application/json' }, body: encoder.encode(`${JSON.stringify({ message })}\n`) };
    }
    responseStarted = true;

    if (response.upgrade) {
      // Whatever of the request's body the handler left unread must not reach it as stdin.
      if (!(await body.drain(maxDrain))) return false;
      // moby writes the status line and these three headers itself, then the rest of the handler's headers.
      const responseHeaders = lowerKeys(response.headers);
      const contentType = responseHeaders['content-type'] ?? 'application/vnd.docker.raw-stream';
      let text = wantsUpgrade
        ? `HTTP/1.1 101 UPGRADED\r\nContent-Type: ${contentType}\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n`
        : `HTTP/1.1 200 OK\r\nContent-Type: ${contentType}\r\n`;
      text += formatHeaders(responseHeaders, new Set(['content-type', 'connection', 'upgrade', 'content-length', 'transfer-encoding']));
      await writeText(`${text}\r\n`);
      // The request's body (exec start's JSON) was read by the handler; what follows is the raw stream.
      const raw: RawConnection = {
        input: reader.rest(),
        write: (chunk) => write(chunk),
        close: () => connection.close(),
      };
      await response.upgrade(raw);
      return false;
    }

    // Go writes the handler's headers sorted, then the ones the server adds, in this order:
    // Connection, Transfer-Encoding, Date, Content-Length.
    const given = lowerKeys(response.headers);
    const status = response.status;
    const noBody = parsed.method === 'HEAD' || status === 204 || status === 304 || (status >= 100 && status < 200);
    if (hasToken(given.connection, 'close')) keepAlive = false;
    delete given['transfer-encoding'];
    delete given.connection;

    const responseBody = response.body;
    let streamBody: AsyncIterable<Uint8Array> | undefined;
    let wholeBody: Uint8Array | undefined;
    if (isStream(responseBody)) streamBody = responseBody;
    else wholeBody = responseBody;

    let contentLength: string | undefined;
    let chunked = false;
    if (noBody) {
      if (streamBody) cancelStream(streamBody[Symbol.asyncIterator]());
      if (status === 204 || status === 304 || status < 200) delete given['content-length'];
      else if (given['content-length'] === undefined && !streamBody) contentLength = String(wholeBody?.length ?? 0);
    } else if (wholeBody || !streamBody) {
      const length = String(wholeBody?.length ?? 0);
      if (given['content-length'] !== undefined) given['content-length'] = length;
      else contentLength = length;
    } else {
      delete given['content-length'];
      if (http10) keepAlive = false;
      else chunked = true;
    }
    let added = '';
    // Go answers an HTTP/1.0 keep-alive request with "Connection: keep-alive".
    if (!keepAlive) added += 'Connection: close\r\n';
    else if (http10) added += 'Connection: keep-alive\r\n';
    if (chunked) added += 'Transfer-Encoding: chunked\r\n';
    if (given.date === undefined) added += `Date: ${httpDate(now())}\r\n`;
    if (contentLength !== undefined) added += `Content-Length: ${contentLength}\r\n`;

    const statusLine = `HTTP/1.${parsed.versionMinor === 0 ? 0 : 1} ${status} ${statusText(status)}\r\n`;
    const headText = `${statusLine}${formatHeaders(given)}${added}\r\n`;
    if (noBody || !streamBody) {
      const headBytes = encoder.encode(headText);
      await write(noBody || !wholeBody || wholeBody.length === 0 ? headBytes : concatBytes([headBytes, wholeBody]));
    } else {
      // Streams: the header goes out at once (wait, events, pull progress), then each chunk as it comes.
      await writeText(headText);
      const chunked = !http10;
      const completed = await pipeStream(streamBody, chunked);
      if (!completed) return false;
      if (chunked) await write(LAST_CHUNK);
    }
    if (!keepAlive) return false;
    if (!(await body.drain(maxDrain))) return false;
    return !reader.isEnded || reader.buffered > 0;
  }

  /** Writes a response stream; false if the peer went away first (the stream is then stopped). */
  async function pipeStream(stream: AsyncIterable<Uint8Array>, chunked: boolean): Promise<boolean> {
    const iterator = stream[Symbol.asyncIterator]();
    let unsubscribe: () => void = () => undefined;
    const gone = new Promise<'gone'>((resolve) => {
      unsubscribe = reader.onEnd(() => resolve('gone'));
    });
    try {
      for (;;) {
        const next = await Promise.race([iterator.next(), gone]);
        if (next === 'gone') {
          // Go cancels the request's context when the client's side of the connection ends.
          cancelStream(iterator);
          return false;
        }
        if (next.done) return true;
        const chunk = next.value;
        if (chunk.length === 0) continue;
        try {
          await write(chunked ? chunkFrame(chunk) : chunk);
        } catch {
          cancelStream(iterator);
          return false;
        }
      }
    } finally {
      unsubscribe();
    }
  }
}

async function writeProtocolError(writeText: (text: string) => Promise<void>, error: ProtocolError): Promise<void> {
  const headers = '\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n';
  const status = `${error.status} ${statusText(error.status)}`;
  if (error.status === 501) {
    await writeText(`HTTP/1.1 ${status}${headers}Unsupported transfer encoding`);
  } else if (error.detail) {
    await writeText(`HTTP/1.1 ${status}: ${error.detail}${headers}${status}: ${error.detail}`);
  } else {
    await writeText(`HTTP/1.1 ${status}${headers}${status}`);
  }
}
