// The solution bot: does a lesson as a learner who clicks every Run button would. For each lesson, in
// order: its setup runs (as a LessonSession runs it: the docker command record cleared, setup on the
// host); then for each step the check must FAIL (a check that passes before its solution is broken),
// the solution is typed into the learner's terminal through GuestConsole (the Run buttons' path), and
// the check must PASS. Used by tests/guest/lessons-*.test.ts and scripts/lesson-check.ts.

import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import type { LoadedLesson } from '../../src/lessons/course';
import { loadNodeCourse, type NodeCourse } from '../../src/lessons/node-loader';
import type { CheckResult, Lang, SolutionLine } from '../../src/lessons/types';
import { startLessonMachine, type LessonMachine } from '../../src/node/lesson-machine';

export type StepVerdict =
  | { ok: true; ms: number }
  | { ok: false; ms: number; stage: 'before' | 'solution' | 'after'; reason: string; screen?: string };

export interface BotOptions {
  /** The language of the missing texts in failures (default en). */
  lang?: Lang;
  /** How long one line of a solution may take to give the prompt back (default 120 s). */
  lineTimeoutMs?: number;
  /**
   * After the solution, how long the machine may take to get there (default 10 s): a process killed
   * from the host is seen by the engine a moment after the prompt is back. The check runs again on
   * each activity of the machine, as a LessonSession runs it, not on a timer.
   */
  settleMs?: number;
}

/** Checks now and again on each activity of the machine until it passes or `settleMs` is over. */
async function checkAfter(machine: LessonMachine, check: () => Promise<CheckResult>, settleMs: number): Promise<CheckResult> {
  let result = await check();
  if (result === true) return result;
  let activity = false;
  let wake: (() => void) | undefined;
  const off = machine.env.onActivity(() => {
    activity = true;
    wake?.();
  });
  const deadline = Date.now() + settleMs;
  try {
    while (Date.now() < deadline) {
      if (!activity) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        await new Promise<void>((resolve) => {
          wake = resolve;
          timer = setTimeout(resolve, deadline - Date.now());
        });
        clearTimeout(timer);
        wake = undefined;
      }
      if (!activity) break;
      activity = false;
      result = await check();
      if (result === true) return result;
    }
    return result;
  } finally {
    off();
  }
}

function describeMissing(result: CheckResult, lang: Lang): string {
  return result === true ? 'passed' : result.missing[lang];
}

function showSolution(lines: readonly SolutionLine[]): string {
  return lines.map((line) => (typeof line === 'string' ? line : `[input ${JSON.stringify(line.input)}${line.waitFor ? ` after ${JSON.stringify(line.waitFor)}` : ''}]`)).join(' ; ');
}

/** Runs the lesson's setup as a LessonSession does; throws when it exits non-zero. */
export async function setUpLesson(machine: LessonMachine, lesson: LoadedLesson): Promise<void> {
  machine.env.clearCommands();
  const setup = lesson.definition.setup;
  if (!setup) return;
  const result = await machine.env.sh(setup);
  if (result.status !== 0) throw new Error(`${lesson.summary.id}: setup exited with status ${result.status}: ${result.stderr.trim()}`);
}

/** One step: the check fails, the solution runs in the terminal, the check passes. */
export async function runStep(machine: LessonMachine, lesson: LoadedLesson, stepId: string, options: BotOptions = {}): Promise<StepVerdict> {
  const lang = options.lang ?? 'en';
  const started = Date.now();
  const ms = (): number => Date.now() - started;
  const step = lesson.definition.steps[stepId];
  if (!step) return { ok: false, ms: 0, stage: 'before', reason: `lesson.ts has no step ${stepId}` };
  try {
    const before = await step.check(machine.env);
    if (before === true) return { ok: false, ms: ms(), stage: 'before', reason: 'the check passed before the solution ran (a broken check, or an earlier step already did this)' };
  } catch (error) {
    return { ok: false, ms: ms(), stage: 'before', reason: `the check threw before the solution: ${error instanceof Error ? error.message : String(error)}` };
  }
  try {
    await machine.console.type(step.solution, { timeoutMs: options.lineTimeoutMs ?? 120_000 });
  } catch (error) {
    return { ok: false, ms: ms(), stage: 'solution', reason: `the solution (${showSolution(step.solution)}) did not finish: ${error instanceof Error ? error.message : String(error)}`, screen: machine.console.screen };
  }
  try {
    const after = await checkAfter(machine, () => step.check(machine.env), options.settleMs ?? 10_000);
    if (after !== true) return { ok: false, ms: ms(), stage: 'after', reason: `the check still fails after the solution: ${describeMissing(after, lang)}`, screen: machine.console.screen };
  } catch (error) {
    return { ok: false, ms: ms(), stage: 'after', reason: `the check threw after the solution: ${error instanceof Error ? error.message : String(error)}`, screen: machine.console.screen };
  }
  return { ok: true, ms: ms() };
}

/** The last lines of the terminal, for a failure message. */
export function screenTail(screen: string | undefined, lines = 15): string {
  return screen ? screen.split('\n').slice(-lines).join('\n') : '';
}

/**
 * Vitest tests for every lesson of a part, in one restored guest: a test for each lesson's setup and
 * one per step, in order. A part without lessons yet gets one skipped test that says so.
 */
export function describeLessonsOfPart(partId: string, course: NodeCourse = loadNodeCourse()): void {
  const part = course.course.parts.find((p) => p.id === partId);
  if (!part) throw new Error(`no part ${partId} in lessons/`);
  if (part.lessons.length === 0) {
    describe.skip(`part ${partId}: no lessons yet in lessons/${partId}`, () => {
      it('has no lessons to check', () => undefined);
    });
    return;
  }
  let machine: LessonMachine;
  const loaded = new Map<string, LoadedLesson>();
  beforeAll(async () => {
    machine = await startLessonMachine();
    for (const lesson of part.lessons) loaded.set(lesson.id, await course.loadLesson(lesson.id));
  }, 120_000);
  afterAll(async () => {
    await machine?.dispose();
  });
  for (const summary of part.lessons) {
    describe(`lesson ${summary.id}`, () => {
      it('sets up', async () => {
        await setUpLesson(machine, loaded.get(summary.id)!);
      }, 120_000);
      for (const stepId of summary.steps) {
        it(`${stepId}: the check fails, the solution runs in the terminal, the check passes`, async () => {
          const verdict = await runStep(machine, loaded.get(summary.id)!, stepId);
          if (!verdict.ok) {
            const screen = screenTail(verdict.screen);
            expect.fail(`${summary.id}#${stepId} (${verdict.stage}): ${verdict.reason}${screen ? `\n--- terminal ---\n${screen}` : ''}`);
          }
        }, 600_000);
      }
    });
  }
}
