// JSON as Go's encoding/json reads it into a struct, for docker's error texts: the syntax check of its
// scanner ("invalid character 'x' looking for beginning of value", "unexpected end of JSON input"), then
// a decode against a schema of Go types that keeps the first type error ("json: cannot unmarshal string
// into Go struct field Seccomp.defaultErrnoRet of type uint") and matches keys case-insensitively.

/** A parsed JSON value; numbers keep their text (uint64 needs every digit). */
export type GoJson =
  | { kind: 'null' }
  | { kind: 'bool'; value: boolean }
  | { kind: 'number'; text: string }
  | { kind: 'string'; value: string }
  | { kind: 'array'; items: GoJson[] }
  | { kind: 'object'; entries: [string, GoJson][] };

/** Go's quoteChar: the offending character as the scanner prints it. */
function quoteChar(c: string): string {
  if (c === "'") return "'\\''";
  if (c === '"') return '\'"\'';
  const code = c.codePointAt(0) ?? 0;
  const named: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\b': '\\b', '\f': '\\f', '\v': '\\v', '\x07': '\\a', '\\': '\\\\' };
  if (named[c]) return `'${named[c]}'`;
  if (code < 0x20 || code === 0x7f) return `'\\x${code.toString(16).padStart(2, '0')}'`;
  return `'${c}'`;
}

class SyntaxError extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly text: string) {}

  parseDocument(): GoJson {
    this.space();
    const value = this.value('looking for beginning of value');
    this.space();
    if (this.pos < this.text.length) this.fail('after top-level value');
    return value;
  }

  private char(): string {
    const code = this.text.codePointAt(this.pos);
    return code === undefined ? '' : String.fromCodePoint(code);
  }

  private fail(context: string): never {
    if (this.pos >= this.text.length) throw new SyntaxError('unexpected end of JSON input');
    throw new SyntaxError(`invalid character ${quoteChar(this.char())} ${context}`);
  }

  private space(): void {
    while (this.pos < this.text.length && ' \t\r\n'.includes(this.text[this.pos])) this.pos++;
  }

  private value(context: string): GoJson {
    const c = this.text[this.pos];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return { kind: 'string', value: this.string() };
    if (c === '-' || (c >= '0' && c <= '9')) return { kind: 'number', text: this.number() };
    if (c === 't') return this.literal('true', { kind: 'bool', value: true });
    if (c === 'f') return this.literal('false', { kind: 'bool', value: false });
    if (c === 'n') return this.literal('null', { kind: 'null' });
    return this.fail(context);
  }

  private literal(word: string, value: GoJson): GoJson {
    for (let i = 1; i < word.length; i++) {
      this.pos++;
      if (this.text[this.pos] !== word[i]) this.fail(`in literal ${word} (expecting '${word[i]}')`);
    }
    this.pos++;
    return value;
  }

  private object(): GoJson {
    this.pos++;
    const entries: [string, GoJson][] = [];
    this.space();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { kind: 'object', entries };
    }
    for (;;) {
      if (this.text[this.pos] !== '"') this.fail('looking for beginning of object key string');
      const key = this.string();
      this.space();
      if (this.text[this.pos] !== ':') this.fail('after object key');
      this.pos++;
      this.space();
      entries.push([key, this.value('looking for beginning of value')]);
      this.space();
      if (this.text[this.pos] === ',') {
        this.pos++;
        this.space();
        continue;
      }
      if (this.text[this.pos] === '}') {
        this.pos++;
        return { kind: 'object', entries };
      }
      this.fail('after object key:value pair');
    }
  }

  private array(): GoJson {
    this.pos++;
    const items: GoJson[] = [];
    this.space();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { kind: 'array', items };
    }
    for (;;) {
      items.push(this.value('looking for beginning of value'));
      this.space();
      if (this.text[this.pos] === ',') {
        this.pos++;
        this.space();
        continue;
      }
      if (this.text[this.pos] === ']') {
        this.pos++;
        return { kind: 'array', items };
      }
      this.fail('after array element');
    }
  }

  private string(): string {
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= this.text.length) this.fail('');
      const c = this.text[this.pos];
      if (c === '"') {
        this.pos++;
        return out;
      }
      if (c < ' ') this.fail('in string literal');
      if (c !== '\\') {
        out += c;
        this.pos++;
        continue;
      }
      this.pos++;
      const e = this.text[this.pos];
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
      if (e !== undefined && simple[e] !== undefined) {
        out += simple[e];
        this.pos++;
      } else if (e === 'u') {
        let hex = '';
        for (let i = 0; i < 4; i++) {
          this.pos++;
          const h = this.text[this.pos];
          if (h === undefined || !/[0-9a-fA-F]/.test(h)) this.fail('in \\u hexadecimal character escape');
          hex += h;
        }
        this.pos++;
        out += String.fromCharCode(parseInt(hex, 16));
      } else {
        this.fail('in string escape code');
      }
    }
  }

  private number(): string {
    const start = this.pos;
    const digit = () => this.pos < this.text.length && this.text[this.pos] >= '0' && this.text[this.pos] <= '9';
    if (this.text[this.pos] === '-') {
      this.pos++;
      if (!digit()) this.fail('in numeric literal');
    }
    if (this.text[this.pos] === '0') this.pos++;
    else while (digit()) this.pos++;
    if (this.text[this.pos] === '.') {
      this.pos++;
      if (!digit()) this.fail('after decimal point in numeric literal');
      while (digit()) this.pos++;
    }
    if (this.text[this.pos] === 'e' || this.text[this.pos] === 'E') {
      this.pos++;
      if (this.text[this.pos] === '+' || this.text[this.pos] === '-') this.pos++;
      if (!digit()) this.fail('in exponent of numeric literal');
      while (digit()) this.pos++;
    }
    return this.text.slice(start, this.pos);
  }
}

/** Parses JSON or throws an Error with Go's syntax error text. */
export function parseGoJson(text: string): GoJson {
  try {
    return new Parser(text).parseDocument();
  } catch (error) {
    if (error instanceof SyntaxError) throw new Error(error.message);
    throw error;
  }
}

// ---- decoding against Go types ----

/** A Go type: what a JSON value may be decoded into, with the name Go prints for it. */
export type GoType =
  | { kind: 'string'; name: string }
  | { kind: 'uint'; name: string; bits: 8 | 16 | 32 | 64 }
  | { kind: 'bool'; name: string }
  | { kind: 'slice'; name: string; elem: GoType }
  | { kind: 'struct'; name: string; fields: Record<string, GoType> }
  /** A type with its own UnmarshalJSON: gets the raw value, returns the decoded value or throws. */
  | { kind: 'custom'; name: string; decode: (value: GoJson) => unknown };

/** Decodes like json.Unmarshal into a value of type `type`; throws Go's first error. */
export function decodeGo(value: GoJson, type: GoType): unknown {
  const context = { error: undefined as string | undefined };
  const result = decodeValue(value, type, context, undefined, []);
  if (context.error) throw new Error(context.error);
  return result;
}

function jsonKind(value: GoJson): string {
  return value.kind === 'bool' ? 'bool' : value.kind;
}

function decodeValue(value: GoJson, type: GoType, context: { error?: string }, struct: string | undefined, path: string[]): unknown {
  const typeError = (what: string) => {
    context.error ??= struct
      ? `json: cannot unmarshal ${what} into Go struct field ${struct}.${path.join('.')} of type ${type.name}`
      : `json: cannot unmarshal ${what} into Go value of type ${type.name}`;
    return undefined;
  };
  if (value.kind === 'null') return undefined;
  if (type.kind === 'custom') return type.decode(value);
  switch (type.kind) {
    case 'string':
      return value.kind === 'string' ? value.value : typeError(jsonKind(value));
    case 'bool':
      return value.kind === 'bool' ? value.value : typeError(jsonKind(value));
    case 'uint': {
      if (value.kind !== 'number') return typeError(jsonKind(value));
      if (!/^\d+$/.test(value.text)) return typeError(`number ${value.text}`);
      const n = BigInt(value.text);
      if (n >= 1n << BigInt(type.bits)) return typeError(`number ${value.text}`);
      return n;
    }
    case 'slice':
      if (value.kind !== 'array') return typeError(jsonKind(value));
      return value.items.map((item) => decodeValue(item, type.elem, context, struct, path));
    case 'struct': {
      if (value.kind !== 'object') return typeError(jsonKind(value));
      const out: Record<string, unknown> = {};
      const names = Object.keys(type.fields);
      for (const [key, item] of value.entries) {
        // Go: an exact match first, then a case-insensitive one; unknown keys are ignored.
        const field = names.find((name) => name === key) ?? names.find((name) => name.toLowerCase() === key.toLowerCase());
        if (!field) continue;
        const decoded = decodeValue(item, type.fields[field], context, type.name.replace(/^.*\./, '').replace(/^\*/, ''), [...path, field]);
        if (decoded !== undefined) out[field] = decoded;
      }
      return out;
    }
  }
}

/**
 * Go's json.Compact: the same text without insignificant whitespace (strings and numbers kept byte for
 * byte); throws Go's syntax error for text that is not JSON.
 */
export function compactGoJson(text: string): string {
  parseGoJson(text);
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i];
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (!' \t\r\n'.includes(c)) {
      out += c;
    }
  }
  return out;
}
