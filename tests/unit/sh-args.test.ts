import { describe, expect, it } from 'vitest';
import { parseShArgs } from '../../src/node/sh';

describe('dockside sh arguments', () => {
  it('parses -c and --cold', () => {
    expect(parseShArgs([])).toEqual({ mode: 'restore' });
    expect(parseShArgs(['-c', 'echo hi'])).toEqual({ mode: 'restore', command: 'echo hi' });
    expect(parseShArgs(['--cold', '-c', 'true'])).toEqual({ mode: 'cold', command: 'true' });
  });

  it('explains bad arguments', () => {
    expect(parseShArgs(['-c'])).toBe('dockside sh: -c: option requires an argument');
    expect(parseShArgs(['-x'])).toBe('dockside sh: unknown argument: -x');
  });
});
