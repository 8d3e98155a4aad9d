// The learner's machine in the page (issue 14): resumed from the pair saved in IndexedDB when there is
// one made by this guest build, else restored from the bundled state; and kept saved from then on
// (machine-keeper.ts). Reset machine forgets the saved pair.

import { bootGuestInPage, manifest, ResumeFailedError, type Progress } from './boot';
import { buildOf, MachineSaves, SavedMachineStore, type LoadOutcome, type SavedRecord } from './machine-save';
import { inThreadCodec, WorkerCodec, type StateCodec } from './state-chunks';
import { MachineKeeper } from './machine-keeper';
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
  const build = buildOf(manifest);
  const saves = MachineSaves.open();
  let fallback: Fallback | undefined;
  if (mode === 'restore') {
    let outcome: LoadOutcome;
    try {
      outcome = await saves.load(build);
    } catch (error) {
      // No storage at all (private mode in some browsers): the bundled machine, and saves will say why they fail.
      console.warn('dockside: the saved machine could not be read:', error);
      outcome = { kind: 'none' };
    }
    if (outcome.kind === 'saved') {
      const { record } = outcome;
      let unpacked: { state: Uint8Array; store: SavedMachineStore } | undefined;
      try {
        unpacked = { state: await codec.unpack(record.state.layout, outcome.head, record.state.saved, outcome.packs), store: await SavedMachineStore.create(saves, record) };
      } catch (error) {
        console.warn('dockside: the saved machine is damaged:', error);
        fallback = 'corrupt';
      }
      if (unpacked) {
        const { state, store } = unpacked;
        try {
          const guest = await bootGuestInPage(onProgress, 'restore', { state: state.buffer as ArrayBuffer, cursor: record.cursor });
          const keeper = new MachineKeeper({ machine: guest, store, saves, build, codec, knownChunks: record.state.saved, console: record.console, atPrompt: record.atPrompt });
          return { guest, store, keeper, resumed: record, fallback: undefined, startMs: performance.now() - started };
        } catch (error) {
          if (!(error instanceof ResumeFailedError)) throw error; // a download failed: the page offers to try again
          console.warn('dockside: the saved machine could not be resumed:', error);
          fallback = 'failed';
        }
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
  const keeper = new MachineKeeper({ machine: guest, store, saves, build, codec });
  return { guest, store, keeper, resumed: undefined, fallback, startMs: performance.now() - started };
}
