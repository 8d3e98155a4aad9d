// LessonSession (src/lessons/session.ts) and Progress (src/lessons/progress.ts) against a fake machine:
// checks run on activity only, steps unlock in order, hints follow the last docker command, progress
// is saved and survives a new session, reset runs setup again and saves the emptied progress.

import { describe, expect, it } from 'vitest';
import { LessonSession, type ActivityKind, type LessonHost } from '../../src/lessons/session';
import { MemoryProgressStore, Progress, normalize } from '../../src/lessons/progress';
import { defineLesson, type DockerCommandRecord, type LessonEnv } from '../../src/lessons/types';
import type { LessonSummary } from '../../src/lessons/course';

class FakeMachine implements LessonHost {
  files = new Map<string, string>();
  records: DockerCommandRecord[] = [];
  scripts: string[] = [];
  checks = 0;
  private listeners = new Set<(kind: ActivityKind) => void>();
  readonly env: LessonEnv = {
    lang: 'en',
    api: async () => ({ status: 200, body: undefined as never }),
    sh: async (script) => {
      this.scripts.push(script);
      if (script === 'reset') this.files.clear();
      return { stdout: '', stderr: '', status: 0 };
    },
    readFile: async (path) => {
      this.checks++;
      return this.files.get(path);
    },
    commands: () => this.records,
  };
  onActivity(listener: (kind: ActivityKind) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
  clearCommands(): void {
    this.records = [];
  }
  emit(kind: ActivityKind): void {
    for (const l of this.listeners) l(kind);
  }
  docker(argv: string[], status: number, stderr = ''): void {
    this.records.push({ argv, status, stderr, endedAt: Date.now() });
    this.emit('docker-command');
  }
}

const fileStep = (path: string) => ({
  check: async (env: LessonEnv) => ((await env.readFile(path)) ? (true as const) : { missing: { zh: `缺 ${path}`, en: `no ${path}` } }),
  solution: [`touch ${path}`],
});

const definition = defineLesson({
  setup: 'reset',
  steps: {
    a: { ...fileStep('/a'), hints: [{ when: (last) => last?.status === 125 && /No such image/.test(last.stderr), text: { zh: '先拉取镜像', en: 'pull the image first' } }] },
    b: fileStep('/b'),
    c: { ...fileStep('/c'), optional: true },
  },
});
const summary: LessonSummary = { id: 'p/l', part: 'p', slug: 'l', title: { zh: 'L', en: 'L' }, covers: [], steps: ['a', 'b', 'c'], stepTitles: { zh: [], en: [] } };

async function settle(session: LessonSession): Promise<void> {
  await session.check('manual');
}

describe('LessonSession', () => {
  it('runs setup on a fresh start, checks the first step, locks the others', async () => {
    const machine = new FakeMachine();
    const progress = await Progress.open(new MemoryProgressStore());
    const session = new LessonSession({ summary, definition, host: machine, progress });
    await session.start();
    expect(machine.scripts).toEqual(['reset']);
    expect(session.current.phase).toBe('ready');
    expect(session.current.steps.map((s) => s.status)).toEqual(['current', 'locked', 'locked']);
    expect(session.current.steps[0].missing).toEqual({ zh: '缺 /a', en: 'no /a' });
    expect(progress.current.last).toBe('p/l');
  });

  it('checks on activity, unlocks the next step, and checks it at once (one command can do two steps)', async () => {
    const machine = new FakeMachine();
    const progress = await Progress.open(new MemoryProgressStore());
    const session = new LessonSession({ summary, definition, host: machine, progress, now: () => 1000 });
    await session.start();
    const before = machine.checks;
    machine.files.set('/a', 'x');
    machine.files.set('/b', 'x');
    expect(machine.checks).toBe(before); // nothing happened on the machine yet: no check
    machine.emit('prompt');
    await settle(session);
    expect(session.current.steps.map((s) => s.status)).toEqual(['done', 'done', 'current']);
    expect(session.current.steps[0].doneAt).toBe(1000);
    expect(session.current.finished).toBe(true); // c is optional
    expect(session.current.lastPassed).toEqual({ id: 'b', at: 1000 });
    expect(progress.lesson('p/l').steps).toEqual({ a: 1000, b: 1000 });
  });

  it('picks the hint that matches the last docker command', async () => {
    const machine = new FakeMachine();
    const session = new LessonSession({ summary, definition, host: machine, progress: await Progress.open(new MemoryProgressStore()) });
    await session.start();
    machine.docker(['run', 'nope'], 125, 'Unable to find image\ndocker: Error response from daemon: No such image: nope:latest\n');
    await settle(session);
    expect(session.current.steps[0].hint?.en).toBe('pull the image first');
    machine.docker(['ps'], 0);
    await settle(session);
    expect(session.current.steps[0].hint).toBeUndefined();
  });

  it('keeps progress across sessions and does not run setup on a half-done lesson', async () => {
    const store = new MemoryProgressStore();
    const machine = new FakeMachine();
    const first = new LessonSession({ summary, definition, host: machine, progress: await Progress.open(store) });
    await first.start();
    machine.files.set('/a', 'x');
    machine.emit('docker-command');
    await settle(first);
    first.dispose();

    const progress = await Progress.open(store); // "reload"
    const second = new LessonSession({ summary, definition, host: machine, progress });
    machine.scripts = [];
    await second.start();
    expect(machine.scripts).toEqual([]);
    expect(second.current.steps.map((s) => s.status)).toEqual(['done', 'current', 'locked']);
  });

  it('reset runs setup, starts over and saves the emptied progress', async () => {
    const store = new MemoryProgressStore();
    const machine = new FakeMachine();
    const session = new LessonSession({ summary, definition, host: machine, progress: await Progress.open(store) });
    await session.start();
    machine.files.set('/a', 'x');
    machine.emit('prompt');
    await settle(session);
    await session.reset();
    expect(machine.scripts).toEqual(['reset', 'reset']);
    expect(session.current.steps.map((s) => s.status)).toEqual(['current', 'locked', 'locked']);
    expect((await store.load()).lessons['p/l'].steps).toEqual({});
  });

  it('shows a solution on request and notifies subscribers (Svelte store contract)', async () => {
    const machine = new FakeMachine();
    const session = new LessonSession({ summary, definition, host: machine, progress: await Progress.open(new MemoryProgressStore()) });
    const seen: boolean[] = [];
    const off = session.subscribe((s) => seen.push(s.steps[1].solutionShown));
    expect(seen).toEqual([false]); // called at once
    session.showSolution('b');
    expect(session.current.steps[1]).toMatchObject({ solutionShown: true, solution: ['touch /b'] });
    off();
  });

  it('ignores activity after dispose', async () => {
    const machine = new FakeMachine();
    const session = new LessonSession({ summary, definition, host: machine, progress: await Progress.open(new MemoryProgressStore()) });
    await session.start();
    session.dispose();
    const before = machine.checks;
    machine.emit('prompt');
    expect(machine.checks).toBe(before);
    expect(session.current.phase).toBe('closed');
  });
});

describe('Progress', () => {
  it('normalizes whatever was stored', () => {
    expect(normalize(undefined)).toEqual({ version: 1, lessons: {} });
    expect(normalize({ last: 'a/b', lessons: { 'a/b': { steps: { x: 1, y: 'no' } }, bad: 3 } })).toEqual({ version: 1, last: 'a/b', lessons: { 'a/b': { steps: { x: 1 } } } });
  });

  it('continues where the learner left off, else at the first lesson', async () => {
    const progress = await Progress.open(new MemoryProgressStore());
    const lesson = (id: string): LessonSummary => ({ ...summary, id });
    const course = { parts: [{ id: 'p', title: { zh: '', en: '' }, covers: [], lessons: [lesson('p/1'), lesson('p/2')] }] };
    expect(progress.continueWith(course)?.id).toBe('p/1');
    await progress.visit('p/2');
    expect(progress.continueWith(course)?.id).toBe('p/2');
    expect(progress.isFinished(lesson('p/2'), ['c'])).toBe(false);
    await progress.markDone('p/2', 'a');
    await progress.markDone('p/2', 'b');
    expect(progress.isFinished(lesson('p/2'), ['c'])).toBe(true);
  });
});
