// One guest per test file: restore the saved state once, share it between the file's tests. Each test
// checks one behaviour; when several check what one command did, they share its result (shared()).

import type { BootMode, Guest, RunResult } from '../../src/vm/guest';
import { startNodeGuest } from '../../src/node/artifacts';

const decoder = new TextDecoder();

export async function startGuest(mode: BootMode = 'restore'): Promise<Guest> {
  return startNodeGuest(mode);
}

export interface TextResult {
  stdout: string;
  stderr: string;
  status: number;
}

export async function sh(guest: Guest, script: string): Promise<TextResult> {
  const result: RunResult = await guest.run(script);
  return { stdout: decoder.decode(result.stdout), stderr: decoder.decode(result.stderr), status: result.status };
}

/** Polls a condition (no fixed sleeps): resolves as soon as check() returns a value, fails after timeoutMs. */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 20_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * What one command did, shared by the tests that each check one thing about it: made by the first test
 * that asks (so a filtered run still works), then the same promise for the rest. A failure fails them all.
 */
export function shared<T>(make: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= make());
}
