// A pflag-compatible flag set: the same parsing rules (long and short forms, combined shorts,
// attached values, `--`, interspersed or not), the same error texts and the same --help layout.

import {
  BoolValue,
  BytesValue,
  CustomValue,
  DurationValue,
  IntValue,
  ListValue,
  MapValue,
  StringArrayValue,
  StringSliceValue,
  StringValue,
  UintValue,
  type FlagValue,
  type Validator,
} from './values';
import { goQuote } from '../../go/strconv';

export interface Flag {
  readonly name: string;
  readonly shorthand: string;
  readonly usage: string;
  readonly value: FlagValue;
  /** The default as text (pflag's DefValue), fixed when the flag is defined. */
  readonly defaultText: string;
  /** The value an option-less use gets ("true" for bools): `--rm` means `--rm=true`. */
  noOptDefault: string;
  hidden: boolean;
  /** When set, using the flag prints "Flag --x has been deprecated, <text>". */
  deprecated: string;
  shorthandDeprecated: string;
  changed: boolean;
  annotations: Map<string, string[]>;
}

/** A parse failure; the command layer wraps it with the usage line and exit code 125. */
export class FlagError extends Error {}

/** `--help` / `-h` reached a flag set that has no help flag of its own. */
export class HelpRequested extends Error {
  constructor() {
    super('pflag: help requested');
  }
}

export interface FlagOptions {
  shorthand?: string;
  hidden?: boolean;
  deprecated?: string;
}

export class FlagSet {
  private readonly formal = new Map<string, Flag>();
  private readonly shorthands = new Map<string, Flag>();
  /** Positional arguments left after parsing. */
  args: string[] = [];
  /** How many positional arguments came before `--` (-1 without `--`). */
  argsLenAtDash = -1;
  /** false: the first positional argument ends flag parsing (docker run IMAGE CMD...). */
  interspersed = true;
  /** Sort --help by flag name, as pflag does by default. */
  sortFlags = true;
  /** Deprecation notices produced by the last parse, each ending with a newline. */
  notices: string[] = [];

  constructor(readonly name = '') {}

  add(flag: Flag): void {
    if (this.formal.has(flag.name)) throw new Error(`${this.name} flag redefined: ${flag.name}`);
    this.formal.set(flag.name, flag);
    if (flag.shorthand === '') return;
    if (flag.shorthand.length > 1) throw new Error(`${goQuote(flag.shorthand)} shorthand is more than one ASCII character`);
    const used = this.shorthands.get(flag.shorthand);
    if (used) {
      throw new Error(`unable to redefine '${flag.shorthand}' shorthand in "${this.name}" flagset: it's already used for "${used.name}" flag`);
    }
    this.shorthands.set(flag.shorthand, flag);
  }

  /** Adds the flags of `other` that this set does not have (a taken shorthand is dropped, not fatal). */
  addFlagSet(other: FlagSet): void {
    for (const flag of other.formal.values()) {
      if (this.formal.has(flag.name)) continue;
      if (flag.shorthand !== '' && this.shorthands.has(flag.shorthand)) {
        this.formal.set(flag.name, flag);
        continue;
      }
      this.add(flag);
    }
  }

  /** Defines a flag with any value type; returns the value so the caller can read `.value`. */
  define<V extends FlagValue>(name: string, value: V, usage: string, options: FlagOptions = {}): V {
    this.add({
      name,
      shorthand: options.shorthand ?? '',
      usage,
      value,
      defaultText: value.toString(),
      noOptDefault: value.type === 'bool' ? 'true' : '',
      hidden: options.hidden ?? false,
      deprecated: options.deprecated ?? '',
      shorthandDeprecated: '',
      changed: false,
      annotations: new Map(),
    });
    return value;
  }

  bool(name: string, shorthand: string, initial: boolean, usage: string): BoolValue {
    return this.define(name, new BoolValue(initial), usage, { shorthand });
  }
  string(name: string, shorthand: string, initial: string, usage: string): StringValue {
    return this.define(name, new StringValue(initial), usage, { shorthand });
  }
  int(name: string, shorthand: string, initial: number, usage: string): IntValue {
    return this.define(name, new IntValue(initial), usage, { shorthand });
  }
  int64(name: string, shorthand: string, initial: number, usage: string): IntValue {
    return this.define(name, new IntValue(initial, 'int64'), usage, { shorthand });
  }
  uint(name: string, shorthand: string, initial: number, usage: string): UintValue {
    return this.define(name, new UintValue(initial), usage, { shorthand });
  }
  uint16(name: string, shorthand: string, initial: number, usage: string): UintValue {
    return this.define(name, new UintValue(initial, 'uint16'), usage, { shorthand });
  }
  duration(name: string, shorthand: string, initialNanos: bigint, usage: string): DurationValue {
    return this.define(name, new DurationValue(initialNanos), usage, { shorthand });
  }
  bytes(name: string, shorthand: string, initial: number, usage: string): BytesValue {
    return this.define(name, new BytesValue(initial), usage, { shorthand });
  }
  stringSlice(name: string, shorthand: string, initial: string[], usage: string): StringSliceValue {
    return this.define(name, new StringSliceValue([...initial]), usage, { shorthand });
  }
  stringArray(name: string, shorthand: string, initial: string[], usage: string): StringArrayValue {
    return this.define(name, new StringArrayValue([...initial]), usage, { shorthand });
  }
  list(name: string, shorthand: string, usage: string, validator?: Validator): ListValue {
    return this.define(name, new ListValue([], validator), usage, { shorthand });
  }
  map(name: string, shorthand: string, usage: string, validator?: Validator): MapValue {
    return this.define(name, new MapValue(new Map(), validator), usage, { shorthand });
  }
  custom<T>(
    name: string,
    shorthand: string,
    type: string,
    initial: T,
    usage: string,
    parse: (raw: string, current: T) => T,
    show?: (value: T) => string,
  ): CustomValue<T> {
    return this.define(name, new CustomValue(initial, type, parse, show), usage, { shorthand });
  }

  lookup(name: string): Flag | undefined {
    return this.formal.get(name);
  }

  /** Marks a flag hidden from --help (it still parses). */
  markHidden(name: string): void {
    this.mustLookup(name).hidden = true;
  }
  markDeprecated(name: string, message: string): void {
    const flag = this.mustLookup(name);
    flag.deprecated = message;
    flag.hidden = true;
  }
  markShorthandDeprecated(name: string, message: string): void {
    this.mustLookup(name).shorthandDeprecated = message;
  }
  setAnnotation(name: string, key: string, values: string[]): void {
    this.mustLookup(name).annotations.set(key, values);
  }

  private mustLookup(name: string): Flag {
    const flag = this.formal.get(name);
    if (!flag) throw new Error(`no such flag -${name}`);
    return flag;
  }

  /** Whether the flag was given on the command line. */
  changed(name: string): boolean {
    return this.formal.get(name)?.changed ?? false;
  }

  /** All flags, sorted by name unless sortFlags is off. */
  all(): Flag[] {
    const flags = [...this.formal.values()];
    return this.sortFlags ? flags.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) : flags;
  }

  hasAvailableFlags(): boolean {
    return this.all().some((flag) => !flag.hidden);
  }

  /** pflag's FlagSet.Set: parses a value and records the flag as changed. */
  set(name: string, raw: string): void {
    const flag = this.formal.get(name);
    if (!flag) throw new FlagError(`no such flag -${name}`);
    try {
      flag.value.set(raw);
    } catch (error) {
      const label = flag.shorthand !== '' && flag.shorthandDeprecated === '' ? `-${flag.shorthand}, --${flag.name}` : `--${flag.name}`;
      const reason = error instanceof Error ? error.message : String(error);
      throw new FlagError(`invalid argument ${goQuote(raw)} for ${goQuote(label)} flag: ${reason}`);
    }
    flag.changed = true;
    if (flag.deprecated !== '') this.notices.push(`Flag --${flag.name} has been deprecated, ${flag.deprecated}\n`);
  }

  /** Parses `argv`; positional arguments end up in `args`. Throws FlagError or HelpRequested. */
  parse(argv: readonly string[]): void {
    this.args = [];
    this.argsLenAtDash = -1;
    let rest = [...argv];
    while (rest.length > 0) {
      const arg = rest[0];
      rest = rest.slice(1);
      if (arg.length < 2 || arg[0] !== '-') {
        if (!this.interspersed) {
          this.args.push(arg, ...rest);
          return;
        }
        this.args.push(arg);
        continue;
      }
      if (arg[1] === '-') {
        if (arg.length === 2) {
          this.argsLenAtDash = this.args.length;
          this.args.push(...rest);
          return;
        }
        rest = this.parseLong(arg, rest);
      } else {
        rest = this.parseShorts(arg, rest);
      }
    }
  }

  private parseLong(arg: string, rest: string[]): string[] {
    const body = arg.slice(2);
    if (body === '' || body[0] === '-' || body[0] === '=') throw new FlagError(`bad flag syntax: ${arg}`);
    const equals = body.indexOf('=');
    const name = equals === -1 ? body : body.slice(0, equals);
    const flag = this.formal.get(name);
    if (!flag) {
      if (name === 'help') throw new HelpRequested();
      throw new FlagError(`unknown flag: --${name}`);
    }
    let value: string;
    if (equals !== -1) value = body.slice(equals + 1);
    else if (flag.noOptDefault !== '') value = flag.noOptDefault;
    else if (rest.length > 0) {
      value = rest[0];
      rest = rest.slice(1);
    } else throw new FlagError(`flag needs an argument: ${arg}`);
    this.set(flag.name, value);
    return rest;
  }

  private parseShorts(arg: string, rest: string[]): string[] {
    // Like pflag, every letter of a group reads a separate value from the same following arguments.
    const following = rest;
    let remaining = rest;
    let shorthands = arg.slice(1);
    while (shorthands.length > 0) {
      const letter = shorthands[0];
      const flag = this.shorthands.get(letter);
      if (!flag) {
        if (letter === 'h') throw new HelpRequested();
        throw new FlagError(`unknown shorthand flag: '${letter}' in -${shorthands}`);
      }
      let value: string;
      if (shorthands.length > 2 && shorthands[1] === '=') {
        value = shorthands.slice(2);
        shorthands = '';
      } else if (flag.noOptDefault !== '') {
        value = flag.noOptDefault;
        shorthands = shorthands.slice(1);
      } else if (shorthands.length > 1) {
        value = shorthands.slice(1);
        shorthands = '';
      } else if (following.length > 0) {
        value = following[0];
        remaining = following.slice(1);
        shorthands = '';
      } else {
        throw new FlagError(`flag needs an argument: '${letter}' in -${shorthands}`);
      }
      if (flag.shorthandDeprecated !== '') {
        this.notices.push(`Flag shorthand -${flag.shorthand} has been deprecated, ${flag.shorthandDeprecated}\n`);
      }
      this.set(flag.name, value);
    }
    return remaining;
  }

  /** pflag's FlagUsagesWrapped(cols): the "Options:" block of --help. */
  usages(columns = 0): string {
    const lines: string[] = [];
    let maxLength = 0;
    for (const flag of this.all()) {
      if (flag.hidden) continue;
      let line = flag.shorthand !== '' && flag.shorthandDeprecated === '' ? `  -${flag.shorthand}, --${flag.name}` : `      --${flag.name}`;
      const [typeName, usage] = unquoteUsage(flag);
      if (typeName !== '') line += ' ' + typeName;
      if (flag.noOptDefault !== '') {
        if (flag.value.type === 'string') line += `[="${flag.noOptDefault}"]`;
        else if (flag.value.type === 'bool') {
          if (flag.noOptDefault !== 'true') line += `[=${flag.noOptDefault}]`;
        } else line += `[=${flag.noOptDefault}]`;
      }
      line += '\x00';
      if (line.length > maxLength) maxLength = line.length;
      line += usage;
      if (!flag.value.isZeroDefault(flag.defaultText)) {
        line += flag.value.type === 'string' ? ` (default ${goQuote(flag.defaultText)})` : ` (default ${flag.defaultText})`;
      }
      if (flag.deprecated !== '') line += ` (DEPRECATED: ${flag.deprecated})`;
      lines.push(line);
    }
    let out = '';
    for (const line of lines) {
      const split = line.indexOf('\x00');
      const spacing = ' '.repeat(maxLength - split);
      // Go's Fprintln puts a space between its three operands.
      out += `${line.slice(0, split)} ${spacing} ${wrap(maxLength + 2, columns, line.slice(split + 1))}\n`;
    }
    return out;
  }
}

/** pflag's UnquoteUsage: a `backquoted` word names the value, otherwise the type does. */
export function unquoteUsage(flag: Flag): [string, string] {
  const usage = flag.usage;
  const open = usage.indexOf('`');
  if (open !== -1) {
    const close = usage.indexOf('`', open + 1);
    if (close !== -1) {
      const name = usage.slice(open + 1, close);
      return [name, usage.slice(0, open) + name + usage.slice(close + 1)];
    }
  }
  const typeNames: Record<string, string> = {
    bool: '',
    float64: 'float',
    int64: 'int',
    uint64: 'uint',
    stringSlice: 'strings',
    intSlice: 'ints',
    uintSlice: 'uints',
    boolSlice: 'bools',
  };
  const type = flag.value.type;
  return [type in typeNames ? typeNames[type] : type, usage];
}

function lastIndexOfAny(text: string, characters: string): number {
  for (let i = text.length - 1; i >= 0; i--) if (characters.includes(text[i])) return i;
  return -1;
}

function wrapOnce(limit: number, slop: number, text: string): [string, string] {
  if (limit + slop > text.length) return [text, ''];
  const head = text.slice(0, limit);
  const space = lastIndexOfAny(head, ' \t\n');
  if (space <= 0) return [text, ''];
  const newline = head.lastIndexOf('\n');
  if (newline > 0 && newline < space) return [text.slice(0, newline), text.slice(newline + 1)];
  return [text.slice(0, space), text.slice(space + 1)];
}

/** pflag's wrap(i, w, s): wraps usage text to width w with continuation lines indented by i. */
function wrap(indent: number, width: number, text: string): string {
  if (width === 0) return text.replace(/\n/g, '\n' + ' '.repeat(indent));
  let available = width - indent;
  let out = '';
  if (available < 24) {
    indent = 16;
    available = width - indent;
    out += '\n' + ' '.repeat(indent);
  }
  if (available < 24) return text.replace(/\n/g, out);
  const slop = 5;
  available -= slop;
  const pad = ' '.repeat(indent);
  let [line, rest] = wrapOnce(available, slop, text);
  out += line.replace(/\n/g, '\n' + pad);
  while (rest !== '') {
    [line, rest] = wrapOnce(available, slop, rest);
    out += '\n' + pad + line.replace(/\n/g, '\n' + pad);
  }
  return out;
}
