// buildkit's util/suggest: "(did you mean LABEL?)" after an unknown instruction or flag.

/** Levenshtein distance over code points (agext/levenshtein with default costs). */
function distance(a: string, b: string): number {
  const left = Array.from(a);
  const right = Array.from(b);
  let previous = Array.from({ length: right.length + 1 }, (_, i) => i);
  for (let i = 1; i <= left.length; i++) {
    const current = [i];
    for (let j = 1; j <= right.length; j++) {
      const substitution = previous[j - 1] + (left[i - 1] === right[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, substitution);
    }
    previous = current;
  }
  return previous[right.length];
}

/** The case of the original: all lower or all upper carries over to the suggestion. */
function matchCase(value: string, original: string): string {
  if (original === original.toLowerCase()) return value.toLowerCase();
  if (original === original.toUpperCase()) return value.toUpperCase();
  return value;
}

/**
 * The closest option within distance 2, or undefined (also when `value` is itself an option: then
 * the error is about something else). Ties go to the earlier option; buildkit walks a Go map, whose
 * order is random, so the lists given here are in a fixed order.
 */
export function suggest(value: string, options: readonly string[], caseSensitive: boolean): string | undefined {
  const wanted = caseSensitive ? value : value.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const option of options) {
    const candidate = caseSensitive ? option : option.toLowerCase();
    if (candidate === wanted) return undefined;
    const d = distance(wanted, candidate);
    if (d < bestDistance) {
      best = caseSensitive ? candidate : matchCase(candidate, value);
      bestDistance = d;
    }
  }
  return best;
}

/** The message with " (did you mean X?)" when there is a close option. */
export function withSuggestion(message: string, value: string, options: readonly string[], caseSensitive: boolean): string {
  const match = suggest(value, options, caseSensitive);
  return match === undefined ? message : `${message} (did you mean ${match}?)`;
}
