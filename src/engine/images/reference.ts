// Image references as docker parses them (github.com/distribution/reference v0.6, which docker v28
// uses): the same grammar, the same normalisation (`busybox` -> `docker.io/library/busybox`), the
// same familiar forms for display and the same error texts, because learners compare them with
// what docker prints.

import { InvalidDigestError, parseDigest, type Digest } from '../../go/digest';
import { literalToken, matchTokens, notSlash, type WildcardToken } from '../../go/wildcard';

/** A repository name with an optional tag and/or digest: `docker.io/library/busybox:latest`. */
export interface NamedReference {
  /** Registry host[:port]; empty only for references parsed without normalisation. */
  readonly domain: string;
  /** The repository path inside the registry: `library/busybox`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: Digest;
}

/** A bare digest (`sha256:...`, or 64 hex characters taken as a sha256 image id). */
export interface DigestReference {
  readonly digest: Digest;
}

export type AnyReference = NamedReference | DigestReference;

export const defaultDomain = 'docker.io';
export const legacyDefaultDomain = 'index.docker.io';
export const officialRepositoryPrefix = 'library/';
export const defaultTag = 'latest';
export const nameTotalLengthMax = 255;

/** distribution/reference's error texts. */
export const referenceErrors = {
  invalidFormat: 'invalid reference format',
  invalidTagFormat: 'invalid tag format',
  invalidDigestFormat: 'invalid digest format',
  nameContainsUppercase: 'repository name must be lowercase',
  nameEmpty: 'repository name must have at least one component',
  nameTooLong: `repository name must not be more than ${nameTotalLengthMax} characters`,
  nameNotCanonical: 'repository name must be canonical',
} as const;

/** A reference docker would refuse; the message is docker's. The daemon answers it with 400. */
export class InvalidReferenceError extends Error {
  readonly kind = 'invalid-parameter';
  constructor(
    message: string,
    readonly input: string,
  ) {
    super(message);
    this.name = 'InvalidReferenceError';
  }
}

// The grammar, piece by piece as in the reference package's regexp.go (JavaScript's backtracking
// regexps pick the same submatches as Go's leftmost-first ones for these patterns).
const alphanumeric = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const domainNameComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const optionalPort = '(?::[0-9]+)?';
const tagPattern = '[\\w][\\w.-]{0,127}';
const digestPattern = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9A-Fa-f]{32,}';
const ipv6Address = '\\[(?:[a-fA-F0-9:]+)\\]';
const domainName = `${domainNameComponent}(?:\\.${domainNameComponent})*`;
const host = `(?:${domainName}|${ipv6Address})`;
const domainAndPort = `${host}${optionalPort}`;
const pathComponent = `${alphanumeric}(?:${separator}${alphanumeric})*`;
const remoteName = `${pathComponent}(?:/${pathComponent})*`;
const namePattern = `(?:${domainAndPort}/)?${remoteName}`;

const referenceRegexp = new RegExp(`^(${namePattern})(?::(${tagPattern}))?(?:@(${digestPattern}))?$`);
const anchoredNameRegexp = new RegExp(`^(?:(${domainAndPort})/)?(${remoteName})$`);
const anchoredTagRegexp = new RegExp(`^${tagPattern}$`);
const anchoredDigestRegexp = new RegExp(`^${digestPattern}$`);
const anchoredIdentifierRegexp = /^[a-f0-9]{64}$/;

function digestOrThrow(text: string, input: string): Digest {
  try {
    return parseDigest(text);
  } catch (error) {
    if (error instanceof InvalidDigestError) throw new InvalidReferenceError(error.message, input);
    throw error;
  }
}

function make(domain: string, path: string, tag: string | undefined, digest: Digest | undefined): NamedReference {
  const reference: { domain: string; path: string; tag?: string; digest?: Digest } = { domain, path };
  if (tag) reference.tag = tag;
  if (digest) reference.digest = digest;
  return reference;
}

/** Parses a reference as written, without normalisation (`busybox` stays `busybox`): Parse(). */
export function parseReference(input: string): NamedReference {
  if (input === '') throw new InvalidReferenceError(referenceErrors.nameEmpty, input);
  const match = referenceRegexp.exec(input);
  if (!match) {
    const lower = input.toLowerCase();
    if (lower !== input && referenceRegexp.test(lower)) {
      throw new InvalidReferenceError(referenceErrors.nameContainsUppercase, input);
    }
    throw new InvalidReferenceError(referenceErrors.invalidFormat, input);
  }
  const [, name = '', tag, digestText] = match;
  const nameMatch = anchoredNameRegexp.exec(name);
  const domain = nameMatch?.[1] ?? '';
  const path = nameMatch ? (nameMatch[2] ?? '') : name;
  if (path.length > nameTotalLengthMax) throw new InvalidReferenceError(referenceErrors.nameTooLong, input);
  return make(domain, path, tag, digestText ? digestOrThrow(digestText, input) : undefined);
}

/** Splits off the registry the way docker guesses it: a first component with `.` or `:`, `localhost`, or uppercase. */
function splitDockerDomain(name: string): { domain: string; remainder: string } {
  const slash = name.indexOf('/');
  if (slash === -1) return { domain: defaultDomain, remainder: officialRepositoryPrefix + name };
  const maybeDomain = name.slice(0, slash);
  const maybeRemainder = name.slice(slash + 1);
  let domain: string;
  let remainder: string;
  if (maybeDomain === 'localhost') {
    [domain, remainder] = [maybeDomain, maybeRemainder];
  } else if (maybeDomain === legacyDefaultDomain) {
    [domain, remainder] = [defaultDomain, maybeRemainder];
  } else if (/[.:]/.test(maybeDomain)) {
    [domain, remainder] = [maybeDomain, maybeRemainder];
  } else if (maybeDomain.toLowerCase() !== maybeDomain) {
    // Namespaces are lowercase, so an uppercase first component can only be a host name.
    [domain, remainder] = [maybeDomain, maybeRemainder];
  } else {
    [domain, remainder] = [defaultDomain, name];
  }
  if (domain === defaultDomain && !remainder.includes('/')) remainder = officialRepositoryPrefix + remainder;
  return { domain, remainder };
}

/**
 * Parses what a user types (`busybox`, `user/repo:tag`, `host:5000/x@sha256:...`) into the full
 * reference docker uses: ParseNormalizedNamed(). A missing tag stays missing; see tagNameOnly().
 */
export function parseNormalizedNamed(input: string): NamedReference {
  if (anchoredIdentifierRegexp.test(input)) {
    throw new InvalidReferenceError(
      `invalid repository name (${input}), cannot specify 64-byte hexadecimal strings`,
      input,
    );
  }
  const { domain, remainder } = splitDockerDomain(input);
  // Docker cuts at the first ':' here, even one inside a digest; the message shows that cut.
  const colon = remainder.indexOf(':');
  const remote = colon === -1 ? remainder : remainder.slice(0, colon);
  if (remote.toLowerCase() !== remote) {
    throw new InvalidReferenceError(`${referenceErrors.invalidFormat}: repository name (${remote}) must be lowercase`, input);
  }
  try {
    return parseReference(`${domain}/${remainder}`);
  } catch (error) {
    if (error instanceof InvalidReferenceError) throw new InvalidReferenceError(error.message, input);
    throw error;
  }
}

/**
 * The reference docker resolves an image by (ParseDockerRef): normalised, `:latest` when neither
 * tag nor digest is given, and the tag dropped when a digest is given (the digest decides).
 */
export function parseDockerRef(input: string): NamedReference {
  const named = parseNormalizedNamed(input);
  if (named.tag !== undefined && named.digest !== undefined) return make(named.domain, named.path, undefined, named.digest);
  return tagNameOnly(named);
}

/**
 * What the daemon accepts where an image is expected (ParseAnyReference): 64 hex characters are a
 * sha256 id, `algo:hex` a digest, anything else a normalised name.
 */
export function parseAnyReference(input: string): AnyReference {
  if (anchoredIdentifierRegexp.test(input)) return { digest: `sha256:${input}` };
  try {
    return { digest: parseDigest(input) };
  } catch {
    return parseNormalizedNamed(input);
  }
}

export function isNamed(reference: AnyReference): reference is NamedReference {
  return 'path' in reference;
}

/** Neither tag nor digest. */
export function isNameOnly(reference: NamedReference): boolean {
  return reference.tag === undefined && reference.digest === undefined;
}

/** `docker.io/library/busybox` (Name()). */
export function referenceName(reference: NamedReference): string {
  return reference.domain ? `${reference.domain}/${reference.path}` : reference.path;
}

/** The full form: `docker.io/library/busybox:latest@sha256:...` (String()). */
export function referenceString(reference: AnyReference): string {
  if (!isNamed(reference)) return reference.digest;
  let text = referenceName(reference);
  if (reference.tag !== undefined) text += `:${reference.tag}`;
  if (reference.digest !== undefined) text += `@${reference.digest}`;
  return text;
}

/** The name as docker shows it: without `docker.io/`, and without `library/` for official images. */
export function familiarName(reference: NamedReference): string {
  if (reference.domain !== defaultDomain) return referenceName(reference);
  const path = reference.path;
  if (path.startsWith(officialRepositoryPrefix)) {
    const remainder = path.slice(officialRepositoryPrefix.length);
    if (!remainder.includes('/')) return remainder;
  }
  return path;
}

/** The reference as docker shows it: `busybox:latest`, `user/repo:tag`, `127.0.0.1:5000/x:tag`. */
export function familiarString(reference: AnyReference): string {
  if (!isNamed(reference)) return reference.digest;
  let text = familiarName(reference);
  if (reference.tag !== undefined) text += `:${reference.tag}`;
  if (reference.digest !== undefined) text += `@${reference.digest}`;
  return text;
}

/** Adds `:latest` to a reference with neither tag nor digest. */
export function tagNameOnly(reference: NamedReference): NamedReference {
  return isNameOnly(reference) ? make(reference.domain, reference.path, defaultTag, undefined) : reference;
}

/** The repository alone, tag and digest dropped (TrimNamed). */
export function trimNamed(reference: NamedReference): NamedReference {
  return make(reference.domain, reference.path, undefined, undefined);
}

export function withTag(reference: NamedReference, tag: string): NamedReference {
  if (!anchoredTagRegexp.test(tag)) throw new InvalidReferenceError(referenceErrors.invalidTagFormat, tag);
  return make(reference.domain, reference.path, tag, reference.digest);
}

export function withDigest(reference: NamedReference, digest: string): NamedReference {
  if (!anchoredDigestRegexp.test(digest)) throw new InvalidReferenceError(referenceErrors.invalidDigestFormat, digest);
  return make(reference.domain, reference.path, reference.tag, digest as Digest);
}

/** Whether a string is a valid tag (what `docker tag` and `docker build -t` check). */
export function isValidTag(tag: string): boolean {
  return anchoredTagRegexp.test(tag);
}

/** Go's path.ErrBadPattern, which `docker images --filter reference=[` reports. */
export class BadPatternError extends Error {
  readonly kind = 'invalid-parameter';
  constructor(readonly pattern: string) {
    super('syntax error in pattern');
    this.name = 'BadPatternError';
  }
}

/** A pattern of Go's path.Match as wildcard tokens: `*` and `?` stop at `/`, `[...]` classes, `\\` escapes. */
function pathPatternTokens(pattern: string): WildcardToken[] {
  const characters = Array.from(pattern);
  const tokens: WildcardToken[] = [];
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
    if (character === '*') tokens.push({ kind: 'run', matches: notSlash });
    else if (character === '?') tokens.push({ kind: 'one', matches: notSlash });
    else if (character === '\\') {
      const escaped = characters[index];
      if (escaped === undefined) bad();
      index++;
      tokens.push(literalToken(escaped as string));
    } else if (character === '[') {
      const negated = characters[index] === '^';
      if (negated) index++;
      const ranges: [number, number][] = [];
      let count = 0;
      for (;;) {
        if (characters[index] === ']' && count > 0) {
          index++;
          break;
        }
        const low = classCharacter().codePointAt(0) ?? 0;
        let high = low;
        if (characters[index] === '-') {
          index++;
          high = classCharacter().codePointAt(0) ?? 0;
        }
        // Go accepts a reversed range, which matches nothing.
        if (low <= high) ranges.push([low, high]);
        count++;
      }
      tokens.push({
        kind: 'one',
        matches: (candidate) => {
          const code = candidate.codePointAt(0) ?? 0;
          return ranges.some(([low, high]) => low <= code && code <= high) !== negated;
        },
      });
    } else {
      tokens.push(literalToken(character));
    }
  }
  return tokens;
}

/** Go's path.Match: the whole name must match; BadPatternError for a malformed pattern. */
export function pathMatch(pattern: string, name: string): boolean {
  return matchTokens(pathPatternTokens(pattern), Array.from(name));
}

/**
 * Whether a reference matches a `docker images` / `--filter reference=` pattern (FamiliarMatch):
 * the familiar string (`busybox:latest`) or, failing that, the familiar name (`busybox`).
 */
export function familiarMatch(pattern: string, reference: AnyReference): boolean {
  if (pathMatch(pattern, familiarString(reference))) return true;
  return isNamed(reference) && pathMatch(pattern, familiarName(reference));
}
