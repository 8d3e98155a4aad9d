// buildkit's shell lexer (frontend/dockerfile/shell, v0.22.0): the word processing and variable
// expansion that ENV, ADD, COPY, WORKDIR and the others apply to their arguments, with its quirks:
// quotes and the escape token as a POSIX shell treats them (without running anything), `$v`, `${v}`
// and the modifiers `:-` `-` `:+` `+` `:?` `?` `#` `##` `%` `%%` `/` `//`, and buildkit's error texts.

import { isGoSpaceChar } from '../go-text';
import { goQuote } from '../../../go/strconv';

/** Where variables come from: a Map works as it is (see envFromList for "k=v" lists). */
export interface EnvLookup {
  get(name: string): string | undefined;
}

/** shell.EnvsFromSlice: "k=v" entries (a bare "k" is set and empty), the last one of a name wins. */
export function envFromList(entries: readonly string[]): Map<string, string> {
  const env = new Map<string, string>();
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    if (equals < 0) env.set(entry, '');
    else env.set(entry.slice(0, equals), entry.slice(equals + 1));
  }
  return env;
}

/** What an expansion failed on; the message is buildkit's (`failed to process "…": …`). */
export class ShellExpansionError extends Error {
  override name = 'ShellExpansionError';
}

export interface ProcessWordResult {
  /** The word with quotes removed and variables expanded, spaces kept. */
  result: string;
  /** The same split into words on unquoted whitespace. */
  words: string[];
  /** Variables the word referred to that were set, and those that were not. */
  matched: Set<string>;
  unmatched: Set<string>;
}

const EOF = '';

/**
 * shell.Lex. One instance may be reused; the options mirror buildkit's fields:
 * rawQuotes keeps the quote characters, rawEscapes keeps the escape tokens, skipUnsetEnv leaves
 * `$name` of an unset variable as it is, skipProcessQuotes treats quotes as ordinary characters.
 */
export class ShellLex {
  rawQuotes = false;
  rawEscapes = false;
  skipProcessQuotes = false;
  skipUnsetEnv = false;

  constructor(readonly escapeToken: string = '\\') {}

  /** Expands `word` as one word (ProcessWord); throws ShellExpansionError. */
  processWord(word: string, env: EnvLookup): string {
    return this.process(word, env, true).result;
  }

  /** Expands `word` and splits it on unquoted whitespace (ProcessWords). */
  processWords(word: string, env: EnvLookup): string[] {
    return this.process(word, env, false).words;
  }

  /** processWord plus the names it used, found or not (ProcessWordWithMatches). */
  processWordWithMatches(word: string, env: EnvLookup): ProcessWordResult {
    return this.process(word, env, true);
  }

  private process(word: string, env: EnvLookup, capture: boolean): ProcessWordResult {
    const state = new WordState(this, word, env, capture);
    try {
      const { result, words } = state.processStopOn(EOF, this.rawEscapes);
      return { result, words, matched: state.matched, unmatched: state.unmatched };
    } catch (error) {
      if (!(error instanceof LexError)) throw error;
      throw new ShellExpansionError(`failed to process ${goQuote(word)}: ${error.message}`);
    }
  }
}

/** An error inside the lexer, before the "failed to process" prefix is added. */
class LexError extends Error {}

/**
 * The buffer a word is built in. buildkit shares one between the outer word and every nested
 * `${…}` it scans (and resets it at the start of each), so `a${x:-b}c` splits into the words
 * ["bc"] rather than ["abc"]: ProcessWords in v0.22 does that, and so do we.
 */
class SharedWordBuffer {
  text = '';
}

class WordCollector {
  words: string[] = [];
  private inWord = false;
  constructor(private readonly buffer: SharedWordBuffer) {}

  addChar(ch: string): void {
    const space = isGoSpaceChar(ch);
    if (space && this.inWord) {
      if (this.buffer.text !== '') {
        this.words.push(this.buffer.text);
        this.buffer.text = '';
        this.inWord = false;
      }
    } else if (!space) {
      this.addRaw(ch);
    }
  }

  addString(text: string): void {
    for (const ch of text) this.addChar(ch);
  }

  addRaw(text: string): void {
    this.buffer.text += text;
    this.inWord = true;
  }

  finish(): string[] {
    if (this.buffer.text !== '') {
      this.words.push(this.buffer.text);
      this.buffer.text = '';
      this.inWord = false;
    }
    return this.words;
  }
}

class WordState {
  matched = new Set<string>();
  unmatched = new Set<string>();
  private readonly chars: string[];
  private pos = 0;
  private rawEscapes: boolean;
  private readonly wordBuffer = new SharedWordBuffer();

  constructor(
    private readonly lex: ShellLex,
    source: string,
    private readonly env: EnvLookup,
    private readonly capture: boolean,
  ) {
    this.chars = Array.from(source);
    this.rawEscapes = lex.rawEscapes;
  }

  private peek(): string {
    return this.pos < this.chars.length ? this.chars[this.pos] : EOF;
  }

  private next(): string {
    return this.pos < this.chars.length ? this.chars[this.pos++] : EOF;
  }

  /** Scans up to `stopChar` (consumed) or the end; EOF as stopChar means "to the end". */
  processStopOn(stopChar: string, rawEscapes: boolean): { result: string; words: string[] } {
    let result = '';
    this.wordBuffer.text = '';
    const words = new WordCollector(this.wordBuffer);
    const savedRawEscapes = this.rawEscapes;
    this.rawEscapes = rawEscapes;
    try {
      while (this.peek() !== EOF) {
        const ch = this.peek();
        if (stopChar !== EOF && ch === stopChar) {
          this.next();
          return { result, words: words.finish() };
        }
        const special = this.specialHandler(ch);
        if (special) {
          const text = special();
          result += text;
          if (ch === '$') words.addString(text);
          else words.addRaw(text);
          continue;
        }
        let plain = this.next();
        if (plain === this.lex.escapeToken) {
          if (this.rawEscapes) {
            words.addRaw(plain);
            result += plain;
          }
          // the escape token escapes the next character, except at the end of the word
          plain = this.next();
          if (plain === EOF) break;
          words.addRaw(plain);
        } else {
          words.addChar(plain);
        }
        result += plain;
      }
      if (stopChar !== EOF) throw new LexError(`unexpected end of statement while looking for matching ${stopChar}`);
      return { result, words: words.finish() };
    } finally {
      this.rawEscapes = savedRawEscapes;
    }
  }

  private specialHandler(ch: string): (() => string) | undefined {
    if (ch === '$') return () => this.processDollar();
    if (ch === '<') return () => this.processPossibleHeredoc();
    if (this.lex.skipProcessQuotes) return undefined;
    if (ch === "'") return () => this.processSingleQuote();
    if (ch === '"') return () => this.processDoubleQuote();
    return undefined;
  }

  /** Everything up to the next ' as it is: nothing can be escaped inside single quotes. */
  private processSingleQuote(): string {
    let result = '';
    const open = this.next();
    if (this.lex.rawQuotes) result += open;
    for (;;) {
      const ch = this.next();
      if (ch === EOF) throw new LexError('unexpected end of statement while looking for matching single-quote');
      if (ch === "'") {
        if (this.lex.rawQuotes) result += ch;
        return result;
      }
      result += ch;
    }
  }

  /** Up to the next unescaped ": $ expands; the escape token quotes only " $ and itself. */
  private processDoubleQuote(): string {
    let result = '';
    const open = this.next();
    if (this.lex.rawQuotes) result += open;
    for (;;) {
      const ahead = this.peek();
      if (ahead === EOF) throw new LexError('unexpected end of statement while looking for matching double-quote');
      if (ahead === '"') {
        const close = this.next();
        if (this.lex.rawQuotes) result += close;
        return result;
      }
      if (ahead === '$') {
        result += this.processDollar();
        continue;
      }
      let ch = this.next();
      if (ch === this.lex.escapeToken) {
        if (this.rawEscapes) result += ch;
        const escaped = this.peek();
        if (escaped === EOF) continue; // a trailing escape is dropped; the loop then reports the open quote
        if (escaped === '"' || escaped === '$' || escaped === this.lex.escapeToken) ch = this.next();
      }
      result += ch;
    }
  }

  private processDollar(): string {
    this.next();
    if (this.peek() !== '{') {
      const name = this.processName();
      if (name === '') return '$';
      const value = this.getEnv(name);
      if (value === undefined && this.lex.skipUnsetEnv) return `$${name}`;
      return value ?? '';
    }
    this.next();
    const first = this.peek();
    if (first === EOF) throw new LexError("syntax error: missing '}'");
    if (first === '{' || first === '}' || first === ':') throw new LexError('syntax error: bad substitution');
    const name = this.processName();
    let modifier = this.next();
    let modifierText = modifier === EOF ? '\ufffd' : modifier;
    if (modifier === '}') {
      const value = this.getEnv(name);
      if (value === undefined && this.lex.skipUnsetEnv) return `\${${name}}`;
      return value ?? '';
    }
    if (modifier === '/') return this.processReplace(name);
    const nullIsUnset = modifier === ':';
    if (nullIsUnset) {
      modifier = this.next();
      modifierText += modifier === EOF ? '\ufffd' : modifier;
    } else if (!['+', '-', '?', '#', '%'].includes(modifier)) {
      throw new LexError(`unsupported modifier (${modifierText}) in substitution`);
    }
    const trims = modifier === '#' || modifier === '%';
    if (nullIsUnset && trims) throw new LexError(`unsupported modifier (${modifierText}) in substitution`);
    let word = this.scanUntil('}', trims, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (this.lex.skipUnsetEnv && value === undefined) return `\${${name}${modifierText}${word}}`;
    const unsetOrNull = value === undefined || (nullIsUnset && value === '');
    switch (modifier) {
      case '-':
        return unsetOrNull ? word : (value ?? '');
      case '+':
        return unsetOrNull ? '' : word;
      case '?':
        if (value === undefined) throw new LexError(`${name}: ${word || 'is not allowed to be unset'}`);
        if (nullIsUnset && value === '') throw new LexError(`${name}: ${word || 'is not allowed to be empty'}`);
        return value;
      case '%':
      case '#': {
        // one # or % takes the shortest match, a doubled one the longest
        const greedy = word.startsWith(modifier);
        if (greedy) word = word.slice(1);
        return modifier === '%' ? trimSuffix(word, value ?? '', greedy) : trimPrefix(word, value ?? '', greedy);
      }
      default:
        throw new LexError(`unsupported modifier (${modifierText}) in substitution`);
    }
  }

  /** ${name/pattern/replacement} and ${name//pattern/replacement}. */
  private processReplace(name: string): string {
    const replaceAll = this.peek() === '/';
    if (replaceAll) this.next();
    const pattern = this.scanUntil('/', true, "syntax error: missing '/' in ${}");
    const replacement = this.scanUntil('}', true, "syntax error: missing '}'");
    const value = this.getEnv(name);
    if (this.lex.skipUnsetEnv && value === undefined) return `\${${name}/${pattern}/${replacement}}`;
    const regex = patternRegex(pattern, true, false);
    const subject = value ?? '';
    if (replaceAll) return goReplaceAll(regex, subject, replacement);
    regex.lastIndex = 0;
    const match = regex.exec(subject);
    if (!match) return subject;
    return subject.slice(0, match.index) + replacement + subject.slice(match.index + match[0].length);
  }

  /** A nested processStopOn whose failure at the end of the input becomes `endMessage`. */
  private scanUntil(stopChar: string, rawEscapes: boolean, endMessage: string): string {
    try {
      return this.processStopOn(stopChar, rawEscapes).result;
    } catch (error) {
      if (error instanceof LexError && this.peek() === EOF) throw new LexError(endMessage);
      throw error;
    }
  }

  /** A name: digits (a positional parameter), one special parameter, or letters, digits and _. */
  private processName(): string {
    let name = '';
    while (this.peek() !== EOF) {
      const ch = this.peek();
      if (name === '' && isDigit(ch)) {
        while (this.peek() !== EOF && isDigit(this.peek())) name += this.next();
        return name;
      }
      if (name === '' && '@*#?-$!0'.includes(ch)) return this.next();
      if (!isLetter(ch) && !isDigit(ch) && ch !== '_') break;
      name += this.next();
    }
    return name;
  }

  /** `<<` and the blanks after it stay one word, so a heredoc marker survives word splitting. */
  private processPossibleHeredoc(): string {
    this.next();
    if (this.peek() !== '<') return '<';
    this.next();
    let space = '';
    while (this.peek() === '\t' || this.peek() === '\r' || this.peek() === ' ') space += this.next();
    return `<<${space}`;
  }

  private getEnv(name: string): string | undefined {
    const value = this.env.get(name);
    if (this.capture) (value === undefined ? this.unmatched : this.matched).add(name);
    return value;
  }
}

function isDigit(ch: string): boolean {
  return /^\p{Nd}$/u.test(ch);
}

function isLetter(ch: string): boolean {
  return /^\p{L}$/u.test(ch);
}

/**
 * A shell pattern (`?` one character, `*` any run, shortest unless greedy; no bracket expressions)
 * as a regular expression, like buildkit's convertShellPatternToRegex.
 */
function patternRegex(pattern: string, greedy: boolean, anchored: boolean): RegExp {
  const chars = Array.from(pattern);
  // Go's `.` matches anything but a newline; JavaScript's would also refuse \r and U+2028/9
  const any = '[^\\n]';
  let source = anchored ? '^' : '';
  for (let i = 0; i < chars.length; i++) {
    let ch = chars[i];
    if (ch === '*') {
      source += greedy ? `${any}*` : `${any}*?`;
      continue;
    }
    if (ch === '?') {
      source += any;
      continue;
    }
    if (ch === '\\') {
      // \} and \/ inside ${} were escapes for the lexer, not for the pattern
      if (chars[i + 1] === '}' || chars[i + 1] === '/') continue;
      source += '\\';
      ch = chars[++i] ?? '';
      if (ch !== '*' && ch !== '?' && ch !== '\\') {
        throw new LexError(`invalid pattern (${pattern}) in substitution: invalid escape '\\${ch === '' ? '\ufffd' : ch}'`);
      }
    } else if ('[]{}.+()|^$'.includes(ch)) {
      source += '\\';
    }
    source += ch;
  }
  return new RegExp(source, 'gu');
}

function trimPrefix(pattern: string, value: string, greedy: boolean): string {
  const regex = patternRegex(pattern, greedy, true);
  regex.lastIndex = 0;
  const match = regex.exec(value);
  return match ? value.slice(match.index + match[0].length) : value;
}

/** Reverses a pattern but keeps each escape before the character it escapes (a\*c → c\*a). */
function reversePattern(pattern: string): string {
  const chars = Array.from(pattern);
  const out = new Array<string>(chars.length);
  const last = chars.length - 1;
  for (let i = 0; i <= last; ) {
    if (chars[i] === '\\' && i !== last) {
      out[last - i - 1] = chars[i];
      out[last - i] = chars[i + 1];
      i += 2;
    } else {
      out[last - i] = chars[i];
      i++;
    }
  }
  return out.join('');
}

function reverse(text: string): string {
  return Array.from(text).reverse().join('');
}

/** Shortest or longest suffix match: a prefix match on the reversed value and pattern. */
function trimSuffix(pattern: string, value: string, greedy: boolean): string {
  return reverse(trimPrefix(reversePattern(pattern), reverse(value), greedy));
}

/**
 * Go's Regexp.ReplaceAllString: an empty match right after a match is not replaced, and the
 * replacement is a template where $0 or ${0} is the match, other $names are empty and $$ is $.
 */
function goReplaceAll(regex: RegExp, subject: string, template: string): string {
  let out = '';
  let lastMatchEnd = 0;
  let searchPos = 0;
  while (searchPos <= subject.length) {
    regex.lastIndex = searchPos;
    const match = regex.exec(subject);
    if (!match) break;
    const start = match.index;
    const end = start + match[0].length;
    out += subject.slice(lastMatchEnd, start);
    if (end > lastMatchEnd || start === 0) out += expandTemplate(template, match[0]);
    lastMatchEnd = end;
    const width = (subject.codePointAt(searchPos) ?? 0) > 0xffff ? 2 : 1;
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + subject.slice(lastMatchEnd);
}

/** regexp.Expand for a pattern without groups. */
function expandTemplate(template: string, whole: string): string {
  let out = '';
  let rest = template;
  for (;;) {
    const dollar = rest.indexOf('$');
    if (dollar < 0) break;
    out += rest.slice(0, dollar);
    rest = rest.slice(dollar + 1);
    if (rest.startsWith('$')) {
      out += '$';
      rest = rest.slice(1);
      continue;
    }
    const reference = /^(?:\{([\p{L}\p{Nd}_]+)\}|([\p{L}\p{Nd}_]+))/u.exec(rest);
    if (!reference) {
      out += '$'; // malformed: the $ stays as text
      continue;
    }
    rest = rest.slice(reference[0].length);
    const name = reference[1] ?? reference[2];
    if (name === '0') out += whole;
  }
  return out + rest;
}
