// buildkit's instructions package (v0.22.0, as vendored by moby v28.2.2, whose legacy builder uses
// it): the untyped tree → typed instructions and build stages, with buildkit's error texts.
//
// The texts a user sees from the legacy builder (POST /build) are:
//   parser errors:       "failed to parse Dockerfile: file with no instructions" (moby adds the prefix)
//   instruction errors:  "dockerfile parse error on line 3: unknown instruction: LABLE (did you mean LABEL?)"
//                        (InstructionParseError below; the line is where the instruction starts)
//   no FROM first:       "no build stage in current context"

import { goTrimSpace } from '../go-text';
import { goQuote } from '../../../go/strconv';
import { chompHeredocContent, LocatedError, parseHeredoc, type Heredoc, type Node } from '../parser';
import { BuildFlags, type BuildFlag } from './flags';
import { parseGoDuration, parseGoInt32 } from './go-numbers';
import { withSuggestion } from './suggest';
import type {
  AddCommand,
  ArgCommand,
  CmdCommand,
  Command,
  CommandBase,
  CopyCommand,
  EntrypointCommand,
  EnvCommand,
  ExposeCommand,
  HealthCheckCommand,
  HealthConfig,
  KeyValuePair,
  KeyValuePairOptional,
  LabelCommand,
  MaintainerCommand,
  OnbuildCommand,
  RunCommand,
  ShellCommand,
  ShellDependentCmdLine,
  SourcesAndDest,
  Stage,
  StopSignalCommand,
  UserCommand,
  VolumeCommand,
  WorkdirCommand,
} from './commands';

/** The instruction words buildkit knows, in a fixed order (for "did you mean"). */
export const instructionNames = [
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
] as const;

/** "unknown instruction: LABLE (did you mean LABEL?)". */
export class UnknownInstructionError extends LocatedError {
  override name = 'UnknownInstructionError';
  constructor(
    readonly instruction: string,
    startLine: number,
    endLine: number,
  ) {
    super(withSuggestion(`unknown instruction: ${instruction}`, instruction, instructionNames, false), startLine, endLine);
  }
}

/** An instruction that failed, as instructions.Parse reports it: "dockerfile parse error on line N: …". */
export class InstructionParseError extends LocatedError {
  override name = 'InstructionParseError';
  constructor(
    readonly detail: string,
    startLine: number,
    endLine: number,
    options?: { cause?: unknown },
  ) {
    super(`dockerfile parse error on line ${startLine}: ${detail}`, startLine, endLine, options);
  }
}

/** What parseInstruction works from: buildkit's parseRequest. */
interface Request {
  command: string;
  args: string[];
  heredocs: Heredoc[];
  json: boolean;
  flags: BuildFlags;
  original: string;
  comments: string[];
  base: CommandBase;
}

/** The arguments of an instruction node; a nested instruction (ONBUILD) gives its word then its args. */
function nodeArgs(node: Node): string[] {
  const result: string[] = [];
  for (let arg = node.next; arg; arg = arg.next) {
    if (arg.children.length === 0) result.push(arg.value);
    else if (arg.children.length === 1) result.push(arg.children[0].value, ...nodeArgs(arg.children[0]));
  }
  return result;
}

function requestFromNode(node: Node): Request {
  return {
    command: node.value,
    args: nodeArgs(node),
    heredocs: node.heredocs,
    json: node.attributes.json === true,
    flags: new BuildFlags(node.flags),
    original: node.original,
    comments: node.prevComment,
    base: { name: node.value, code: goTrimSpace(node.original), startLine: node.startLine, endLine: node.endLine },
  };
}

const errAtLeastOneArgument = (command: string): Error => new Error(`${command} requires at least one argument`);
const errExactlyOneArgument = (command: string): Error => new Error(`${command} requires exactly one argument`);
const errNoDestinationArgument = (command: string): Error =>
  new Error(`${command} requires at least two arguments, but only one was provided. Destination could not be determined`);

/** The text after `name ` in one of the comment lines above, or "". */
function commentFor(comments: readonly string[], name: string): string {
  if (name === '') return '';
  for (const line of comments) if (line.startsWith(`${name} `)) return line.slice(name.length + 1);
  return '';
}

function parseKeyValuePairs(args: readonly string[], command: string): KeyValuePair[] {
  if (args.length === 0) throw errAtLeastOneArgument(command);
  if (args.length % 3 !== 0) throw new Error(`Bad input to ${command}, too many arguments`);
  const pairs: KeyValuePair[] = [];
  for (let i = 0; i < args.length; i += 3) {
    if (args[i] === '') throw new Error(`${command} names can not be blank`);
    pairs.push({ key: args[i], value: args[i + 1], noDelim: args[i + 2] === '' });
  }
  return pairs;
}

/** Exec form keeps the array; shell form joins the words into one string. */
function handleJsonArgs(args: readonly string[], json: boolean): string[] {
  if (args.length === 0) return [];
  return json ? [...args] : [args.join(' ')];
}

function shellDependentCmdLine(req: Request): ShellDependentCmdLine {
  return {
    cmdLine: handleJsonArgs(req.args, req.json),
    files: req.heredocs.map((heredoc) => ({ name: heredoc.name, data: heredoc.content, chomp: heredoc.chomp })),
    prependShell: !req.json,
  };
}

function parseSourcesAndDest(req: Request, command: string): SourcesAndDest {
  const dest = req.args[req.args.length - 1];
  if (parseHeredocQuietly(dest)) throw new Error(`${command} cannot accept a heredoc as a destination`);
  const sources = req.args.slice(0, -1);
  const bodies = new Map(req.heredocs.map((heredoc) => [heredoc.name, heredoc]));
  const result: SourcesAndDest = { destPath: dest, sourcePaths: [], sourceContents: [] };
  for (const source of sources) {
    const heredoc = parseHeredocQuietly(source);
    if (!heredoc) {
      result.sourcePaths.push(source);
      continue;
    }
    let data = bodies.get(heredoc.name)?.content ?? '';
    if (heredoc.chomp) data = chompHeredocContent(data);
    result.sourceContents.push({ path: heredoc.name, data, expand: heredoc.expand });
  }
  return result;
}

/** MustParseHeredoc: a badly quoted heredoc word counts as no heredoc. */
function parseHeredocQuietly(word: string): Heredoc | undefined {
  try {
    return parseHeredoc(word);
  } catch {
    return undefined;
  }
}

function parseEnv(req: Request): EnvCommand {
  req.flags.parse();
  return { kind: 'env', ...req.base, env: parseKeyValuePairs(req.args, 'ENV') };
}

function parseMaintainer(req: Request): MaintainerCommand {
  if (req.args.length !== 1) throw errExactlyOneArgument('MAINTAINER');
  req.flags.parse();
  return { kind: 'maintainer', ...req.base, maintainer: req.args[0] };
}

function parseLabel(req: Request): LabelCommand {
  req.flags.parse();
  return { kind: 'label', ...req.base, labels: parseKeyValuePairs(req.args, 'LABEL') };
}

function parseAdd(req: Request): AddCommand {
  if (req.args.length < 2) throw errNoDestinationArgument('ADD');
  const chown = req.flags.addString('chown');
  const chmod = req.flags.addString('chmod');
  const link = req.flags.addBool('link');
  const keepGitDir = req.flags.addBool('keep-git-dir');
  const checksum = req.flags.addString('checksum');
  req.flags.parse();
  return {
    kind: 'add',
    ...req.base,
    ...parseSourcesAndDest(req, 'ADD'),
    chown: chown.value,
    chmod: chmod.value,
    link: link.value === 'true',
    keepGitDir: keepGitDir.value === 'true',
    checksum: checksum.value,
  };
}

function parseCopy(req: Request): CopyCommand {
  if (req.args.length < 2) throw errNoDestinationArgument('COPY');
  // --parents and --exclude exist only in buildkit's labs builds, not in moby's
  const chown = req.flags.addString('chown');
  const from = req.flags.addString('from');
  const chmod = req.flags.addString('chmod');
  const link = req.flags.addBool('link');
  req.flags.parse();
  return {
    kind: 'copy',
    ...req.base,
    ...parseSourcesAndDest(req, 'COPY'),
    from: from.value,
    chown: chown.value,
    chmod: chmod.value,
    link: link.value === 'true',
  };
}

const validStageName = /^[a-z][a-z0-9-_.]*$/;

function parseFrom(req: Request): Stage {
  let name = '';
  if (req.args.length === 3 && req.args[1].toLowerCase() === 'as') {
    name = req.args[2].toLowerCase();
    if (!validStageName.test(name)) {
      throw new Error(`invalid name for build stage: ${goQuote(req.args[2])}, name can't start with a number or contain symbols`);
    }
  } else if (req.args.length !== 1) {
    throw new Error('FROM requires either one or three arguments');
  }
  const platform = req.flags.addString('platform');
  req.flags.parse();
  return {
    kind: 'stage',
    name,
    commands: [],
    origCmd: req.command,
    baseName: req.args[0],
    platform: platform.value,
    comment: commentFor(req.comments, name),
    sourceCode: goTrimSpace(req.original),
    startLine: req.base.startLine,
    endLine: req.base.endLine,
  };
}

function parseOnbuild(req: Request): OnbuildCommand {
  if (req.args.length === 0) throw errAtLeastOneArgument('ONBUILD');
  req.flags.parse();
  const trigger = goTrimSpace(req.args[0]).toUpperCase();
  if (trigger === 'ONBUILD') throw new Error('Chaining ONBUILD via `ONBUILD ONBUILD` isn\'t allowed');
  if (trigger === 'MAINTAINER' || trigger === 'FROM') throw new Error(`${trigger} isn't allowed as an ONBUILD trigger`);
  let expression = req.original.replace(/^[\t\n\f\r ]*ONBUILD[\t\n\f\r ]*/i, '');
  for (const heredoc of req.heredocs) expression += `\n${heredoc.content}${heredoc.name}`;
  return { kind: 'onbuild', ...req.base, expression };
}

function parseWorkdir(req: Request): WorkdirCommand {
  if (req.args.length !== 1) throw errExactlyOneArgument('WORKDIR');
  req.flags.parse();
  return { kind: 'workdir', ...req.base, path: req.args[0] };
}

const networkModes = ['default', 'none', 'host'];

function parseRun(req: Request): RunCommand {
  // the flags of buildkit's default build (--security needs its dfrunsecurity tag)
  const devices = req.flags.addStrings('device');
  const mounts = req.flags.addStrings('mount');
  const network = req.flags.addString('network', 'default');
  req.flags.parse();
  if (!networkModes.includes(network.value)) throw new Error(`invalid network mode ${goQuote(network.value)}`);
  return {
    kind: 'run',
    ...req.base,
    ...shellDependentCmdLine(req),
    flagsUsed: req.flags.used(),
    mounts: [...mounts.values],
    network: network.value,
    devices: [...devices.values],
  };
}

function parseCmd(req: Request): CmdCommand {
  req.flags.parse();
  return { kind: 'cmd', ...req.base, ...shellDependentCmdLine(req) };
}

function parseEntrypoint(req: Request): EntrypointCommand {
  req.flags.parse();
  return { kind: 'entrypoint', ...req.base, ...shellDependentCmdLine(req) };
}

/** A duration flag: 0 when absent or zero, else at least 1ms. */
function parseOptInterval(flag: BuildFlag): number {
  if (flag.value === '') return 0;
  const nanos = parseGoDuration(flag.value);
  if (nanos === 0) return 0;
  if (nanos < 1_000_000) throw new Error(`Interval ${goQuote(flag.name)} cannot be less than 1ms`);
  return nanos;
}

function parseHealthcheck(req: Request): HealthCheckCommand {
  if (req.args.length === 0) throw errAtLeastOneArgument('HEALTHCHECK');
  let type = req.args[0].toUpperCase();
  const args = req.args.slice(1);
  if (type === 'NONE') {
    if (args.length !== 0) throw new Error('HEALTHCHECK NONE takes no arguments');
    const health: HealthConfig = { test: ['NONE'], interval: 0, timeout: 0, startPeriod: 0, startInterval: 0, retries: 0 };
    return { kind: 'healthcheck', ...req.base, health };
  }
  const interval = req.flags.addString('interval');
  const timeout = req.flags.addString('timeout');
  const startPeriod = req.flags.addString('start-period');
  const startInterval = req.flags.addString('start-interval');
  const retriesFlag = req.flags.addString('retries');
  req.flags.parse();
  if (type !== 'CMD') throw new Error(`Unknown type ${goQuote(type)} in HEALTHCHECK (try CMD)`);
  const command = handleJsonArgs(args, req.json);
  if (command.length === 0) throw new Error('Missing command after HEALTHCHECK CMD');
  if (!req.json) type = 'CMD-SHELL';
  const health: HealthConfig = {
    test: [type, ...command],
    interval: parseOptInterval(interval),
    timeout: parseOptInterval(timeout),
    startPeriod: parseOptInterval(startPeriod),
    startInterval: parseOptInterval(startInterval),
    retries: 0,
  };
  if (retriesFlag.value !== '') {
    const retries = parseGoInt32(retriesFlag.value);
    if (retries < 0) throw new Error(`--retries cannot be negative (${retries})`);
    health.retries = retries;
  }
  return { kind: 'healthcheck', ...req.base, health };
}

function parseExpose(req: Request): ExposeCommand {
  if (req.args.length === 0) throw errAtLeastOneArgument('EXPOSE');
  req.flags.parse();
  return { kind: 'expose', ...req.base, ports: [...req.args].sort() };
}

function parseUser(req: Request): UserCommand {
  if (req.args.length !== 1) throw errExactlyOneArgument('USER');
  req.flags.parse();
  return { kind: 'user', ...req.base, user: req.args[0] };
}

function parseVolume(req: Request): VolumeCommand {
  if (req.args.length === 0) throw errAtLeastOneArgument('VOLUME');
  req.flags.parse();
  const volumes = req.args.map((volume) => goTrimSpace(volume));
  if (volumes.includes('')) throw new Error('VOLUME specified can not be an empty string');
  return { kind: 'volume', ...req.base, volumes };
}

function parseStopSignal(req: Request): StopSignalCommand {
  // buildkit never parses STOPSIGNAL's flags, so any are ignored
  if (req.args.length !== 1) throw errExactlyOneArgument('STOPSIGNAL');
  return { kind: 'stopsignal', ...req.base, signal: req.args[0] };
}

function parseArg(req: Request): ArgCommand {
  // nor ARG's
  if (req.args.length < 1) throw errAtLeastOneArgument('ARG');
  const args: KeyValuePairOptional[] = req.args.map((arg) => {
    const equals = arg.indexOf('=');
    if (equals === 0) throw new Error('ARG names can not be blank');
    const pair: KeyValuePairOptional = equals < 0 ? { key: arg, comment: '' } : { key: arg.slice(0, equals), value: arg.slice(equals + 1), comment: '' };
    pair.comment = commentFor(req.comments, pair.key);
    return pair;
  });
  return { kind: 'arg', ...req.base, args };
}

function parseShell(req: Request): ShellCommand {
  req.flags.parse();
  const shell = handleJsonArgs(req.args, req.json);
  if (shell.length === 0) throw errAtLeastOneArgument('SHELL');
  if (!req.json) throw new Error('SHELL requires the arguments to be in JSON form');
  return { kind: 'shell', ...req.base, shell };
}

const parsers = new Map<string, (req: Request) => Command | Stage>([
  ['env', parseEnv],
  ['maintainer', parseMaintainer],
  ['label', parseLabel],
  ['add', parseAdd],
  ['copy', parseCopy],
  ['from', parseFrom],
  ['onbuild', parseOnbuild],
  ['workdir', parseWorkdir],
  ['run', parseRun],
  ['cmd', parseCmd],
  ['healthcheck', parseHealthcheck],
  ['entrypoint', parseEntrypoint],
  ['expose', parseExpose],
  ['user', parseUser],
  ['volume', parseVolume],
  ['stopsignal', parseStopSignal],
  ['arg', parseArg],
  ['shell', parseShell],
]);

/**
 * One instruction node → a typed command, or a Stage for FROM. Throws LocatedError (the bare
 * buildkit text, e.g. "ENV names can not be blank") or UnknownInstructionError.
 */
export function parseInstruction(node: Node): Command | Stage {
  const parse = parsers.get(node.value.toLowerCase());
  if (!parse) throw new UnknownInstructionError(node.value, node.startLine, node.endLine);
  try {
    return parse(requestFromNode(node));
  } catch (error) {
    if (error instanceof LocatedError) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new LocatedError(message, node.startLine, node.endLine, { cause: error });
  }
}

/** ARGs before the first FROM (meta args, usable in FROM lines) and the stages. */
export interface Instructions {
  metaArgs: ArgCommand[];
  stages: Stage[];
}

/**
 * The whole tree → stages, as instructions.Parse: an instruction error becomes
 * InstructionParseError ("dockerfile parse error on line N: …"); an instruction other than ARG
 * before the first FROM is "no build stage in current context".
 */
export function parseInstructions(ast: Node): Instructions {
  const result: Instructions = { metaArgs: [], stages: [] };
  for (const node of ast.children) {
    let parsed: Command | Stage;
    try {
      parsed = parseInstruction(node);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new InstructionParseError(message, node.startLine, node.endLine, { cause: error });
    }
    if (parsed.kind === 'stage') {
      result.stages.push(parsed);
      continue;
    }
    if (result.stages.length === 0) {
      if (parsed.kind === 'arg') {
        result.metaArgs.push(parsed);
        continue;
      }
      throw new LocatedError('no build stage in current context', node.startLine, node.endLine);
    }
    result.stages[result.stages.length - 1].commands.push(parsed);
  }
  return result;
}

/** The stage a name refers to (stage names are case-insensitive), or -1. */
export function findStage(stages: readonly Stage[], name: string): number {
  return stages.findIndex((stage) => stage.name.toLowerCase() === name.toLowerCase());
}
