// The lesson runtime on a real guest, with the fixture lesson of tests/fixtures/lessons: the solution
// bot's own path (setup, check fails, solution typed in the terminal, check passes) for every step,
// including a `{input, waitFor}` line inside `docker run -it`; the docker command record; and a
// LessonSession that moves from step to step on the machine's own events.

import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadNodeCourse } from '../../src/lessons/node-loader';
import { LessonSession, type SessionState } from '../../src/lessons/session';
import { MemoryProgressStore, Progress } from '../../src/lessons/progress';
import { projectRoot } from '../../src/node/artifacts';
import { startLessonMachine, type LessonMachine } from '../../src/node/lesson-machine';
import { runStep, screenTail, setUpLesson } from '../helpers/solution-bot';
import type { LoadedLesson } from '../../src/lessons/course';

const course = loadNodeCourse(join(projectRoot, 'tests/fixtures/lessons'));
let machine: LessonMachine;
let lesson: LoadedLesson;

beforeAll(async () => {
  machine = await startLessonMachine();
  lesson = await course.loadLesson('01-fixture/01-hello');
}, 120_000);
afterAll(async () => {
  await machine?.dispose();
});

describe('the solution bot on the fixture lesson', () => {
  it('sets up', async () => {
    await setUpLesson(machine, lesson);
  });

  for (const stepId of ['make-file', 'version', 'write-file', 'interactive']) {
    it(`${stepId}: fails before, passes after its solution`, async () => {
      const verdict = await runStep(machine, lesson, stepId, { lineTimeoutMs: 60_000 });
      if (!verdict.ok) expect.fail(`${stepId} (${verdict.stage}): ${verdict.reason}\n${screenTail(verdict.screen)}`);
    }, 120_000);
  }

  it('recorded the docker commands typed in the terminal with argv, status and time', () => {
    const commands = machine.env.commands();
    expect(commands.map((c) => c.argv)).toEqual([
      ['version', '--format', '{{.Server.Version}}'],
      ['run', '-it', '--name', 'fixture-it', 'busybox', 'sh'],
    ]);
    expect(commands.map((c) => c.status)).toEqual([0, 0]);
    expect(commands[1].endedAt).toBeGreaterThanOrEqual(commands[0].endedAt);
  });

  it("records a failed command's status and the end of its stderr", async () => {
    await machine.console.type(['docker run --rm no-such-image-here:1'], { timeoutMs: 60_000 });
    const last = machine.env.commands().at(-1);
    expect(last?.argv).toEqual(['run', '--rm', 'no-such-image-here:1']);
    expect(last?.status).toBe(125);
    expect(last?.stderr).toMatch(/no-such-image-here/);
  }, 120_000);

  it('reports a check that passes before its solution', async () => {
    // make-file's marker is still there from the step above.
    const verdict = await runStep(machine, lesson, 'make-file');
    expect(verdict).toMatchObject({ ok: false, stage: 'before' });
  });
});

describe('a LessonSession on the machine', () => {
  it('runs setup, then unlocks each step when the machine gets there, saving progress', async () => {
    const progress = await Progress.open(new MemoryProgressStore());
    const session = new LessonSession({ summary: lesson.summary, definition: lesson.definition, host: machine.env, progress });
    const states: SessionState[] = [];
    session.subscribe((s) => states.push(s));
    await session.start();
    expect(session.current.current).toBe('make-file');
    expect(session.current.steps[0].missing?.en).toBe('There is no /tmp/fixture/marker yet.');

    const passed = (id: string): Promise<void> =>
      new Promise((resolve) => {
        const off = session.subscribe((s) => {
          if (s.steps.find((step) => step.id === id)?.status === 'done') {
            queueMicrotask(() => off());
            resolve();
          }
        });
      });

    // The prompt coming back is what triggers the check: no polling.
    let done = passed('make-file');
    await machine.console.type(lesson.definition.steps['make-file'].solution);
    await done;
    expect(session.current.current).toBe('version');
    expect(progress.doneSteps(lesson.summary.id)).toEqual(new Set(['make-file']));

    // A failed docker version gives the step's hint.
    await machine.console.type(['docker version --format "{{.Nope}}"'], { timeoutMs: 60_000 });
    await session.check();
    expect(session.current.steps[1].hint?.en).toBe('docker version failed.');

    done = passed('version');
    await machine.console.type(lesson.definition.steps.version.solution, { timeoutMs: 60_000 });
    await done;

    done = passed('write-file');
    await machine.console.writeFile('/tmp/fixture/app/Dockerfile', 'FROM busybox\nLABEL a="b & <c>"\n');
    await done;
    expect(session.current.current).toBe('interactive');
    expect(session.current.finished).toBe(false);

    await session.reset();
    expect(session.current.current).toBe('make-file');
    expect(progress.doneSteps(lesson.summary.id)).toEqual(new Set());
    expect((await machine.env.sh('[ -e /tmp/fixture ] || echo gone')).stdout).toBe('gone\n');
    session.dispose();
  }, 240_000);
});
