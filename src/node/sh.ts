// `dockside sh`: the guest's shell from a Node process.
//   dockside sh            interactive terminal when stdin is a TTY; else stdin is run as a script
//   dockside sh -c CMD     run CMD
//   --cold                 cold boot instead of restoring the saved state
//   --state FILE           resume the machine and the engine's store saved in FILE (when it exists, else
//                          start as usual), and save both into FILE when the shell ends
// The exit status is the guest shell's (128+N when a signal ended it).

import { existsSync } from 'node:fs';
import type { BootMode, Guest } from '../vm/guest';
import { DocksideEngine } from '../app/engine';
import { resumePair, savePair } from '../app/machine-pair';
import { MemoryStore, type Store } from '../engine/store';
import { loadGuestArtifacts, startNodeGuest } from './artifacts';
import { nodeRegistry } from './bundled-registry';
import { readStateFile, writeStateFile } from './state-file';

const EXIT_MARKER = /\x1b\]777;dockside-exit;(\d+)\x07/;
const EXIT_MARKER_PREFIX = '\x1b]777;dockside-exit;';

/** Whether `tail` (from an ESC to the end of what arrived) may be the start of an exit marker. */
export function couldBeExitMarker(tail: string): boolean {
  if (tail.length <= EXIT_MARKER_PREFIX.length) return EXIT_MARKER_PREFIX.startsWith(tail);
  return tail.startsWith(EXIT_MARKER_PREFIX) && /^\d*$/.test(tail.slice(EXIT_MARKER_PREFIX.length));
}

export interface ShOptions {
  command?: string;
  mode: BootMode;
  /** --state FILE */
  state?: string;
}

export function parseShArgs(args: string[]): ShOptions | string {
  const options: ShOptions = { mode: 'restore' };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === '-c') {
      const command = args[i + 1];
      if (command === undefined) return 'dockside sh: -c: option requires an argument';
      options.command = command;
      i++;
    } else if (arg === '--cold') {
      options.mode = 'cold';
    } else if (arg === '--state' || arg.startsWith('--state=')) {
      const file = arg === '--state' ? args[i + 1] : arg.slice('--state='.length);
      if (file === undefined || file === '') return 'dockside sh: --state: option requires an argument';
      options.state = file;
      if (arg === '--state') i++;
    } else {
      return `dockside sh: unknown argument: ${arg}`;
    }
  }
  return options;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

export async function runSh(options: ShOptions): Promise<number> {
  const store = new MemoryStore();
  const resuming = options.state !== undefined && existsSync(options.state);
  const guest = resuming && options.state ? await resumeNodeGuest(options.state, store) : await startNodeGuest(options.mode);
  try {
    // The daemon runs for as long as the shell: `docker` in the guest reaches it. A guest whose agent
    // cannot listen (built before the sockets existed) still gives a shell; `docker` then cannot connect.
    await startNodeEngine(guest, store, resuming).catch((error: unknown) => {
      process.stderr.write(`dockside: the Docker daemon did not start: ${error instanceof Error ? error.message : String(error)}\n`);
    });
    let status: number;
    if (options.command !== undefined || !process.stdin.isTTY) {
      const script = options.command ?? (await readAll(process.stdin));
      const result = await guest.run(script, {
        onStdout: (chunk) => process.stdout.write(chunk),
        onStderr: (chunk) => process.stderr.write(chunk),
      });
      await flush(process.stdout);
      status = result.status;
    } else {
      status = await interactive(guest, resuming);
    }
    // The machine as the shell left it, with the store of the same moment.
    if (options.state !== undefined) await writeStateFile(options.state, await savePair(guest, store));
    return status;
  } finally {
    await guest.destroy();
  }
}

/** The machine and store saved in FILE (dockside sh --state). */
async function resumeNodeGuest(file: string, store: Store): Promise<Guest> {
  const [pair, artifacts] = await Promise.all([readStateFile(file), loadGuestArtifacts('restore')]);
  const onKernelLog = process.env.DOCKSIDE_DEBUG ? (byte: number) => process.stderr.write(Buffer.of(byte)) : undefined;
  return resumePair(artifacts, pair, store, { onKernelLog });
}

/** The engine on a guest in Node: a memory store (or the given one, resumed with the guest) and the bundled images. */
export function startNodeEngine(guest: Guest, store: Store = new MemoryStore(), resumed = false): Promise<DocksideEngine> {
  const debug = process.env.DOCKSIDE_DEBUG;
  return DocksideEngine.start({
    guest,
    store,
    resumed,
    registry: nodeRegistry(),
    onError: debug ? (error) => process.stderr.write(`dockside: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`) : undefined,
  });
}

function flush(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

function interactive(guest: Guest, resumed: boolean): Promise<number> {
  return new Promise((resolve) => {
    const stdin = process.stdin;
    const stdout = process.stdout;
    let pending = '';
    const stopOutput = guest.onConsoleData((data) => {
      // Keep a short tail so an exit marker split across two chunks is still seen.
      const text = pending + Buffer.from(data).toString('latin1');
      const match = EXIT_MARKER.exec(text);
      if (match) {
        stdout.write(Buffer.from(text.slice(0, match.index), 'latin1'));
        finish(Number(match[1]));
        return;
      }
      // Only a tail that could still become the marker waits; anything else (a prompt after a colour or
      // bracketed-paste sequence) is shown at once.
      const keep = text.lastIndexOf('\x1b');
      const cut = keep >= 0 && couldBeExitMarker(text.slice(keep)) ? keep : text.length;
      stdout.write(Buffer.from(text.slice(0, cut), 'latin1'));
      pending = text.slice(cut);
    });
    const onInput = (data: Buffer): void => guest.writeConsole(new Uint8Array(data));
    const onResize = (): void => guest.resizeConsole(stdout.columns, stdout.rows);
    function finish(status: number): void {
      stopOutput();
      stdin.off('data', onInput);
      stdout.off('resize', onResize);
      stdin.setRawMode(false);
      stdin.pause();
      resolve(status);
    }
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onInput);
    stdout.on('resize', onResize);
    guest.attachConsole(stdout.columns || 80, stdout.rows || 24);
    // A resumed machine's shell printed its prompt before the save: an empty line shows a fresh one.
    if (resumed) void guest.run('[ -e /run/dockside/console.attached ]').then((result) => {
      if (result.status === 0) guest.writeConsole('\n');
    }, () => undefined);
  });
}
