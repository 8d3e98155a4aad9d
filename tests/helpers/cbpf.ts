// A classic BPF interpreter for seccomp filters, as the kernel runs them (only the instructions
// seccomp_check_filter accepts that our compiler may emit; anything else fails the test), so unit tests
// can run a compiled program against struct seccomp_data inputs.

export interface SeccompData {
  nr: number;
  arch?: number;
  /** The arguments; on i386 the kernel zero-extends each to 64 bits. */
  args?: number[];
}

const AUDIT_ARCH_I386 = 0x40000003;

function dataBytes(data: SeccompData): DataView {
  const view = new DataView(new ArrayBuffer(64));
  view.setInt32(0, data.nr, true);
  view.setUint32(4, data.arch ?? AUDIT_ARCH_I386, true);
  view.setBigUint64(8, 0x8048000n, true); // instruction_pointer
  (data.args ?? []).forEach((arg, i) => view.setBigUint64(16 + i * 8, BigInt(arg >>> 0), true));
  return view;
}

/** Runs the program; returns the u32 the filter returned. Throws on anything the kernel would refuse. */
export function runFilter(program: Uint8Array, data: SeccompData): number {
  if (program.length % 8 !== 0 || program.length === 0) throw new Error('bad program length');
  const count = program.length / 8;
  if (count > 4096) throw new Error(`program too long: ${count}`);
  const code = new DataView(program.buffer, program.byteOffset, program.byteLength);
  const input = dataBytes(data);
  let a = 0;
  let pc = 0;
  for (let steps = 0; steps <= count; steps++) {
    if (pc >= count) throw new Error(`fell off the program at ${pc}`);
    const op = code.getUint16(pc * 8, true);
    const jt = code.getUint8(pc * 8 + 2);
    const jf = code.getUint8(pc * 8 + 3);
    const k = code.getUint32(pc * 8 + 4, true);
    pc++;
    switch (op) {
      case 0x20: // ld [k]
        if (k % 4 !== 0 || k + 4 > 64) throw new Error(`bad load offset ${k}`);
        a = input.getUint32(k, true);
        break;
      case 0x54: // and #k
        a = (a & k) >>> 0;
        break;
      case 0x05: // ja +k
        pc += k;
        break;
      case 0x15: // jeq #k
        pc += a === k ? jt : jf;
        break;
      case 0x25: // jgt #k
        pc += a > k ? jt : jf;
        break;
      case 0x35: // jge #k
        pc += a >= k ? jt : jf;
        break;
      case 0x45: // jset #k
        pc += (a & k) !== 0 ? jt : jf;
        break;
      case 0x06: // ret #k
        return k >>> 0;
      default:
        throw new Error(`unexpected opcode 0x${op.toString(16)} at ${pc - 1}`);
    }
  }
  throw new Error('the program did not return');
}
