// Matching of wildcard patterns (.dockerignore, filepath.Match, `docker images` reference filters)
// without a backtracking regular expression. Go's regexp and path.Match take time linear (or
// pattern × name) in the input; a JavaScript RegExp built from `*a*a*a*a*a*a*a*b` or `**/**/**/x`
// backtracks exponentially and hangs the page. Patterns are compiled to tokens and matched by
// dynamic programming over (token, position): pattern length × name length steps at most.

/** One pattern element: one character, any run of characters, or moby's `**\/` (nothing, or anything ending in `/`). */
export type WildcardToken =
  | { kind: 'one'; matches: (character: string) => boolean }
  | { kind: 'run'; matches: (character: string) => boolean }
  | { kind: 'dirs' };

export const literalToken = (literal: string): WildcardToken => ({ kind: 'one', matches: (character) => character === literal });
export const notSlash = (character: string): boolean => character !== '/';
export const anyCharacter = (): boolean => true;

/**
 * A token for one character that `^(?:source)$` matches (a class such as `[a-z]`, or an escape such
 * as `\d` that moby's regexp understands); undefined when `source` is not a valid RegExp.
 */
export function regExpToken(source: string, flags = 's'): WildcardToken | undefined {
  let expression: RegExp;
  try {
    expression = new RegExp(`^(?:${source})$`, flags);
  } catch {
    return undefined;
  }
  return { kind: 'one', matches: (character) => expression.test(character) };
}

/**
 * Whether `tokens` match all of `characters`; with `orChildren`, a match of a leading part that
 * ends at a `/` counts too (moby's trailing `(/.*)?`: a pattern that matches a directory matches what is in it).
 */
export function matchTokens(tokens: readonly WildcardToken[], characters: readonly string[], orChildren = false): boolean {
  const length = characters.length;
  // next[i]: the tokens after the current one match characters[i:]
  let next = new Uint8Array(length + 1);
  next[length] = 1;
  if (orChildren) for (let i = 0; i < length; i++) if (characters[i] === '/') next[i] = 1;
  for (let t = tokens.length - 1; t >= 0; t--) {
    const token = tokens[t];
    const current = new Uint8Array(length + 1);
    if (token.kind === 'one') {
      for (let i = 0; i < length; i++) current[i] = next[i + 1] && token.matches(characters[i]) ? 1 : 0;
    } else if (token.kind === 'run') {
      current[length] = next[length];
      for (let i = length - 1; i >= 0; i--) current[i] = next[i] || (current[i + 1] && token.matches(characters[i])) ? 1 : 0;
    } else {
      // (.*/)? : the rest matches here, or after some later '/'
      let afterSlash = 0;
      current[length] = next[length];
      for (let i = length - 1; i >= 0; i--) {
        if (characters[i] === '/' && next[i + 1]) afterSlash = 1;
        current[i] = next[i] || afterSlash ? 1 : 0;
      }
    }
    next = current;
  }
  return next[0] === 1;
}
