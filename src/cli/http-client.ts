// An EngineClient over HTTP/1.1, for DOCKER_HOST=tcp://... or unix://... in Node (and anything else that
// can open a byte duplex). The caller supplies `connect` (node:net in src/node); this file stays pure
// TypeScript. Like docker's client it pings first (HEAD /_ping, GET if that fails) and speaks the
// lower of its own and the server's API version; attach and exec start are hijacked (101 UPGRADED).

import type { RawConnection } from '../api/transport';
import { buildQuery, clientResponse, type ClientRequestOptions, type ClientResponse, type EngineClient, type HijackedResponse } from './client';
import { concatBytes } from '../go/bytes';
import { BodyReader, ConnectionReader, headLines, parseHeaderFields, parseStatusLine, responseFraming } from '../go/http1';

export interface HttpClientOptions {
  /** Opens a new connection to the daemon. */
  connect: () => Promise<RawConnection>;
  /** The Host header: docker sends the TCP address, or "api.moby.localhost" for unix sockets. */
  host?: string;
  /** For error messages: "Cannot connect to the Docker daemon at tcp://...". */
  address?: string;
  userAgent?: string;
  /** The highest API version the client speaks (docker 28: 1.50). */
  maxVersion?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function compareVersions(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}

function isByteStream(value: unknown): value is AsyncIterable<Uint8Array> {
  return typeof value === 'object' && value !== null && Symbol.asyncIterator in value;
}

/** A connection error as docker reports it (the daemon is not there). */
export class ConnectionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConnectionError';
  }
}

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  reader: ConnectionReader;
}

/** Reads a response's status line and headers (skipping 100 Continue) with the server's own parser. */
async function readResponseHead(reader: ConnectionReader): Promise<RawResponse> {
  for (;;) {
    const head = await reader.readHead(1 << 20);
    if (head.kind === 'eof') throw new Error('unexpected EOF');
    if (head.kind === 'too-large') throw new Error('net/http: server response headers exceeded 1048576 bytes; aborted');
    const [statusLine = '', ...lines] = headLines(head.bytes);
    const status = parseStatusLine(statusLine);
    const { headers } = parseHeaderFields(lines);
    if (status === 100) continue;
    return { status, headers, reader };
  }
}

async function* responseBody(response: RawResponse, method: string, done: () => void): AsyncIterable<Uint8Array> {
  try {
    yield* new BodyReader(response.reader, responseFraming(method, response.status, response.headers)).stream();
  } finally {
    done();
  }
}

export class HttpEngineClient implements EngineClient {
  private negotiatedVersion: string;
  private negotiation: Promise<void> | undefined;

  constructor(private readonly options: HttpClientOptions) {
    this.negotiatedVersion = options.maxVersion ?? '1.50';
  }

  get version(): string {
    return this.negotiatedVersion;
  }

  /** HEAD /_ping (GET if HEAD fails for another reason than the connection), as docker's client does. */
  negotiate(): Promise<void> {
    this.negotiation ??= (async () => {
      let response: RawResponse & { close: () => void };
      try {
        response = await this.send('HEAD', '/_ping', {}, false);
      } catch (error) {
        if (error instanceof ConnectionError) throw error;
        response = await this.send('GET', '/_ping', {}, false);
      }
      response.close();
      const max = this.options.maxVersion ?? '1.50';
      const server = response.headers['api-version'];
      if (!server) this.negotiatedVersion = '1.24';
      else if (compareVersions(server, max) < 0) this.negotiatedVersion = server;
      else this.negotiatedVersion = max;
    })();
    return this.negotiation;
  }

  private async open(): Promise<RawConnection> {
    try {
      return await this.options.connect();
    } catch (error) {
      const address = this.options.address ?? 'the Docker daemon';
      // docker prints just this (the cause stays in the error for debugging).
      throw Object.assign(new ConnectionError(`Cannot connect to the Docker daemon at ${address}. Is the docker daemon running?`), { cause: error });
    }
  }

  private async send(method: string, path: string, options: ClientRequestOptions, versioned: boolean, extraHeaders: Record<string, string> = {}): Promise<RawResponse & { connection: RawConnection; close: () => void }> {
    const connection = await this.open();
    const query = buildQuery(options.query).toString();
    const target = `${versioned ? `/v${this.negotiatedVersion}` : ''}${path}${query ? `?${query}` : ''}`;
    const headers: Record<string, string> = {
      Host: this.options.host ?? 'api.moby.localhost',
      'User-Agent': this.options.userAgent ?? 'Docker-Client/28.2.2 (linux)',
    };
    const given: Record<string, string> = { ...options.headers, ...extraHeaders };
    const body = options.body;
    let bytes: Uint8Array | undefined;
    let stream: AsyncIterable<Uint8Array> | undefined;
    if (body instanceof Uint8Array) bytes = body;
    else if (isByteStream(body)) stream = body;
    else if (body !== undefined) {
      bytes = encoder.encode(JSON.stringify(body));
      if (!Object.keys(given).some((k) => k.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
    if (bytes) headers['Content-Length'] = String(bytes.length);
    else if (stream) headers['Transfer-Encoding'] = 'chunked';
    else if (method === 'POST' || method === 'PUT') headers['Content-Length'] = '0';
    for (const [name, value] of Object.entries(given)) headers[name] = value;
    let head = `${method} ${target} HTTP/1.1\r\n`;
    for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
    head += '\r\n';
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      connection.close();
    };
    const reader = new ConnectionReader(connection.input);
    try {
      if (bytes && bytes.length > 0 && bytes.length < 64 * 1024) {
        const all = new Uint8Array(head.length + bytes.length);
        all.set(encoder.encode(head));
        all.set(bytes, head.length);
        await connection.write(all);
      } else {
        await connection.write(encoder.encode(head));
        if (bytes && bytes.length > 0) await connection.write(bytes);
        if (stream) {
          for await (const chunk of stream) {
            if (chunk.length === 0) continue;
            await connection.write(encoder.encode(`${chunk.length.toString(16)}\r\n`));
            await connection.write(chunk);
            await connection.write(encoder.encode('\r\n'));
          }
          await connection.write(encoder.encode('0\r\n\r\n'));
        }
      }
      const response = await readResponseHead(reader);
      return { ...response, connection, close };
    } catch (error) {
      close();
      throw error;
    }
  }

  async request(method: string, path: string, options: ClientRequestOptions = {}): Promise<ClientResponse> {
    await this.negotiate();
    const response = await this.send(method, path, options, true);
    const body = responseBody(response, method, response.close);
    return clientResponse(response.status, response.headers, body);
  }

  async hijack(method: string, path: string, options: ClientRequestOptions = {}): Promise<HijackedResponse> {
    await this.negotiate();
    const response = await this.send(method, path, options, true, { Connection: 'Upgrade', Upgrade: 'tcp' });
    if (response.status !== 101 && !(response.status === 200 && (response.headers['content-type'] ?? '').startsWith('application/vnd.docker.'))) {
      const chunks: Uint8Array[] = [];
      for await (const chunk of responseBody(response, method, response.close)) chunks.push(chunk);
      const text = decoder.decode(concatBytes(chunks));
      throw Object.assign(new Error(text), { status: response.status });
    }
    const connection: RawConnection = {
      input: response.reader.rest(),
      write: (chunk) => response.connection.write(chunk),
      close: () => response.close(),
    };
    return { status: response.status, headers: response.headers, connection };
  }
}

