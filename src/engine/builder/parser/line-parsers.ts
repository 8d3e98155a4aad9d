// The per-instruction argument parsers of buildkit's parser (line_parsers.go, split_command.go):
// each turns the text after the instruction word into the `next` chain of the instruction's node.
// Quotes are kept here; they are removed later, by the shell lexer at dispatch.

import { goQuote } from '../../../go/strconv';
import {
  goTrimLeftSpace,
  goTrimSpace,
  isGoSpaceByte,
  isGoSpaceChar,
  splitOnWhitespace,
  utf8Bytes,
  utf8Text,
} from '../go-text';
import { newNode, nodeChain, type Node } from './ast';

/** What an argument parser returns: the argument chain and whether it was a JSON array. */
export interface ParsedArguments {
  next?: Node;
  json?: boolean;
}

export type ArgumentParser = (rest: string, escapeToken: string) => ParsedArguments;

class NotStringArrayError extends Error {
  constructor() {
    super('when using JSON array syntax, arrays must be comprised of strings only');
  }
}

/** Unknown instructions keep a node with one empty argument (the instructions step rejects them). */
const parseIgnore: ArgumentParser = () => ({ next: newNode() });

/**
 * Splits on whitespace outside quotes, keeping quotes and escapes in the words (parseWords).
 * An escape token outside single quotes takes the next character with it.
 */
export function parseWords(rest: string, escapeToken: string): string[] {
  const chars = Array.from(rest);
  const words: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let quote = '';
  let blankOk = false;
  let word = '';
  for (let pos = 0; pos <= chars.length; pos++) {
    const atEnd = pos === chars.length;
    let ch = atEnd ? '' : chars[pos];
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isGoSpaceChar(ch)) continue;
      phase = 'word';
    }
    if (atEnd) {
      if (blankOk || word !== '') words.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpaceChar(ch)) {
        phase = 'spaces';
        if (blankOk || word !== '') words.push(word);
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === "'" || ch === '"') {
        quote = ch;
        blankOk = true;
        phase = 'quote';
      }
      if (ch === escapeToken) {
        if (pos + 1 === chars.length) continue; // an escape token at the very end is dropped
        word += ch;
        ch = chars[++pos];
      }
      word += ch;
      continue;
    }
    // inside quotes: the escape token works except within single quotes
    if (ch === quote) phase = 'word';
    if (ch === escapeToken && quote !== "'") {
      if (pos + 1 === chars.length) {
        phase = 'word';
        continue;
      }
      word += ch;
      ch = chars[++pos];
    }
    word += ch;
  }
  return words;
}

function keyValueNode(key: string, value: string, separator: string): Node {
  return newNode(key, newNode(value, newNode(separator)));
}

/**
 * ENV and LABEL: `KEY value` (old form: the rest of the line is the value, separator "") or
 * `k=v k2=v2 …` (separator "="). Each pair becomes three chained nodes: key, value, separator.
 */
function parseNameValue(rest: string, escapeToken: string, instruction: string): ParsedArguments {
  const words = parseWords(rest, escapeToken);
  if (words.length === 0) return {};
  if (!words[0].includes('=')) {
    const parts = splitOnWhitespace(rest, 2);
    if (parts.length < 2) throw new Error(`${instruction} must have two arguments`);
    return { next: keyValueNode(parts[0], parts[1], '') };
  }
  const values: string[] = [];
  for (const word of words) {
    const equals = word.indexOf('=');
    if (equals < 0) throw new Error(`Syntax error - can't find = in ${goQuote(word)}. Must be of the form: name=value`);
    values.push(word.slice(0, equals), word.slice(equals + 1), '=');
  }
  return { next: nodeChain(values) };
}

/** ARG: each word is a name or name=value, quotes kept. */
const parseNameOrNameValue: ArgumentParser = (rest, escapeToken) => ({ next: nodeChain(parseWords(rest, escapeToken)) });

/** Whitespace-separated words, quotes not special (FROM, EXPOSE, and the fallback of ADD/COPY/VOLUME). */
const parseStringsWhitespaceDelimited: ArgumentParser = (rest) => (rest === '' ? {} : { next: nodeChain(splitOnWhitespace(rest)) });

/** The whole rest as one argument (MAINTAINER, USER, WORKDIR, STOPSIGNAL). */
const parseString: ArgumentParser = (rest) => (rest === '' ? {} : { next: newNode(rest) });

const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A JSON array of strings, or undefined when the text is not valid JSON starting with `[`. */
function parseJsonArray(rest: string): string[] | undefined {
  const text = goTrimLeftSpace(rest);
  if (!text.startsWith('[')) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value)) return undefined;
  const strings: string[] = [];
  for (const item of value) {
    if (typeof item !== 'string') throw new NotStringArrayError();
    strings.push(item.replace(loneSurrogate, '\ufffd')); // Go decodes a lone \ud800 as U+FFFD
  }
  return strings;
}

/** Exec form when the rest is a JSON array of strings, else the whole rest as one argument. */
const parseMaybeJson: ArgumentParser = (rest) => {
  if (rest === '') return {};
  const array = parseJsonArray(rest);
  if (array) return { next: nodeChain(array), json: true };
  return { next: newNode(rest) };
};

/** A JSON array, else whitespace-separated words (ADD, COPY, VOLUME). */
const parseMaybeJsonToList: ArgumentParser = (rest, escapeToken) => {
  const array = parseJsonArray(rest);
  if (array) return { next: nodeChain(array), json: true };
  return parseStringsWhitespaceDelimited(rest, escapeToken);
};

/** HEALTHCHECK: a type word (CMD, NONE, …) then the command like CMD's. */
const parseHealthConfig: ArgumentParser = (rest, escapeToken) => {
  // buildkit walks bytes here, so a 0x85 or 0xA0 byte inside a UTF-8 character counts as a space
  const bytes = utf8Bytes(rest);
  let separator = 0;
  while (separator < bytes.length && !isGoSpaceByte(bytes[separator])) separator++;
  let next = separator;
  while (next < bytes.length && isGoSpaceByte(bytes[next])) next++;
  if (separator === 0) return {};
  const command = parseMaybeJson(utf8Text(bytes.subarray(next)), escapeToken);
  return { next: newNode(utf8Text(bytes.subarray(0, separator)), command.next), json: command.json };
};

const dispatch = new Map<string, ArgumentParser>(Object.entries({
  add: parseMaybeJsonToList,
  arg: parseNameOrNameValue,
  cmd: parseMaybeJson,
  copy: parseMaybeJsonToList,
  entrypoint: parseMaybeJson,
  env: (rest, escapeToken) => parseNameValue(rest, escapeToken, 'ENV'),
  expose: parseStringsWhitespaceDelimited,
  from: parseStringsWhitespaceDelimited,
  healthcheck: parseHealthConfig,
  label: (rest, escapeToken) => parseNameValue(rest, escapeToken, 'LABEL'),
  maintainer: parseString,
  run: parseMaybeJson,
  shell: parseMaybeJson,
  stopsignal: parseString,
  user: parseString,
  volume: parseMaybeJsonToList,
  workdir: parseString,
}));

/**
 * Splits off the leading `--flags` (quotes and escapes resolved inside them; a lone `--` ends
 * them) and returns the rest of the line as it was.
 */
export function extractBuilderFlags(line: string, escapeToken: string): { rest: string; flags: string[] } {
  // buildkit walks bytes and appends each as a rune: non-ASCII flag text comes out as Latin-1
  // mojibake there, and does here too.
  const bytes = utf8Bytes(line);
  const escape = escapeToken.charCodeAt(0);
  const flags: string[] = [];
  let phase: 'spaces' | 'word' | 'quote' = 'spaces';
  let word = '';
  let quote = 0;
  let blankOk = false;
  for (let pos = 0; pos <= bytes.length; pos++) {
    const atEnd = pos === bytes.length;
    let ch = atEnd ? 0 : bytes[pos];
    if (phase === 'spaces') {
      if (atEnd) break;
      if (isGoSpaceByte(ch)) continue;
      if (ch !== 0x2d || pos + 1 === bytes.length || bytes[pos + 1] !== 0x2d) return { rest: utf8Text(bytes.subarray(pos)), flags };
      phase = 'word';
    }
    if (atEnd) {
      if (word !== '--' && (blankOk || word !== '')) flags.push(word);
      break;
    }
    if (phase === 'word') {
      if (isGoSpaceByte(ch)) {
        phase = 'spaces';
        if (word === '--') return { rest: utf8Text(bytes.subarray(pos)), flags };
        if (blankOk || word !== '') flags.push(word);
        word = '';
        blankOk = false;
        continue;
      }
      if (ch === 0x27 || ch === 0x22) {
        quote = ch;
        blankOk = true;
        phase = 'quote';
        continue;
      }
      if (ch === escape) {
        if (pos + 1 === bytes.length) continue;
        ch = bytes[++pos];
      }
      word += String.fromCharCode(ch);
      continue;
    }
    if (ch === quote) {
      phase = 'word';
      continue;
    }
    if (ch === escape) {
      if (pos + 1 === bytes.length) {
        phase = 'word';
        continue;
      }
      ch = bytes[++pos];
    }
    word += String.fromCharCode(ch);
  }
  return { rest: '', flags };
}

/** The instruction word, its flags and the trimmed rest of one logical line (splitCommand). */
export function splitCommand(line: string, escapeToken: string): { command: string; flags: string[]; args: string } {
  const parts = splitOnWhitespace(goTrimSpace(line), 2);
  let args = '';
  let flags: string[] = [];
  if (parts.length === 2) ({ rest: args, flags } = extractBuilderFlags(parts[1], escapeToken));
  return { command: parts[0], flags, args: goTrimSpace(args) };
}

/** Builds the node of one instruction line (newNodeFromLine). ONBUILD nests the line after it. */
export function nodeFromLine(line: string, escapeToken: string, comments: string[]): Node {
  const { command, flags, args } = splitCommand(line, escapeToken);
  const lower = command.toLowerCase();
  let parsed: ParsedArguments;
  if (lower === 'onbuild') {
    parsed = args === '' ? {} : { next: { ...newNode(), children: [nodeFromLine(args, escapeToken, [])] } };
  } else {
    parsed = (dispatch.get(lower) ?? parseIgnore)(args, escapeToken);
  }
  const node = newNode(command, parsed.next);
  node.original = line;
  node.flags = flags;
  node.prevComment = comments;
  if (parsed.json) node.attributes.json = true;
  return node;
}
