// Linux signal names and numbers (i386), as docker's signal.ParseSignal reads them.

export const SIGNALS: Record<string, number> = {
  ABRT: 6, ALRM: 14, BUS: 7, CHLD: 17, CLD: 17, CONT: 18, FPE: 8, HUP: 1, ILL: 4, INT: 2, IO: 29, IOT: 6,
  KILL: 9, PIPE: 13, POLL: 29, PROF: 27, PWR: 30, QUIT: 3, SEGV: 11, STKFLT: 16, STOP: 19, SYS: 31,
  TERM: 15, TRAP: 5, TSTP: 20, TTIN: 21, TTOU: 22, URG: 23, USR1: 10, USR2: 12, VTALRM: 26, WINCH: 28,
  XCPU: 24, XFSZ: 25,
};

/** "HUP", "SIGHUP", "1", "RTMIN+3" → the number; throws docker's error for anything else. */
export function parseSignal(raw: string): number {
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n === 0 || n > 64) throw new Error(`Invalid signal: ${raw}`);
    return n;
  }
  const name = raw.toUpperCase().replace(/^SIG/, '');
  if (name in SIGNALS) return SIGNALS[name];
  const rt = /^RTMIN(?:\+(\d+))?$/.exec(name);
  if (rt) return 34 + Number(rt[1] ?? 0);
  const rtmax = /^RTMAX(?:-(\d+))?$/.exec(name);
  if (rtmax) return 64 - Number(rtmax[1] ?? 0);
  throw new Error(`Invalid signal: ${raw}`);
}
