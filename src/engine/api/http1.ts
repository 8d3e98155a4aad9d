// HTTP/1.1 over a byte duplex (a TCP or unix socket in Node, the guest's /var/run/docker.sock relayed by
// the agent): requests are parsed into ApiRequests for the engine's router, answers are written as Go's
// net/http (moby's server) writes them. Keep-alive and pipelining, Content-Length and chunked bodies both
// ways, HEAD, and the hijacked connections of attach and exec (`101 UPGRADED`, then raw bytes both ways).
// Pure TypeScript: the same code serves in the browser.

import { BodyReader, ConnectionReader, FramingError, HeaderSyntaxError, headLines, isToken, parseHeaderFields, requestFraming, type BodyFraming } from '../../go/http1';
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
  const lines = headLines(bytes);
  const requestLine = lines.shift() ?? '';
  const parts = requestLine.split(' ');
  if (parts.length !== 3) throw new ProtocolError(400);
  const [method, target, proto] = parts;
  if (!isToken(method) || target === '') throw new ProtocolError(400);
  const version = /^HTTP\/(\d)\.(\d)$/.exec(proto);
  if (!version) throw new ProtocolError(400);
  if (version[1] !== '1') throw new ProtocolError(505, 'unsupported protocol version');
  let fields: ReturnType<typeof parseHeaderFields>;
  try {
    fields = parseHeaderFields(lines);
  } catch (error) {
    if (error instanceof HeaderSyntaxError) throw new ProtocolError(400);
    throw error;
  }
  const { headers, counts } = fields;
  const hosts = counts.get('host') ?? 0;
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

function bodyFraming(headers: HeaderMap): BodyFraming {
  try {
    return requestFraming(headers);
  } catch (error) {
    if (error instanceof FramingError) throw new ProtocolError(error.status, error.status === 400 ? error.message : '');
    throw error;
  }
}

function hasToken(value: string | undefined, token: string): boolean {
  return value !== undefined && value.split(',').some((part) => part.trim().toLowerCase() === token);
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
    const body = new BodyReader(reader, framing, async () => {
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
