// .dockerignore as docker/cli and moby's build context read it (moby/patternmatcher v0.6 and its ignorefile package): one
// pattern a line, `#` comments, trimmed, cleaned, a leading `/` dropped, `!` exceptions, `**` for any
// number of directories, and the last matching pattern wins; a pattern that matches a directory
// matches everything below it.

import { cleanPath } from './path';

interface Pattern {
  text: string;
  exclusion: boolean;
  regexp: RegExp | undefined;
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

function escapeChar(ch: string): string {
  return /[.+()|{}$^]/.test(ch) ? `\\${ch}` : ch;
}

/** patternmatcher's compile: the pattern as a regular expression over '/'-separated paths. */
function compile(pattern: string): RegExp | undefined {
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

export class PatternMatcher {
  private readonly patterns: Pattern[];

  constructor(patterns: readonly string[]) {
    this.patterns = patterns
      .filter((p) => p !== '')
      .map((p) => {
        const exclusion = p.startsWith('!');
        const text = cleanPath(exclusion ? p.slice(1) : p);
        return { text, exclusion, regexp: compile(text) };
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
      let match = pattern.regexp?.test(path) ?? false;
      if (!match && parent !== '.') {
        for (let i = 0; i < parentDirs.length; i++) {
          if (pattern.regexp?.test(parentDirs.slice(0, i + 1).join('/'))) {
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
