// moby/term's key handling for attach: the detach key sequence ("ctrl-p,ctrl-q") as bytes, and the
// escape proxy that watches the input for it. The daemon (attach, exec) and the CLI (its stdin pump)
// both need it.

/** docker's detach sequence when none is configured. */
export const defaultDetachKeys = 'ctrl-p,ctrl-q';

/** The control characters term.ToBytes accepts after "ctrl-": ctrl-@ is 0, ctrl-a 1 ... ctrl-_ 31. */
const controlKeys = '@abcdefghijklmnopqrstuvwxyz[\\]^_';

/**
 * term.ToBytes: comma-separated keys, each one character, "ctrl-<c>" or "DEL" (spaces around a key
 * are ignored). Throws `Unknown character: '<key>'` as moby does.
 */
export function keysToBytes(keys: string): number[] {
  const codes: number[] = [];
  for (const raw of keys.split(',')) {
    const key = raw.trim();
    const control = key.length === 6 && key.startsWith('ctrl-') ? controlKeys.indexOf(key[5]) : -1;
    if (key.length === 1) codes.push(key.charCodeAt(0));
    else if (control >= 0) codes.push(control);
    else if (key === 'DEL') codes.push(0x7f);
    else throw new Error(`Unknown character: '${key}'`);
  }
  return codes;
}

/** The detach sequence as bytes; "" means docker's default, ctrl-p ctrl-q. */
export function detachKeyBytes(keys: string): number[] {
  return keysToBytes(keys === '' ? defaultDetachKeys : keys);
}

/** Scans input for the detach sequence; holds back a partial match like moby's escape proxy. */
export class EscapeProxy {
  private matched = 0;
  constructor(private readonly keys: readonly number[]) {}

  /** Returns [bytes to pass on, whether the sequence completed]. */
  feed(chunk: Uint8Array): [Uint8Array, boolean] {
    const out: number[] = [];
    for (const byte of chunk) {
      if (byte === this.keys[this.matched]) {
        this.matched++;
        if (this.matched === this.keys.length) return [Uint8Array.from(out), true];
        continue;
      }
      if (this.matched > 0) {
        out.push(...this.keys.slice(0, this.matched));
        this.matched = 0;
        if (byte === this.keys[0]) {
          this.matched = 1;
          continue;
        }
      }
      out.push(byte);
    }
    return [Uint8Array.from(out), false];
  }
}
