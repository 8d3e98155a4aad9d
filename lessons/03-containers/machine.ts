// What the checks of part 3 read from the machine: containers through the Engine API, and the docker
// commands the learner ran, with their flags read the way the docker CLI reads them (combined short
// flags `-dit`, `--name=web`, `container ls` for `ps`).
import type { DockerCommandRecord, LessonEnv, Localized } from '../../src/lessons/types';

/** One entry of GET /containers/json?all=1. */
export interface ContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  Command: string;
  State: string;
  Status: string;
}

/** The parts of GET /containers/{id}/json the checks read. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Path: string;
  Args: string[];
  RestartCount: number;
  State: { Status: string; Running: boolean; Paused: boolean; ExitCode: number; Pid: number; StartedAt: string; FinishedAt: string };
  Config: {
    Hostname: string;
    User: string;
    Env: string[] | null;
    WorkingDir: string;
    Entrypoint: string[] | null;
    Cmd: string[] | null;
    Image: string;
    Tty: boolean;
    OpenStdin: boolean;
    AttachStdin: boolean;
    AttachStdout: boolean;
    AttachStderr: boolean;
  };
  HostConfig: { AutoRemove: boolean; RestartPolicy: { Name: string; MaximumRetryCount: number } };
}

export async function containers(env: LessonEnv): Promise<ContainerSummary[]> {
  const { body } = await env.api<ContainerSummary[]>('GET', '/containers/json?all=1');
  return body ?? [];
}

/** docker inspect of one container by name or id, or undefined when there is none. */
export async function inspect(env: LessonEnv, nameOrId: string): Promise<ContainerInspect | undefined> {
  const { status, body } = await env.api<ContainerInspect>('GET', `/containers/${encodeURIComponent(nameOrId)}/json`);
  return status === 200 ? body : undefined;
}

/** docker inspect of every container (running or not). */
export async function inspectAll(env: LessonEnv): Promise<ContainerInspect[]> {
  const found: ContainerInspect[] = [];
  for (const c of await containers(env)) {
    const i = await inspect(env, c.Id);
    if (i) found.push(i);
  }
  return found;
}

/** The subcommand as docker reads it: `container ls` and `container list` are `ps`, `container run` is `run`. */
export function subcommand(argv: readonly string[]): { name: string; args: readonly string[] } {
  let i = 0;
  while (i < argv.length && argv[i].startsWith('-')) i++; // global flags such as --debug
  let name = argv[i] ?? '';
  let args = argv.slice(i + 1);
  if (name === 'container' && args.length > 0) {
    name = args[0];
    args = args.slice(1);
    if (name === 'ls' || name === 'list') name = 'ps';
  }
  return { name, args };
}

/** Short and long flags of the subcommands of this part that take a value (`-e X`, `--name X`). */
const VALUE_SHORT = new Set(['a', 'e', 'h', 'm', 'u', 'w', 'v', 'p', 'c', 'l', 'f', 'n', 's', 't']);
const VALUE_LONG = new Set([
  'attach', 'env', 'env-file', 'hostname', 'memory', 'user', 'workdir', 'volume', 'publish', 'cpu-shares', 'label',
  'filter', 'format', 'name', 'entrypoint', 'restart', 'tail', 'since', 'until', 'signal', 'time', 'timeout', 'detach-keys',
  'network', 'mount', 'cidfile', 'platform', 'pull', 'stop-signal', 'stop-timeout',
]);
/** Short flags that are booleans for the subcommand although the letter takes a value elsewhere. */
const BOOLEAN_SHORT: Record<string, string> = { ps: 'aqsl', logs: 'ft', rm: 'fvl', start: 'ai', exec: 'dit', attach: '', prune: 'f' };

export interface ParsedFlags {
  /** Flags seen before the first positional argument, by their long or short name, with their values. */
  flags: Map<string, string[]>;
  /** The positional arguments (image, command, containers...). */
  positional: string[];
}

/** Reads the flags of one docker subcommand's arguments (up to the first positional for `run`/`create`/`exec`). */
export function parseFlags(name: string, args: readonly string[]): ParsedFlags {
  const flags = new Map<string, string[]>();
  const positional: string[] = [];
  const booleanShort = BOOLEAN_SHORT[name] ?? (name === 'run' || name === 'create' ? 'dit' : '');
  const add = (flag: string, value: string) => flags.set(flag, [...(flags.get(flag) ?? []), value]);
  const stopAtPositional = name === 'run' || name === 'create' || name === 'exec';
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (stopAtPositional && positional.length > 0) {
      positional.push(a);
      continue;
    }
    if (a === '--') {
      positional.push(...args.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const flag = eq >= 0 ? a.slice(2, eq) : a.slice(2);
      if (eq >= 0) add(flag, a.slice(eq + 1));
      else if (VALUE_LONG.has(flag) && !(name === 'prune' && flag === 'force')) add(flag, args[++i] ?? '');
      else add(flag, 'true');
    } else if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const letter = a[j];
        if (VALUE_SHORT.has(letter) && !booleanShort.includes(letter)) {
          const rest = a.slice(j + 1).replace(/^=/, '');
          add(letter, rest !== '' ? rest : (args[++i] ?? ''));
          break;
        }
        add(letter, 'true');
      }
    } else positional.push(a);
  }
  return { flags, positional };
}

/** A recorded docker command, read: its subcommand, flags and positional arguments. */
export interface ReadCommand extends ParsedFlags {
  name: string;
  record: DockerCommandRecord;
}

export function read(record: DockerCommandRecord): ReadCommand {
  const { name, args } = subcommand(record.argv);
  return { name, record, ...parseFlags(name, args) };
}

/** The learner's docker commands with this subcommand (`ps` includes `container ls`). */
export function ran(env: LessonEnv, name: string): ReadCommand[] {
  return env.commands().map(read).filter((c) => c.name === name);
}

/** Whether a read command has one of these flags (e.g. has(c, 'a', 'all')). */
export function has(c: ReadCommand, ...names: string[]): boolean {
  return names.some((n) => c.flags.has(n) && c.flags.get(n)?.some((v) => v !== 'false'));
}

/** The values given to one of these flags. */
export function values(c: ReadCommand, ...names: string[]): string[] {
  return names.flatMap((n) => c.flags.get(n) ?? []);
}

/** The last docker command, read, when it is this subcommand. */
export function lastIs(last: DockerCommandRecord | undefined, ...names: string[]): ReadCommand | undefined {
  if (!last) return undefined;
  const c = read(last);
  return names.includes(c.name) ? c : undefined;
}

export function missing(zh: string, en: string): { missing: Localized } {
  return { missing: { zh, en } };
}

/** The container's name without docker's leading slash. */
export function nameOf(c: ContainerInspect | ContainerSummary): string {
  return 'Name' in c ? c.Name.replace(/^\//, '') : (c.Names[0] ?? '').replace(/^\//, '');
}

/** The learner's docker commands after the last one that matches (all of them when none matches). */
export function after(records: readonly DockerCommandRecord[], match: (r: DockerCommandRecord) => boolean): DockerCommandRecord[] {
  let i = records.length - 1;
  while (i >= 0 && !match(records[i])) i--;
  return records.slice(i + 1);
}
