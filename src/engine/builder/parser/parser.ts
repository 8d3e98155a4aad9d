// buildkit's Dockerfile parser (frontend/dockerfile/parser, v0.22.0): lines → instruction nodes.
// Directives at the very top, continuation lines joined with the escape token (comments and blank
// lines inside are dropped), heredoc bodies attached to the RUN/COPY/ADD that opened them.

import { goTrimLeftSpace, goTrimSpace, utf8Bytes } from '../go-text';
import { DirectiveParser, type Directive } from './directives';
import { heredocsFromLine } from './heredoc';
import { nodeFromLine } from './line-parsers';
import { LocatedError, newNode, withLocation, type Node } from './ast';

export type EscapeToken = '\\' | '`';

export interface ParseWarning {
  short: string;
  detail: string;
  url: string;
  /** 1-based line the warning points at. */
  line: number;
}

export interface ParseResult {
  /** The root: one child per instruction. */
  ast: Node;
  warnings: ParseWarning[];
  escapeToken: EscapeToken;
  /** The directives found at the top, in order. */
  directives: Directive[];
}

/** bufio.Scanner's limit: a line (with its newline) longer than 64 KiB stops the scan. */
const maxLineBytes = 64 * 1024;

class ParserState {
  escapeToken: EscapeToken = '\\';
  readonly directives: Directive[] = [];
  private readonly directiveParser = new DirectiveParser();

  /** setEscapeToken: only a backslash or a backtick. */
  private setEscapeToken(value: string): void {
    if (value !== '`' && value !== '\\') throw new Error(`invalid escape token '${value}' does not match \` or \\`);
    this.escapeToken = value;
  }

  /**
   * processLine: drops the newline (and leading blanks on a first line), lets the directive parser
   * see it, and returns "" for a comment line. `directive` says whether the line was one.
   */
  processLine(raw: string, stripLeadingSpace: boolean): { text: string; directive: boolean } {
    let text = trimNewline(raw);
    if (stripLeadingSpace) text = goTrimLeftSpace(text);
    const directive = this.directiveParser.parseLine(text);
    if (directive) {
      if (directive.name === 'escape') this.setEscapeToken(directive.value);
      this.directives.push(directive);
    }
    return { text: isComment(text) ? '' : text, directive: directive !== undefined };
  }

  /**
   * The line without a trailing escape token (and the blanks after it), and whether the
   * instruction ends here. An escape token right after another one is not a continuation.
   */
  trimContinuation(text: string): { text: string; endOfLine: boolean } {
    const body = text.replace(/[ \t]*$/, '');
    if (!body.endsWith(this.escapeToken)) return { text, endOfLine: true };
    const before = body.slice(0, -1);
    if (before.endsWith(this.escapeToken)) return { text, endOfLine: true };
    return { text: before, endOfLine: false };
  }
}

function trimNewline(text: string): string {
  return text.replace(/[\r\n]+$/, '');
}

function isComment(text: string): boolean {
  return goTrimLeftSpace(text).startsWith('#');
}

function isEmptyContinuationLine(text: string): boolean {
  return goTrimLeftSpace(trimNewline(text)) === '';
}

/** Lines with their newlines kept, and whether the scan stopped at an over-long line. */
function scanLines(text: string): { lines: string[]; tooLong: boolean } {
  const lines: string[] = [];
  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    const end = newline < 0 ? text.length : newline + 1;
    const line = text.slice(start, end);
    // (a last line without a newline must leave one byte of the buffer free)
    const limit = line.endsWith('\n') ? maxLineBytes : maxLineBytes - 1;
    if (line.length > limit / 3 && utf8Bytes(line).length > limit) return { lines, tooLong: true };
    lines.push(line);
    start = end;
  }
  return { lines, tooLong: false };
}

/** Whether a node may take heredocs: RUN, COPY, ADD (also under ONBUILD), not in JSON form. */
function canContainHeredoc(node: Node): boolean {
  let target = node;
  if (target.value.toLowerCase() === 'onbuild' && target.next && target.next.children.length > 0) target = target.next.children[0];
  return ['add', 'copy', 'run'].includes(target.value.toLowerCase()) && !target.attributes.json;
}

/**
 * Parses a Dockerfile's text (already decoded from UTF-8; a leading BOM is dropped) into buildkit's
 * untyped tree. Throws LocatedError: "file with no instructions", "unterminated heredoc", an
 * invalid escape directive, a JSON array with non-strings, `ENV name` without a value, …
 */
export function parseDockerfile(text: string): ParseResult {
  const state = new ParserState();
  const { lines, tooLong } = scanLines(text);
  let index = 0;
  const readLine = (): string | undefined => (index < lines.length ? lines[index++] : undefined);
  const root = newNode();
  root.startLine = -1;
  const warnings: ParseWarning[] = [];
  let comments: string[] = [];
  let currentLine = 0;

  for (let raw = readLine(); raw !== undefined; raw = readLine()) {
    if (currentLine === 0) raw = raw.replace(/^\ufeff/, '');
    if (isComment(raw)) {
      // buildkit drops the line's first character, not the `#` (an indented comment keeps it)
      const comment = goTrimSpace(raw.slice(1));
      if (comment === '') comments = [];
      else comments.push(comment);
    }
    let processed: { text: string; directive: boolean };
    try {
      processed = state.processLine(raw, true);
    } catch (error) {
      throw withLocation(error, currentLine); // buildkit reports the 0-based line here
    }
    if (processed.directive) comments.pop();
    currentLine++;

    const startLine = currentLine;
    let { text: lineText, endOfLine } = state.trimContinuation(processed.text);
    if (endOfLine && lineText === '') continue;
    let line = lineText;
    let hasEmptyContinuationLine = false;
    while (!endOfLine) {
      const nextRaw = readLine();
      if (nextRaw === undefined) break;
      let next: string;
      try {
        next = state.processLine(nextRaw, false).text;
      } catch (error) {
        throw withLocation(error, currentLine);
      }
      currentLine++;
      if (isComment(nextRaw)) continue;
      if (isEmptyContinuationLine(next)) {
        hasEmptyContinuationLine = true;
        continue;
      }
      ({ text: lineText, endOfLine } = state.trimContinuation(next));
      line += lineText;
    }

    if (hasEmptyContinuationLine) {
      warnings.push({
        short: `Empty continuation line found in: ${line}`,
        detail: 'Empty continuation lines will become errors in a future release',
        url: 'https://docs.docker.com/go/dockerfile/rule/no-empty-continuation/',
        line: currentLine,
      });
    }

    let child: Node;
    try {
      child = nodeFromLine(line, state.escapeToken, comments);
    } catch (error) {
      throw withLocation(error, startLine, currentLine);
    }

    if (canContainHeredoc(child) && line.includes('<<')) {
      let heredocs;
      try {
        heredocs = heredocsFromLine(line);
      } catch (error) {
        throw withLocation(error, startLine, currentLine);
      }
      for (const heredoc of heredocs) {
        let terminated = false;
        for (let body = readLine(); body !== undefined; body = readLine()) {
          currentLine++;
          let candidate = trimNewline(body);
          if (heredoc.chomp) candidate = candidate.replace(/^\t+/, '');
          if (candidate === heredoc.name) {
            terminated = true;
            break;
          }
          heredoc.content += body;
        }
        if (!terminated) throw new LocatedError('unterminated heredoc', startLine, currentLine);
        child.heredocs.push(heredoc);
      }
    }

    child.startLine = startLine;
    child.endLine = currentLine;
    if (root.startLine < 0) root.startLine = startLine;
    root.endLine = currentLine;
    root.children.push(child);
    comments = [];
  }

  if (root.startLine < 0) throw new LocatedError('file with no instructions', currentLine);
  if (tooLong) throw new LocatedError(`dockerfile line greater than max allowed size of ${maxLineBytes - 1}`, currentLine);
  return { ast: root, warnings, escapeToken: state.escapeToken, directives: state.directives };
}

/** Result.PrintWarnings: what the legacy builder writes to the build output before the steps. */
export function formatWarnings(warnings: readonly ParseWarning[]): string {
  if (warnings.length === 0) return '';
  return `${warnings.map((warning) => `[WARNING]: ${warning.short}\n`).join('')}[WARNING]: Empty continuation lines will become errors in a future release.\n`;
}
