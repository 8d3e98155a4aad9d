// buildkit's BFlags: the `--name=value` flags an instruction accepts, checked with its error texts.

import { withSuggestion } from './suggest';

type FlagType = 'bool' | 'string' | 'strings';

/** One declared flag; `value` holds the default until parse() sees it ("true"/"false" for bools). */
export class BuildFlag {
  value: string;
  /** Every value of a repeatable flag, in order. */
  readonly values: string[] = [];
  constructor(
    readonly name: string,
    readonly type: FlagType,
    defaultValue: string,
  ) {
    this.value = defaultValue;
  }
}

export class BuildFlags {
  private readonly declared = new Map<string, BuildFlag>();
  private readonly seen = new Map<string, BuildFlag>();
  private declarationError: string | undefined;

  /** @param args the flags as the parser split them off, e.g. ["--chown=1:1", "--link"] */
  constructor(readonly args: readonly string[]) {}

  addBool(name: string, defaultValue = false): BuildFlag {
    return this.add(name, 'bool', defaultValue ? 'true' : 'false');
  }

  addString(name: string, defaultValue = ''): BuildFlag {
    return this.add(name, 'string', defaultValue);
  }

  addStrings(name: string): BuildFlag {
    return this.add(name, 'strings', '');
  }

  private add(name: string, type: FlagType, defaultValue: string): BuildFlag {
    if (this.declared.has(name)) this.declarationError ??= `Duplicate flag defined: ${name}`;
    const flag = new BuildFlag(name, type, defaultValue);
    this.declared.set(name, flag);
    return flag;
  }

  /** Names of the flags given, in the order first seen. */
  used(): string[] {
    return [...this.seen.keys()];
  }

  /** Reads the given flags into the declared ones; throws buildkit's errors. A `--` ends the flags. */
  parse(): void {
    if (this.declarationError) throw new Error(`error setting up flags: ${this.declarationError}`);
    for (const arg of this.args) {
      if (arg === '--') return;
      if (!arg.startsWith('--')) throw new Error(`arg should start with -- : ${arg}`);
      const equals = arg.indexOf('=');
      const flagName = equals < 0 ? arg : arg.slice(0, equals);
      const hasValue = equals >= 0;
      const value = hasValue ? arg.slice(equals + 1) : '';
      const name = flagName.slice(2);
      const flag = this.declared.get(name);
      if (!flag) throw new Error(withSuggestion(`unknown flag: ${flagName}`, name, [...this.declared.keys()], true));
      if (this.seen.has(name) && flag.type !== 'strings') throw new Error(`duplicate flag specified: ${flagName}`);
      this.seen.set(name, flag);
      switch (flag.type) {
        case 'bool':
          if (hasValue && value === '') throw new Error(`missing a value on flag: ${flagName}`);
          if (value.toLowerCase() === 'true' || value === '') flag.value = 'true';
          else if (value.toLowerCase() === 'false') flag.value = 'false';
          else throw new Error(`expecting boolean value for flag ${flagName}, not: ${value}`);
          break;
        case 'string':
          if (!hasValue) throw new Error(`missing a value on flag: ${flagName}`);
          flag.value = value;
          break;
        case 'strings':
          if (!hasValue) throw new Error(`missing a value on flag: ${flagName}`);
          flag.values.push(value);
          break;
      }
    }
  }
}
