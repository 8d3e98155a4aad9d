// The shell-word lexer against buildkit v0.22.0's envVarTest and wordsTest (read in place from
// ../shared/conformance, skipped with a message when absent), and cases of our own after buildkit's
// lex_test.go: the trimming and replacing modifiers, required variables, matches, error texts.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envFromList, ShellExpansionError, ShellLex } from '../../src/engine/builder/shell';
import { conformance } from '../helpers/requirements';

const { dir: conformanceDir, present } = conformance('buildkit-v0.22.0', 'buildkit shell-lexer rows');

interface Row {
  line: number;
  input: string;
  expected: string;
}

/** envVarTest: `platform|input|expected`; A rows are for all, U for Unix, W for Windows only. */
function envVarRows(): Row[] {
  if (!present) return [];
  const rows: Row[] = [];
  readFileSync(join(conformanceDir, 'envVarTest'), 'utf8')
    .split('\n')
    .forEach((raw, index) => {
      if (raw.startsWith('#') || raw.trim() === '') return;
      const fields = raw.trim().split('|');
      if (fields.length !== 3) throw new Error(`envVarTest line ${index + 1} has ${fields.length} fields`);
      const [platform, input, expected] = fields.map((field) => field.trim());
      if (platform === 'A' || platform === 'U') rows.push({ line: index + 1, input, expected });
      else if (platform !== 'W') throw new Error(`envVarTest line ${index + 1}: unknown platform ${platform}`);
    });
  return rows;
}

/** wordsTest: `ENV k=v` lines add to the environment of the rows after them; `input | w1,w2`. */
function wordsRows(): (Row & { env: string[] })[] {
  if (!present) return [];
  const rows: (Row & { env: string[] })[] = [];
  const env: string[] = [];
  const lines = readFileSync(join(conformanceDir, 'wordsTest'), 'utf8').replace(/\n$/, '').split('\n');
  lines.forEach((raw, index) => {
    if (raw.startsWith('#')) return;
    if (raw.startsWith('ENV ')) {
      env.push(raw.slice(3).replace(/^ +/, ''));
      return;
    }
    const fields = raw.split('|');
    if (fields.length !== 2) throw new Error(`wordsTest line ${index + 1} should have exactly one |`);
    rows.push({ line: index + 1, input: fields[0].trim(), expected: fields[1].replace(/^ +/, ''), env: [...env] });
  });
  return rows;
}

const lex = new ShellLex('\\');
const word = (input: string, env: Record<string, string> = {}): string => lex.processWord(input, new Map(Object.entries(env)));

describe.skipIf(!present)('buildkit v0.22.0 envVarTest', () => {
  // the environment of buildkit's TestShellParser4EnvVars
  const env = envFromList(['PWD=/home', 'SHELL=bash', 'KOREAN=한국어', 'NULL=']);
  const rows = envVarRows();

  it('has its rows', () => {
    expect(rows.length).toBe(228);
  });

  it.each(rows.map((row) => [row.line, row.input, row.expected] as const))('line %i: %s → %s', (_, input, expected) => {
    if (expected === 'error') expect(() => lex.processWord(input, env)).toThrow(ShellExpansionError);
    else expect(lex.processWord(input, env)).toBe(expected);
  });
});

describe.skipIf(!present)('buildkit v0.22.0 wordsTest', () => {
  // buildkit's TestShellParser4Words reads the file twice but its second pass finds the file at its
  // end, so only the plain mode (no RawQuotes, no SkipUnsetEnv) is really checked there, and here.
  const rows = wordsRows();

  it('has its rows', () => {
    expect(rows.length).toBe(24);
  });

  it.each(rows.map((row) => [row.line, row.input, row.expected, row.env] as const))('line %i: %s → %s', (_, input, expected, env) => {
    let words: string[];
    try {
      words = lex.processWords(input, envFromList(env));
    } catch {
      words = ['error'];
    }
    expect(words).toEqual(expected.split(','));
  });
});

describe('expansion modifiers', () => {
  it('default, alternative and required values', () => {
    const env = { FOO: 'xxx', BAR: '' };
    expect(word('${FOO-aaa} ${BAR-bbb} ${BAZ-ccc}', env)).toBe('xxx  ccc');
    expect(word('${FOO:-aaa} ${BAR:-bbb} ${BAZ:-ccc}', env)).toBe('xxx bbb ccc');
    expect(word('${FOO+aaa} ${BAR+bbb} ${BAZ+ccc}', env)).toBe('aaa bbb ');
    expect(word('${FOO:+aaa} ${BAR:+bbb} ${BAZ:+ccc}', env)).toBe('aaa  ');
    expect(word('${FOO?aaa}', env)).toBe('xxx');
    expect(word('${BAR?bbb}', env)).toBe('');
    expect(() => word('${BAZ?ccc}', env)).toThrow('failed to process "${BAZ?ccc}": BAZ: ccc');
    expect(() => word('${BAR:?bbb}', env)).toThrow('failed to process "${BAR:?bbb}": BAR: bbb');
    expect(() => word('${BAZ:?}', env)).toThrow('BAZ: is not allowed to be unset');
    expect(() => word('${BAR:?}', env)).toThrow('BAR: is not allowed to be empty');
    expect(() => word('${VAR:?message here$ARG}', { VAR: '', ARG: 'x' })).toThrow('VAR: message herex');
    for (const bad of ['${FOO=aaa}', '${FOO=:aaa}', '${FOO=}', '${FOO:#}', '${FOO:##}', '${FOO:%}', '${FOO:%%}', '${FOO//ww}', '${FOO//}']) {
      expect(() => word(bad, env), bad).toThrow(ShellExpansionError);
    }
  });

  it('remove prefixes and suffixes, shortest or longest', () => {
    expect(word('${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' })).toBe('x');
    expect(word('${FOO%%\\**}', { FOO: 'xx**' })).toBe('xx');
    expect(word('${FOO#*x*y}', { FOO: 'xxyy' })).toBe('y');
    expect(word('${FOO#*}', { FOO: 'xxyy' })).toBe('xxyy');
    expect(word('${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' })).toBe('xyy');
    expect(word('${FOO##*x}', { FOO: 'xxyy' })).toBe('yy');
    expect(word('${FOO#?\\?}', { FOO: '???y' })).toBe('?y');
    expect(word('${ABC:-.}${FOO%x}${ABC:-.}', { FOO: 'xxyy' })).toBe('.xxyy.');
    expect(word('${FOO%%\\**\\*}', { FOO: 'a***yy*' })).toBe('a');
    expect(word('${FOO%.*}', { FOO: 'archive.tar.gz' })).toBe('archive.tar');
    expect(word('${FOO%%.*}', { FOO: 'archive.tar.gz' })).toBe('archive');
    expect(() => word('${FOO#\\x}', { FOO: 'a' })).toThrow("invalid pattern (\\x) in substitution: invalid escape '\\x'");
  });

  it('replace the first match or all of them', () => {
    expect(word('${FOO/$NEEDLE/.} - ${FOO//$NEEDLE/.}', { FOO: '/foo*/*/*.txt', NEEDLE: '\\*/' })).toBe('/foo.*/*.txt - /foo..*.txt');
    expect(word('${FOO/$NEEDLE/} - ${FOO//$NEEDLE/}', { FOO: '/tmp/tmp/bar.txt', NEEDLE: '/tmp' })).toBe('/tmp/bar.txt - /bar.txt');
    expect(word('${FOO/$N/$R} - ${FOO//$N/$R}', { FOO: '/a/foo/b/c.txt', N: '/?/', R: '/' })).toBe('/foo/b/c.txt - /foo/c.txt');
    expect(word('${FOO/$N/$R}', { FOO: 'http://google.de', N: 'http://', R: 'https://' })).toBe('https://google.de');
    expect(word('${FOO//\\//\\/}', { FOO: '/tmp/foo.txt' })).toBe('\\/tmp\\/foo.txt');
    expect(word('${FOO/$BAR/ww}', { FOO: 'xxyy', BAR: '' })).toBe('wwxxyy');
    expect(word('${FOO///}', { FOO: 'xxyy' })).toBe('xxyy');
    expect(word('${FOO///}')).toBe('');
    // Go's ReplaceAll: no second replacement for the empty match right after a match
    // (a JavaScript replace with /g would also replace the empty match at the end: "RR")
    expect(word('${FOO//*/R}', { FOO: 'xxyy' })).toBe('R');
    // the replacement is a Go template: an escaped $0 (the escape stays) is the match itself
    expect(word('${FOO//x/\\$0}', { FOO: 'xxyy' })).toBe('\\x\\xyy');
  });

  it('reports the variables it used and missed', () => {
    const result = lex.processWordWithMatches('${FOO-aaa} ${BAR-bbb} ${BAZ-ccc} $FOO', new Map([['FOO', 'xxx'], ['BAR', '']]));
    expect(result.result).toBe('xxx  ccc xxx');
    expect([...result.matched].sort()).toEqual(['BAR', 'FOO']);
    expect([...result.unmatched]).toEqual(['BAZ']);
  });

  it('expands a release name as buildkit documents', () => {
    const release = 'something-${VERSION}.${TARGETOS}-${TARGETARCH}${TARGETVARIANT:+-${TARGETVARIANT}}.tar.gz';
    expect(word(release, { VERSION: 'v1.2.3', TARGETOS: 'linux', TARGETARCH: 'arm', TARGETVARIANT: 'v7' })).toBe('something-v1.2.3.linux-arm-v7.tar.gz');
    expect(word(release, { VERSION: 'v1.2.3', TARGETOS: 'linux', TARGETARCH: 'arm64' })).toBe('something-v1.2.3.linux-arm64.tar.gz');
  });
});

describe('lexer options', () => {
  it('uses the escape token of the Dockerfile', () => {
    const backtick = new ShellLex('`');
    expect(backtick.processWord('C:\\dir `$HOME "a`"b"', new Map([['HOME', '/root']]))).toBe('C:\\dir $HOME a"b');
  });

  it('keeps quotes, escapes and unset variables when asked (as the heredoc reader does)', () => {
    const raw = new ShellLex('\\');
    raw.rawQuotes = true;
    raw.rawEscapes = true;
    raw.skipUnsetEnv = true;
    expect(raw.processWords('RUN <<"EOF" a\\ b $UNSET ${X:-y}', new Map())).toEqual(['RUN', '<<"EOF"', 'a\\ b', '$UNSET', '${X:-y}']);
  });

  it('within one instruction, every word sees the values from before it (ENV abc=bye def=$abc)', () => {
    const env = new Map([['abc', 'hello']]);
    const pairs: [string, string][] = [['abc', 'bye'], ['def', '$abc']];
    const expanded = pairs.map(([key, value]) => [lex.processWord(key, env), lex.processWord(value, env)]);
    expect(expanded).toEqual([['abc', 'bye'], ['def', 'hello']]);
  });

  it('splits words after expansion, and shares its word buffer with nested ${…} as buildkit v0.22 does', () => {
    expect(lex.processWords('$A "$A"', new Map([['A', 'x  y']]))).toEqual(['x', 'y', 'x  y']);
    // buildkit resets one shared buffer when it scans `${x:-…}`: the "80" before it is lost
    expect(lex.processWords('80${PROTO:-/tcp}', new Map())).toEqual(['/tcp']);
  });

  it('wraps errors with the word, quoted as Go does', () => {
    expect(() => word('he${PWD')).toThrow(`failed to process "he\${PWD": unsupported modifier (\ufffd) in substitution`);
    expect(() => word("'abc")).toThrow('failed to process "\'abc": unexpected end of statement while looking for matching single-quote');
    expect(() => word('"abc')).toThrow('failed to process "\\"abc": unexpected end of statement while looking for matching double-quote');
    expect(() => word('${}')).toThrow('failed to process "${}": syntax error: bad substitution');
    expect(() => word('${a')).toThrow(`failed to process "\${a": unsupported modifier (\ufffd) in substitution`);
    expect(() => word('${a:-b')).toThrow("syntax error: missing '}'");
  });
});
