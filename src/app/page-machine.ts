// The learner's machine in the page (issue 14): resumed from the pair saved in IndexedDB when there is
// one made by this guest build, else restored from the bundled state; and kept saved from then on
// (machine-keeper.ts). Reset machine forgets the saved pair.

import { bootGuestInPage, manifest, ResumeFailedError, type Progress } from './boot';
import { buildOf, MachineSaves, SavedMachineStore, type LoadOutcome, type SavedRecord } from './machine-save';
import { inThreadCodec, WorkerCodec, type StateCodec } from './state-chunks';
import { MachineKeeper } from './machine-keeper';
import { snapshotBudgetSetting } from './settings';
import type { BootMode, Guest } from '../vm/guest';

/** Why the bundled machine was started although a saved one existed (said once in the terminal). */
export type Fallback = 'other-build' | 'corrupt' | 'failed';

export interface PageMachine {
  guest: Guest;
  store: SavedMachineStore;
  keeper: MachineKeeper;
  /** The saved pair the machine was resumed from (undefined: the bundled machine). */
  resumed: SavedRecord | undefined;
  fallback: Fallback | undefined;
  /** ms from the start to the answering guest (the bench reads it). */
  startMs: number;
  /** A resume's steps, ms: reading IndexedDB, unpacking the state (the worker, while the emulator downloads), then starting the machine. */
  phases?: { readMs: number; unpackMs: number; bootMs: number };
}

/**
 * One tab saves the machine: the first to take this lock (held until it goes away). A second tab runs
 * the same saved machine but does not save it: its saves would sweep the packs and blobs the first
 * one's pair still needs.
 */
function takeMachineLock(): Promise<boolean> {
  const locks = typeof navigator === 'undefined' ? undefined : (navigator as Navigator & { locks?: LockManager }).locks;
  if (!locks) return Promise.resolve(true);
  return new Promise((resolve) => {
    locks
      .request('dockside-machine', { ifAvailable: true }, (lock) => {
        resolve(lock !== null);
        return lock ? new Promise<void>(() => undefined) : undefined;
      })
      .catch(() => resolve(true));
  });
}

/** The database the engine's store lived in before the machine was saved as a pair: its records describe a machine that is gone. */
const OLD_STORE_DATABASE = 'dockside';

/** States packed in a worker (another core than the emulator's), or on this thread where workers fail. */
function pageCodec(): StateCodec {
  try {
    return new WorkerCodec(new Worker(new URL('./state-worker.ts', import.meta.url), { type: 'module' }));
  } catch (error) {
    console.warn('dockside: no state worker, packing on the main thread:', error);
    return inThreadCodec;
  }
}

export async function startPageMachine(onProgress: (p: Progress) => void, mode: BootMode = 'restore'): Promise<PageMachine> {
  const started = performance.now();
  const codec = pageCodec();
  const readOnly = !(await takeMachineLock());
  const build = buildOf(manifest);
  const snapshotBudget = typeof localStorage === 'undefined' ? undefined : snapshotBudgetSetting(localStorage);
  const saves = MachineSaves.open();
  let fallback: Fallback | undefined;
  const phases = { readMs: 0, unpackMs: 0, bootMs: 0 };
  if (mode === 'restore') {
    let outcome: LoadOutcome;
    try {
      outcome = await saves.load(build);
      phases.readMs = performance.now() - started;
    } catch (error) {
      // No storage at all (private mode in some browsers): the bundled machine, and saves will say why they fail.
      console.warn('dockside: the saved machine could not be read:', error);
      outcome = { kind: 'none' };
    }
    if (outcome.kind === 'saved') {
      const { record, head, packs } = outcome;
      // The state is unpacked (in the worker) while the emulator downloads.
      let store: SavedMachineStore | undefined;
      const from = (async () => {
        const state = await codec.unpack(record.state.layout, head, record.state.saved, packs);
        store = await SavedMachineStore.create(saves, record);
        phases.unpackMs = performance.now() - started - phases.readMs;
        return { state: state.buffer as ArrayBuffer, cursor: record.cursor };
      })();
      from.catch(() => undefined); // handled where bootGuestInPage awaits it
      try {
        const guest = await bootGuestInPage(onProgress, 'restore', from);
        if (!store) throw new Error('unreachable: the store is made before the machine starts');
        const keeper = new MachineKeeper({ machine: guest, store, saves, build, codec, knownChunks: record.state.saved, console: record.console, atPrompt: record.atPrompt, readOnly, snapshotBudget });
        const startMs = performance.now() - started;
        phases.bootMs = startMs - phases.readMs - phases.unpackMs;
        return { guest, store, keeper, resumed: record, fallback: undefined, startMs, phases };
      } catch (error) {
        if (!(error instanceof ResumeFailedError)) throw error; // a download failed: the page offers to try again
        console.warn('dockside: the saved machine could not be resumed:', error);
        fallback = error.damaged ? 'corrupt' : 'failed';
      }
    } else if (outcome.kind === 'other-build') {
      fallback = 'other-build';
    } else if (outcome.kind === 'corrupt') {
      console.warn(`dockside: the saved machine is damaged: ${outcome.reason}`);
      fallback = 'corrupt';
    }
  }
  if (typeof indexedDB !== 'undefined') indexedDB.deleteDatabase(OLD_STORE_DATABASE);
  const guest = await bootGuestInPage(onProgress, mode);
  const store = await SavedMachineStore.create(saves);
  const keeper = new MachineKeeper({ machine: guest, store, saves, build, codec, readOnly, snapshotBudget });
  return { guest, store, keeper, resumed: undefined, fallback, startMs: performance.now() - started };
}
