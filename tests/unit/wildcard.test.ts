// The wildcard matchers on patterns that made their former backtracking RegExps run for minutes
// (found by tests/fuzz/wildcard.fuzz.test.ts): Go's regexp and path.Match answer at once, and so
// must we; a hang here is caught by the test timeout. And the usual answers, unchanged.

import { describe, expect, it } from 'vitest';
import { PatternMatcher } from '../../src/go/dockerignore';
import { matchPath } from '../../src/go/path';
import { pathMatch } from '../../src/engine/images/reference';
import { matchTokens, literalToken, notSlash } from '../../src/go/wildcard';

describe('wildcard matching without backtracking', () => {
  const stars = `${'*a'.repeat(14)}b`;
  const name = 'a'.repeat(60);

  it('answers a pattern of many stars against a long name (was exponential)', () => {
    expect(new PatternMatcher([stars]).matches(name)).toBe(false);
    expect(matchPath(stars, name)).toBe(false);
    expect(pathMatch(stars, name)).toBe(false);
    expect(pathMatch(stars, `${name}b`)).toBe(true);
  });

  it('answers **/**/…/x in .dockerignore against a deep path (was exponential)', () => {
    const deep = `${'a/'.repeat(40)}y`;
    expect(new PatternMatcher([`${'**/'.repeat(12)}x`]).matches(deep)).toBe(false);
    expect(new PatternMatcher([`${'**/'.repeat(12)}y`]).matches(deep)).toBe(true);
  });

  it('keeps moby’s answers: ** spans directories, a matched directory covers its files, ! re-includes', () => {
    const matcher = new PatternMatcher(['**/*.log', 'build', '!build/keep', 'a?c', 'x[0-9]']);
    expect(matcher.matches('deep/dir/app.log')).toBe(true);
    expect(matcher.matches('app.log')).toBe(true);
    expect(matcher.matches('build/out/bin')).toBe(true);
    expect(matcher.matches('build/keep')).toBe(false);
    expect(matcher.matches('abc')).toBe(true);
    expect(matcher.matches('a/c')).toBe(false);
    expect(matcher.matches('x7')).toBe(true);
    expect(matcher.matches('xa')).toBe(false);
    expect(matchPath('*.txt', 'dir/a.txt')).toBe(false);
    expect(matchPath('dir/[^a]*', 'dir/b')).toBe(true);
    expect(matchPath('dir/[^a]*', 'dir/a')).toBe(false);
  });

  it('matchTokens: a run token matches the empty string, orChildren accepts a match ending at /', () => {
    const tokens = [literalToken('a'), { kind: 'run' as const, matches: notSlash }];
    expect(matchTokens(tokens, [...'a'])).toBe(true);
    expect(matchTokens(tokens, [...'abc/d'])).toBe(false);
    expect(matchTokens(tokens, [...'abc/d'], true)).toBe(true);
  });
});
