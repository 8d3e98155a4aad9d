// The learner's progress: per lesson, when each step was done, and which lesson they were last in
// ("continue where you left off"). Kept by a ProgressStore (IndexedDB in the page: src/app/progress-store.ts;
// memory in tests). Plain JSON, so a later version can read what an older one saved.

import type { CourseIndex, LessonSummary } from './course';

export interface LessonProgress {
  /** Step id → when it was done (ms since the epoch). */
  steps: Record<string, number>;
  /** When the learner last opened the lesson. */
  visitedAt?: number;
  /** The step the learner was last on (for a deep link back into the middle of a lesson). */
  lastStep?: string;
}

export interface CourseProgress {
  version: 1;
  lessons: Record<string, LessonProgress>;
  /** The lesson opened last. */
  last?: string;
}

export function emptyProgress(): CourseProgress {
  return { version: 1, lessons: {} };
}

export interface ProgressStore {
  load(): Promise<CourseProgress>;
  save(progress: CourseProgress): Promise<void>;
}

/** A store in memory (tests, the bot). */
export class MemoryProgressStore implements ProgressStore {
  private saved: string = JSON.stringify(emptyProgress());

  async load(): Promise<CourseProgress> {
    return normalize(JSON.parse(this.saved));
  }

  async save(progress: CourseProgress): Promise<void> {
    this.saved = JSON.stringify(progress);
  }
}

/** Whatever was stored, as a CourseProgress (unknown or broken data gives an empty one). */
export function normalize(value: unknown): CourseProgress {
  const progress = emptyProgress();
  if (!value || typeof value !== 'object') return progress;
  const v = value as Partial<CourseProgress>;
  if (typeof v.last === 'string') progress.last = v.last;
  if (v.lessons && typeof v.lessons === 'object') {
    for (const [id, lesson] of Object.entries(v.lessons)) {
      if (!lesson || typeof lesson !== 'object' || !lesson.steps || typeof lesson.steps !== 'object') continue;
      const steps: Record<string, number> = {};
      for (const [step, at] of Object.entries(lesson.steps)) if (typeof at === 'number') steps[step] = at;
      progress.lessons[id] = { steps };
      if (typeof lesson.visitedAt === 'number') progress.lessons[id].visitedAt = lesson.visitedAt;
      if (typeof lesson.lastStep === 'string') progress.lessons[id].lastStep = lesson.lastStep;
    }
  }
  return progress;
}

/**
 * Progress with one store behind it: reads once, writes through (each change is saved before the
 * promise resolves), tells subscribers. The course map and the session share one Progress.
 */
export class Progress {
  private data: CourseProgress = emptyProgress();
  private readonly listeners = new Set<(progress: CourseProgress) => void>();
  private saving: Promise<void> = Promise.resolve();

  private constructor(private readonly store: ProgressStore) {}

  static async open(store: ProgressStore): Promise<Progress> {
    const progress = new Progress(store);
    progress.data = normalize(await store.load());
    return progress;
  }

  get current(): CourseProgress {
    return this.data;
  }

  subscribe(listener: (progress: CourseProgress) => void): () => void {
    this.listeners.add(listener);
    listener(this.data);
    return () => this.listeners.delete(listener);
  }

  lesson(lessonId: string): LessonProgress {
    return this.data.lessons[lessonId] ?? { steps: {} };
  }

  /** The step ids done in a lesson. */
  doneSteps(lessonId: string): Set<string> {
    return new Set(Object.keys(this.lesson(lessonId).steps));
  }

  /** Whether every non-optional step of the lesson is done (`optional` lists the optional ones). */
  isFinished(lesson: LessonSummary, optional: readonly string[] = []): boolean {
    const done = this.doneSteps(lesson.id);
    return lesson.steps.every((step) => done.has(step) || optional.includes(step));
  }

  /** The lesson to continue with: the last one visited, else the first of the course. */
  continueWith(course: CourseIndex): LessonSummary | undefined {
    const all = course.parts.flatMap((p) => p.lessons);
    return all.find((l) => l.id === this.data.last) ?? all[0];
  }

  visit(lessonId: string, at: number = Date.now()): Promise<void> {
    return this.change((data) => {
      data.last = lessonId;
      data.lessons[lessonId] = { ...this.lesson(lessonId), visitedAt: at };
    });
  }

  setLastStep(lessonId: string, stepId: string): Promise<void> {
    return this.change((data) => {
      data.lessons[lessonId] = { ...this.lesson(lessonId), lastStep: stepId };
    });
  }

  markDone(lessonId: string, stepId: string, at: number = Date.now()): Promise<void> {
    return this.change((data) => {
      const lesson = this.lesson(lessonId);
      data.lessons[lessonId] = { ...lesson, steps: { ...lesson.steps, [stepId]: lesson.steps[stepId] ?? at } };
    });
  }

  /** Marks these steps of the lesson not done (a rewind to a step before them). */
  forgetSteps(lessonId: string, stepIds: readonly string[]): Promise<void> {
    return this.change((data) => {
      const lesson = this.lesson(lessonId);
      const steps = Object.fromEntries(Object.entries(lesson.steps).filter(([id]) => !stepIds.includes(id)));
      data.lessons[lessonId] = { ...lesson, steps };
    });
  }

  /** Forgets the lesson's steps (Reset this lesson); the visit stays. */
  clearLesson(lessonId: string): Promise<void> {
    return this.change((data) => {
      const { visitedAt } = this.lesson(lessonId);
      data.lessons[lessonId] = visitedAt === undefined ? { steps: {} } : { steps: {}, visitedAt };
    });
  }

  private change(edit: (data: CourseProgress) => void): Promise<void> {
    const next = structuredClone(this.data);
    edit(next);
    this.data = next;
    for (const listener of [...this.listeners]) listener(next);
    const snapshot = next;
    this.saving = this.saving.then(() => this.store.save(snapshot)).catch((error: unknown) => console.error('dockside: saving progress failed:', error));
    return this.saving;
  }
}
