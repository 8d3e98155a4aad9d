// Go's text/template/parse lexer (lex.go): the template text as tokens, with Go's error texts.

export class TemplateError extends Error {}

type TokenKind =
  | 'text' | 'left' | 'right' | 'space' | 'identifier' | 'field' | 'variable' | 'string' | 'rawString'
  | 'char' | 'number' | 'bool' | 'nil' | 'dot' | 'pipe' | 'leftParen' | 'rightParen' | 'declare' | 'assign'
  | 'comma' | 'keyword' | 'comment' | 'eof';

export interface Token {
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

export class Lexer {
  private pos = 0;
  private line = 1;
  readonly tokens: Token[] = [];
  private parenDepth = 0;

  constructor(
    private readonly input: string,
    private readonly name = '',
  ) {}

  private fail(message: string): never {
    throw new TemplateError(`template: ${this.name}:${this.line}: ${message}`);
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
