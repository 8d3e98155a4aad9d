// The fuzz tests' shared budget and checks. `npm test` runs each property with its small fixed
// budget; `npm run fuzz` sets FUZZ_RUNS (default 100000) and runs the same properties that many times,
// printing inputs per second. fast-check prints the seed and the shrunk path of a failure, so
// `fc.assert(property, { seed, path })` replays it.

import fc from 'fast-check';

const fuzzRuns = Number(process.env.FUZZ_RUNS ?? '');

/** The number of inputs for one property: FUZZ_RUNS under `npm run fuzz`, else the small budget. */
export function runs(small: number): number {
  return Number.isFinite(fuzzRuns) && fuzzRuns > 0 ? fuzzRuns : small;
}

/**
 * An async input that has not settled after this long is a hang (a request or command that never
 * answers): fast-check fails the property with it and shrinks it. Far above any input's real time.
 */
const inputTimeout = Number(process.env.FUZZ_INPUT_TIMEOUT_MS ?? '20000');

/** fc.assert with the budget; under FUZZ_RUNS it logs how many inputs it tried and how fast. */
export async function check<Ts>(name: string, property: fc.IProperty<Ts> | fc.IAsyncProperty<Ts>, small: number): Promise<void> {
  const numRuns = runs(small);
  const started = performance.now();
  await fc.assert(property, { numRuns, timeout: inputTimeout });
  if (numRuns !== small) {
    const seconds = (performance.now() - started) / 1000;
    console.log(`fuzz ${name}: ${numRuns} inputs in ${seconds.toFixed(1)} s (${Math.round(numRuns / seconds)}/s)`);
  }
}

/** JavaScript's own errors: a module that throws one of these crashed instead of rejecting the input. */
const crashes = [TypeError, RangeError, ReferenceError, SyntaxError, EvalError, URIError];

/**
 * Passes when `error` is an input error the module means to throw (an Error, not a JavaScript
 * crash, with a message, and of one of `allowed` when given); rethrows it otherwise, so fast-check
 * reports the crash with its stack.
 */
export function expectInputError(error: unknown, allowed: readonly (abstract new (...args: never[]) => Error)[] = []): void {
  if (!(error instanceof Error)) throw new Error(`threw a non-Error: ${String(error)}`);
  if (crashes.some((kind) => error instanceof kind)) throw error;
  if (allowed.length > 0 && !allowed.some((kind) => error instanceof kind)) throw error;
  if (error.message === '') throw new Error(`an error without a message: ${error.constructor.name}`, { cause: error });
}

/** Runs `body`; an input error is fine, a crash fails the property. */
export function rejectsCleanly(body: () => unknown, allowed: readonly (abstract new (...args: never[]) => Error)[] = []): void {
  try {
    body();
  } catch (error) {
    expectInputError(error, allowed);
  }
}

/** The async form of rejectsCleanly. */
export async function rejectsCleanlyAsync(body: () => Promise<unknown>, allowed: readonly (abstract new (...args: never[]) => Error)[] = []): Promise<void> {
  try {
    await body();
  } catch (error) {
    expectInputError(error, allowed);
  }
}

/** Text mutations of a valid seed: insert, delete or replace a slice with characters likely to matter. */
export function mutated(seeds: readonly string[], alphabet: readonly string[]): fc.Arbitrary<string> {
  const piece = fc.oneof(fc.constantFrom(...alphabet), fc.string({ maxLength: 4 }), fc.string({ unit: 'binary', maxLength: 3 }));
  const edit = fc.tuple(fc.nat(), fc.nat({ max: 6 }), fc.array(piece, { maxLength: 3 }));
  return fc.tuple(fc.constantFrom(...seeds), fc.array(edit, { maxLength: 4 })).map(([seed, edits]) => {
    let text = seed;
    for (const [at, remove, insert] of edits) {
      const position = text.length === 0 ? 0 : at % (text.length + 1);
      text = text.slice(0, position) + insert.join('') + text.slice(position + remove);
    }
    return text;
  });
}
