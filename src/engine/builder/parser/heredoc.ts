// Here-documents as buildkit v0.22 finds them: the instruction line is split into words by the shell
// lexer (quotes and escapes kept), and each word of the form `[n]<<[-]WORD` starts one.

import { ShellLex, type EnvLookup } from '../shell';
import type { Heredoc } from './ast';

const noVariables: EnvLookup = { get: () => undefined };

// Go's \d and \s are ASCII: [0-9] and [\t\n\f\r ].
const heredocPattern = /^(\d*)<<(-?)[\t\n\f\r ]*([^<]*)$/;

function quoteCount(text: string): number {
  return (text.match(/['"]/g) ?? []).length;
}

/**
 * The heredoc a single word opens, or undefined when it opens none (`<<`, `<EOF`, `<<EOF sh`).
 * Throws when the terminator is badly quoted (`<<'EOF`).
 */
export function parseHeredoc(word: string): Heredoc | undefined {
  const match = heredocPattern.exec(word);
  if (!match) return undefined;
  const rest = match[3];
  if (rest === '') return undefined;
  const lex = new ShellLex('\\');
  lex.skipUnsetEnv = true;
  // Lexed without and with quotes: if they differ, part of the terminator was quoted and the
  // content is not expanded.
  const words = lex.processWords(rest, noVariables);
  if (words.length !== 1) return undefined;
  lex.rawQuotes = true;
  const rawWords = lex.processWords(rest, noVariables);
  if (rawWords.length !== words.length) throw new Error(`internal lexing of heredoc produced inconsistent results: ${rest}`);
  return {
    name: words[0],
    fileDescriptor: match[1] === '' ? 0 : Number(match[1]),
    expand: quoteCount(words[0]) === quoteCount(rawWords[0]),
    chomp: match[2] === '-',
    content: '',
  };
}

/** Every heredoc an instruction line opens, in order (none when the line does not lex). */
export function heredocsFromLine(line: string): Heredoc[] {
  const lex = new ShellLex('\\');
  lex.rawQuotes = true;
  lex.rawEscapes = true;
  lex.skipUnsetEnv = true;
  let words: string[];
  try {
    words = lex.processWords(line, noVariables);
  } catch {
    words = [];
  }
  const heredocs: Heredoc[] = [];
  for (const word of words) {
    const heredoc = parseHeredoc(word);
    if (heredoc) heredocs.push(heredoc);
  }
  return heredocs;
}

/** `<<-`: the leading tabs of every line go. */
export function chompHeredocContent(content: string): string {
  // Go's multi-line ^ follows only \n (JavaScript's m flag would also follow \r)
  return content.replace(/(^|\n)\t+/g, '$1');
}
