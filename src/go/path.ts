// Go's path and path/filepath for '/'-separated paths (the only separator a Linux guest and the
// Engine API know): Clean, Base, Dir, Join and Match, with Go's edge cases ("" is ".", ".." above
// the root of a rooted path is dropped, kept in a relative one).

import { literalToken, matchTokens, notSlash, regExpToken, type WildcardToken } from './wildcard';

/** path.Clean: the shortest equivalent path, by purely lexical processing. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
      else if (!rooted) parts.push('..');
    } else parts.push(part);
  }
  const joined = (rooted ? '/' : '') + parts.join('/');
  return joined === '' ? '.' : joined;
}

/** path.Base: the last element, trailing slashes removed ("/" for the root, "." for ""). */
export function basePath(path: string): string {
  if (path === '') return '.';
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}

/** path.Dir: everything but the last element, cleaned. */
export function dirPath(path: string): string {
  return cleanPath(path.slice(0, path.lastIndexOf('/') + 1));
}

/** path.Join: the non-empty elements joined by '/' and cleaned ("" when all are empty). */
export function joinPath(...elements: string[]): string {
  const parts = elements.filter((element) => element !== '');
  return parts.length === 0 ? '' : cleanPath(parts.join('/'));
}

/**
 * filepath.Match on '/'-separated names: `*` and `?` do not cross '/', `[...]` classes with
 * ranges and `^` negation, `\` escapes. A malformed pattern matches nothing (Go's ErrBadPattern).
 */
export function matchPath(pattern: string, name: string): boolean {
  const tokens: WildcardToken[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '*') tokens.push({ kind: 'run', matches: notSlash });
    else if (c === '?') tokens.push({ kind: 'one', matches: notSlash });
    else if (c === '\\') {
      i++;
      if (i >= pattern.length) return false;
      tokens.push(literalToken(pattern[i]));
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
      const token = regExpToken(cls.startsWith('^') ? `[${cls}/]` : `[${cls}]`);
      if (!token) return false;
      tokens.push(token);
      i = j;
    } else tokens.push(literalToken(c));
  }
  return matchTokens(tokens, name.split(''));
}

/** Whether a path has a Match metacharacter that is not escaped (moby's containsWildcards). */
export function containsWildcards(path: string): boolean {
  for (let i = 0; i < path.length; i++) {
    if (path[i] === '\\') i++;
    else if (path[i] === '*' || path[i] === '?' || path[i] === '[') return true;
  }
  return false;
}

