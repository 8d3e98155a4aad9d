// "Rewind to here" (issue 14): a passed lesson step's snapshot (machine-save.ts) becomes the pair the
// page resumes, and the page reloads onto it through the same path as any reload. The note of the
// rewind crosses the reload in sessionStorage, so the terminal can say it once after the snapshot's own
// output.

import type { Progress } from '../lessons/progress';
import type { MachineKeeper } from './machine-keeper';
import type { SettingsStorage } from './settings';

const NOTE_KEY = 'dockside.rewound';

export interface RewindNote {
  lesson: string;
  step: string;
  /** The step's title as the learner saw it (plain text). */
  title: string;
}

/**
 * Rewinds to `step` of `lesson` (whose steps in order are `steps`): the keeper stops saving and makes the
 * step's snapshot the pair a reload resumes; the later steps of the lesson are marked not done again
 * and their snapshots forgotten (the machine no longer holds what they did); the note is left for the
 * reloaded page. The caller reloads.
 */
export async function rewindTo(options: { keeper: MachineKeeper; progress: Progress; lesson: string; steps: readonly string[]; step: string; title: string; storage: SettingsStorage }): Promise<void> {
  const { keeper, progress, lesson, steps, step, storage } = options;
  const later = steps.slice(steps.indexOf(step) + 1);
  await keeper.rewind(lesson, step, later);
  await progress.forgetSteps(lesson, later);
  storage.setItem(NOTE_KEY, JSON.stringify({ lesson, step, title: options.title } satisfies RewindNote));
}

/** The note of a rewind that led to this page load, once (it is removed). */
export function takeRewindNote(storage: SettingsStorage): RewindNote | undefined {
  const text = storage.getItem(NOTE_KEY);
  if (text === null) return undefined;
  storage.removeItem(NOTE_KEY);
  try {
    const note = JSON.parse(text) as Partial<RewindNote>;
    return typeof note.lesson === 'string' && typeof note.step === 'string' && typeof note.title === 'string' ? (note as RewindNote) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The resumed terminal output with a line put in before its last line (the shell's prompt, which must
 * stay last: the resumed shell waits there and prints no other).
 */
export function beforeLastLine(output: Uint8Array, line: string): Uint8Array {
  const cut = output.lastIndexOf(0x0a) + 1;
  const inserted = new TextEncoder().encode(`${line}\r\n`);
  const out = new Uint8Array(output.byteLength + inserted.byteLength);
  out.set(output.subarray(0, cut), 0);
  out.set(inserted, cut);
  out.set(output.subarray(cut), cut + inserted.byteLength);
  return out;
}
