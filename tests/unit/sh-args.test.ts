import { describe, expect, it } from 'vitest';
import { couldBeExitMarker, parseShArgs } from '../../src/node/sh';

describe('dockside sh arguments', () => {
  it('parses -c and --cold', () => {
    expect(parseShArgs([])).toEqual({ mode: 'restore' });
    expect(parseShArgs(['-c', 'echo hi'])).toEqual({ mode: 'restore', command: 'echo hi' });
    expect(parseShArgs(['--cold', '-c', 'true'])).toEqual({ mode: 'cold', command: 'true' });
  });

  it('parses --state FILE and --state=FILE', () => {
    expect(parseShArgs(['--state', 'm.pair', '-c', 'true'])).toEqual({ mode: 'restore', command: 'true', state: 'm.pair' });
    expect(parseShArgs(['--state=m.pair'])).toEqual({ mode: 'restore', state: 'm.pair' });
    expect(parseShArgs(['--state'])).toBe('dockside sh: --state: option requires an argument');
  });

  it('explains bad arguments', () => {
    expect(parseShArgs(['-c'])).toBe('dockside sh: -c: option requires an argument');
    expect(parseShArgs(['-x'])).toBe('dockside sh: unknown argument: -x');
  });
});

describe('the exit marker of an interactive dockside sh', () => {
  it('holds back only a tail that can still become the marker', () => {
    expect(couldBeExitMarker('\x1b')).toBe(true);
    expect(couldBeExitMarker('\x1b]777;dock')).toBe(true);
    expect(couldBeExitMarker('\x1b]777;dockside-exit;')).toBe(true);
    expect(couldBeExitMarker('\x1b]777;dockside-exit;12')).toBe(true);
    // bash's prompt after enabling bracketed paste, a colour: shown at once.
    expect(couldBeExitMarker('\x1b[?2004hroot@4f2a:/# ')).toBe(false);
    expect(couldBeExitMarker('\x1b[0m$ ')).toBe(false);
    expect(couldBeExitMarker('\x1b]0;title\x07')).toBe(false);
    expect(couldBeExitMarker('\x1b]777;dockside-exit;1x')).toBe(false);
  });
});
