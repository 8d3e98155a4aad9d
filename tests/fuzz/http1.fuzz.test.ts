// Fuzzing the Engine API's HTTP/1.1 reader (src/engine/api/http1.ts over src/go/http1.ts): request
// lines, header fields, Content-Length and chunked framing built from the grammar's pieces and its
// usual mistakes, pipelined, and cut into arbitrary TCP segments. Whatever arrives, the connection
// ends (no hang: the input ends and the server must finish), it is closed, what the server wrote is
// HTTP responses (a 4xx/5xx with Go's text for a malformed request), and nothing crashes: the
// handler sees a body or the reader's own error, and onError never receives a JavaScript crash.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serveHttpConnection } from '../../src/engine/api/http1';
import type { ApiRequest, ApiResponse, RawConnection } from '../../src/engine/api/types';
import { check, expectInputError } from './budget';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const methods = ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'CONNECT', 'G@T', '', 'get'];
const targets = ['/_ping', '/v1.50/containers/json?all=1', '/x?a=%zz&b', 'http://h/p?q', '*', '', '/a#frag', 'h:p', '/%', '/a b', '//x'];
const versions = ['HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', 'HTTP/1', '', 'http/1.1'];
const header = fc.oneof(
  fc.constantFrom('Host: x', 'Host: y', 'Host:', 'Connection: close', 'Connection: keep-alive', 'Connection: Upgrade', 'Upgrade: tcp', 'Expect: 100-continue', 'Content-Type: application/json', 'X-A: 1'),
  fc.constantFrom('0', '3', '5', '-1', '1,1', '5, 5', '99999999999999999999', 'abc', '+5', ' 5', '').map((value) => `Content-Length: ${value}`),
  fc.constantFrom('chunked', 'gzip', 'chunked, chunked', 'identity', 'Chunked', 'gzip, chunked', '').map((value) => `Transfer-Encoding: ${value}`),
  fc.constantFrom('Bad Name: x', ' Leading: x', 'NoColon', 'X: a\u0000b', 'X: a\r\n continued', ': empty', 'X-\u00e9: y', 'X: \u00ff'),
);
const chunk = fc.tuple(fc.constantFrom('0', '1', '3', '5', '05', 'a', 'fffffffffffffffff', '-1', 'g', '3 ', '3;ext=1', '0x3', ''), fc.string({ maxLength: 6 }), fc.constantFrom('\r\n', '\n', '', 'x\r\n')).map(([size, data, end]) => `${size}\r\n${data}${end}`);
const chunkedBody = fc.tuple(fc.array(chunk, { maxLength: 3 }), fc.constantFrom('0\r\n\r\n', '0\r\nTrailer: x\r\n\r\n', '0\r\n', '')).map(([chunks, last]) => chunks.join('') + last);
const body = fc.oneof(fc.constant(''), fc.string({ maxLength: 12 }), chunkedBody, fc.constant('{"a":1}'));
const request = fc.tuple(fc.constantFrom(...methods), fc.constantFrom(...targets), fc.constantFrom(...versions), fc.array(header, { maxLength: 5 }), body, fc.constantFrom('\r\n', '\n')).map(
  ([method, target, version, headers, content, newline]) => `${method} ${target} ${version}${newline}${headers.map((h) => h + newline).join('')}${newline}${content}`,
);
const session = fc.tuple(fc.array(request, { minLength: 1, maxLength: 3 }), fc.array(fc.nat(), { maxLength: 6 }), fc.boolean());

/** The session's bytes cut at the given points, then the client's end of input. */
async function* segments(bytes: Uint8Array, cuts: readonly number[]): AsyncIterable<Uint8Array> {
  const points = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const point of [...points, bytes.length]) {
    if (point > from) yield bytes.slice(from, point);
    from = point;
    await Promise.resolve();
  }
}

async function serveSession(text: string, cuts: readonly number[], readBody: boolean): Promise<void> {
  const written: Uint8Array[] = [];
  let closed = false;
  const failures: unknown[] = [];
  const connection: RawConnection = {
    input: segments(encoder.encode(text), cuts),
    write: async (bytes) => {
      written.push(bytes.slice());
    },
    close: () => {
      closed = true;
    },
  };
  const handle = async (apiRequest: ApiRequest): Promise<ApiResponse> => {
    let length = 0;
    if (readBody) {
      try {
        length = (await apiRequest.body()).length;
      } catch (error) {
        expectInputError(error);
        return { status: 400, headers: { 'content-type': 'application/json' }, body: encoder.encode(`${JSON.stringify({ message: (error as Error).message })}\n`) };
      }
    }
    return { status: 200, headers: { 'content-type': 'application/json' }, body: encoder.encode(`{"path":${JSON.stringify(apiRequest.path)},"length":${length}}\n`) };
  };
  await serveHttpConnection(connection, handle, { onError: (error) => failures.push(error), now: () => new Date(0) });
  expect(closed).toBe(true);
  for (const failure of failures) expectInputError(failure);
  const output = decoder.decode(Buffer.concat(written));
  if (output !== '') expect(output).toMatch(/^HTTP\/1\.[01] \d{3} /);
  expect(output).not.toMatch(/NaN|undefined|\[object /);
}

describe('fuzz: the Engine API’s HTTP/1.1 reader', () => {
  it('pipelined, segmented, malformed requests end in HTTP answers and a closed connection', async () => {
    await check(
      'http1',
      fc.asyncProperty(session, async ([requests, cuts, readBody]) => {
        await serveSession(requests.join(''), cuts, readBody);
      }),
      500,
    );
  });

  it('arbitrary bytes after a valid request line', async () => {
    await check(
      'http1-bytes',
      fc.asyncProperty(fc.string({ unit: fc.constantFrom('a', ':', ' ', '\r', '\n', '\r\n', '0', '5', 'Content-Length', 'Transfer-Encoding', 'chunked', 'Host', '\u0000', '\u00ff'), maxLength: 40 }), fc.array(fc.nat(), { maxLength: 4 }), async (rest, cuts) => {
        await serveSession(`POST /x HTTP/1.1\r\n${rest}`, cuts, true);
      }),
      500,
    );
  });
});
