// What hibernating the whole machine costs (issue 14's first candidate): v86's save_state of a
// running guest, its size raw and compressed with the platform's CompressionStream (what the page
// has without a dependency), and how long restoring the saved state takes against restoring the
// bundled one in the same run.

import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Guest } from '../src/vm/guest';
import { loadGuestArtifacts } from '../src/node/artifacts';
import { MemoryStore } from '../src/engine/store';
import { resumePair, savePair } from '../src/app/machine-pair';
import { startNodeEngine } from '../src/node/sh';
import { readStateFile, writeStateFile } from '../src/node/state-file';

export interface StateBench {
  /** Restore of the bundled state to the first answer (baseline). */
  bundledRestore: number[];
  /** save_state of a restored, idle guest. */
  saveIdle: number[];
  /** save_state after 8 MB of new files in /root. */
  saveDirty: number[];
  rawBytesIdle: number;
  rawBytesDirty: number;
  gzipBytesDirty: number;
  gzipMs: number;
  /** Restore of the dirty saved state (raw) to the first answer. */
  savedRestore: number[];
  /** The file written before the save is there after the restore. */
  survived: boolean;
}

async function compress(bytes: ArrayBuffer, format: CompressionFormat): Promise<{ size: number; ms: number }> {
  const started = performance.now();
  const stream = new Blob([bytes]).stream().pipeThrough(new CompressionStream(format));
  const compressed = await new Response(stream).arrayBuffer();
  return { size: compressed.byteLength, ms: performance.now() - started };
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

export async function benchState(runs: number): Promise<StateBench> {
  const artifacts = await loadGuestArtifacts('restore');
  const bundledRestore: number[] = [];
  const saveIdle: number[] = [];
  const saveDirty: number[] = [];
  const savedRestore: number[] = [];
  let rawBytesIdle = 0;
  let rawBytesDirty = 0;
  let dirtyState: ArrayBuffer | undefined;
  for (let i = 0; i < runs; i++) {
    const start = await timed(async () => {
      const guest = await Guest.start(artifacts, 'restore');
      await guest.run('true');
      return guest;
    });
    bundledRestore.push(start.ms);
    const guest = start.value;
    try {
      const idle = await timed(() => guest.saveState());
      saveIdle.push(idle.ms);
      rawBytesIdle = idle.value.byteLength;
      const wrote = await guest.run('mkdir -p /root/work && head -c 8388608 /dev/urandom > /root/work/blob && sha256sum /root/work/blob');
      if (wrote.status !== 0) throw new Error(`writing the test file failed: ${new TextDecoder().decode(wrote.stderr)}`);
      const dirty = await timed(() => guest.saveState());
      saveDirty.push(dirty.ms);
      rawBytesDirty = dirty.value.byteLength;
      dirtyState = dirty.value;
    } finally {
      await guest.destroy();
    }
  }
  if (!dirtyState) throw new Error('no state was saved');
  const gz = await compress(dirtyState, 'gzip');
  let survived = false;
  for (let i = 0; i < runs; i++) {
    const resumed = await timed(async () => {
      const guest = await Guest.start({ ...artifacts, state: dirtyState }, 'restore');
      await guest.run('true');
      return guest;
    });
    savedRestore.push(resumed.ms);
    const check = await resumed.value.run('test -s /root/work/blob && echo yes');
    survived = new TextDecoder().decode(check.stdout).trim() === 'yes';
    await resumed.value.destroy();
  }
  return { bundledRestore, saveIdle, saveDirty, rawBytesIdle, rawBytesDirty, gzipBytesDirty: gz.size, gzipMs: gz.ms, savedRestore, survived };
}

/** `dockside sh --state`: the machine and the engine's store saved into one file and resumed from it. */
export interface PairBench {
  /** Restore of the bundled state with the engine started, to the first answer (baseline). */
  bundledStart: number[];
  /** savePair: save_state of the stopped machine and the store's snapshot. */
  save: number[];
  /** writeStateFile: gzip (level 1) of the state, the blobs, fsync, rename. */
  write: number[];
  fileBytes: number;
  rawStateBytes: number;
  storeBlobBytes: number;
  /** readStateFile + resumePair + the engine (taking back the running container), to the first answer. */
  resume: number[];
  /** The container running at the save is running after the resume (docker ps lists it). */
  stillRunning: boolean;
}

export async function benchPair(runs: number): Promise<PairBench> {
  const artifacts = await loadGuestArtifacts('restore');
  const dir = await mkdtemp(join(tmpdir(), 'dockside-pair-bench-'));
  const file = join(dir, 'machine.pair');
  const result: PairBench = { bundledStart: [], save: [], write: [], fileBytes: 0, rawStateBytes: 0, storeBlobBytes: 0, resume: [], stillRunning: false };
  try {
    for (let i = 0; i < runs; i++) {
      const store = new MemoryStore();
      const start = await timed(async () => {
        const guest = await Guest.start(artifacts, 'restore');
        const engine = await startNodeEngine(guest, store);
        await guest.run('true');
        return { guest, engine };
      });
      result.bundledStart.push(start.ms);
      const { guest, engine } = start.value;
      try {
        const setup = await guest.run('echo hi > /root/f && docker run -d --name sleeper busybox sleep 1000');
        if (setup.status !== 0) throw new Error(`setup failed: ${new TextDecoder().decode(setup.stderr)}`);
        const saved = await timed(() => savePair(guest, store));
        result.save.push(saved.ms);
        result.rawStateBytes = saved.value.state.byteLength;
        result.storeBlobBytes = saved.value.store.blobs.reduce((sum, blob) => sum + blob.bytes.byteLength, 0);
        result.write.push((await timed(() => writeStateFile(file, saved.value))).ms);
        result.fileBytes = (await stat(file)).size;
      } finally {
        await engine.dispose();
        await guest.destroy();
      }
    }
    for (let i = 0; i < runs; i++) {
      const store = new MemoryStore();
      const resumed = await timed(async () => {
        const guest = await resumePair(artifacts, await readStateFile(file), store);
        const engine = await startNodeEngine(guest, store, true);
        await guest.run('true');
        return { guest, engine };
      });
      result.resume.push(resumed.ms);
      const ps = await resumed.value.guest.run("docker ps --format '{{.Names}}'");
      result.stillRunning = new TextDecoder().decode(ps.stdout).trim() === 'sleeper';
      await resumed.value.engine.dispose();
      await resumed.value.guest.destroy();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  return result;
}
