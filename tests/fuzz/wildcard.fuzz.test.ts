// Fuzzing the wildcard matchers (.dockerignore, COPY's filepath.Match, `docker images` reference
// filters). They used to build a backtracking RegExp, which hung on `*a*a*a*a*a*a*a*a*b` or
// `**/**/**/**/x`; now they match by dynamic programming (src/go/wildcard.ts). The properties: any
// pattern against any path returns at once (the test's timeout catches a hang), and on small inputs,
// where backtracking is cheap, the answers are those of the former regular expressions (the
// oracles below, kept verbatim), so the rewrite changed nothing but the time.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PatternMatcher } from '../../src/go/dockerignore';
import { cleanPath, matchPath } from '../../src/go/path';
import { BadPatternError, pathMatch } from '../../src/engine/images/reference';
import { check, expectInputError } from './budget';

// ---- oracles: the former regular-expression implementations ----

function oldIgnoreRegExp(pattern: string): RegExp | undefined {
  const escapeChar = (ch: string): string => (/[.+()|{}$^]/.test(ch) ? `\\${ch}` : ch);
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        source += i + 1 >= pattern.length ? '.*' : '(.*/)?';
      } else source += '[^/]*';
    } else if (ch === '?') source += '[^/]';
    else if (ch === '\\') {
      i++;
      if (i >= pattern.length) return undefined;
      source += `\\${pattern[i]}`;
    } else source += escapeChar(ch);
  }
  source += '(/.*)?$';
  try {
    return new RegExp(source, 's');
  } catch {
    return undefined;
  }
}

/** The former PatternMatcher.matches for one pattern without `!`. */
function oldIgnoreMatches(pattern: string, path: string): boolean {
  const regexp = oldIgnoreRegExp(pattern);
  if (!regexp) return false;
  if (regexp.test(path)) return true;
  const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
  if (parent === '.') return false;
  const dirs = parent.split('/');
  return dirs.some((_, i) => regexp.test(dirs.slice(0, i + 1).join('/')));
}

function oldMatchPath(pattern: string, name: string): boolean {
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) return false;
      source += pattern[i].replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    } else if (c === '[') {
      let j = i + 1;
      let cls = '';
      if (pattern[j] === '^') {
        cls += '^';
        j++;
      }
      let closed = false;
      let first = true;
      for (; j < pattern.length; j++) {
        const d = pattern[j];
        if (d === ']' && !first) {
          closed = true;
          break;
        }
        first = false;
        if (d === '\\') {
          j++;
          if (j >= pattern.length) return false;
          cls += `\\${pattern[j]}`;
        } else if (d === '-') cls += '-';
        else cls += d.replace(/[\]\\^]/g, '\\$&');
      }
      if (!closed || cls === '' || cls === '^') return false;
      // A negated class never matches the separator either.
      source += cls.startsWith('^') ? `[${cls}/]` : `[${cls}]`;
      i = j;
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  try {
    return new RegExp(`${source}$`, 's').test(name);
  } catch {
    return false;
  }
}

const regexpSyntax = /[\\^$.*+?()[\]{}|/-]/g;

function escapeForRegExp(character: string): string {
  return character.replace(regexpSyntax, '\\$&');
}
function escapeLiteral(character: string): string {
  return character === '-' ? '-' : escapeForRegExp(character);
}
function pathPatternRegExp(pattern: string): RegExp {
  const characters = Array.from(pattern);
  let source = '';
  let index = 0;
  const bad = (): never => {
    throw new BadPatternError(pattern);
  };
  /** One class character, possibly escaped; `-` and `]` must be escaped. */
  const classCharacter = (): string => {
    let character = characters[index];
    if (character === undefined || character === '-' || character === ']') bad();
    if (character === '\\') {
      index++;
      character = characters[index];
      if (character === undefined) bad();
    }
    index++;
    return character as string;
  };
  while (index < characters.length) {
    const character = characters[index] as string;
    index++;
    if (character === '*') source += '[^/]*';
    else if (character === '?') source += '[^/]';
    else if (character === '\\') {
      const escaped = characters[index];
      if (escaped === undefined) bad();
      index++;
      source += escapeLiteral(escaped as string);
    } else if (character === '[') {
      const negated = characters[index] === '^';
      if (negated) index++;
      const ranges: string[] = [];
      let count = 0;
      for (;;) {
        if (characters[index] === ']' && count > 0) {
          index++;
          break;
        }
        const low = classCharacter();
        let high = low;
        if (characters[index] === '-') {
          index++;
          high = classCharacter();
        }
        // Go accepts a reversed range, which matches nothing.
        if ((low.codePointAt(0) ?? 0) <= (high.codePointAt(0) ?? 0)) ranges.push(`${escapeForRegExp(low)}-${escapeForRegExp(high)}`);
        count++;
      }
      if (ranges.length === 0) source += negated ? '[\\s\\S]' : '(?!)';
      else source += `[${negated ? '^' : ''}${ranges.join('')}]`;
    } else {
      source += escapeLiteral(character);
    }
  }
  return new RegExp(`^${source}$`, 'u');
}

// ---- generators ----

const pathPart = fc.constantFrom('a', 'b', 'ab', '.', '..', 'x.txt', '*', '?', ' ');
const paths = fc.array(pathPart, { minLength: 1, maxLength: 5 }).map((parts) => parts.join('/'));
const ignoreUnit = fc.constantFrom('a', 'b', '/', '*', '**', '**/', '?', '.', 'x.txt', '\\*', '\\.', '\\d', '\\a', '[ab]', '[a-c]', '[^a]', '(', '+', '$', '{1}');
const ignorePatterns = fc.array(ignoreUnit, { minLength: 1, maxLength: 6 }).map((units) => units.join(''));
const matchUnit = fc.constantFrom('a', 'b', '/', '*', '?', '.', '\\*', '\\a', '\\', '[ab]', '[a-c]', '[^a]', '[]a]', '[\\]]', '[', ']', '-', '^', '[^]', '[a-]', 'é');
const matchPatterns = fc.array(matchUnit, { maxLength: 6 }).map((units) => units.join(''));

describe('fuzz: wildcard matchers', () => {
  it('.dockerignore patterns match as the former regexp did, and never hang', async () => {
    await check(
      'dockerignore',
      fc.property(ignorePatterns, paths, (pattern, path) => {
        // PatternMatcher cleans pattern and path first; the oracle gets what compile() saw
        const matcher = new PatternMatcher([pattern]);
        expect(matcher.matches(path)).toBe(oldIgnoreMatches(cleanPath(pattern), cleanPath(path)));
      }),
      1000,
    );
  });

  it('filepath.Match (COPY wildcards) matches as the former regexp did', async () => {
    await check(
      'match-path',
      fc.property(matchPatterns, paths, (pattern, name) => {
        expect(matchPath(pattern, name)).toBe(oldMatchPath(pattern, name));
      }),
      1000,
    );
  });

  it('reference filters match as the former regexp did, or both reject the pattern', async () => {
    await check(
      'reference-filter',
      fc.property(matchPatterns, paths, (pattern, name) => {
        let expected: boolean | 'bad';
        try {
          expected = pathPatternRegExp(pattern).test(name);
        } catch (error) {
          expect(error).toBeInstanceOf(BadPatternError);
          expected = 'bad';
        }
        let actual: boolean | 'bad';
        try {
          actual = pathMatch(pattern, name);
        } catch (error) {
          expectInputError(error, [BadPatternError]);
          actual = 'bad';
        }
        expect(actual).toBe(expected);
      }),
      1000,
    );
  });

  it('long patterns of stars against long names return (the former regexps backtracked for minutes)', async () => {
    const star = fc.constantFrom('*', '**/', 'a', '*a', '?', '/');
    await check(
      'wildcard-long',
      fc.property(fc.array(star, { minLength: 10, maxLength: 30 }), fc.nat({ max: 60 }), (units, length) => {
        const pattern = `${units.join('')}b`;
        const name = 'a/'.repeat(length) + 'a'.repeat(length);
        expect(new PatternMatcher([pattern]).matches(name)).toBe(false);
        expect(matchPath(pattern, name)).toBe(false);
        try {
          expect(pathMatch(pattern, name)).toBe(false);
        } catch (error) {
          expectInputError(error, [BadPatternError]);
        }
      }),
      200,
    );
  });
});
