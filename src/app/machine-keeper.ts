// Keeps the learner's machine saved while the page runs (issue 14): after the learner's commands
// finish (the host shell's prompt is back, the console has been quiet for a moment and no `docker`
// command is running) and when the page is hidden or left, the machine and the engine's store are
// saved as one pair (machine-save.ts). A save the browser refuses (quota, private mode) is reported
// once; the machine keeps working in memory and the last pair saved stays as it was.

import type { Guest, GuestCursor } from '../vm/guest';
import type { DocksideEngine } from './engine';
import { ESCAPES, HOST_PROMPT } from './guest-console';
import { BY_LESSON } from './lesson-env';
import { DEFAULT_SNAPSHOT_BUDGET, StorageRefusedError, type MachineSaves, type SavedMachineStore, type SaveOptions, type SaveResult, type SnapshotEntry, type SnapshotSummary, type StoreBlobs } from './machine-save';
import type { JsonValue } from '../engine/store';
import { inThreadCodec, type SavedChunks, type StateCodec } from './state-chunks';

/** How much of the terminal's output a save keeps, to show again after a reload. */
export const CONSOLE_KEPT = 256 * 1024;

export type KeeperStatus =
  | { kind: 'unsaved' }
  | { kind: 'saving' }
  | { kind: 'saved'; at: number }
  | { kind: 'refused'; quota: boolean; message: string }
  /** Another tab keeps this machine saved: this one does not save (it would undo the other's saves). */
  | { kind: 'other-tab' };

export interface SaveStats extends SaveResult {
  /** The machine stood still: v86's save_state and the store's snapshot. */
  hibernateMs: number;
  /** Cutting the state into chunks, hashing them, compressing the new ones. */
  packMs: number;
  writeMs: number;
  totalMs: number;
  rawStateBytes: number;
  /** The state's new chunks and head, compressed (what this save wrote of the state). */
  stateBytesWritten: number;
  chunks: number;
  freshChunks: number;
}

/** What a keeper needs of the machine (a Guest; a fake in unit tests). */
export interface KeptMachine {
  hibernate<T>(capture: () => Promise<T>): Promise<{ state: ArrayBuffer; cursor: GuestCursor; captured: T }>;
  onConsoleData(listener: (data: Uint8Array) => void): () => void;
}

export interface KeeperOptions {
  machine: KeptMachine | Guest;
  store: SavedMachineStore;
  saves: MachineSaves;
  build: string;
  /** The terminal output shown again at the start (a resumed session's), kept for the next save. */
  console?: Uint8Array;
  /** The machine was resumed at its prompt (nothing will print one). */
  atPrompt?: boolean;
  /** Quiet console after the prompt before saving (ms). */
  quietMs?: number;
  /** At least this long between the end of one automatic save and the next (ms). */
  gapMs?: number;
  /** After a refused save, the next automatic try waits this long (ms). */
  refusedRetryMs?: number;
  now?: () => number;
  /** Compresses the state (default: on this thread). */
  codec?: StateCodec;
  /** Another tab holds the saved machine (page-machine.ts's lock): never save. */
  readOnly?: boolean;
  /** The chunks the saved pair holds (a resumed machine's record's). */
  knownChunks?: SavedChunks;
  /** Bytes only the lesson steps' snapshots may hold (DEFAULT_SNAPSHOT_BUDGET). */
  snapshotBudget?: number;
}

/** The last output of the terminal, bounded; cut at a line start so no escape sequence is split. */
export class ConsoleTail {
  private chunks: Uint8Array[] = [];
  private size = 0;

  constructor(
    initial?: Uint8Array,
    private readonly kept = CONSOLE_KEPT,
  ) {
    if (initial && initial.byteLength > 0) this.push(initial);
  }

  push(data: Uint8Array): void {
    this.chunks.push(data.slice());
    this.size += data.byteLength;
    if (this.size > this.kept * 2) this.bytes();
  }

  /** The kept output (at most `kept` bytes, from a line's start). */
  bytes(): Uint8Array {
    let joined = new Uint8Array(this.size);
    let at = 0;
    for (const chunk of this.chunks) {
      joined.set(chunk, at);
      at += chunk.byteLength;
    }
    if (joined.byteLength > this.kept) {
      const cut = joined.byteLength - this.kept;
      const newline = joined.indexOf(0x0a, cut);
      joined = joined.slice(newline >= 0 ? newline + 1 : cut);
    }
    this.chunks = [joined];
    this.size = joined.byteLength;
    return joined.slice();
  }
}

export class MachineKeeper {
  private readonly machine: KeptMachine;
  private readonly options: KeeperOptions;
  private readonly tail: ConsoleTail;
  private readonly decoder = new TextDecoder();
  private readonly listeners = new Set<(status: KeeperStatus) => void>();
  private readonly offs: (() => void)[] = [];
  private engine: DocksideEngine | undefined;
  private text = '';
  private atPrompt: boolean;
  /** Output came after the first prompt: the learner did something since the last save. */
  private dirty = false;
  private seenPrompt: boolean;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private saving: Promise<SaveStats | undefined> | undefined;
  private lastSaveEnded = 0;
  private disabled = false;
  private refusedAt: number | undefined;
  private current: KeeperStatus;
  private knownChunks: SavedChunks;
  private readonly snapshotListeners = new Set<(summary: SnapshotSummary) => void>();
  private snapshotsNow: SnapshotSummary = { snapshots: [], bytes: 0, chunks: { chunks: {}, packs: {} } };
  /** The last save's numbers (the bench and the tests read them). */
  lastSave: SaveStats | undefined;
  /** Bytes only snapshots may hold; the oldest are pruned beyond it at the next save. */
  snapshotBudget: number;

  constructor(options: KeeperOptions) {
    this.options = options;
    this.machine = options.machine;
    this.tail = new ConsoleTail(options.console);
    this.atPrompt = options.atPrompt ?? false;
    this.seenPrompt = this.atPrompt;
    this.current = options.readOnly ? { kind: 'other-tab' } : { kind: 'unsaved' };
    this.disabled = options.readOnly ?? false;
    this.knownChunks = options.knownChunks ?? { chunks: {}, packs: {} };
    this.snapshotBudget = options.snapshotBudget ?? DEFAULT_SNAPSHOT_BUDGET;
    void this.refreshSnapshots();
    this.offs.push(this.machine.onConsoleData((data) => this.consoleOutput(data)));
  }

  /** Watches the engine's docker commands too (a save waits until none runs). */
  watchEngine(engine: DocksideEngine): void {
    this.engine = engine;
    this.offs.push(
      engine.onDockerCommand((_record, { environment }) => {
        if (environment[BY_LESSON] !== undefined) return; // a lesson's check reads, it changes nothing
        this.dirty = true;
        this.schedule();
      }),
    );
  }

  /** Saves when the page is hidden or left (a tab switch, a closed laptop, a reload). */
  watchPage(target: Pick<Window, 'addEventListener' | 'removeEventListener'>, doc: Pick<Document, 'visibilityState' | 'addEventListener' | 'removeEventListener'>): void {
    const hidden = (): void => {
      if (doc.visibilityState === 'hidden') void this.saveIfDirty();
    };
    const pagehide = (): void => void this.saveIfDirty();
    doc.addEventListener('visibilitychange', hidden);
    target.addEventListener('pagehide', pagehide);
    this.offs.push(
      () => doc.removeEventListener('visibilitychange', hidden),
      () => target.removeEventListener('pagehide', pagehide),
    );
  }

  get status(): KeeperStatus {
    return this.current;
  }

  onStatus(listener: (status: KeeperStatus) => void): () => void {
    this.listeners.add(listener);
    listener(this.current);
    return () => this.listeners.delete(listener);
  }

  /** Whether something changed since the last save. */
  get unsaved(): boolean {
    return this.dirty;
  }

  private setStatus(status: KeeperStatus): void {
    this.current = status;
    for (const listener of [...this.listeners]) listener(status);
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private consoleOutput(data: Uint8Array): void {
    this.tail.push(data);
    this.text = (this.text + this.decoder.decode(data, { stream: true })).slice(-2048);
    this.atPrompt = HOST_PROMPT.test(this.text.replace(ESCAPES, '').replace(/\r/g, ''));
    if (this.seenPrompt) this.dirty = true;
    else if (this.atPrompt) this.seenPrompt = true;
    this.schedule();
  }

  /** (Re)starts the quiet timer: a save once the prompt is back and nothing printed for a while. */
  private schedule(delay = this.options.quietMs ?? 1500): void {
    if (this.disabled) return;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty || !this.atPrompt) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.automatic();
    }, delay);
  }

  private automatic(): void {
    if (this.disabled || !this.dirty || !this.atPrompt) return;
    if (this.saving || (this.engine?.dockerCommandsRunning ?? 0) > 0) return this.schedule();
    const since = this.now() - this.lastSaveEnded;
    const gap = this.options.gapMs ?? 5000;
    if (since < gap) return this.schedule(gap - since);
    if (this.refusedAt !== undefined && this.now() - this.refusedAt < (this.options.refusedRetryMs ?? 120_000)) {
      return this.schedule(this.refusedAt + (this.options.refusedRetryMs ?? 120_000) - this.now());
    }
    void this.save().catch(() => undefined);
  }

  private saveIfDirty(): Promise<SaveStats | undefined> {
    if (this.disabled) return Promise.resolve(undefined);
    if (this.saving) return this.saving;
    if (!this.dirty) return Promise.resolve(undefined);
    return this.save().catch(() => undefined);
  }

  /**
   * Saves the machine and the store now (after the save in progress, if one is). Resolves with the
   * numbers; rejects with StorageRefusedError when the browser refused (reported through the status).
   */
  save(options: SaveOptions = {}): Promise<SaveStats | undefined> {
    if (this.disabled) return Promise.resolve(undefined);
    const previous = this.saving ?? Promise.resolve(undefined);
    const next = previous.catch(() => undefined).then(() => this.saveOnce(options));
    this.saving = next;
    const clear = (): void => {
      if (this.saving === next) this.saving = undefined;
    };
    next.then(clear, clear);
    return next;
  }

  private async saveOnce(options: SaveOptions): Promise<SaveStats | undefined> {
    if (this.disabled) return undefined;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const started = performance.now();
    const wasRefused = this.current.kind === 'refused';
    if (!wasRefused) this.setStatus({ kind: 'saving' });
    // Changes from here on belong to the next save.
    this.dirty = false;
    try {
      const { store } = this.options;
      const saved = await this.machine.hibernate(async (): Promise<{ metadata: [string, JsonValue][]; blobs: StoreBlobs; console: Uint8Array; atPrompt: boolean }> => ({
        metadata: await store.snapshotMetadata(),
        blobs: store.blobs.snapshot(),
        console: this.tail.bytes(),
        atPrompt: this.atPrompt,
      }));
      const hibernated = performance.now();
      const rawStateBytes = saved.state.byteLength;
      // Chunks a snapshot holds are reused where they are, not packed again.
      const state = await (this.options.codec ?? inThreadCodec).pack(saved.state, this.knownChunks, this.snapshotsNow.chunks);
      const zipped = performance.now();
      const result = await this.options.saves.save({
        build: this.options.build,
        cursor: saved.cursor,
        metadata: saved.captured.metadata,
        blobs: saved.captured.blobs,
        state,
        console: saved.captured.console,
        atPrompt: saved.captured.atPrompt,
        savedAt: this.now(),
      }, { snapshotOf: options.snapshotOf, snapshotBudget: this.snapshotBudget });
      store.blobs.persisted(saved.captured.blobs.fresh);
      this.knownChunks = state.saved;
      const ended = performance.now();
      const stats: SaveStats = {
        ...result,
        hibernateMs: hibernated - started,
        packMs: zipped - hibernated,
        writeMs: ended - zipped,
        totalMs: ended - started,
        rawStateBytes,
        stateBytesWritten: state.head.byteLength + state.fresh.reduce((sum, [, bytes]) => sum + bytes.byteLength, 0),
        chunks: state.layout.pieces.reduce((sum, piece) => sum + piece.chunks.length, 0),
        freshChunks: state.freshChunks,
      };
      this.lastSave = stats;
      this.setSnapshots(result.snapshots);
      this.refusedAt = undefined;
      this.setStatus({ kind: 'saved', at: this.now() });
      return stats;
    } catch (error) {
      this.dirty = true;
      if (error instanceof StorageRefusedError) {
        this.refusedAt = this.now();
        if (!wasRefused) {
          console.warn('dockside: the machine was not saved:', error);
          this.setStatus({ kind: 'refused', quota: error.quota, message: error.message });
        }
      } else {
        console.error('dockside: saving the machine failed:', error);
        this.setStatus({ kind: 'unsaved' });
      }
      throw error;
    } finally {
      this.lastSaveEnded = this.now();
    }
  }

  /**
   * Keeps the machine as it is now as these lesson steps' snapshot (they just passed): a save, whose
   * pair the snapshot names. Resolves with the save's numbers (undefined in a tab that does not save).
   */
  snapshot(lesson: string, steps: readonly string[]): Promise<SaveStats | undefined> {
    return this.save({ snapshotOf: steps.map((step) => ({ lesson, step })) });
  }

  /** The snapshots kept, and what only they hold (told now and after every save). */
  onSnapshots(listener: (summary: SnapshotSummary) => void): () => void {
    this.snapshotListeners.add(listener);
    listener(this.snapshotsNow);
    return () => this.snapshotListeners.delete(listener);
  }

  get snapshots(): SnapshotSummary {
    return this.snapshotsNow;
  }

  private setSnapshots(summary: SnapshotSummary): void {
    this.snapshotsNow = summary;
    for (const listener of [...this.snapshotListeners]) listener(summary);
  }

  private async refreshSnapshots(): Promise<void> {
    // A tab that does not save the machine offers no rewind (the saving tab would save over it).
    if (this.options.readOnly) return;
    try {
      this.setSnapshots(await this.options.saves.snapshots());
    } catch (error) {
      console.warn('dockside: the snapshots could not be read:', error);
    }
  }

  /** A new budget: applied (the oldest pruned) by a save now. */
  async setSnapshotBudget(bytes: number): Promise<void> {
    this.snapshotBudget = bytes;
    if (this.snapshotsNow.bytes > bytes) await this.save().catch(() => undefined);
  }

  /**
   * Rewind to a step: no more saves (a pending one finishes first), then the step's snapshot becomes the
   * pair a reload resumes and the snapshots of `dropping` are forgotten. The caller reloads the page.
   * When it fails (the snapshot is gone), saving goes on as before.
   */
  async rewind(lesson: string, step: string, dropping: readonly string[] = []): Promise<SnapshotEntry> {
    if (this.options.readOnly) throw new Error('another tab keeps this machine saved: rewind there');
    const wasDisabled = this.disabled;
    this.disabled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.saving?.catch(() => undefined);
    try {
      return await this.options.saves.rewindTo(lesson, step, dropping);
    } catch (error) {
      this.disabled = wasDisabled;
      this.schedule();
      throw error;
    }
  }

  /**
   * Reset machine: no more saves (a pending one finishes first), then the saved pair is deleted. The
   * caller reloads the page, which starts from the bundled machine.
   */
  async forget(): Promise<void> {
    this.disabled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.saving?.catch(() => undefined);
    await this.options.saves.clear();
  }

  dispose(): void {
    this.disabled = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    for (const off of this.offs.splice(0)) off();
  }
}
