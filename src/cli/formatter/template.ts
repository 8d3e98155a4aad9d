// Go's text/template, as far as docker's --format uses it: actions, pipelines, fields and methods,
// variables, if/else if/else, range (with break/continue), with, comments, trim markers, the
// built-in functions and docker's own (json, split, join, title, lower, upper, pad, truncate).
// Errors carry Go's texts ("template: :1: function "x" not defined", "template: :1:2: executing
// "" at <.Foo>: can't evaluate field Foo in type ..."), which docker prints after
// "template parsing error: ".

import { formatG } from '../../go/fmt';
import { formatValue, GoFloat, isGoMap, isHiddenTemplateField, isStruct, isTrue, mapEntries, printValue, toGoJson, typeName } from './govalue';
import { goQuote } from '../../go/strconv';

export class TemplateError extends Error {}

// ---------------------------------------------------------------- lexer

type TokenKind =
  | 'text' | 'left' | 'right' | 'space' | 'identifier' | 'field' | 'variable' | 'string' | 'rawString'
  | 'char' | 'number' | 'bool' | 'nil' | 'dot' | 'pipe' | 'leftParen' | 'rightParen' | 'declare' | 'assign'
  | 'comma' | 'keyword' | 'comment' | 'eof';

interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
  line: number;
}

const keywords = new Set(['if', 'else', 'end', 'range', 'with', 'define', 'template', 'block', 'break', 'continue']);

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';
}
function isAlphaNumeric(ch: string | undefined): boolean {
  return ch !== undefined && /[\p{L}\p{N}_]/u.test(ch);
}

class Lexer {
  private pos = 0;
  private line = 1;
  readonly tokens: Token[] = [];
  private parenDepth = 0;

  constructor(private readonly input: string) {}

  private fail(message: string): never {
    throw new TemplateError(`template: :${this.line}: ${message}`);
  }

  private emit(kind: TokenKind, start: number, text: string, line = this.line): void {
    this.tokens.push({ kind, text, pos: start, line });
  }

  run(): Token[] {
    const input = this.input;
    while (this.pos < input.length) {
      const next = input.indexOf('{{', this.pos);
      const textEnd = next === -1 ? input.length : next;
      let text = input.slice(this.pos, textEnd);
      const start = this.pos;
      if (next !== -1 && input[next + 2] === '-' && isSpace(input[next + 3])) text = text.replace(/[ \t\r\n]+$/, '');
      if (text !== '') this.emit('text', start, text);
      this.line += (input.slice(this.pos, textEnd).match(/\n/g) ?? []).length;
      if (next === -1) {
        this.pos = input.length;
        break;
      }
      this.pos = next + 2;
      if (input[this.pos] === '-' && isSpace(input[this.pos + 1])) this.pos += 2;
      this.lexAction();
    }
    this.emit('eof', this.pos, '');
    return this.tokens;
  }

  /** Lexes one action after "{{" up to and including "}}" (and a right trim). */
  private lexAction(): void {
    const input = this.input;
    const actionLine = this.line;
    // Comments: {{/* ... */}} (with optional trim markers around).
    let probe = this.pos;
    while (isSpace(input[probe])) probe++;
    if (input.startsWith('/*', probe) && probe === this.pos) {
      const close = input.indexOf('*/', this.pos + 2);
      if (close === -1) this.fail('unclosed comment');
      const comment = input.slice(this.pos, close + 2);
      this.line += (comment.match(/\n/g) ?? []).length;
      this.pos = close + 2;
      const trimRight = input.startsWith(' -}}', this.pos);
      if (trimRight) this.pos += 1;
      if (!input.startsWith(trimRight ? '-}}' : '}}', this.pos)) this.fail('comment ends before closing delimiter');
      this.pos += trimRight ? 3 : 2;
      this.emit('left', this.pos, '{{', actionLine);
      this.emit('comment', this.pos, comment, actionLine);
      this.emit('right', this.pos, '}}', actionLine);
      if (trimRight) this.skipSpaceAfterTrim();
      return;
    }
    this.emit('left', this.pos, '{{');
    this.parenDepth = 0;
    for (;;) {
      if (this.pos >= input.length) this.fail('unclosed action');
      const ch = input[this.pos];
      if (isSpace(ch)) {
        // Newlines may appear inside actions (Go 1.16+); " -}}" is a right trim marker.
        const start = this.pos;
        while (isSpace(input[this.pos])) {
          if (input[this.pos] === '\n') this.line++;
          this.pos++;
        }
        if (input.startsWith('-}}', this.pos)) {
          if (this.parenDepth > 0) this.fail('unclosed left paren');
          this.pos += 3;
          this.emit('right', start, '}}');
          this.skipSpaceAfterTrim();
          return;
        }
        this.emit('space', start, input.slice(start, this.pos));
        continue;
      }
      if (input.startsWith('}}', this.pos)) {
        if (this.parenDepth > 0) this.fail('unclosed left paren');
        this.emit('right', this.pos, '}}');
        this.pos += 2;
        return;
      }
      this.lexInsideAction();
    }
  }

  private skipSpaceAfterTrim(): void {
    while (isSpace(this.input[this.pos])) {
      if (this.input[this.pos] === '\n') this.line++;
      this.pos++;
    }
  }

  private lexInsideAction(): void {
    const input = this.input;
    const start = this.pos;
    const ch = input[this.pos];
    if (ch === '=') {
      this.pos++;
      this.emit('assign', start, '=');
    } else if (ch === ':') {
      if (input[this.pos + 1] !== '=') this.fail('expected :=');
      this.pos += 2;
      this.emit('declare', start, ':=');
    } else if (ch === '|') {
      this.pos++;
      this.emit('pipe', start, '|');
    } else if (ch === '"') {
      this.pos++;
      for (;;) {
        const c = input[this.pos];
        if (c === '\\') this.pos += 2;
        else if (c === undefined || c === '\n') this.fail('unterminated quoted string');
        else if (c === '"') break;
        else this.pos++;
      }
      this.pos++;
      this.emit('string', start, input.slice(start, this.pos));
    } else if (ch === '`') {
      const close = input.indexOf('`', this.pos + 1);
      if (close === -1) this.fail('unterminated raw quoted string');
      this.pos = close + 1;
      const raw = input.slice(start, this.pos);
      this.line += (raw.match(/\n/g) ?? []).length;
      this.emit('rawString', start, raw);
    } else if (ch === "'") {
      this.pos++;
      for (;;) {
        const c = input[this.pos];
        if (c === '\\') this.pos += 2;
        else if (c === undefined || c === '\n') this.fail('unterminated character constant');
        else if (c === "'") break;
        else this.pos++;
      }
      this.pos++;
      this.emit('char', start, input.slice(start, this.pos));
    } else if (ch === '$') {
      this.pos++;
      while (isAlphaNumeric(input[this.pos])) this.pos++;
      this.emit('variable', start, input.slice(start, this.pos));
    } else if (ch === '.') {
      if (/[0-9]/.test(input[this.pos + 1] ?? '')) {
        this.lexNumber();
        return;
      }
      this.pos++;
      if (!isAlphaNumeric(input[this.pos])) {
        this.emit('dot', start, '.');
        return;
      }
      while (isAlphaNumeric(input[this.pos])) this.pos++;
      this.emit('field', start, input.slice(start, this.pos));
    } else if (ch === '+' || ch === '-' || /[0-9]/.test(ch)) {
      this.lexNumber();
    } else if (isAlphaNumeric(ch)) {
      while (isAlphaNumeric(input[this.pos])) this.pos++;
      const word = input.slice(start, this.pos);
      if (keywords.has(word)) this.emit('keyword', start, word);
      else if (word === 'true' || word === 'false') this.emit('bool', start, word);
      else if (word === 'nil') this.emit('nil', start, word);
      else this.emit('identifier', start, word);
    } else if (ch === '(') {
      this.pos++;
      this.parenDepth++;
      this.emit('leftParen', start, '(');
    } else if (ch === ')') {
      this.pos++;
      this.parenDepth--;
      if (this.parenDepth < 0) this.fail(`unexpected right paren`);
      this.emit('rightParen', start, ')');
    } else if (ch === ',') {
      this.pos++;
      this.emit('comma', start, ',');
    } else {
      const code = ch.codePointAt(0) ?? 0;
      this.fail(`unexpected bad character U+${code.toString(16).toUpperCase().padStart(4, '0')} '${ch}' in command`);
    }
  }

  private lexNumber(): void {
    const match = /^[+-]?(0[xX][0-9a-fA-F_]+|0[bB][01_]+|0[oO][0-7_]+|(\d[\d_]*)?\.?\d*([eE][+-]?\d+)?)/.exec(this.input.slice(this.pos));
    const text = match ? match[0] : '';
    if (text === '' || text === '+' || text === '-' || isAlphaNumeric(this.input[this.pos + text.length])) {
      let end = this.pos + Math.max(text.length, 1);
      while (isAlphaNumeric(this.input[end])) end++;
      this.fail(`bad number syntax: "${this.input.slice(this.pos, end)}"`);
    }
    this.emit('number', this.pos, text);
    this.pos += text.length;
  }
}

// ---------------------------------------------------------------- nodes

interface ControlNode {
  type: 'if' | 'range' | 'with';
  pos: number;
  line: number;
  pipe: PipeNode;
  list: ListNode;
  elseList?: ListNode;
}

type Node =
  | { type: 'text'; pos: number; text: string }
  | { type: 'action'; pos: number; line: number; pipe: PipeNode }
  | ControlNode
  | { type: 'break' | 'continue'; pos: number; line: number }
  | { type: 'comment'; pos: number };

interface ListNode {
  nodes: Node[];
}

interface PipeNode {
  type: 'pipe';
  pos: number;
  line: number;
  isAssign: boolean;
  decl: string[];
  cmds: CommandNode[];
}

interface CommandNode {
  pos: number;
  args: ArgNode[];
}

type ArgNode =
  | { type: 'field'; pos: number; ident: string[] }
  | { type: 'chain'; pos: number; node: ArgNode; fields: string[] }
  | { type: 'variable'; pos: number; ident: string[] }
  | { type: 'identifier'; pos: number; name: string }
  | { type: 'dot'; pos: number }
  | { type: 'nil'; pos: number }
  | { type: 'bool'; pos: number; value: boolean }
  | { type: 'number'; pos: number; text: string; value: number; isFloat: boolean }
  | { type: 'string'; pos: number; quoted: string; value: string }
  | (PipeNode & { parenthesized: true });

function argString(node: ArgNode): string {
  switch (node.type) {
    case 'field':
      return '.' + node.ident.join('.');
    case 'chain':
      return (node.node.type === 'pipe' ? `(${argString(node.node)})` : argString(node.node)) + '.' + node.fields.join('.');
    case 'variable':
      return node.ident.join('.');
    case 'identifier':
      return node.name;
    case 'dot':
      return '.';
    case 'nil':
      return 'nil';
    case 'bool':
      return String(node.value);
    case 'number':
      return node.text;
    case 'string':
      return node.quoted;
    case 'pipe':
      return pipeString(node);
  }
}

function pipeString(pipe: PipeNode): string {
  let out = '';
  if (pipe.decl.length > 0) out = pipe.decl.join(', ') + (pipe.isAssign ? ' = ' : ' := ');
  return out + pipe.cmds.map((cmd) => cmd.args.map((arg) => (arg.type === 'pipe' ? `(${argString(arg)})` : argString(arg))).join(' ')).join(' | ');
}

// ---------------------------------------------------------------- parser

function unquote(text: string): string {
  const body = text.slice(1, -1);
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = body[++i];
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', '\\': '\\', '"': '"', "'": "'" };
    if (next in simple) out += simple[next];
    else if (next === 'x') {
      out += String.fromCharCode(parseInt(body.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (next === 'u') {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 5), 16));
      i += 4;
    } else if (next === 'U') {
      out += String.fromCodePoint(parseInt(body.slice(i + 1, i + 9), 16));
      i += 8;
    } else if (/[0-7]/.test(next)) {
      out += String.fromCharCode(parseInt(body.slice(i, i + 3), 8));
      i += 2;
    } else throw new TemplateError(`invalid syntax`);
  }
  return out;
}

class Parser {
  private index = 0;
  private readonly variables: string[][] = [['$']];

  constructor(
    private readonly tokens: Token[],
    private readonly functions: ReadonlySet<string>,
  ) {}

  private peek(): Token {
    return this.tokens[this.index];
  }
  private next(): Token {
    return this.tokens[this.index++];
  }
  private peekNonSpace(): Token {
    while (this.peek().kind === 'space') this.index++;
    return this.peek();
  }
  private nextNonSpace(): Token {
    this.peekNonSpace();
    return this.next();
  }
  private error(message: string, token: Token = this.tokens[Math.max(this.index - 1, 0)]): TemplateError {
    return new TemplateError(`template: :${token.line}: ${message}`);
  }
  private fail(message: string, token?: Token): never {
    throw this.error(message, token);
  }

  parse(): ListNode {
    const list: ListNode = { nodes: [] };
    for (;;) {
      const token = this.peek();
      if (token.kind === 'eof') return list;
      const item = this.textOrAction();
      if (item.type !== 'node') throw this.error(`unexpected ${item.type === 'end' ? '{{end}}' : '{{else}}'}`, item.token);
      list.nodes.push(item.node);
    }
  }

  /** A list up to {{end}} or {{else}}; says which ended it. */
  private itemList(context: string): { list: ListNode; ended: 'end' | 'else'; token: Token } {
    const list: ListNode = { nodes: [] };
    for (;;) {
      if (this.peekNonSpace().kind === 'eof') this.fail('unexpected EOF', this.peek());
      const item = this.textOrAction();
      if (item.type !== 'node') return { list, ended: item.type, token: item.token };
      list.nodes.push(item.node);
      void context;
    }
  }

  private textOrAction(): { type: 'node'; node: Node } | { type: 'end' | 'else'; token: Token } {
    const token = this.next();
    if (token.kind === 'text') return { type: 'node', node: { type: 'text', pos: token.pos, text: token.text } };
    if (token.kind !== 'left') this.fail(`unexpected ${token.text}`, token);
    const next = this.peekNonSpace();
    if (next.kind === 'comment') {
      this.next();
      this.expectRight('comment');
      return { type: 'node', node: { type: 'comment', pos: next.pos } };
    }
    if (next.kind === 'keyword') {
      this.next();
      switch (next.text) {
        case 'end':
          this.expectRight('end');
          return { type: 'end', token: next };
        case 'else':
          return { type: 'else', token: next };
        case 'if':
        case 'range':
        case 'with':
          return { type: 'node', node: this.control(next.text, next) };
        case 'break':
        case 'continue':
          this.expectRight(next.text);
          if (!this.inRange) this.fail(`{{${next.text}}} outside {{range}}`, next);
          return { type: 'node', node: { type: next.text, pos: next.pos, line: next.line } };
        default:
          this.fail(`unexpected <${next.text}> in command`, next);
      }
    }
    const pipe = this.pipeline('command', 'right');
    return { type: 'node', node: { type: 'action', pos: pipe.pos, line: pipe.line, pipe } };
  }

  private inRange = false;

  private expectRight(context: string): void {
    const token = this.nextNonSpace();
    if (token.kind !== 'right') this.fail(`unexpected ${describe(token)} in ${context}`, token);
  }

  private control(kind: 'if' | 'range' | 'with', token: Token): Node {
    this.variables.push([]);
    const pipe = this.pipeline(kind, 'right');
    if (pipe.cmds.length === 0) this.fail(`missing value for ${kind}`, token);
    const wasInRange = this.inRange;
    if (kind === 'range') this.inRange = true;
    const body = this.itemList(kind);
    if (kind === 'range') this.inRange = wasInRange;
    let elseList: ListNode | undefined;
    if (body.ended === 'else') {
      const following = this.peekNonSpace();
      if ((kind === 'if' && following.kind === 'keyword' && following.text === 'if') || (kind === 'with' && following.kind === 'keyword' && following.text === 'with')) {
        // {{else if x}} is {{else}}{{if x}}...{{end}}{{end}}, sharing the closing {{end}}.
        this.next();
        const nested = this.control(kind, following);
        elseList = { nodes: [nested] };
      } else {
        this.expectRight('else');
        const rest = this.itemList(kind);
        if (rest.ended === 'else') this.fail('expected end; found {{else}}', rest.token);
        elseList = rest.list;
      }
    }
    this.variables.pop();
    return { type: kind, pos: pipe.pos, line: token.line, pipe, list: body.list, elseList };
  }

  private pipeline(context: string, end: 'right' | 'rightParen'): PipeNode {
    const first = this.peekNonSpace();
    const pipe: PipeNode = { type: 'pipe', pos: first.pos, line: first.line, isAssign: false, decl: [], cmds: [] };
    // Declarations: $x := / $x = / $i, $e :=
    if (first.kind === 'variable') {
      const save = this.index;
      const names: string[] = [];
      let ok = false;
      for (;;) {
        const variable = this.nextNonSpace();
        if (variable.kind !== 'variable') break;
        names.push(variable.text);
        const op = this.nextNonSpace();
        if (op.kind === 'declare' || op.kind === 'assign') {
          pipe.isAssign = op.kind === 'assign';
          ok = true;
          break;
        }
        if (op.kind === 'comma' && (context === 'range' || context === 'with' || context === 'if') && names.length < 2) continue;
        break;
      }
      if (ok) {
        pipe.decl = names;
        if (pipe.isAssign) {
          for (const name of names) if (!this.isDefined(name)) this.fail(`undefined variable "${name}"`, first);
        } else this.variables[this.variables.length - 1].push(...names);
      } else this.index = save;
    }
    for (;;) {
      const token = this.peekNonSpace();
      if ((end === 'right' && token.kind === 'right') || (end === 'rightParen' && token.kind === 'rightParen')) {
        this.next();
        if (pipe.cmds.length === 0 && pipe.decl.length === 0) this.fail(`missing value for ${context}`, token);
        if (pipe.decl.length > 0 && pipe.cmds.length === 0) this.fail(`missing value for ${context}`, token);
        return pipe;
      }
      if (token.kind === 'eof') this.fail(`unclosed action`, token);
      if (token.kind === 'right' || token.kind === 'rightParen') this.fail(`unexpected ${describe(token)} in ${context}`, token);
      pipe.cmds.push(this.command(context));
      const after = this.peekNonSpace();
      if (after.kind === 'pipe') {
        this.next();
        const following = this.peekNonSpace();
        if (following.kind === 'right' || following.kind === 'rightParen') this.fail('missing command', following);
      }
    }
  }

  private isDefined(name: string): boolean {
    return this.variables.some((scope) => scope.includes(name));
  }

  private command(context: string): CommandNode {
    const cmd: CommandNode = { pos: this.peekNonSpace().pos, args: [] };
    for (;;) {
      const token = this.peekNonSpace();
      if (token.kind === 'right' || token.kind === 'rightParen' || token.kind === 'pipe' || token.kind === 'eof') break;
      cmd.args.push(this.operand(context));
      const after = this.peek();
      if (after.kind !== 'space' && after.kind !== 'right' && after.kind !== 'rightParen' && after.kind !== 'pipe' && after.kind !== 'eof') {
        this.fail(`unexpected ${describe(after)} in operand`, after);
      }
    }
    if (cmd.args.length === 0) this.fail('empty command');
    return cmd;
  }

  private operand(context: string): ArgNode {
    const node = this.term(context);
    const fields: string[] = [];
    while (this.peek().kind === 'field') fields.push(this.next().text.slice(1));
    if (fields.length === 0) return node;
    switch (node.type) {
      case 'field':
        return { type: 'field', pos: node.pos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { type: 'variable', pos: node.pos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.fail(`unexpected . after term "${argString(node)}"`);
        break;
      default:
        return { type: 'chain', pos: node.pos, node, fields };
    }
  }

  private term(context: string): ArgNode {
    const token = this.nextNonSpace();
    switch (token.kind) {
      case 'identifier':
        if (!this.functions.has(token.text)) this.fail(`function "${token.text}" not defined`, token);
        return { type: 'identifier', pos: token.pos, name: token.text };
      case 'dot':
        return { type: 'dot', pos: token.pos };
      case 'nil':
        return { type: 'nil', pos: token.pos };
      case 'variable': {
        if (!this.isDefined(token.text)) this.fail(`undefined variable "${token.text}"`, token);
        return { type: 'variable', pos: token.pos, ident: [token.text] };
      }
      case 'field':
        return { type: 'field', pos: token.pos, ident: [token.text.slice(1)] };
      case 'bool':
        return { type: 'bool', pos: token.pos, value: token.text === 'true' };
      case 'char': {
        const value = unquote(token.text).codePointAt(0) ?? 0;
        return { type: 'number', pos: token.pos, text: token.text, value, isFloat: false };
      }
      case 'number': {
        const clean = token.text.replace(/_/g, '');
        const isFloat = /^[+-]?\d*\.|[eE]/.test(clean) && !/^[+-]?0[xX]/.test(clean);
        let value: number;
        if (/^[+-]?0[bBoOxX]/.test(clean)) {
          const negative = clean.startsWith('-');
          const unsigned = clean.replace(/^[+-]/, '');
          value = Number(unsigned) * (negative ? -1 : 1);
        } else value = Number(clean);
        if (Number.isNaN(value)) this.fail(`illegal number syntax: "${token.text}"`, token);
        return { type: 'number', pos: token.pos, text: token.text, value, isFloat: isFloat && !Number.isInteger(value) };
      }
      case 'string':
        return { type: 'string', pos: token.pos, quoted: token.text, value: unquote(token.text) };
      case 'rawString':
        return { type: 'string', pos: token.pos, quoted: token.text, value: token.text.slice(1, -1) };
      case 'leftParen': {
        const pipe = this.pipeline('parenthesized pipeline', 'rightParen');
        return { ...pipe, pos: token.pos, parenthesized: true };
      }
      default:
        this.fail(`unexpected ${describe(token)} in ${context}`, token);
    }
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'EOF';
    case 'right':
      return '"}}"';
    case 'rightParen':
      return '")"';
    case 'leftParen':
      return '"("';
    case 'space':
      return 'space';
    case 'keyword':
      return `<${token.text}>`;
    default:
      return `<${token.text}>`;
  }
}

// ---------------------------------------------------------------- functions

type TemplateFunction = (...args: unknown[]) => unknown;

interface FunctionEntry {
  fn: TemplateFunction;
  /** Go parameter types, for argument checks; "any" accepts anything; a trailing "..." is variadic. */
  params: string[];
}

export type FunctionMap = Record<string, FunctionEntry>;

function checkType(expected: string, value: unknown): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'string':
      return typeof value === 'string';
    case 'int':
      return typeof value === 'number' && Number.isInteger(value);
    case '[]string':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    default:
      return true;
  }
}

/** Builds a function entry with Go-like parameter types. */
export function templateFunction(params: string[], fn: TemplateFunction): FunctionEntry {
  return { fn, params };
}

/** Go's strings.Title: upper-cases the first letter of each word. */
function title(text: string): string {
  return text.replace(/(^|[^\p{L}\p{N}_'])(\p{L})/gu, (_, before: string, letter: string) => before + letter.toUpperCase());
}

/** docker's templates.basicFunctions. */
export const dockerFunctions: FunctionMap = {
  json: templateFunction(['any'], (value) => toGoJson(value)),
  split: templateFunction(['string', 'string'], (s, sep) => splitGo(s as string, sep as string)),
  join: templateFunction(['[]string', 'string'], (items, sep) => (items as string[]).join(sep as string)),
  title: templateFunction(['string'], (s) => title(s as string)),
  lower: templateFunction(['string'], (s) => (s as string).toLowerCase()),
  upper: templateFunction(['string'], (s) => (s as string).toUpperCase()),
  pad: templateFunction(['string', 'int', 'int'], (s, prefix, suffix) =>
    s === '' ? '' : ' '.repeat(prefix as number) + (s as string) + ' '.repeat(suffix as number),
  ),
  truncate: templateFunction(['string', 'int'], (s, length) => truncateBytes(s as string, length as number)),
};

/** docker's templates.HeaderFunctions: table headers stay as they are. */
export const headerFunctions: FunctionMap = {
  json: templateFunction(['string'], (v) => v),
  split: templateFunction(['string', 'string'], (v) => v),
  join: templateFunction(['string', 'string'], (v) => v),
  title: templateFunction(['string'], (v) => v),
  lower: templateFunction(['string'], (v) => v),
  upper: templateFunction(['string'], (v) => v),
  truncate: templateFunction(['string', 'int'], (v) => v),
};

function splitGo(text: string, separator: string): string[] {
  if (separator === '') return [...text];
  return text.split(separator);
}

/** Go slices strings by bytes: truncate keeps the first `length` UTF-8 bytes. */
function truncateBytes(text: string, length: number): string {
  const bytes = new TextEncoder().encode(text);
  if (bytes.length < length) return text;
  return new TextDecoder().decode(bytes.slice(0, length));
}

function lengthOf(value: unknown): number {
  if (typeof value === 'string') return new TextEncoder().encode(value).length;
  if (Array.isArray(value)) return value.length;
  if (value instanceof Map) return value.size;
  if (isGoMap(value)) return Object.keys(value).length;
  throw new TemplateError(`len of type ${typeName(value)}`);
}

function basicKind(value: unknown): 'bool' | 'int' | 'float' | 'string' | 'nil' | 'other' {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float';
  if (value instanceof GoFloat) return 'float';
  if (typeof value === 'bigint') return 'int';
  if (typeof value === 'string') return 'string';
  return 'other';
}

function numeric(value: unknown): number {
  if (value instanceof GoFloat) return value.value;
  return Number(value);
}

function equal(a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  if (ka === 'nil' || kb === 'nil') return ka === kb;
  if ((ka === 'int' || ka === 'float') && (kb === 'int' || kb === 'float')) return numeric(a) === numeric(b);
  if (ka === 'other' || kb === 'other') {
    if (Array.isArray(a) || isGoMap(a)) throw new TemplateError('error calling eq: non-comparable type');
    return a === b;
  }
  if (ka !== kb) throw new TemplateError('error calling eq: incompatible types for comparison');
  return a === b;
}

function less(name: string, a: unknown, b: unknown): boolean {
  const ka = basicKind(a);
  const kb = basicKind(b);
  const numericKinds = ['int', 'float'];
  if (numericKinds.includes(ka) && numericKinds.includes(kb)) return numeric(a) < numeric(b);
  if (ka === 'string' && kb === 'string') return (a as string) < (b as string);
  if (ka !== kb) throw new TemplateError(`error calling ${name}: incompatible types for comparison`);
  throw new TemplateError(`error calling ${name}: invalid type for comparison`);
}

function indexValue(item: unknown, indexes: unknown[]): unknown {
  let current = item;
  for (const index of indexes) {
    if (current === null || current === undefined) throw new TemplateError('error calling index: index of untyped nil');
    if (Array.isArray(current) || typeof current === 'string') {
      if (typeof index !== 'number' || !Number.isInteger(index)) throw new TemplateError(`error calling index: cannot index slice/array with type ${typeName(index)}`);
      const length = typeof current === 'string' ? new TextEncoder().encode(current).length : current.length;
      if (index < 0 || index >= length) throw new TemplateError(`error calling index: index out of range: ${index}`);
      current = typeof current === 'string' ? new TextEncoder().encode(current)[index] : current[index];
    } else if (isGoMap(current)) {
      const map = current;
      const found = map instanceof Map ? map.get(index) : Object.prototype.hasOwnProperty.call(map, String(index)) ? map[String(index)] : undefined;
      if (found === undefined) {
        // A missing key gives the zero value of the element type ("" for string maps).
        const values = map instanceof Map ? [...map.values()] : Object.values(map);
        current = values.every((value) => typeof value === 'string') ? '' : undefined;
      } else current = found;
    } else throw new TemplateError(`error calling index: can't index item of type ${typeName(current)}`);
  }
  return current;
}

/** fmt.Sprint: spaces between operands when neither side is a string. */
function sprint(args: unknown[]): string {
  let out = '';
  args.forEach((arg, i) => {
    if (i > 0 && typeof arg !== 'string' && typeof args[i - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}

/** fmt.Sprintf for the verbs people use in --format: %s %v %d %q %t %f %g %x %%, widths and precision. */
export function sprintf(format: string, args: unknown[]): string {
  let argIndex = 0;
  return format.replace(/%([-+# 0]*)(\d+)?(?:\.(\d+))?([a-zA-Z%])/g, (whole, flags: string, width: string | undefined, precision: string | undefined, verb: string) => {
    if (verb === '%') return '%';
    if (argIndex >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[argIndex++];
    let text: string;
    switch (verb) {
      case 'v':
      case 's':
        text = formatValue(arg);
        if (precision !== undefined && verb === 's') text = [...text].slice(0, Number(precision)).join('');
        break;
      case 'd':
        text = typeof arg === 'number' ? String(Math.trunc(arg)) : `%!d(${typeName(arg)}=${formatValue(arg)})`;
        break;
      case 'q':
        text = typeof arg === 'string' ? goQuote(arg) : formatValue(arg);
        break;
      case 't':
        text = typeof arg === 'boolean' ? String(arg) : `%!t(${typeName(arg)}=${formatValue(arg)})`;
        break;
      case 'f':
        text = typeof arg === 'number' || arg instanceof GoFloat ? numeric(arg).toFixed(precision === undefined ? 6 : Number(precision)) : `%!f(${typeName(arg)}=${formatValue(arg)})`;
        break;
      case 'g':
        text = typeof arg === 'number' || arg instanceof GoFloat ? formatG(numeric(arg), precision === undefined ? -1 : Number(precision)) : formatValue(arg);
        break;
      case 'x':
        text = typeof arg === 'number' ? Math.trunc(arg).toString(16) : [...new TextEncoder().encode(String(arg))].map((b) => b.toString(16).padStart(2, '0')).join('');
        break;
      default:
        return whole;
    }
    if (width !== undefined && text.length < Number(width)) {
      const pad = (flags.includes('0') && !flags.includes('-') ? '0' : ' ').repeat(Number(width) - text.length);
      text = flags.includes('-') ? text + ' '.repeat(Number(width) - text.length) : pad + text;
    }
    return text;
  });
}

const builtinNames = ['and', 'or', 'not', 'len', 'index', 'slice', 'print', 'printf', 'println', 'eq', 'ne', 'lt', 'le', 'gt', 'ge', 'html', 'js', 'urlquery', 'call'];

// ---------------------------------------------------------------- execution

class BreakSignal {}
class ContinueSignal {}

interface Variable {
  name: string;
  value: unknown;
}

class ExecutionError extends TemplateError {}

class Executor {
  private variables: Variable[] = [];
  private out = '';

  constructor(
    private readonly functions: FunctionMap,
    private readonly source: string,
    private readonly missingKeyError = false,
  ) {}

  private location(pos: number): string {
    const before = this.source.slice(0, pos);
    const lastNewline = before.lastIndexOf('\n');
    const line = 1 + (before.match(/\n/g) ?? []).length;
    const column = lastNewline === -1 ? pos : pos - lastNewline - 1;
    return `:${line}:${column}`;
  }

  private fail(node: { pos: number }, context: string, message: string): never {
    let shown = context;
    if (shown.length > 20) shown = shown.slice(0, 20) + '...';
    throw new ExecutionError(`template: ${this.location(node.pos)}: executing "" at <${shown}>: ${message}`);
  }

  run(list: ListNode, data: unknown): string {
    this.variables = [{ name: '$', value: data }];
    this.walkList(data, list);
    return this.out;
  }

  private walkList(dot: unknown, list: ListNode): void {
    for (const node of list.nodes) this.walk(dot, node);
  }

  private walk(dot: unknown, node: Node): void {
    switch (node.type) {
      case 'text':
        this.out += node.text;
        return;
      case 'comment':
        return;
      case 'action': {
        const value = this.evalPipeline(dot, node.pipe);
        if (node.pipe.decl.length === 0) this.out += this.printable(node.pipe, value);
        return;
      }
      case 'if':
      case 'with': {
        const mark = this.variables.length;
        const value = this.evalPipeline(dot, node.pipe);
        if (isTrue(value)) this.walkList(node.type === 'with' ? value : dot, node.list);
        else if (node.elseList) this.walkList(dot, node.elseList);
        this.variables.length = mark;
        return;
      }
      case 'range':
        this.walkRange(dot, node);
        return;
      case 'break':
        throw new BreakSignal();
      case 'continue':
        throw new ContinueSignal();
    }
  }

  private printable(pipe: PipeNode, value: unknown): string {
    if (typeof value === 'function') this.fail(pipe, pipeString(pipe), `can't print ${pipeString(pipe)} of type func`);
    return printValue(value);
  }

  private walkRange(dot: unknown, node: ControlNode): void {
    const mark = this.variables.length;
    const value = this.evalPipeline(dot, node.pipe);
    let items: [unknown, unknown][];
    if (Array.isArray(value)) items = value.map((item, i) => [i, item]);
    else if (isGoMap(value)) items = mapEntries(value);
    else if (typeof value === 'number' && Number.isInteger(value)) items = Array.from({ length: Math.max(value, 0) }, (_, i) => [i, i]);
    else if (value === null || value === undefined) items = [];
    else this.fail(node.pipe, pipeString(node.pipe), `range can't iterate over ${formatValue(value)}`);
    if (items.length === 0) {
      this.variables.length = mark;
      if (node.elseList) this.walkList(dot, node.elseList);
      return;
    }
    const rangingOverInt = typeof value === 'number';
    for (const [key, element] of items) {
      const decl = node.pipe.decl;
      if (decl.length === 1) this.setVariable(decl[0], rangingOverInt ? key : element);
      if (decl.length === 2) {
        this.setVariable(decl[0], key);
        this.setVariable(decl[1], element);
      }
      try {
        this.walkList(element, node.list);
      } catch (signal) {
        if (signal instanceof BreakSignal) break;
        if (!(signal instanceof ContinueSignal)) throw signal;
      }
    }
    this.variables.length = mark;
  }

  private setVariable(name: string, value: unknown): void {
    for (let i = this.variables.length - 1; i >= 0; i--) {
      if (this.variables[i].name === name) {
        this.variables[i].value = value;
        return;
      }
    }
  }

  private variable(name: string): unknown {
    for (let i = this.variables.length - 1; i >= 0; i--) if (this.variables[i].name === name) return this.variables[i].value;
    return undefined;
  }

  private evalPipeline(dot: unknown, pipe: PipeNode): unknown {
    let value: unknown = undefined;
    let hasFinal = false;
    for (const cmd of pipe.cmds) {
      value = this.evalCommand(dot, cmd, hasFinal, value);
      hasFinal = true;
    }
    for (const name of pipe.decl) {
      if (pipe.isAssign) this.setVariable(name, value);
      else this.variables.push({ name, value });
    }
    return value;
  }

  private evalCommand(dot: unknown, cmd: CommandNode, hasFinal: boolean, final: unknown): unknown {
    const [first, ...rest] = cmd.args;
    switch (first.type) {
      case 'field':
        return this.evalFieldChain(dot, dot, first, first.ident, rest, hasFinal, final);
      case 'chain': {
        const base = this.evalArg(dot, first.node);
        return this.evalFieldChain(dot, base, first, first.fields, rest, hasFinal, final);
      }
      case 'variable': {
        const base = this.variable(first.ident[0]);
        if (first.ident.length === 1) {
          this.notAFunction(first, rest, hasFinal);
          return base;
        }
        return this.evalFieldChain(dot, base, first, first.ident.slice(1), rest, hasFinal, final);
      }
      case 'identifier':
        return this.evalFunction(dot, first, rest, hasFinal, final);
      case 'pipe':
        this.notAFunction(first, rest, hasFinal);
        return this.evalPipeline(dot, first);
      case 'nil':
        this.fail(first, 'nil', 'nil is not a command');
        break;
      case 'dot':
        this.notAFunction(first, rest, hasFinal);
        return dot;
      default:
        this.notAFunction(first, rest, hasFinal);
        return this.literal(first);
    }
  }

  private notAFunction(node: ArgNode, rest: ArgNode[], hasFinal: boolean): void {
    if (rest.length > 0 || hasFinal) this.fail(node, argString(node), `can't give argument to non-function ${argString(node)}`);
  }

  private literal(node: ArgNode): unknown {
    switch (node.type) {
      case 'bool':
        return node.value;
      case 'number':
        return node.value;
      case 'string':
        return node.value;
      case 'dot':
      case 'nil':
        return undefined;
      default:
        return undefined;
    }
  }

  private evalArg(dot: unknown, node: ArgNode): unknown {
    switch (node.type) {
      case 'dot':
        return dot;
      case 'nil':
        return null;
      case 'field':
        return this.evalFieldChain(dot, dot, node, node.ident, [], false, undefined);
      case 'chain':
        return this.evalFieldChain(dot, this.evalArg(dot, node.node), node, node.fields, [], false, undefined);
      case 'variable': {
        const base = this.variable(node.ident[0]);
        return node.ident.length === 1 ? base : this.evalFieldChain(dot, base, node, node.ident.slice(1), [], false, undefined);
      }
      case 'pipe':
        return this.evalPipeline(dot, node);
      case 'identifier':
        return this.evalFunction(dot, node, [], false, undefined);
      default:
        return this.literal(node);
    }
  }

  private evalFieldChain(
    dot: unknown,
    receiver: unknown,
    node: ArgNode,
    names: string[],
    rest: ArgNode[],
    hasFinal: boolean,
    final: unknown,
  ): unknown {
    let current = receiver;
    for (let i = 0; i < names.length; i++) {
      const last = i === names.length - 1;
      current = this.evalField(dot, names[i], node, current, last ? rest : [], last && hasFinal, final);
    }
    return current;
  }

  private evalField(dot: unknown, name: string, node: ArgNode, receiver: unknown, args: ArgNode[], hasFinal: boolean, final: unknown): unknown {
    const context = argString(node);
    if (receiver === null || receiver === undefined) this.fail(node, context, `nil pointer evaluating ${typeName(receiver) === '<nil>' ? 'interface {}' : typeName(receiver)}.${name}`);
    if (typeof receiver === 'object' || typeof receiver === 'function') {
      const record = receiver as Record<string, unknown>;
      const member = record[name];
      if (typeof member === 'function' && /^[A-Z]/.test(name)) {
        const values = args.map((arg) => this.evalArg(dot, arg));
        if (hasFinal) values.push(final);
        const method = member as (...params: unknown[]) => unknown;
        if (method.length !== values.length) {
          this.fail(node, context, `wrong number of args for ${name}: want ${method.length} got ${values.length}`);
        }
        return this.call(node, context, () => method.apply(receiver, values));
      }
      const hasArgs = args.length > 0 || hasFinal;
      if (isGoMap(receiver)) {
        if (hasArgs) this.fail(node, context, `${name} is not a method but has arguments`);
        const found = receiver instanceof Map ? receiver.has(name) : Object.prototype.hasOwnProperty.call(receiver, name);
        if (!found && this.missingKeyError) this.fail(node, context, `map has no entry for key ${JSON.stringify(name)}`);
        return receiver instanceof Map ? receiver.get(name) : found ? record[name] : undefined;
      }
      if (isStruct(receiver) && name in receiver && /^[A-Z]/.test(name) && !isHiddenTemplateField(receiver, name)) {
        if (hasArgs) this.fail(node, context, `${name} has arguments but cannot be invoked as function`);
        return member;
      }
    }
    this.fail(node, context, `can't evaluate field ${name} in type ${typeName(receiver)}`);
  }

  private call(node: { pos: number }, context: string, invoke: () => unknown): unknown {
    try {
      return invoke();
    } catch (error) {
      if (error instanceof ExecutionError || error instanceof BreakSignal || error instanceof ContinueSignal) throw error;
      const message = error instanceof Error ? error.message : String(error);
      this.fail(node, context, message);
    }
  }

  private evalFunction(dot: unknown, node: Extract<ArgNode, { type: 'identifier' }>, rest: ArgNode[], hasFinal: boolean, final: unknown): unknown {
    const name = node.name;
    const context = name;
    const argumentCount = rest.length + (hasFinal ? 1 : 0);
    // and/or evaluate lazily and return the deciding operand.
    if (name === 'and' || name === 'or') {
      if (argumentCount < 1) this.fail(node, context, `wrong number of args for ${name}: want at least 1 got 0`);
      let value: unknown;
      for (const arg of rest) {
        value = this.evalArg(dot, arg);
        if (isTrue(value) === (name === 'or')) return value;
      }
      if (hasFinal) value = final;
      return value;
    }
    const values = rest.map((arg) => this.evalArg(dot, arg));
    if (hasFinal) values.push(final);
    const builtin = this.builtin(name, values, node, context);
    if (builtin.handled) return builtin.value;
    const entry = this.functions[name];
    const variadic = entry.params.length > 0 && entry.params[entry.params.length - 1].endsWith('...');
    const fixed = variadic ? entry.params.length - 1 : entry.params.length;
    if (variadic ? values.length < fixed : values.length !== fixed) {
      this.fail(node, context, `wrong number of args for ${name}: want ${variadic ? 'at least ' : ''}${fixed} got ${values.length}`);
    }
    values.forEach((value, i) => {
      const expected = entry.params[Math.min(i, entry.params.length - 1)].replace('...', '');
      if (!checkType(expected, value)) {
        const argNode = i < rest.length ? rest[i] : node;
        this.fail(argNode, argNode.type === 'identifier' ? context : argString(argNode), `wrong type for value; expected ${expected}; got ${typeName(value)}`);
      }
    });
    return this.call(node, context, () => entry.fn(...values));
  }

  private builtin(name: string, values: unknown[], node: { pos: number }, context: string): { handled: boolean; value?: unknown } {
    const want = (count: number): void => {
      if (values.length !== count) this.fail(node, context, `wrong number of args for ${name}: want ${count} got ${values.length}`);
    };
    const wrap = (fn: () => unknown): { handled: true; value: unknown } => ({ handled: true, value: this.call(node, context, fn) });
    switch (name) {
      case 'not':
        want(1);
        return { handled: true, value: !isTrue(values[0]) };
      case 'len':
        want(1);
        return wrap(() => {
          try {
            return lengthOf(values[0]);
          } catch (error) {
            throw new TemplateError(`error calling len: ${(error as Error).message}`);
          }
        });
      case 'index':
        if (values.length < 1) this.fail(node, context, `wrong number of args for index: want at least 1 got 0`);
        return wrap(() => indexValue(values[0], values.slice(1)));
      case 'slice':
        return wrap(() => {
          const [item, ...bounds] = values;
          const numbers = bounds.map(Number);
          if (typeof item === 'string') return item.slice(numbers[0] ?? 0, numbers[1] ?? item.length);
          if (Array.isArray(item)) return item.slice(numbers[0] ?? 0, numbers[1] ?? item.length);
          throw new TemplateError(`error calling slice: can't slice item of type ${typeName(item)}`);
        });
      case 'print':
        return { handled: true, value: sprint(values) };
      case 'println':
        return { handled: true, value: values.map((value) => formatValue(value)).join(' ') + '\n' };
      case 'printf':
        if (values.length < 1) this.fail(node, context, `wrong number of args for printf: want at least 1 got 0`);
        return { handled: true, value: sprintf(String(values[0]), values.slice(1)) };
      case 'eq':
        if (values.length < 2) this.fail(node, context, `wrong number of args for eq: want at least 1 got ${values.length}`);
        return wrap(() => values.slice(1).some((other) => equal(values[0], other)));
      case 'ne':
        want(2);
        return wrap(() => {
          try {
            return !equal(values[0], values[1]);
          } catch (error) {
            throw new TemplateError((error as Error).message.replace('calling eq', 'calling ne'));
          }
        });
      case 'lt':
        want(2);
        return wrap(() => less('lt', values[0], values[1]));
      case 'le':
        want(2);
        return wrap(() => less('le', values[0], values[1]) || equal(values[0], values[1]));
      case 'gt':
        want(2);
        return wrap(() => !(less('gt', values[0], values[1]) || equal(values[0], values[1])));
      case 'ge':
        want(2);
        return wrap(() => !less('ge', values[0], values[1]));
      case 'html':
        return { handled: true, value: sprint(values).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;') };
      case 'js':
        return { handled: true, value: sprint(values).replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/"/g, '\\"').replace(/</g, '\\u003C').replace(/>/g, '\\u003E') };
      case 'urlquery':
        return { handled: true, value: encodeURIComponent(sprint(values)).replace(/%20/g, '+') };
      case 'call':
        return wrap(() => {
          const [fn, ...args] = values;
          if (typeof fn !== 'function') throw new TemplateError(`error calling call: non-function of type ${typeName(fn)}`);
          return (fn as (...params: unknown[]) => unknown)(...args);
        });
      default:
        return { handled: false };
    }
  }
}

/** A parsed template; execute() may be called many times with different data. */
export class Template {
  private constructor(
    private readonly source: string,
    private readonly tree: ListNode,
    private functions: FunctionMap,
  ) {}

  /** Parses like Go's template.New("").Funcs(funcs).Parse(source). */
  static parse(source: string, functions: FunctionMap = dockerFunctions): Template {
    const tokens = new Lexer(source).run();
    const names = new Set([...builtinNames, ...Object.keys(functions)]);
    const tree = new Parser(tokens, names).parse();
    return new Template(source, tree, functions);
  }

  /** Replaces functions by name (docker swaps in HeaderFunctions for table headers). */
  withFunctions(overrides: FunctionMap): Template {
    return new Template(this.source, this.tree, { ...this.functions, ...overrides });
  }

  /** `missingKeyError` is Go's Option("missingkey=error"): a map without the key fails the execution. */
  execute(data: unknown, options: { missingKeyError?: boolean } = {}): string {
    return new Executor(this.functions, this.source, options.missingKeyError ?? false).run(this.tree, data);
  }
}


