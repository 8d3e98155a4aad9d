// docker's seccomp profiles: the JSON format (moby's profiles/seccomp types, read the way Go's
// encoding/json reads them), the conditional rules resolved for one container (moby's setupSeccomp:
// includes/excludes by capability, architecture and kernel version), and the checks runc's specconv
// makes before anything is loaded (actions, operators, architectures, flags), with their error texts.

import { decodeGo, parseGoJson, type GoJson, type GoType } from '../../../go/json';

export interface SeccompArg {
  index: number;
  /** uint64 in the profile; only the low 32 bits exist on i386. */
  value: bigint;
  valueTwo: bigint;
  op: string;
}

export interface SeccompFilter {
  caps?: string[];
  arches?: string[];
  /** "<kernel>.<major>", e.g. "4.8". */
  minKernel?: string;
}

export interface SeccompRule {
  names?: string[];
  /** The old single-name form. */
  name?: string;
  action: string;
  errnoRet?: number;
  args?: SeccompArg[];
  comment?: string;
  includes?: SeccompFilter;
  excludes?: SeccompFilter;
}

export interface SeccompProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures?: string[];
  archMap?: { architecture: string; subArchitectures?: string[] }[];
  flags?: string[];
  syscalls?: SeccompRule[];
}

/** A profile for one container (the runtime spec's LinuxSeccomp): conditions resolved, names listed. */
export interface ResolvedProfile {
  defaultAction: string;
  defaultErrnoRet?: number;
  architectures: string[];
  flags?: string[];
  syscalls: { names: string[]; action: string; errnoRet?: number; args: SeccompArg[] }[];
}

/**
 * Where a profile failed, which decides docker's wording: the daemon (moby, while it makes the
 * runtime spec), runc turning the spec into its config, or runc's init loading the filter.
 */
export type SeccompStage = 'daemon' | 'runtime' | 'init';

export class SeccompError extends Error {
  constructor(
    message: string,
    readonly stage: SeccompStage,
  ) {
    super(message);
    this.name = 'SeccompError';
  }
}

// ---- the JSON format, as Go types ----

const str = (name: string): GoType => ({ kind: 'string', name });
const slice = (elem: GoType): GoType => ({ kind: 'slice', name: `[]${elem.name}`, elem });

/** Go's text of a raw JSON value, for the kernel version's own error messages. */
function rawJson(value: GoJson): string {
  switch (value.kind) {
    case 'null':
      return 'null';
    case 'bool':
      return String(value.value);
    case 'number':
      return value.text;
    case 'string':
      return JSON.stringify(value.value);
    case 'array':
      return `[${value.items.map(rawJson).join(',')}]`;
    case 'object':
      return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${rawJson(v)}`).join(',')}}`;
  }
}

/** moby's KernelVersion.UnmarshalJSON. */
function decodeKernelVersion(value: GoJson): string | undefined {
  const raw = rawJson(value);
  const expected = `invalid kernel version: ${raw}, expected "<kernel>.<major>"`;
  if (value.kind !== 'string') throw new Error(`${expected}: json: cannot unmarshal ${value.kind} into Go value of type string`);
  if (value.value === '') return undefined;
  const parts = value.value.split('.');
  if (parts.length !== 2) throw new Error(expected);
  const numbers = parts.map((part) => {
    if (!/^\d+$/.test(part)) throw new Error(`${expected}: strconv.ParseUint: parsing ${JSON.stringify(part)}: invalid syntax`);
    if (Number(part) > 255) throw new Error(`${expected}: strconv.ParseUint: parsing ${JSON.stringify(part)}: value out of range`);
    return Number(part);
  });
  if (numbers[0] === 0 && numbers[1] === 0) throw new Error(`${expected}: version cannot be 0.0`);
  return `${numbers[0]}.${numbers[1]}`;
}

const ARCH = str('specs.Arch');
const ACTION = str('specs.LinuxSeccompAction');
const UINT: GoType = { kind: 'uint', name: 'uint', bits: 64 };
const FILTER: GoType = {
  kind: 'struct',
  name: 'seccomp.Filter',
  fields: { caps: slice(str('string')), arches: slice(str('string')), minKernel: { kind: 'custom', name: 'seccomp.KernelVersion', decode: decodeKernelVersion } },
};
const ARG: GoType = {
  kind: 'struct',
  name: 'specs.LinuxSeccompArg',
  fields: {
    index: UINT,
    value: { kind: 'uint', name: 'uint64', bits: 64 },
    valueTwo: { kind: 'uint', name: 'uint64', bits: 64 },
    op: str('specs.LinuxSeccompOperator'),
  },
};
const SYSCALL: GoType = {
  kind: 'struct',
  name: 'seccomp.Syscall',
  fields: {
    names: slice(str('string')),
    action: ACTION,
    errnoRet: UINT,
    args: slice(ARG),
    name: str('string'),
    comment: str('string'),
    includes: FILTER,
    excludes: FILTER,
  },
};
const PROFILE: GoType = {
  kind: 'struct',
  name: 'seccomp.Seccomp',
  fields: {
    defaultAction: ACTION,
    defaultErrnoRet: UINT,
    architectures: slice(ARCH),
    flags: slice(str('specs.LinuxSeccompFlag')),
    listenerPath: str('string'),
    listenerMetadata: str('string'),
    archMap: slice({ kind: 'struct', name: 'seccomp.Architecture', fields: { architecture: ARCH, subArchitectures: slice(ARCH) } }),
    syscalls: { kind: 'slice', name: '[]*seccomp.Syscall', elem: SYSCALL },
  },
};

type Decoded = Record<string, unknown>;

const errno = (value: unknown): number | undefined => (typeof value === 'bigint' ? Number(value & 0xffffn) : undefined);
const strings = (value: unknown): string[] | undefined => (Array.isArray(value) ? value.map((item) => (typeof item === 'string' ? item : '')) : undefined);

function filterOf(value: unknown): SeccompFilter | undefined {
  if (!value || typeof value !== 'object') return undefined;
  const f = value as Decoded;
  return { caps: strings(f.caps), arches: strings(f.arches), minKernel: typeof f.minKernel === 'string' ? f.minKernel : undefined };
}

/** moby's LoadProfile: the JSON of --security-opt seccomp=<file>, with Go's error texts. */
export function parseProfile(text: string): SeccompProfile {
  let decoded: Decoded;
  try {
    decoded = (decodeGo(parseGoJson(text), PROFILE) ?? {}) as Decoded;
  } catch (error) {
    throw new SeccompError(`Decoding seccomp profile failed: ${(error as Error).message}`, 'daemon');
  }
  const syscalls = Array.isArray(decoded.syscalls) ? (decoded.syscalls as unknown[]) : undefined;
  return {
    defaultAction: typeof decoded.defaultAction === 'string' ? decoded.defaultAction : '',
    defaultErrnoRet: errno(decoded.defaultErrnoRet),
    architectures: strings(decoded.architectures),
    flags: strings(decoded.flags),
    archMap: Array.isArray(decoded.archMap)
      ? (decoded.archMap as unknown[]).map((entry) => {
          const e = (entry ?? {}) as Decoded;
          return { architecture: typeof e.architecture === 'string' ? e.architecture : '', subArchitectures: strings(e.subArchitectures) };
        })
      : undefined,
    syscalls: syscalls?.map((entry) => {
      const s = (entry ?? {}) as Decoded;
      return {
        names: strings(s.names),
        name: typeof s.name === 'string' ? s.name : undefined,
        action: typeof s.action === 'string' ? s.action : '',
        errnoRet: errno(s.errnoRet),
        args: Array.isArray(s.args)
          ? (s.args as unknown[]).map((arg) => {
              const a = (arg ?? {}) as Decoded;
              return {
                index: typeof a.index === 'bigint' ? Number(a.index) : 0,
                value: typeof a.value === 'bigint' ? a.value : 0n,
                valueTwo: typeof a.valueTwo === 'bigint' ? a.valueTwo : 0n,
                op: typeof a.op === 'string' ? a.op : '',
              };
            })
          : undefined,
        includes: filterOf(s.includes),
        excludes: filterOf(s.excludes),
      };
    }),
  };
}

// ---- moby's setupSeccomp ----

export interface ResolveOptions {
  /** The container's capability bounding set (CAP_* names). */
  capabilities: readonly string[];
  /** The daemon's architecture in libseccomp's words: "x86" for an i386 docker. */
  arch?: string;
  /** The host kernel, e.g. "6.1.0": rules with minKernel compare against it. */
  kernelVersion: string;
}

/** libseccomp's name of an architecture -> the runtime spec's. */
const NATIVE_TO_SPEC: Record<string, string> = { x86: 'SCMP_ARCH_X86', amd64: 'SCMP_ARCH_X86_64', arm: 'SCMP_ARCH_ARM', arm64: 'SCMP_ARCH_AARCH64' };

function kernelAtLeast(host: string, wanted: string): boolean {
  const [hostKernel, hostMajor] = host.split(/[.-]/).map((part) => Number.parseInt(part, 10));
  const [kernel, major] = wanted.split('.').map(Number);
  return hostKernel > kernel || (hostKernel === kernel && (hostMajor || 0) >= major);
}

/**
 * The rules that apply to this container; undefined when the profile turns seccomp off (no default
 * action and no rules).
 */
export function resolveProfile(profile: SeccompProfile, options: ResolveOptions): ResolvedProfile | undefined {
  const syscalls = profile.syscalls ?? [];
  if (profile.defaultAction === '' && syscalls.length === 0) return undefined;
  if ((profile.architectures ?? []).length > 0 && (profile.archMap ?? []).length > 0) {
    throw new SeccompError("both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'", 'daemon');
  }
  const arch = options.arch ?? 'x86';
  const architectures = [...(profile.architectures ?? [])];
  const native = NATIVE_TO_SPEC[arch];
  const mapped = (profile.archMap ?? []).find((entry) => entry.architecture === native);
  if (mapped) architectures.push(mapped.architecture, ...(mapped.subArchitectures ?? []));
  const has = (cap: string) => options.capabilities.includes(cap);
  const out: ResolvedProfile['syscalls'] = [];
  for (const call of syscalls) {
    let names = call.names ?? [];
    if (call.name) {
      if (names.length > 0) throw new SeccompError("both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'", 'daemon');
      names = [call.name];
    }
    const ex = call.excludes;
    if (ex) {
      if ((ex.arches ?? []).includes(arch)) continue;
      if ((ex.caps ?? []).some(has)) continue;
      if (ex.minKernel && kernelAtLeast(options.kernelVersion, ex.minKernel)) continue;
    }
    const inc = call.includes;
    if (inc) {
      if ((inc.arches ?? []).length > 0 && !(inc.arches ?? []).includes(arch)) continue;
      if ((inc.caps ?? []).some((cap) => !has(cap))) continue;
      if (inc.minKernel && !kernelAtLeast(options.kernelVersion, inc.minKernel)) continue;
    }
    out.push({ names, action: call.action, errnoRet: call.errnoRet, args: call.args ?? [] });
  }
  return { defaultAction: profile.defaultAction, defaultErrnoRet: profile.defaultErrnoRet, architectures, flags: profile.flags, syscalls: out };
}

// ---- runc's specconv.SetupSeccomp ----

export const ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
];
export const OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'];
const ARCHES = [
  'SCMP_ARCH_X86', 'SCMP_ARCH_X86_64', 'SCMP_ARCH_X32', 'SCMP_ARCH_ARM', 'SCMP_ARCH_AARCH64', 'SCMP_ARCH_MIPS', 'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32', 'SCMP_ARCH_MIPSEL', 'SCMP_ARCH_MIPSEL64', 'SCMP_ARCH_MIPSEL64N32', 'SCMP_ARCH_PPC', 'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE', 'SCMP_ARCH_RISCV64', 'SCMP_ARCH_S390', 'SCMP_ARCH_S390X',
];
const FLAGS = ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'];

/** The checks runc makes while it converts the spec (before the container's init runs). */
export function checkProfile(profile: ResolvedProfile): void {
  for (const flag of profile.flags ?? []) {
    if (!FLAGS.includes(flag)) throw new SeccompError(`seccomp flag ${flag} is not known to runc`, 'runtime');
  }
  for (const arch of profile.architectures) {
    if (!ARCHES.includes(arch)) throw new SeccompError(`string ${arch} is not a valid arch for seccomp`, 'runtime');
  }
  if (!ACTIONS.includes(profile.defaultAction)) throw new SeccompError(`string ${profile.defaultAction} is not a valid action for seccomp`, 'runtime');
  for (const call of profile.syscalls) {
    if (!ACTIONS.includes(call.action)) throw new SeccompError(`string ${call.action} is not a valid action for seccomp`, 'runtime');
    if (call.names.length === 0) continue;
    for (const arg of call.args) {
      if (!OPERATORS.includes(arg.op)) throw new SeccompError(`string ${arg.op} is not a valid operator for seccomp`, 'runtime');
    }
  }
}
