// src/go: the one copy of each Go behaviour that engine and CLI share, checked against what Go prints.

import { describe, expect, it } from 'vitest';
import { basePath, cleanPath, dirPath, joinPath, matchPath } from '../../src/go/path';
import { goQuote, goQuoteList, goQuoteRune } from '../../src/go/strconv';
import { detachKeyBytes, keysToBytes } from '../../src/go/term';
import { concatBytes } from '../../src/go/bytes';
import { formatDuration, parseDuration } from '../../src/go/duration';
import { displayJsonMessageStream, JsonMessageError } from '../../src/go/jsonmessage';
import { containerPath } from '../../src/engine/containers/mounts';
import { BodyReader, ConnectionReader, HeaderSyntaxError, headLines, parseHeaderFields, parseStatusLine, responseFraming } from '../../src/go/http1';

const encoder = new TextEncoder();

async function* lines(...messages: object[]): AsyncGenerator<Uint8Array> {
  for (const message of messages) yield encoder.encode(`${JSON.stringify(message)}\n`);
}

describe('path', () => {
  it.each([
    ['', '.'],
    ['a/../..', '..'],
    ['/a/../..', '/'],
    ['a//b/./c/', 'a/b/c'],
    ['../../x', '../../x'],
    ['/', '/'],
  ])('Clean(%j) is %j', (input, output) => {
    expect(cleanPath(input)).toBe(output);
  });

  it('Base, Dir, Join and Match', () => {
    expect([basePath(''), basePath('/'), basePath('/a/b/')]).toEqual(['.', '/', 'b']);
    expect([dirPath('/a/b'), dirPath('a'), dirPath('/a')]).toEqual(['/a', '.', '/']);
    expect([joinPath('', ''), joinPath('a', '', '../b')]).toEqual(['', 'b']);
    expect([matchPath('*.go', 'a.go'), matchPath('*', 'a/b'), matchPath('[^a]x', 'bx'), matchPath('[', 'x')]).toEqual([true, false, true, false]);
  });

  it("a container path never climbs above the root (mounts' rule)", () => {
    expect([containerPath('a/../../b'), containerPath(''), containerPath('/x/./y/')]).toEqual(['/b', '/', '/x/y']);
  });
});

describe('strconv', () => {
  it('quotes strings, lists and runes as %q does', () => {
    expect(goQuote('a"b\\c\n\x01é\u200b')).toBe('"a\\"b\\\\c\\n\\x01é\\u200b"');
    // JSON.stringify would write \u0007 and keep U+200B: Go writes \a and escapes it.
    expect(goQuoteList(['\x07', '\u200b'])).toBe('["\\a" "\\u200b"]');
    expect(goQuoteList(null)).toBe('[]');
    expect([goQuoteRune(0), goQuoteRune(10), goQuoteRune(39), goQuoteRune(34), goQuoteRune(65)]).toEqual(["'\\x00'", "'\\n'", "'\\''", `'"'`, "'A'"]);
  });
});

describe('time.Duration', () => {
  it('parses and prints', () => {
    expect(formatDuration(parseDuration('1h30m0.5s'))).toBe('1h30m0.5s');
    expect(formatDuration(1500n)).toBe('1.5µs');
    expect(() => parseDuration('5')).toThrow('time: missing unit in duration "5"');
  });
});

describe('term keys', () => {
  it('reads ctrl- keys, single characters and DEL, and refuses the rest', () => {
    expect(detachKeyBytes('')).toEqual([16, 17]);
    expect(keysToBytes('ctrl-@,ctrl-z, a ,ctrl-_,DEL')).toEqual([0, 26, 97, 31, 127]);
    expect(() => keysToBytes('ctrl-1')).toThrow("Unknown character: 'ctrl-1'");
  });
});

describe('bytes', () => {
  it('joins into a new array', () => {
    const one = Uint8Array.of(1, 2);
    const joined = concatBytes([one]);
    expect(joined).toEqual(one);
    expect(joined).not.toBe(one);
    expect(concatBytes([one, Uint8Array.of(3)])).toEqual(Uint8Array.of(1, 2, 3));
  });
});

describe('jsonmessage', () => {
  it('off a terminal, prints status lines and leaves out progress bars', async () => {
    let out = '';
    await displayJsonMessageStream(
      lines(
        { status: 'Pulling from library/busybox', id: 'latest' },
        { status: 'Pulling fs layer', progressDetail: {}, id: 'abc' },
        { status: 'Downloading', progressDetail: { current: 5, total: 10 }, id: 'abc' },
        { status: 'Pull complete', progressDetail: {}, id: 'abc' },
        { status: 'Status: Downloaded newer image for busybox:latest' },
      ),
      (text) => (out += text),
      { terminal: false },
    );
    expect(out).toBe('latest: Pulling from library/busybox\nabc: Pulling fs layer\nabc: Pull complete\nStatus: Downloaded newer image for busybox:latest\n');
  });

  it('on a terminal, redraws a layer line in place', async () => {
    let out = '';
    await displayJsonMessageStream(lines({ status: 'Downloading', progressDetail: { current: 500, total: 1000 }, id: 'abc' }), (text) => (out += text), { terminal: true, columns: 80 });
    expect(out).toBe('\n\x1b[1A\x1b[2K\rabc: Downloading     500B/1kB\r\x1b[1B');
  });

  it("ends with the stream's error", async () => {
    const failing = displayJsonMessageStream(lines({ errorDetail: { message: 'manifest unknown' }, error: 'manifest unknown' }), () => {}, { terminal: false });
    await expect(failing).rejects.toThrow(JsonMessageError);
    await expect(displayJsonMessageStream(lines({ error: 'x', errorDetail: { code: 3, message: 'x' } }), () => {}, { terminal: false })).rejects.toMatchObject({ code: 3 });
  });
});

describe('http1: one parser for both ends', () => {
  async function* wire(...parts: string[]): AsyncGenerator<Uint8Array> {
    for (const part of parts) yield encoder.encode(part);
  }
  async function response(...parts: string[]): Promise<{ status: number; headers: Record<string, string>; body: string }> {
    const reader = new ConnectionReader(wire(...parts));
    const head = await reader.readHead(1 << 20);
    if (head.kind !== 'head') throw new Error(head.kind);
    const [statusLine, ...lines] = headLines(head.bytes);
    const status = parseStatusLine(statusLine);
    const { headers } = parseHeaderFields(lines);
    const body = new TextDecoder().decode(await new BodyReader(reader, responseFraming('GET', status, headers)).whole());
    return { status, headers, body };
  }

  it('reads chunked bodies with extensions and trailers, length bodies, and bodies up to the close', async () => {
    expect(await response('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nX-A: 1\r\nX-A: 2\r\n\r\n', '3;ext=1\r\nabc\r\n', '2\r\nde\r\n0\r\nTrailer: x\r\n\r\n')).toEqual({
      status: 200,
      headers: { 'transfer-encoding': 'chunked', 'x-a': '1, 2' },
      body: 'abcde',
    });
    expect((await response('HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nhiIGNORED')).body).toBe('hi');
    expect((await response('HTTP/1.1 200 OK\r\n\r\nuntil ', 'close')).body).toBe('until close');
  });

  it("refuses what Go's textproto refuses", () => {
    expect(() => parseHeaderFields(['Bad Name: x'])).toThrow(HeaderSyntaxError);
    expect(() => parseHeaderFields([' folded first'])).toThrow(HeaderSyntaxError);
    expect(parseHeaderFields(['A: 1', ' more']).headers).toEqual({ a: '1 more' });
    expect(() => parseStatusLine('HTTP/2 200')).toThrow('malformed HTTP response');
  });
});
