// A resolved seccomp profile compiled to the classic BPF program the kernel runs on every system call
// (what libseccomp does for runc), for i386 only:
//
//   ld  arch;  jeq AUDIT_ARCH_I386 else -> kill (libseccomp's default bad-arch action)
//   ld  nr;    a binary search over ranges of syscall numbers that share a decision
//   leaf:      ret <action>, or the rules of one syscall: load each argument (its low 32 bits: i386
//              has nothing above), compare, ret the first rule whose conditions all hold, else default
//
// Semantics follow runc over libseccomp: SCMP_ACT_KILL is KILL_THREAD; ERRNO and TRACE without
// errnoRet mean EPERM; a rule with the default's action is dropped; names unknown on i386 are
// skipped; two conditions on the same argument make separate rules (either may match), otherwise a
// rule's conditions must all match; and, like runc's patch for newer kernels, system calls above the
// highest one the profile names get ENOSYS unless the default allows (ALLOW, LOG, TRACE).

import { SeccompError, type ResolvedProfile, type SeccompArg } from './profile';

export const AUDIT_ARCH_I386 = 0x40000003;
/** The kernel's BPF_MAXINSNS for a seccomp filter. */
export const MAX_INSTRUCTIONS = 4096;

export const SECCOMP_RET = {
  KILL_PROCESS: 0x80000000,
  KILL_THREAD: 0x00000000,
  TRAP: 0x00030000,
  ERRNO: 0x00050000,
  TRACE: 0x7ff00000,
  LOG: 0x7ffc0000,
  ALLOW: 0x7fff0000,
} as const;

const EPERM = 1;
const ENOSYS = 38;

// classic BPF opcodes (linux/filter.h)
export const BPF = {
  LD_W_ABS: 0x20,
  ALU_AND_K: 0x54,
  JMP_JA: 0x05,
  JMP_JEQ_K: 0x15,
  JMP_JGT_K: 0x25,
  JMP_JGE_K: 0x35,
  JMP_JSET_K: 0x45,
  RET_K: 0x06,
} as const;

/** Offsets in struct seccomp_data: nr, arch, instruction_pointer (u64), args[6] (u64 each). */
export const SECCOMP_DATA = { nr: 0, arch: 4, args: 16 } as const;

export function actionValue(action: string, errnoRet: number | undefined): number {
  switch (action) {
    case 'SCMP_ACT_KILL':
    case 'SCMP_ACT_KILL_THREAD':
      return SECCOMP_RET.KILL_THREAD;
    case 'SCMP_ACT_KILL_PROCESS':
      return SECCOMP_RET.KILL_PROCESS;
    case 'SCMP_ACT_TRAP':
      return SECCOMP_RET.TRAP;
    case 'SCMP_ACT_ERRNO':
      return (SECCOMP_RET.ERRNO | ((errnoRet ?? EPERM) & 0xffff)) >>> 0;
    case 'SCMP_ACT_TRACE':
      return (SECCOMP_RET.TRACE | ((errnoRet ?? EPERM) & 0xffff)) >>> 0;
    case 'SCMP_ACT_LOG':
      return SECCOMP_RET.LOG;
    case 'SCMP_ACT_ALLOW':
      return SECCOMP_RET.ALLOW;
    case 'SCMP_ACT_NOTIFY':
      throw new SeccompError('SCMP_ACT_NOTIFY is not supported by Dockside (there is no seccomp agent to notify)', 'init');
    default:
      throw new SeccompError(`string ${action} is not a valid action for seccomp`, 'runtime');
  }
}

/** One comparison on the low 32 bits of an argument. */
interface Condition {
  index: number;
  op: string;
  /** the operand; for MASKED_EQ the datum */
  value: number;
  /** MASKED_EQ only */
  mask?: number;
}

interface Rule {
  conditions: Condition[];
  action: number;
}

const low32 = (value: bigint): number => Number(value & 0xffffffffn);

function conditionOf(arg: SeccompArg, syscall: string): Condition {
  if (arg.index > 5) {
    throw new SeccompError(`error creating seccomp syscall condition for syscall ${syscall}: syscalls only have up to 6 arguments (${arg.index} given)`, 'init');
  }
  if (arg.op === 'SCMP_CMP_MASKED_EQ') return { index: arg.index, op: arg.op, mask: low32(arg.value), value: low32(arg.valueTwo) };
  return { index: arg.index, op: arg.op, value: low32(arg.value) };
}

/** The rules of every syscall number the profile names (in profile order), and the highest such number. */
function rulesByNumber(profile: ResolvedProfile, table: Readonly<Record<string, number>>, defaultAction: number): { rules: Map<number, Rule[]>; highest: number } {
  const rules = new Map<number, Rule[]>();
  let highest = -1;
  for (const call of profile.syscalls) {
    const action = actionValue(call.action, call.errnoRet);
    for (const name of call.names) {
      const nr = Object.hasOwn(table, name) ? table[name] : undefined;
      if (nr === undefined) continue; // not an i386 system call: libseccomp ignores it
      highest = Math.max(highest, nr);
      const conditions = call.args.map((arg) => conditionOf(arg, name));
      if (action === defaultAction) continue; // runc drops rules that change nothing
      const list = rules.get(nr) ?? [];
      const perIndex = new Set(conditions.map((c) => c.index));
      if (perIndex.size < conditions.length) for (const condition of conditions) list.push({ conditions: [condition], action });
      else list.push({ conditions, action });
      rules.set(nr, list);
    }
  }
  return { rules, highest };
}

// ---- a small assembler: labels, forward jumps, and far jumps through `ja` ----

type Label = number;
type Item =
  | { kind: 'ld'; k: number }
  | { kind: 'and'; k: number }
  | { kind: 'ret'; k: number }
  | { kind: 'jmp'; code: number; k: number; t: Label | null; f: Label | null; farT?: boolean; farF?: boolean }
  | { kind: 'label'; id: Label };

class Assembler {
  readonly items: Item[] = [];
  private labels = 0;

  label(): Label {
    return this.labels++;
  }
  place(id: Label): void {
    this.items.push({ kind: 'label', id });
  }
  ld(k: number): void {
    this.items.push({ kind: 'ld', k });
  }
  and(k: number): void {
    this.items.push({ kind: 'and', k: k >>> 0 });
  }
  ret(k: number): void {
    this.items.push({ kind: 'ret', k: k >>> 0 });
  }
  /** A conditional jump; null means the next instruction. */
  jump(code: number, k: number, t: Label | null, f: Label | null): void {
    this.items.push({ kind: 'jmp', code, k: k >>> 0, t, f });
  }

  /** Lays the program out, widening jumps whose target is more than 255 instructions away. */
  assemble(): Uint8Array {
    for (;;) {
      const { positions, sizes } = this.layout();
      let widened = false;
      this.items.forEach((item, i) => {
        if (item.kind !== 'jmp') return;
        const base = positions[i] + 1;
        for (const side of ['t', 'f'] as const) {
          const target = item[side];
          const far = side === 't' ? item.farT : item.farF;
          if (target === null || far) continue;
          if (this.labelPosition(target, positions) - base > 255) {
            if (side === 't') item.farT = true;
            else item.farF = true;
            widened = true;
          }
        }
      });
      if (!widened) return this.encode(positions, sizes);
    }
  }

  private labelIndex = new Map<Label, number>();

  private labelPosition(label: Label, positions: number[]): number {
    const index = this.labelIndex.get(label);
    if (index === undefined) throw new Error(`seccomp assembler: label ${label} was never placed`);
    return positions[index];
  }

  private layout(): { positions: number[]; sizes: number[] } {
    const positions: number[] = [];
    const sizes: number[] = [];
    let pc = 0;
    this.items.forEach((item, i) => {
      positions.push(pc);
      let size = 1;
      if (item.kind === 'label') {
        size = 0;
        this.labelIndex.set(item.id, i);
      } else if (item.kind === 'jmp') {
        size = 1 + (item.farT ? 1 : 0) + (item.farF ? 1 : 0);
      }
      sizes.push(size);
      pc += size;
    });
    return { positions, sizes };
  }

  private encode(positions: number[], sizes: number[]): Uint8Array {
    const total = positions.length === 0 ? 0 : positions[positions.length - 1] + sizes[sizes.length - 1];
    const out = new Uint8Array(total * 8);
    const view = new DataView(out.buffer);
    const put = (pc: number, code: number, jt: number, jf: number, k: number) => {
      if (jt > 255 || jf > 255 || jt < 0 || jf < 0) throw new Error('seccomp assembler: jump out of range');
      view.setUint16(pc * 8, code, true);
      view.setUint8(pc * 8 + 2, jt);
      view.setUint8(pc * 8 + 3, jf);
      view.setUint32(pc * 8 + 4, k >>> 0, true);
    };
    this.items.forEach((item, i) => {
      const pc = positions[i];
      switch (item.kind) {
        case 'label':
          return;
        case 'ld':
          return put(pc, BPF.LD_W_ABS, 0, 0, item.k);
        case 'and':
          return put(pc, BPF.ALU_AND_K, 0, 0, item.k);
        case 'ret':
          return put(pc, BPF.RET_K, 0, 0, item.k);
        case 'jmp': {
          // far sides go through `ja` right after the jump: [jmp][ja t?][ja f?]
          let slot = pc + 1;
          const end = pc + sizes[i];
          const offset = (target: Label | null, far: boolean | undefined): number => {
            if (target === null) return end - (pc + 1);
            if (!far) return this.labelPosition(target, positions) - (pc + 1);
            const at = slot++;
            put(at, BPF.JMP_JA, 0, 0, this.labelPosition(target, positions) - (at + 1));
            return at - (pc + 1);
          };
          const jt = offset(item.t, item.farT);
          const jf = offset(item.f, item.farF);
          return put(pc, item.code, jt, jf, item.k);
        }
      }
    });
    return out;
  }
}

// ---- code generation ----

/** Emits the body of a syscall: its rules in order, then the default. */
function emitRules(asm: Assembler, rules: readonly Rule[], fallback: number): void {
  for (const rule of rules) {
    const next = asm.label();
    for (const c of rule.conditions) {
      asm.ld(SECCOMP_DATA.args + c.index * 8); // little endian: the low half of the u64
      switch (c.op) {
        case 'SCMP_CMP_EQ':
          asm.jump(BPF.JMP_JEQ_K, c.value, null, next);
          break;
        case 'SCMP_CMP_NE':
          asm.jump(BPF.JMP_JEQ_K, c.value, next, null);
          break;
        case 'SCMP_CMP_GT':
          asm.jump(BPF.JMP_JGT_K, c.value, null, next);
          break;
        case 'SCMP_CMP_GE':
          asm.jump(BPF.JMP_JGE_K, c.value, null, next);
          break;
        case 'SCMP_CMP_LT':
          asm.jump(BPF.JMP_JGE_K, c.value, next, null);
          break;
        case 'SCMP_CMP_LE':
          asm.jump(BPF.JMP_JGT_K, c.value, next, null);
          break;
        case 'SCMP_CMP_MASKED_EQ':
          asm.and(c.mask ?? 0);
          asm.jump(BPF.JMP_JEQ_K, c.value, null, next);
          break;
        default:
          throw new SeccompError(`string ${c.op} is not a valid operator for seccomp`, 'runtime');
      }
    }
    asm.ret(rule.action);
    asm.place(next);
    if (rule.conditions.length === 0) return; // nothing after an unconditional rule can match
  }
  asm.ret(fallback);
}

/** A range [start, next range's start) of syscall numbers and what decides them. */
interface Range {
  start: number;
  key: string;
  rules: Rule[];
  fallback: number;
}

function emitRanges(asm: Assembler, ranges: readonly Range[], lo: number, hi: number): void {
  if (lo === hi) {
    emitRules(asm, ranges[lo].rules, ranges[lo].fallback);
    return;
  }
  const mid = (lo + hi) >> 1;
  const right = asm.label();
  asm.jump(BPF.JMP_JGE_K, ranges[mid + 1].start, right, null);
  emitRanges(asm, ranges, lo, mid);
  asm.place(right);
  emitRanges(asm, ranges, mid + 1, hi);
}

export interface CompileOptions {
  /** syscall name -> number (SYSCALLS_I386). */
  table: Readonly<Record<string, number>>;
}

/** The filter as 8-byte struct sock_filter entries, little endian. */
export function compileFilter(profile: ResolvedProfile, options: CompileOptions): Uint8Array {
  const defaultAction = actionValue(profile.defaultAction, profile.defaultErrnoRet);
  const { rules, highest } = rulesByNumber(profile, options.table, defaultAction);
  const permissive = ['SCMP_ACT_ALLOW', 'SCMP_ACT_LOG', 'SCMP_ACT_TRACE'].includes(profile.defaultAction);
  const enosys = !permissive && highest >= 0 ? ((SECCOMP_RET.ERRNO | ENOSYS) >>> 0) : undefined;

  // ranges of numbers with the same decision, from 0 up
  const ranges: Range[] = [];
  const push = (start: number, list: Rule[], fallback: number) => {
    const key = `${fallback}:${JSON.stringify(list)}`;
    if (ranges.length > 0 && ranges[ranges.length - 1].key === key) return;
    ranges.push({ start, key, rules: list, fallback });
  };
  const numbers = [...rules.keys()].sort((a, b) => a - b);
  let at = 0;
  for (const nr of numbers) {
    if (nr > at) push(at, [], defaultAction);
    push(nr, rules.get(nr) ?? [], defaultAction);
    at = nr + 1;
  }
  if (enosys !== undefined) {
    if (highest + 1 > at) push(at, [], defaultAction);
    push(highest + 1, [], enosys);
  } else {
    push(at, [], defaultAction);
  }

  const asm = new Assembler();
  const kill = asm.label();
  asm.ld(SECCOMP_DATA.arch);
  asm.jump(BPF.JMP_JEQ_K, AUDIT_ARCH_I386, null, kill);
  asm.ld(SECCOMP_DATA.nr);
  emitRanges(asm, ranges, 0, ranges.length - 1);
  asm.place(kill);
  asm.ret(SECCOMP_RET.KILL_THREAD);
  const program = asm.assemble();
  const count = program.length / 8;
  if (count > MAX_INSTRUCTIONS) {
    throw new SeccompError(
      `error loading seccomp filter into kernel: the filter has ${count} instructions, more than the kernel's limit of ${MAX_INSTRUCTIONS}`,
      'init',
    );
  }
  return program;
}
