// The untyped syntax tree of a Dockerfile as buildkit's parser builds it, its s-expression dump (the
// format of buildkit's testfiles/*/result) and the error type that carries source lines.

import { goTrimSpace } from '../go-text';
import { goQuote, goQuoteList } from '../../../go/strconv';

/** One here-document of an instruction (`RUN <<EOF` … `EOF`). */
export interface Heredoc {
  /** The terminator word with its quotes removed. */
  name: string;
  /** `3<<EOF` gives 3; 0 when no number was written. */
  fileDescriptor: number;
  /** False when any part of the terminator was quoted: the content is then taken literally. */
  expand: boolean;
  /** `<<-`: leading tabs are stripped from the content (and from the terminator line). */
  chomp: boolean;
  /** The lines between the instruction and the terminator, each with its newline. */
  content: string;
}

/**
 * A node of buildkit's tree. The root has one child per instruction; an instruction node holds the
 * instruction word as written in `value`, its `--flags`, and its arguments as a chain of `next`
 * nodes (a node with children stands for a nested instruction, as in ONBUILD).
 */
export interface Node {
  value: string;
  next?: Node;
  children: Node[];
  heredocs: Heredoc[];
  /** `json: true` when the arguments were a JSON array (exec form). */
  attributes: { json?: boolean };
  /** The instruction's text after joining continuation lines. */
  original: string;
  flags: string[];
  /** 1-based lines of the source where the instruction starts and ends (heredoc bodies included). */
  startLine: number;
  endLine: number;
  /** The comment lines right above the instruction, without their `#`. */
  prevComment: string[];
}

export function newNode(value = '', next?: Node): Node {
  return { value, next, children: [], heredocs: [], attributes: {}, original: '', flags: [], startLine: 0, endLine: 0, prevComment: [] };
}

/** A chain of argument nodes from a list of values (undefined for an empty list). */
export function nodeChain(values: readonly string[]): Node | undefined {
  let head: Node | undefined;
  for (let i = values.length - 1; i >= 0; i--) head = newNode(values[i], head);
  return head;
}

/** The values of a node's `next` chain (its arguments). */
export function chainValues(node: Node): string[] {
  const values: string[] = [];
  for (let n = node.next; n; n = n.next) values.push(n.value);
  return values;
}

/**
 * buildkit's Node.Dump: `(instruction ["--flag"] "arg" …)` per line, the instruction lower-cased,
 * strings quoted as Go's %q does. The file's `result` is this plus a final newline.
 */
export function dumpAst(node: Node): string {
  let text = node.value.toLowerCase();
  if (node.flags.length > 0) text += ` ${goQuoteList(node.flags)}`;
  for (const child of node.children) text += `(${dumpAst(child)})\n`;
  for (let n = node.next; n; n = n.next) text += n.children.length > 0 ? ` ${dumpAst(n)}` : ` ${goQuote(n.value)}`;
  return goTrimSpace(text);
}

/**
 * An error tied to lines of the Dockerfile (buildkit's parser.LocationError). The message is the
 * bare error text, as buildkit's Error() returns it; `startLine`/`endLine` say where.
 */
export class LocatedError extends Error {
  override name = 'LocatedError';
  constructor(
    message: string,
    readonly startLine: number,
    readonly endLine: number = startLine,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Gives an error a location unless it already has one (the innermost location is the precise one). */
export function withLocation(error: unknown, startLine: number, endLine: number = startLine): LocatedError {
  if (error instanceof LocatedError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new LocatedError(message, startLine, Math.max(startLine, endLine), { cause: error });
}
