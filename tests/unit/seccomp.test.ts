// Seccomp: docker's profile format and its errors, the default profile resolved against capabilities,
// and the compiled classic BPF program, run by a small interpreter against seccomp_data inputs and
// checked against a plain reading of the profile for every i386 system call number.

import { describe, expect, it } from 'vitest';
import { compileFilter, MAX_INSTRUCTIONS, SECCOMP_RET } from '../../src/engine/containers/seccomp/bpf';
import { DEFAULT_PROFILE } from '../../src/engine/containers/seccomp/default-profile';
import { checkProfile, parseProfile, resolveProfile, SeccompError, type ResolvedProfile, type SeccompProfile } from '../../src/engine/containers/seccomp/profile';
import { seccompErrorMessage, seccompFilter } from '../../src/engine/containers/seccomp';
import { SYSCALLS_I386 } from '../../src/engine/containers/seccomp/syscalls-i386';
import { parseSecurityOpt } from '../../src/engine/containers/security-opt';
import { ALL_CAPABILITIES, DEFAULT_CAPABILITIES } from '../../src/engine/containers/spec';
import { runFilter, type SeccompData } from '../helpers/cbpf';

const NR = SYSCALLS_I386;
const ALLOW = SECCOMP_RET.ALLOW;
const errno = (n: number) => (SECCOMP_RET.ERRNO | n) >>> 0;
const EPERM = errno(1);
const ENOSYS = errno(38);
const AUDIT_ARCH_X86_64 = 0xc000003e;

const filterFor = (options: { profile?: string; privileged?: boolean; caps?: readonly string[] } = {}) =>
  seccompFilter({ profile: options.profile ?? '', privileged: options.privileged ?? false, capabilities: options.caps ?? DEFAULT_CAPABILITIES, kernelVersion: '6.1.0' });

const compile = (profile: SeccompProfile, caps: readonly string[] = DEFAULT_CAPABILITIES): Uint8Array => {
  const resolved = resolveProfile(profile, { capabilities: caps, kernelVersion: '6.1.0' });
  if (!resolved) throw new Error('unconfined');
  checkProfile(resolved);
  return compileFilter(resolved, { table: NR });
};

const run = (program: Uint8Array, name: string, ...args: number[]) => runFilter(program, { nr: NR[name], args });

/** What the profile says for one call, read plainly (no ranges, no tree), as the compiler documents it. */
function reference(profile: ResolvedProfile, data: SeccompData): number {
  if ((data.arch ?? 0x40000003) !== 0x40000003) return SECCOMP_RET.KILL_THREAD;
  const action = (name: string, ret?: number) =>
    ({
      SCMP_ACT_ALLOW: ALLOW,
      SCMP_ACT_ERRNO: errno(ret ?? 1),
      SCMP_ACT_KILL: SECCOMP_RET.KILL_THREAD,
      SCMP_ACT_KILL_THREAD: SECCOMP_RET.KILL_THREAD,
      SCMP_ACT_KILL_PROCESS: SECCOMP_RET.KILL_PROCESS,
      SCMP_ACT_TRAP: SECCOMP_RET.TRAP,
      SCMP_ACT_TRACE: (SECCOMP_RET.TRACE | (ret ?? 1)) >>> 0,
      SCMP_ACT_LOG: SECCOMP_RET.LOG,
    })[name] ?? -1;
  const fallback = action(profile.defaultAction, profile.defaultErrnoRet);
  let highest = -1;
  for (const call of profile.syscalls) for (const name of call.names) if (name in NR) highest = Math.max(highest, NR[name]);
  const args = data.args ?? [];
  const holds = (c: ResolvedProfile['syscalls'][number]['args'][number]) => {
    const a = (args[c.index] ?? 0) >>> 0;
    const v = Number(c.value & 0xffffffffn);
    switch (c.op) {
      case 'SCMP_CMP_EQ':
        return a === v;
      case 'SCMP_CMP_NE':
        return a !== v;
      case 'SCMP_CMP_LT':
        return a < v;
      case 'SCMP_CMP_LE':
        return a <= v;
      case 'SCMP_CMP_GT':
        return a > v;
      case 'SCMP_CMP_GE':
        return a >= v;
      case 'SCMP_CMP_MASKED_EQ':
        return ((a & v) >>> 0) === Number(c.valueTwo & 0xffffffffn);
    }
    return false;
  };
  for (const call of profile.syscalls) {
    if (!call.names.some((name) => NR[name] === data.nr)) continue;
    const result = action(call.action, call.errnoRet);
    if (result === fallback) continue;
    const indexes = call.args.map((c) => c.index);
    const either = new Set(indexes).size < indexes.length;
    if (either ? call.args.some(holds) : call.args.every(holds)) return result;
  }
  const permissive = ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE'].includes(profile.defaultAction);
  if (!permissive && data.nr >>> 0 > highest) return ENOSYS;
  return fallback;
}

function expectSameAsReference(profile: SeccompProfile, caps: readonly string[], argSets: number[][] = [[]]) {
  const resolved = resolveProfile(profile, { capabilities: caps, kernelVersion: '6.1.0' })!;
  const program = compileFilter(resolved, { table: NR });
  const numbers = [...new Set([...Object.values(NR), 451, 1000, 0x7fffffff, -1])];
  for (const nr of numbers) {
    for (const args of argSets) expect([nr, runFilter(program, { nr, args })]).toEqual([nr, reference(resolved, { nr, args })]);
  }
  return program;
}

describe('docker\'s default seccomp profile', () => {
  const program = filterFor()!;

  it('allows the everyday system calls and refuses the others with EPERM', () => {
    for (const name of ['read', 'write', 'openat', 'execve', 'mmap2', 'socketcall', 'setuid32', 'mknod', 'exit_group']) expect([name, run(program, name)]).toEqual([name, ALLOW]);
    for (const name of ['unshare', 'mount', 'umount2', 'setns', 'reboot', 'swapon', 'init_module', 'kexec_load', 'acct', 'settimeofday', 'keyctl', 'bpf'])
      expect([name, run(program, name)]).toEqual([name, EPERM]);
    expect(run(program, 'modify_ldt')).toBe(ALLOW); // an x86 rule
    expect(run(program, 'break')).toBe(EPERM); // in the table, not in the profile
    // ptrace and process_vm_* only from kernel 4.8 on (minKernel)
    expect(run(program, 'ptrace')).toBe(ALLOW);
    const old = seccompFilter({ profile: '', privileged: false, capabilities: DEFAULT_CAPABILITIES, kernelVersion: '4.4.0-87-generic' })!;
    expect(run(old, 'ptrace')).toBe(EPERM);
  });

  it('opens what the container\'s capabilities make safe', () => {
    const admin = filterFor({ caps: [...DEFAULT_CAPABILITIES, 'CAP_SYS_ADMIN'] })!;
    for (const name of ['unshare', 'mount', 'setns', 'sethostname', 'clone3']) expect([name, run(admin, name)]).toEqual([name, ALLOW]);
    expect(run(admin, 'clone', 0x10000000)).toBe(ALLOW);
    expect(run(admin, 'reboot')).toBe(EPERM);
    const boot = filterFor({ caps: [...DEFAULT_CAPABILITIES, 'CAP_SYS_BOOT'] })!;
    expect(run(boot, 'reboot')).toBe(ALLOW);
    const ptrace = filterFor({ caps: [...DEFAULT_CAPABILITIES, 'CAP_SYS_PTRACE'] })!;
    expect(run(ptrace, 'kcmp')).toBe(ALLOW);
    expect(run(program, 'kcmp')).toBe(EPERM);
    // fewer capabilities take nothing from the unconditional list
    expect(run(filterFor({ caps: [] })!, 'chown32')).toBe(ALLOW);
  });

  it('checks personality, clone and socket arguments', () => {
    for (const persona of [0, 8, 0x20000, 0x20008, 0xffffffff]) expect(run(program, 'personality', persona)).toBe(ALLOW);
    expect(run(program, 'personality', 0x0040000)).toBe(EPERM); // ADDR_NO_RANDOMIZE
    expect(run(program, 'clone', 0x11)).toBe(ALLOW); // SIGCHLD
    expect(run(program, 'clone', 0x003d0f00)).toBe(ALLOW); // pthread_create's flags
    expect(run(program, 'clone', 0x10000011)).toBe(EPERM); // CLONE_NEWUSER
    expect(run(program, 'clone', 0x00020011)).toBe(EPERM); // CLONE_NEWNS
    expect(run(program, 'clone3')).toBe(ENOSYS); // so that libc falls back to clone
    expect(run(program, 'socket', 2, 1, 0)).toBe(ALLOW);
    expect(run(program, 'socket', 40, 1, 0)).toBe(EPERM); // AF_VSOCK
  });

  it('kills a call from another architecture and gives ENOSYS above the newest call it names', () => {
    expect(runFilter(program, { nr: NR.read, arch: AUDIT_ARCH_X86_64 })).toBe(SECCOMP_RET.KILL_THREAD);
    expect(runFilter(program, { nr: 451 })).toBe(ENOSYS);
    expect(runFilter(program, { nr: 100000 })).toBe(ENOSYS);
    expect(runFilter(program, { nr: -1 })).toBe(ENOSYS);
  });

  it('agrees with a plain reading of the profile on every i386 system call, with and without CAP_SYS_ADMIN', () => {
    const argSets = [[], [0x11], [0x10000000], [8], [40], [0xffffffff], [0x7e020000]];
    const small = expectSameAsReference(DEFAULT_PROFILE, DEFAULT_CAPABILITIES, argSets);
    expectSameAsReference(DEFAULT_PROFILE, ALL_CAPABILITIES, argSets);
    expect(small.length / 8).toBeLessThan(400); // ranges, not one comparison per name
  });
});

describe('custom profiles', () => {
  it('denies mkdir with the chosen errno and lets the rest through', () => {
    const program = compile(parseProfile('{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":13}]}'));
    expect(run(program, 'mkdir')).toBe(errno(13));
    expect(run(program, 'mkdirat')).toBe(errno(13));
    expect(run(program, 'rmdir')).toBe(ALLOW);
    expect(runFilter(program, { nr: 1000 })).toBe(ALLOW); // no ENOSYS when the default allows
  });

  it('compares arguments with every operator, on their low 32 bits', () => {
    const rule = (op: string, value: bigint, valueTwo = 0n) => ({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['getpid'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value, valueTwo, op }] }] });
    const cases: [string, bigint, bigint, [number, number][]][] = [
      ['SCMP_CMP_EQ', 5n, 0n, [[5, ALLOW], [4, EPERM], [6, EPERM]]],
      ['SCMP_CMP_NE', 5n, 0n, [[5, EPERM], [4, ALLOW], [0xffffffff, ALLOW]]],
      ['SCMP_CMP_LT', 5n, 0n, [[4, ALLOW], [5, EPERM], [0xffffffff, EPERM]]],
      ['SCMP_CMP_LE', 5n, 0n, [[5, ALLOW], [6, EPERM], [0, ALLOW]]],
      ['SCMP_CMP_GT', 5n, 0n, [[6, ALLOW], [5, EPERM], [0x80000000, ALLOW]]],
      ['SCMP_CMP_GE', 5n, 0n, [[5, ALLOW], [4, EPERM]]],
      ['SCMP_CMP_MASKED_EQ', 0xf0n, 0x30n, [[0x35, ALLOW], [0x3f35, ALLOW], [0x3f05, EPERM], [0x45, EPERM]]],
      ['SCMP_CMP_EQ', 0x100000005n, 0n, [[5, ALLOW], [1, EPERM]]], // i386 has no high half
    ];
    for (const [op, value, valueTwo, checks] of cases) {
      const program = compile(parseProfile(JSON.stringify(rule(op, value, valueTwo), (_k, v) => (typeof v === 'bigint' ? Number(v) : v))));
      for (const [arg, want] of checks) expect([op, arg, run(program, 'getpid', 0, arg)]).toEqual([op, arg, want]);
    }
  });

  it('ANDs conditions on different arguments, ORs two on the same one (as runc does)', () => {
    const and = compile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ALLOW', args: [{ index: 0, value: 1n, valueTwo: 0n, op: 'SCMP_CMP_EQ' }, { index: 1, value: 9n, valueTwo: 0n, op: 'SCMP_CMP_EQ' }] }] });
    expect(run(and, 'kill', 1, 9)).toBe(ALLOW);
    expect(run(and, 'kill', 1, 15)).toBe(EPERM);
    expect(run(and, 'kill', 2, 9)).toBe(EPERM);
    const or = compile({ defaultAction: 'SCMP_ACT_ERRNO', syscalls: [{ names: ['kill'], action: 'SCMP_ACT_ALLOW', args: [{ index: 1, value: 9n, valueTwo: 0n, op: 'SCMP_CMP_EQ' }, { index: 1, value: 15n, valueTwo: 0n, op: 'SCMP_CMP_EQ' }] }] });
    expect(run(or, 'kill', 1, 9)).toBe(ALLOW);
    expect(run(or, 'kill', 1, 15)).toBe(ALLOW);
    expect(run(or, 'kill', 1, 2)).toBe(EPERM);
  });

  it('returns every action docker knows; KILL is KILL_THREAD, ERRNO and TRACE default to EPERM', () => {
    const program = compile(
      parseProfile(
        JSON.stringify({
          defaultAction: 'SCMP_ACT_KILL_PROCESS',
          syscalls: [
            { names: ['read'], action: 'SCMP_ACT_ALLOW' },
            { names: ['write'], action: 'SCMP_ACT_KILL' },
            { names: ['open'], action: 'SCMP_ACT_KILL_THREAD' },
            { names: ['close'], action: 'SCMP_ACT_TRAP' },
            { names: ['getpid'], action: 'SCMP_ACT_TRACE' },
            { names: ['getppid'], action: 'SCMP_ACT_TRACE', errnoRet: 7 },
            { names: ['getuid32'], action: 'SCMP_ACT_LOG' },
            { names: ['getgid32'], action: 'SCMP_ACT_ERRNO' },
            { name: 'gettid', action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
            { names: ['arch_prctl', 'no_such_call'], action: 'SCMP_ACT_ALLOW' },
          ],
        }),
      ),
    );
    expect(run(program, 'read')).toBe(ALLOW);
    expect(run(program, 'write')).toBe(SECCOMP_RET.KILL_THREAD);
    expect(run(program, 'open')).toBe(SECCOMP_RET.KILL_THREAD);
    expect(run(program, 'close')).toBe(SECCOMP_RET.TRAP);
    expect(run(program, 'getpid')).toBe((SECCOMP_RET.TRACE | 1) >>> 0);
    expect(run(program, 'getppid')).toBe((SECCOMP_RET.TRACE | 7) >>> 0);
    expect(run(program, 'getuid32')).toBe(SECCOMP_RET.LOG);
    expect(run(program, 'getgid32')).toBe(EPERM);
    expect(run(program, 'gettid')).toBe(ENOSYS);
    expect(run(program, 'mkdir')).toBe(SECCOMP_RET.KILL_PROCESS);
  });

  it('takes far jumps through ja in a program of thousands of instructions, and stops at 4096', () => {
    const names = Object.keys(NR).filter((_, i) => i % 2 === 0);
    const rules = names.map((name, i) => ({
      names: [name],
      action: 'SCMP_ACT_ALLOW',
      args: [
        { index: 0, value: BigInt(i), valueTwo: 0n, op: 'SCMP_CMP_GE' },
        { index: 2, value: 0xffn, valueTwo: BigInt(i & 0xff), op: 'SCMP_CMP_MASKED_EQ' },
      ],
    }));
    const big: SeccompProfile = { defaultAction: 'SCMP_ACT_ERRNO', defaultErrnoRet: 22, syscalls: rules };
    const program = expectSameAsReference(big, [], [[], [3, 0, 3], [500, 0, 7], [0xffffffff, 0, 0xff]]);
    expect(program.length / 8).toBeGreaterThan(1000);
    expect(program.length / 8).toBeLessThanOrEqual(MAX_INSTRUCTIONS);
    const huge: SeccompProfile = { defaultAction: 'SCMP_ACT_ERRNO', syscalls: [...rules, ...rules, ...rules] };
    expect(() => compile(huge, [])).toThrow("more than the kernel's limit of 4096");
    try {
      compile(huge, []);
    } catch (error) {
      expect(seccompErrorMessage(error as SeccompError)).toMatch(/^failed to create task for container: .*runc create failed: unable to start container process: error during container init: error loading seccomp filter into kernel: the filter has \d+ instructions, more than the kernel's limit of 4096: unknown$/);
    }
  });

  it('is off with seccomp=unconfined, with --privileged, and for a profile without rules', () => {
    expect(filterFor({ profile: 'unconfined' })).toBeUndefined();
    expect(filterFor({ privileged: true, caps: ALL_CAPABILITIES })).toBeUndefined();
    expect(filterFor({ profile: '{}' })).toBeUndefined();
    expect(filterFor({ profile: 'builtin' })).toEqual(filterFor());
    // moby: --privileged with a profile still applies it
    const custom = filterFor({ privileged: true, caps: ALL_CAPABILITIES, profile: '{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}' })!;
    expect(run(custom, 'mkdir')).toBe(EPERM);
  });
});

describe('profile errors, in docker\'s words', () => {
  const failure = (profile: string, privileged = false): string => {
    try {
      filterFor({ profile, privileged });
    } catch (error) {
      expect(error).toBeInstanceOf(SeccompError);
      return seccompErrorMessage(error as SeccompError);
    }
    throw new Error('no error');
  };

  it('bad JSON: Go\'s decoder texts', () => {
    expect(failure('{')).toBe('Decoding seccomp profile failed: unexpected end of JSON input');
    expect(failure('nope')).toBe("Decoding seccomp profile failed: invalid character 'o' in literal null (expecting 'u')");
    expect(failure('xyz')).toBe("Decoding seccomp profile failed: invalid character 'x' looking for beginning of value");
    expect(failure('{"defaultAction" "x"}')).toBe("Decoding seccomp profile failed: invalid character '\"' after object key");
    expect(failure('{"a":1 "b":2}')).toBe("Decoding seccomp profile failed: invalid character '\"' after object key:value pair");
    expect(failure('{"syscalls":[1 2]}')).toBe("Decoding seccomp profile failed: invalid character '2' after array element");
    expect(failure('{} x')).toBe("Decoding seccomp profile failed: invalid character 'x' after top-level value");
    expect(failure("{'a':1}")).toBe("Decoding seccomp profile failed: invalid character '\\'' looking for beginning of object key string");
    expect(failure('{"defaultAction":1}')).toBe('Decoding seccomp profile failed: json: cannot unmarshal number into Go struct field Seccomp.defaultAction of type specs.LinuxSeccompAction');
    expect(failure('{"defaultErrnoRet":-1}')).toBe('Decoding seccomp profile failed: json: cannot unmarshal number -1 into Go struct field Seccomp.defaultErrnoRet of type uint');
    expect(failure('{"syscalls":[{"names":"mkdir"}]}')).toBe('Decoding seccomp profile failed: json: cannot unmarshal string into Go struct field Syscall.syscalls.names of type []string');
    expect(failure('{"syscalls":[{"args":[{"index":"0"}]}]}')).toBe('Decoding seccomp profile failed: json: cannot unmarshal string into Go struct field LinuxSeccompArg.syscalls.args.index of type uint');
    expect(failure('[]')).toBe('Decoding seccomp profile failed: json: cannot unmarshal array into Go value of type seccomp.Seccomp');
    expect(failure('{"syscalls":[{"names":["x"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"4"}}],"defaultAction":"SCMP_ACT_ERRNO"}')).toBe(
      'Decoding seccomp profile failed: invalid kernel version: "4", expected "<kernel>.<major>"',
    );
    // --privileged with seccomp=builtin: moby reads "builtin" as a profile
    expect(failure('builtin', true)).toBe("Decoding seccomp profile failed: invalid character 'b' looking for beginning of value");
  });

  it('keys match case-insensitively, as in Go', () => {
    const program = compile(parseProfile('{"DefaultAction":"SCMP_ACT_ALLOW","SYSCALLS":[{"Names":["mkdir"],"Action":"SCMP_ACT_ERRNO","ErrnoRet":2}]}'));
    expect(run(program, 'mkdir')).toBe(errno(2));
  });

  it('moby\'s and runc\'s checks', () => {
    expect(failure('{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86"],"archMap":[{"architecture":"SCMP_ARCH_X86"}]}')).toBe(
      "both 'architectures' and 'archMap' are specified in the seccomp profile, use either 'architectures' or 'archMap'",
    );
    expect(failure('{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"a","names":["b"],"action":"SCMP_ACT_ALLOW"}]}')).toBe(
      "both 'name' and 'names' are specified in the seccomp profile, use either 'name' or 'names'",
    );
    const runc = 'failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: ';
    expect(failure('{"defaultAction":"SCMP_ACT_NOPE"}')).toBe(`${runc}string SCMP_ACT_NOPE is not a valid action for seccomp: unknown`);
    expect(failure('{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mkdir"],"action":"DENY"}]}')).toBe(`${runc}string DENY is not a valid action for seccomp: unknown`);
    expect(failure('{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"op":"SCMP_CMP_XX"}]}]}')).toBe(
      `${runc}string SCMP_CMP_XX is not a valid operator for seccomp: unknown`,
    );
    expect(failure('{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_VAX"]}')).toBe(`${runc}string SCMP_ARCH_VAX is not a valid arch for seccomp: unknown`);
    expect(failure('{"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_NOPE"]}')).toBe(`${runc}seccomp flag SECCOMP_FILTER_FLAG_NOPE is not known to runc: unknown`);
    expect(failure('{"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ALLOW"}]}')).toBe(`${runc}string  is not a valid action for seccomp: unknown`);
  });

  it('--security-opt as the daemon parses it', () => {
    expect(parseSecurityOpt(['seccomp=unconfined', 'no-new-privileges'])).toMatchObject({ seccompProfile: 'unconfined', noNewPrivileges: true });
    expect(parseSecurityOpt(['seccomp:unconfined']).seccompProfile).toBe('unconfined');
    expect(parseSecurityOpt(['seccomp=a', 'seccomp=b']).seccompProfile).toBe('b');
    expect(parseSecurityOpt(['no-new-privileges=1']).noNewPrivileges).toBe(true);
    expect(() => parseSecurityOpt(['bogus'])).toThrow('invalid --security-opt 1: "bogus"');
    expect(() => parseSecurityOpt(['foo=bar'])).toThrow('invalid --security-opt 2: "foo=bar"');
    expect(() => parseSecurityOpt(['no-new-privileges=maybe'])).toThrow('invalid --security-opt 2: "no-new-privileges=maybe"');
  });
});
