// .dockerignore as docker/cli and moby's build context read it (moby/patternmatcher v0.6 and its ignorefile package): one
// pattern a line, `#` comments, trimmed, cleaned, a leading `/` dropped, `!` exceptions, `**` for any
// number of directories, and the last matching pattern wins; a pattern that matches a directory
// matches everything below it.

import { cleanPath } from './path';
import { anyCharacter, literalToken, matchTokens, notSlash, regExpToken, type WildcardToken } from './wildcard';

interface Pattern {
  text: string;
  exclusion: boolean;
  tokens: WildcardToken[] | undefined;
}

/** ignorefile.ReadAll: the patterns of a .dockerignore text. */
export function readDockerignore(text: string): string[] {
  const patterns: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    let line = raw.replace(/\r$/, '');
    if (line.startsWith('#')) continue;
    line = line.trim();
    if (line === '') continue;
    let invert = false;
    if (line.startsWith('!')) {
      invert = true;
      line = line.slice(1).trim();
    }
    if (line.length > 0) {
      line = cleanPath(line);
      if (line.length > 1 && line.startsWith('/')) line = line.slice(1);
    }
    patterns.push(invert ? `!${line}` : line);
  }
  return patterns;
}

/**
 * patternmatcher's compile, as tokens rather than its regular expression: `*` is `[^/]*`, `?` is
 * `[^/]`, `**` is `.*` at the end and `(.*\/)?` elsewhere, `\x` is the regexp escape `\x`, `[...]` a
 * regexp class, anything else itself; the regexp's trailing `(/.*)?` is matchTokens' orChildren.
 * Undefined for a pattern whose regexp would not compile (it matches nothing).
 */
function compile(pattern: string): WildcardToken[] | undefined {
  const tokens: WildcardToken[] = [];
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*') {
      if (pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') i++;
        tokens.push(i + 1 >= pattern.length ? { kind: 'run', matches: anyCharacter } : { kind: 'dirs' });
      } else tokens.push({ kind: 'run', matches: notSlash });
    } else if (ch === '?') tokens.push({ kind: 'one', matches: notSlash });
    else if (ch === '\\') {
      i++;
      if (i >= pattern.length) return undefined;
      const escaped = /[a-zA-Z0-9]/.test(pattern[i]) ? regExpToken(`\\${pattern[i]}`) : literalToken(pattern[i]);
      if (!escaped) return undefined;
      tokens.push(escaped);
    } else if (ch === '[') {
      // the class runs to the first unescaped ']', as in the regexp
      let source = '';
      let j = i + 1;
      for (; j < pattern.length && pattern[j] !== ']'; j++) {
        if (pattern[j] === '\\' && j + 1 < pattern.length) source += `\\${pattern[++j]}`;
        else source += /[.+()|{}$^*?[\/]/.test(pattern[j]) ? `\\${pattern[j]}` : pattern[j];
      }
      if (j >= pattern.length) return undefined;
      const token = regExpToken(`[${source}]`);
      if (!token) return undefined;
      tokens.push(token);
      i = j;
    } else tokens.push(literalToken(ch));
  }
  return tokens;
}

export class PatternMatcher {
  private readonly patterns: Pattern[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns
      .filter((p) => p !== '')
      .map((p) => {
        const exclusion = p.startsWith('!');
        const text = cleanPath(exclusion ? p.slice(1) : p);
        return { text, exclusion, tokens: compile(text) };
      });
  }

  get hasExclusions(): boolean {
    return this.patterns.some((p) => p.exclusion);
  }

  /** MatchesOrParentMatches: whether the path (relative, '/'-separated) is excluded. */
  matches(file: string): boolean {
    const path = cleanPath(file);
    const parent = path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '.';
    const parentDirs = parent.split('/');
    let matched = false;
    for (const pattern of this.patterns) {
      if (pattern.exclusion !== matched) continue;
      const test = (candidate: string): boolean => pattern.tokens !== undefined && matchTokens(pattern.tokens, candidate.split(''), true);
      let match = test(path);
      if (!match && parent !== '.') {
        for (let i = 0; i < parentDirs.length; i++) {
          if (test(parentDirs.slice(0, i + 1).join('/'))) {
            match = true;
            break;
          }
        }
      }
      if (match) matched = !pattern.exclusion;
    }
    return matched;
  }
}

/** build.TrimBuildFilesFromExcludes: the Dockerfile and .dockerignore are always sent. */
export function keepBuildFiles(excludes: readonly string[], dockerfile: string): string[] {
  const out = [...excludes];
  if (new PatternMatcher(out).matches('.dockerignore')) out.push('!.dockerignore');
  if (new PatternMatcher(out).matches(dockerfile)) out.push(`!${dockerfile}`);
  return out;
}
