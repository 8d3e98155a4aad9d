// A cobra-like command tree configured the way docker/cli configures cobra: commands are declared
// once (name, aliases, usage, flags, argument rules, run) and mounted wherever docker shows them
// (`docker ps` and `docker container ls` share a definition). execute() reproduces docker's main:
// global flags first, then cobra's Traverse, flag parsing, --help, argument checks, exit codes.

import { FlagError, FlagSet, HelpRequested } from './flagset';

/** Where a command writes; the terminal width decides how --help wraps (docker uses 80 off a TTY). */
export interface CliStreams {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Columns of the terminal on stdin, if any. */
  columns?: number;
}

/** An error that ends the command with a given exit status (docker's cli.StatusError). */
export class StatusError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** What argument validators and run functions may know about the command being run. */
export interface CommandInfo {
  readonly name: string;
  /** "docker container ls" */
  readonly path: string;
  /** "docker container ls [OPTIONS]" (docker never appends cobra's "[flags]"). */
  readonly useLine: string;
  readonly rootName: string;
  readonly hasSubCommands: boolean;
}

/** Throws (an Error whose message docker prints) when the positional arguments are wrong. */
export type ArgsValidator = (command: CommandInfo, args: readonly string[]) => void;

export interface RunContext<O, E extends CliStreams> {
  readonly args: readonly string[];
  readonly options: O;
  readonly flags: FlagSet;
  readonly command: CommandInfo;
  readonly env: E;
  /** Prints this command's help (docker's ShowHelp writes it to stderr). */
  showHelp(write?: (text: string) => void): void;
}

export interface CommandSpec<O, E extends CliStreams> {
  /** "rm [OPTIONS] CONTAINER [CONTAINER...]"; the first word is the name. */
  use: string;
  aliases?: readonly string[];
  short: string;
  long?: string;
  example?: string;
  hidden?: boolean;
  /** Set: running the command first prints `Command "x" is deprecated, <text>`. */
  deprecated?: string;
  /** docker's "aliases" annotation: every way to call the command, shown under "Aliases:". */
  aliasesText?: string;
  /** docker's "category-top" annotation: root help lists it under "Common Commands:" in this order. */
  categoryTop?: number;
  /** docker's "swarm" annotation: root help lists it under "Swarm Commands:". */
  swarm?: boolean;
  args?: ArgsValidator;
  /** false stops flag parsing at the first positional argument (`docker run IMAGE CMD -x`). */
  interspersed?: boolean;
  /** Keep flags in definition order in --help instead of sorting them by name. */
  unsortedFlags?: boolean;
  flags?: (flags: FlagSet) => O;
  /** Flags every subcommand inherits (the root's hidden --help). */
  persistentFlags?: (flags: FlagSet) => void;
  run?: (context: RunContext<O, E>) => void | Promise<void>;
  subcommands?: readonly CommandDefinition<E>[];
  /** Root only: printed for -v/--version when the root defines a "version" flag. */
  version?: string;
}

/** A declared command; O (its options) is hidden so definitions of any kind fit in one tree. */
export interface CommandDefinition<E extends CliStreams> {
  readonly use: string;
  readonly spec: CommandSpec<unknown, E>;
  readonly subcommands: readonly CommandDefinition<E>[];
}

export function defineCommand<O, E extends CliStreams = CliStreams>(spec: CommandSpec<O, E>): CommandDefinition<E> {
  return { use: spec.use, spec: spec as unknown as CommandSpec<unknown, E>, subcommands: spec.subcommands ?? [] };
}

const minNamePadding = 11;

/** One mounted command of a tree built for a single execution (flag values are per run). */
export class Command<E extends CliStreams> implements CommandInfo {
  readonly children: Command<E>[] = [];
  readonly flags: FlagSet;
  readonly persistentFlags: FlagSet;
  readonly localFlags: FlagSet;
  options: unknown;
  maxChildNameLength = 0;
  isHelpCommand = false;

  constructor(
    readonly spec: CommandSpec<unknown, E>,
    readonly parent: Command<E> | undefined,
  ) {
    this.localFlags = new FlagSet(this.name);
    this.localFlags.sortFlags = !spec.unsortedFlags;
    this.options = spec.flags ? spec.flags(this.localFlags) : undefined;
    this.localFlags.interspersed = spec.interspersed ?? true;
    this.persistentFlags = new FlagSet(this.name);
    spec.persistentFlags?.(this.persistentFlags);
    this.flags = this.localFlags;
  }

  get name(): string {
    const space = this.spec.use.indexOf(' ');
    return space === -1 ? this.spec.use : this.spec.use.slice(0, space);
  }
  get path(): string {
    return this.parent ? `${this.parent.path} ${this.name}` : this.name;
  }
  get useLine(): string {
    return this.parent ? `${this.parent.path} ${this.spec.use}` : this.spec.use;
  }
  get root(): Command<E> {
    return this.parent ? this.parent.root : this;
  }
  get rootName(): string {
    return this.root.name;
  }
  get hasSubCommands(): boolean {
    return this.children.length > 0;
  }
  get runnable(): boolean {
    return this.spec.run !== undefined;
  }
  get isAvailable(): boolean {
    if (this.spec.deprecated || this.spec.hidden || this.isHelpCommand) return false;
    return this.runnable || this.children.some((child) => child.isAvailable);
  }
  get namePadding(): number {
    return this.parent && this.parent.maxChildNameLength > minNamePadding ? this.parent.maxChildNameLength : minNamePadding;
  }

  add(child: Command<E>): void {
    this.children.push(child);
    this.maxChildNameLength = Math.max(this.maxChildNameLength, child.name.length);
  }

  /** The subcommand called `word` (by name or alias). */
  findChild(word: string): Command<E> | undefined {
    return this.children.find((child) => child.name === word || (child.spec.aliases ?? []).includes(word));
  }

  /** Merges the persistent flags of the command and its ancestors into its flag set (cobra does this lazily). */
  mergePersistentFlags(): void {
    this.flags.addFlagSet(this.persistentFlags);
    for (let ancestor = this.parent; ancestor; ancestor = ancestor.parent) this.flags.addFlagSet(ancestor.persistentFlags);
  }
}

function buildTree<E extends CliStreams>(definition: CommandDefinition<E>, parent?: Command<E>): Command<E> {
  const command = new Command(definition.spec, parent);
  for (const child of definition.subcommands) command.add(buildTree(child, command));
  return command;
}

// ---- argument validators (docker's cli/required.go) ----

function plural(word: string, count: number): string {
  return count === 1 ? word : `${word}s`;
}

export const noArgs: ArgsValidator = (command, args) => {
  if (args.length === 0) return;
  if (command.hasSubCommands) {
    throw new Error(
      `${command.rootName}: unknown command: ${command.path} ${args[0]}\n\nUsage:  ${command.useLine}\n\nRun '${command.path} --help' for more information`,
    );
  }
  throw new Error(
    `${command.rootName}: '${command.path}' accepts no arguments\n\nUsage:  ${command.useLine}\n\nRun '${command.path} --help' for more information`,
  );
};

export function requiresMinArgs(min: number): ArgsValidator {
  return (command, args) => {
    if (args.length >= min) return;
    throw new Error(
      `${command.rootName}: '${command.path}' requires at least ${min} ${plural('argument', min)}\n\nUsage:  ${command.useLine}\n\nSee '${command.path} --help' for more information`,
    );
  };
}

export function requiresMaxArgs(max: number): ArgsValidator {
  return (command, args) => {
    if (args.length <= max) return;
    // "SRun" is docker's own typo in v28, kept so the text matches.
    throw new Error(
      `${command.rootName}: '${command.path}' requires at most ${max} ${plural('argument', max)}\n\nUsage:  ${command.useLine}\n\nSRun '${command.path} --help' for more information`,
    );
  };
}

export function requiresRangeArgs(min: number, max: number): ArgsValidator {
  return (command, args) => {
    if (args.length >= min && args.length <= max) return;
    throw new Error(
      `${command.rootName}: '${command.path}' requires at least ${min} and at most ${max} ${plural('argument', max)}\n\nUsage:  ${command.useLine}\n\nRun '${command.path} --help' for more information`,
    );
  };
}

export function exactArgs(count: number): ArgsValidator {
  return (command, args) => {
    if (args.length === count) return;
    throw new Error(
      `${command.rootName}: '${command.path}' requires ${count} ${plural('argument', count)}\n\nUsage:  ${command.useLine}\n\nRun '${command.path} --help' for more information`,
    );
  };
}

// ---- help ----

function rpad(text: string, width: number): string {
  return text.length >= width ? text : text + ' '.repeat(width - text.length);
}

function aliasesLine<E extends CliStreams>(command: Command<E>): string {
  if (command.spec.aliasesText) return command.spec.aliasesText;
  const parentPath = command.parent ? `${command.parent.path} ` : '';
  return [command.path, ...(command.spec.aliases ?? []).map((alias) => parentPath + alias)].join(', ');
}

function trimRight(text: string): string {
  return text.replace(/\s+$/, '');
}

/** docker's usage template (cli/cobra.go), rendered directly. */
export function renderHelp<E extends CliStreams>(command: Command<E>, columns = 80): string {
  command.mergePersistentFlags();
  const flagUsages = (): string => trimRight(command.flags.usages(columns - 1));
  let out = 'Usage:';
  if (!command.hasSubCommands) out += `  ${command.useLine}`;
  else out += `  ${command.path}${command.flags.hasAvailableFlags() ? ' [OPTIONS]' : ''} COMMAND`;
  out += '\n\n' + (command.spec.long ? command.spec.long.trim() : command.spec.short.trim());
  if ((command.spec.aliases?.length ?? 0) > 0 || command.spec.aliasesText) out += `\n\nAliases:\n  ${aliasesLine(command)}`;
  if (command.spec.example) out += `\n\nExamples:\n${command.spec.example}`;
  if (command.parent && command.flags.hasAvailableFlags()) out += `\n\nOptions:\n${flagUsages()}`;
  const isRoot = command.parent === undefined;
  const available = command.children.filter((child) => child.isAvailable);
  const top = isRoot ? available.filter((child) => child.spec.categoryTop !== undefined) : [];
  top.sort((a, b) => (a.spec.categoryTop ?? 0) - (b.spec.categoryTop ?? 0));
  const listDecorated = (title: string, commands: Command<E>[]): void => {
    if (commands.length === 0) return;
    out += `\n\n${title}:`;
    for (const child of commands) out += `\n  ${rpad(child.name + ' ', child.namePadding + 1)}${child.spec.short}`;
  };
  listDecorated('Common Commands', top);
  const management = available.filter((child) => child.hasSubCommands);
  listDecorated('Management Commands', management.filter((child) => !child.spec.swarm));
  listDecorated('Swarm Commands', management.filter((child) => child.spec.swarm));
  const operations = available.filter((child) => !child.hasSubCommands && !(isRoot && child.spec.categoryTop !== undefined));
  if (operations.length > 0) {
    out += '\n\nCommands:';
    for (const child of operations) out += `\n  ${rpad(child.name, child.namePadding)} ${child.spec.short}`;
  }
  if (isRoot && command.flags.hasAvailableFlags()) out += `\n\nGlobal Options:\n${flagUsages()}`;
  if (command.hasSubCommands) out += `\n\nRun '${command.path} COMMAND --help' for more information on a command.`;
  if (isRoot) out += '\n\nFor more help on how to use Docker, head to https://docs.docker.com/go/guides/';
  return out + '\n';
}

// ---- execution ----

/** cobra's hasNoOptDefVal: whether `--name` needs no value. */
function longTakesNoValue(name: string, flags: FlagSet): boolean {
  return (flags.lookup(name)?.noOptDefault ?? '') !== '';
}

function shortTakesNoValue(letter: string, flags: FlagSet): boolean {
  return flags.all().some((flag) => flag.shorthand === letter && flag.noOptDefault !== '');
}

/**
 * cobra's Traverse: walks subcommand names, parsing the flags met on the way on each parent;
 * returns the command to run and the arguments left for it.
 */
function traverse<E extends CliStreams>(command: Command<E>, args: readonly string[]): [Command<E>, readonly string[]] {
  command.mergePersistentFlags();
  const flags: string[] = [];
  let expectingValue = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg.startsWith('--') && !arg.includes('=')) {
      expectingValue = !longTakesNoValue(arg.slice(2), command.flags);
      flags.push(arg);
      continue;
    }
    if (arg.startsWith('-') && !arg.includes('=') && arg.length === 2 && !shortTakesNoValue(arg.slice(1), command.flags)) {
      expectingValue = true;
      flags.push(arg);
      continue;
    }
    if (expectingValue) {
      expectingValue = false;
      flags.push(arg);
      continue;
    }
    if (arg.startsWith('-') && arg.length > 1) {
      flags.push(arg);
      continue;
    }
    const next = command.findChild(arg);
    if (!next) return [command, args];
    parseFlags(command, flags);
    return traverse(next, args.slice(i + 1));
  }
  return [command, args];
}

function parseFlags<E extends CliStreams>(command: Command<E>, args: readonly string[]): void {
  command.mergePersistentFlags();
  try {
    command.flags.parse(args);
  } catch (error) {
    if (error instanceof FlagError) throw flagError(command, error.message);
    throw error;
  }
}

/** docker's FlagErrorFunc: the parse error, the usage line, exit status 125. */
function flagError<E extends CliStreams>(command: Command<E>, message: string): StatusError {
  return new StatusError(`${message}\n\nUsage:  ${command.useLine}\n\nRun '${command.path} --help' for more information`, 125);
}

function helpRequested<E extends CliStreams>(command: Command<E>): boolean {
  const help = command.flags.lookup('help');
  return help !== undefined && help.value.value === true;
}

async function runCommand<E extends CliStreams>(command: Command<E>, args: readonly string[], env: E): Promise<void> {
  if (command.spec.deprecated) env.stdout(`Command "${command.name}" is deprecated, ${command.spec.deprecated}\n`);
  command.flags.notices = [];
  try {
    parseFlags(command, args);
  } catch (error) {
    if (error instanceof HelpRequested) {
      env.stdout(renderHelp(command, env.columns));
      return;
    }
    throw error;
  } finally {
    for (const notice of command.flags.notices) env.stdout(notice);
  }
  if (helpRequested(command)) {
    env.stdout(renderHelp(command, env.columns));
    return;
  }
  const root = command.root;
  if (command === root && root.spec.version !== undefined && root.flags.lookup('version')?.value.value === true) {
    env.stdout(root.spec.version);
    return;
  }
  const positional = command.flags.args;
  const run = command.spec.run;
  if (!run) {
    // docker's management commands (container, image...): no arguments, help on stderr.
    noArgs(command, positional);
    env.stderr(renderHelp(command, env.columns));
    return;
  }
  command.spec.args?.(command, positional);
  await run({
    args: positional,
    options: command.options,
    flags: command.flags,
    command,
    env,
    showHelp: (write = env.stderr) => write(renderHelp(command, env.columns)),
  });
}

/** docker's help command: `docker help ps`. */
function helpCommand<E extends CliStreams>(root: Command<E>): Command<E> {
  const help = new Command<E>(
    {
      use: 'help [command]',
      short: 'Help about the command',
      run: ({ args, env }) => {
        let target = root;
        for (const word of args) {
          const next = target.findChild(word);
          if (!next) throw new Error(`unknown help topic: ${args.join(' ')}`);
          target = next;
        }
        env.stdout(renderHelp(target, env.columns));
      },
    },
    root,
  );
  help.isHelpCommand = true;
  return help;
}

/** The root's default run: help on stderr without arguments, else docker's unknown-command error. */
function rootRun<E extends CliStreams>({ args, command, showHelp }: RunContext<unknown, E>): void {
  if (args.length === 0) {
    showHelp();
    return;
  }
  throw new Error(`${command.rootName}: unknown command: ${command.rootName} ${args[0]}\n\nRun '${command.rootName} --help' for more information`);
}

/** Builds the command tree of `definition` for one run (fresh flag values every time). */
export function createCommandTree<E extends CliStreams>(definition: CommandDefinition<E>): Command<E> {
  const spec: CommandSpec<unknown, E> = { ...definition.spec, run: definition.spec.run ?? rootRun };
  const root = buildTree<E>({ ...definition, spec });
  if (!root.findChild('help')) root.add(helpCommand(root));
  return root;
}

/** Runs docker-style argv (without the program name) and returns the exit status. */
export async function execute<E extends CliStreams>(definition: CommandDefinition<E>, argv: readonly string[], env: E): Promise<number> {
  const root = createCommandTree(definition);
  try {
    // Global options first, stopping at the first word (docker's HandleGlobalFlags).
    root.mergePersistentFlags();
    root.flags.interspersed = false;
    root.flags.notices = [];
    try {
      root.flags.parse(argv);
    } catch (error) {
      if (error instanceof FlagError) throw flagError(root, error.message);
      if (error instanceof HelpRequested) {
        env.stdout(renderHelp(root, env.columns));
        return 0;
      }
      throw error;
    } finally {
      for (const notice of root.flags.notices) env.stdout(notice);
    }
    const rest = root.flags.args;
    root.flags.interspersed = root.spec.interspersed ?? true;
    const [command, args] = traverse(root, rest);
    await runCommand(command, args, env);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (message !== '') env.stderr(message + '\n');
    return error instanceof StatusError && error.status !== 0 ? error.status : 1;
  }
}

/** The hidden `--help` every docker command accepts (and `-h`, deprecated, where it is free). */
export function addHelpFlag(flags: FlagSet): void {
  flags.bool('help', 'h', false, 'Print usage');
  flags.markShorthandDeprecated('help', 'use --help');
  flags.markHidden('help');
}
