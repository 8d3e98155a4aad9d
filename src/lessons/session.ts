// A lesson being done: runs its setup, checks the current step whenever something happens on the
// machine (a docker command ended, an engine event, the shell prompt came back, a file was written:
// no timers), marks a step done (with its time, saved in Progress) and moves to the next one, picks
// the hint that matches the learner's last docker command, and resets.
//
// The UI reads it through subscribe(), which follows Svelte's store contract (the listener is called
// at once and on every change; it returns the unsubscribe function), so `$session` works as is.

import type { LessonSummary } from './course';
import type { Progress } from './progress';
import type { DockerCommandRecord, LessonDefinition, LessonEnv, Localized, SolutionLine } from './types';

/** What happened on the machine (why a check runs). */
export type ActivityKind = 'docker-command' | 'engine-event' | 'prompt' | 'file-written' | 'manual' | 'start';

/** The machine as a session sees it: the env for checks, and the events that make it check. */
export interface LessonHost {
  readonly env: LessonEnv;
  onActivity(listener: (kind: ActivityKind) => void): () => void;
  /** Forgets the docker commands recorded so far (a lesson's commands() start with the lesson). */
  clearCommands(): void;
}

export type StepStatus = 'locked' | 'current' | 'done';

export interface StepState {
  id: string;
  status: StepStatus;
  /** An optional challenge: the lesson is finished without it. */
  optional: boolean;
  /** When it was done (ms since the epoch). */
  doneAt?: number;
  /** The current step's last check: what is still missing. */
  missing?: Localized;
  /** The current step's hint for the learner's last docker command, when one matches. */
  hint?: Localized;
  /** Whether the learner asked to see the solution. */
  solutionShown: boolean;
  /** The solution (what "Show solution" shows; GuestConsole.type() runs it). */
  solution: readonly SolutionLine[];
}

export interface SessionState {
  lessonId: string;
  /** starting: setup runs; ready: checks run on activity; resetting: setup runs again; closed: disposed. */
  phase: 'starting' | 'ready' | 'resetting' | 'closed';
  steps: StepState[];
  /** The step to do now; undefined when every step is done. */
  current?: string;
  /** Every non-optional step is done. */
  finished: boolean;
  /** A check is running. */
  checking: boolean;
  /** The last step that passed and when (the UI announces it and moves focus to the next step). */
  lastPassed?: { id: string; at: number };
  /** What went wrong running setup or a check (the lesson still works; shown for diagnosis). */
  error?: string;
}

export interface SessionOptions {
  summary: LessonSummary;
  definition: LessonDefinition;
  host: LessonHost;
  progress: Progress;
  /** The clock (tests). */
  now?: () => number;
}

export class LessonSession {
  private state: SessionState;
  private readonly listeners = new Set<(state: SessionState) => void>();
  private offActivity: (() => void) | undefined;
  private running = false;
  private pending = false;
  /** Bumped by reset and dispose: a check of an older generation does not touch the state. */
  private generation = 0;
  /** When the current step became current (hints look at commands ended after it). */
  private currentSince = 0;
  private readonly now: () => number;

  constructor(private readonly options: SessionOptions) {
    this.now = options.now ?? Date.now;
    this.state = { lessonId: options.summary.id, phase: 'starting', steps: this.buildSteps(), finished: false, checking: false };
    this.recompute();
  }

  get lessonId(): string {
    return this.options.summary.id;
  }

  get current(): SessionState {
    return this.state;
  }

  /** Svelte's store contract. */
  subscribe(listener: (state: SessionState) => void): () => void {
    this.listeners.add(listener);
    listener(this.state);
    return () => this.listeners.delete(listener);
  }

  /**
   * Opens the lesson: records the visit; runs setup when the lesson has no step done yet (a learner
   * coming back to a lesson half done keeps the machine as they left it); starts listening.
   */
  async start(): Promise<void> {
    const { progress, summary, host } = this.options;
    await progress.visit(summary.id, this.now());
    host.clearCommands();
    if (this.state.steps.every((s) => s.status !== 'done')) await this.runSetup();
    if (this.state.phase === 'closed') return;
    this.offActivity ??= host.onActivity((kind) => this.trigger(kind));
    this.update({ phase: 'ready' });
    this.currentSince = this.now();
    await this.check('start');
  }

  /** Reset this lesson: forgets its progress (and saves that), runs setup again, starts over. */
  async reset(): Promise<void> {
    this.generation++;
    const { progress, summary, host } = this.options;
    this.update({ phase: 'resetting', lastPassed: undefined, error: undefined });
    await progress.clearLesson(summary.id);
    host.clearCommands();
    this.state = { ...this.state, steps: this.buildSteps() };
    this.recompute();
    await this.runSetup();
    if (this.state.phase === 'closed') return;
    this.update({ phase: 'ready' });
    this.currentSince = this.now();
    await this.check('manual');
  }

  /** Shows the step's solution (it stays shown). */
  showSolution(stepId: string): void {
    this.update({ steps: this.state.steps.map((s) => (s.id === stepId ? { ...s, solutionShown: true } : s)) });
  }

  /** Checks the current step now (and the next ones while they pass). Resolves when done checking. */
  async check(kind: ActivityKind = 'manual'): Promise<void> {
    this.trigger(kind);
    while (this.running) await this.idle();
  }

  /** Stops listening; the state stays as it was, with phase "closed". */
  dispose(): void {
    this.generation++;
    this.offActivity?.();
    this.offActivity = undefined;
    this.update({ phase: 'closed' });
  }

  // ---- internals ----

  private buildSteps(): StepState[] {
    const { summary, definition, progress } = this.options;
    const done = progress.lesson(summary.id).steps;
    return summary.steps.map((id) => {
      const step = definition.steps[id];
      return {
        id,
        status: done[id] !== undefined ? 'done' : 'locked',
        optional: step?.optional === true,
        doneAt: done[id],
        solutionShown: false,
        solution: step?.solution ?? [],
      };
    });
  }

  /** Sets `current` (the first step not done), the locked ones after it, and `finished`. */
  private recompute(): void {
    let current: string | undefined;
    const steps = this.state.steps.map((s): StepState => {
      if (s.status === 'done') return s;
      if (current === undefined) {
        current = s.id;
        return { ...s, status: 'current' };
      }
      return { ...s, status: 'locked', missing: undefined, hint: undefined };
    });
    const finished = steps.every((s) => s.status === 'done' || s.optional);
    this.state = { ...this.state, steps, current, finished };
  }

  private update(patch: Partial<SessionState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of [...this.listeners]) listener(this.state);
  }

  private async runSetup(): Promise<void> {
    const setup = this.options.definition.setup;
    if (!setup) return;
    try {
      const result = await this.options.host.env.sh(setup);
      if (result.status !== 0) this.update({ error: `setup exited with status ${result.status}: ${result.stderr.trim()}` });
    } catch (error) {
      this.update({ error: `setup failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  }

  private idleWaiters: (() => void)[] = [];

  private idle(): Promise<void> {
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Something happened: check now, or once more after the check that is running. */
  private trigger(kind: ActivityKind): void {
    if (this.state.phase !== 'ready') return;
    if (this.running) {
      // A check's own `docker exec` or `docker inspect` through env.sh() makes engine events; they must
      // not make it check again, forever. What the learner does ends in a docker command or a prompt.
      if (kind === 'engine-event' && this.state.checking) return;
      this.pending = true;
      return;
    }
    this.running = true;
    this.pending = true;
    void this.loop().finally(() => {
      this.running = false;
      if (this.state.checking) this.update({ checking: false });
      for (const wake of this.idleWaiters.splice(0)) wake();
    });
  }

  private async loop(): Promise<void> {
    const generation = this.generation;
    while (this.pending && generation === this.generation && this.state.phase === 'ready') {
      this.pending = false;
      const stepId = this.state.current;
      if (stepId === undefined) return;
      const step = this.options.definition.steps[stepId];
      if (!step) return;
      this.update({ checking: true });
      const { env } = this.options.host;
      let result: Awaited<ReturnType<typeof step.check>>;
      try {
        result = await step.check(env);
      } catch (error) {
        if (generation !== this.generation) return;
        this.update({ error: `the check of ${stepId} failed: ${error instanceof Error ? error.message : String(error)}` });
        continue;
      }
      if (generation !== this.generation) return;
      if (result === true) {
        const at = this.now();
        await this.options.progress.markDone(this.options.summary.id, stepId, at);
        if (generation !== this.generation) return;
        this.state = {
          ...this.state,
          steps: this.state.steps.map((s) => (s.id === stepId ? { ...s, status: 'done', doneAt: at, missing: undefined, hint: undefined } : s)),
          lastPassed: { id: stepId, at },
        };
        this.recompute();
        this.currentSince = at;
        this.update({});
        this.pending = true; // the next step may already be done (one command can satisfy two steps)
        continue;
      }
      const hint = await this.pickHint(stepId, env);
      if (generation !== this.generation) return;
      this.update({ steps: this.state.steps.map((s) => (s.id === stepId ? { ...s, missing: result.missing, hint } : s)) });
    }
  }

  /** The first hint whose `when` holds for the last docker command run since the step became current. */
  private async pickHint(stepId: string, env: LessonEnv): Promise<Localized | undefined> {
    const hints = this.options.definition.steps[stepId]?.hints ?? [];
    if (hints.length === 0) return undefined;
    const commands = env.commands();
    const lastCommand: DockerCommandRecord | undefined = commands[commands.length - 1];
    const last = lastCommand && lastCommand.endedAt >= this.currentSince ? lastCommand : undefined;
    for (const hint of hints) {
      try {
        if (await hint.when(last, env)) return hint.text;
      } catch {
        // A hint that cannot decide does not apply.
      }
    }
    return undefined;
  }
}
