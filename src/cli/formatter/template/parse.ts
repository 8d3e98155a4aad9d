// Go's text/template/parse parser (parse.go): tokens into the tree, with Go's error texts.

import { TemplateError, type Token } from './lex';
import { type ArgNode, type CommandNode, type ListNode, type Node, type PipeNode, argString } from './tree';

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

export class Parser {
  private index = 0;
  private readonly variables: string[][] = [['$']];

  constructor(
    private readonly tokens: Token[],
    private readonly functions: ReadonlySet<string>,
    private readonly name = '',
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
    return new TemplateError(`template: ${this.name}:${token.line}: ${message}`);
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
    // Go's chain, and the field or variable it becomes, is at its first added field: {{.A.B}} is at .B
    const chainPos = this.peek().pos;
    while (this.peek().kind === 'field') fields.push(this.next().text.slice(1));
    if (fields.length === 0) return node;
    switch (node.type) {
      case 'field':
        return { type: 'field', pos: chainPos, ident: [...node.ident, ...fields] };
      case 'variable':
        return { type: 'variable', pos: chainPos, ident: [...node.ident, ...fields] };
      case 'bool':
      case 'string':
      case 'number':
      case 'nil':
      case 'dot':
        this.fail(`unexpected . after term "${argString(node)}"`);
        break;
      default:
        return { type: 'chain', pos: chainPos, node, fields };
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
