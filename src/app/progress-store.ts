// The learner's progress in the browser's IndexedDB (idb-keyval), in its own database so the
// engine's store (src/app/idb-store.ts) and the progress never share a transaction or a reset.

import { createStore, get, set, type UseStore } from 'idb-keyval';
import { normalize, Progress, type CourseProgress, type ProgressStore } from '../lessons/progress';

const KEY = 'progress';

export class IdbProgressStore implements ProgressStore {
  private readonly store: UseStore;

  constructor(databaseName = 'dockside-progress') {
    this.store = createStore(databaseName, 'progress');
  }

  async load(): Promise<CourseProgress> {
    return normalize(await get(KEY, this.store));
  }

  async save(progress: CourseProgress): Promise<void> {
    await set(KEY, progress, this.store);
  }
}

/** The page's Progress (load it once and share it between the course map and the session). */
export function openPageProgress(databaseName?: string): Promise<Progress> {
  return Progress.open(new IdbProgressStore(databaseName));
}
