// `dockside sh`: the guest's shell from a Node process.
//   dockside sh            interactive terminal when stdin is a TTY; else stdin is run as a script
//   dockside sh -c CMD     run CMD
//   --cold                 cold boot instead of restoring the saved state
// The exit status is the guest shell's (128+N when a signal ended it).

import type { BootMode, Guest } from '../vm/guest';
import { DocksideEngine } from '../app/engine';
import { MemoryStore } from '../engine/store';
import { startNodeGuest } from './artifacts';
import { nodeRegistry } from './bundled-registry';

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
  const guest = await startNodeGuest(options.mode);
  try {
    // The daemon runs for as long as the shell: `docker` in the guest reaches it. A guest whose agent
    // cannot listen (built before the sockets existed) still gives a shell; `docker` then cannot connect.
    await startNodeEngine(guest).catch((error: unknown) => {
      process.stderr.write(`dockside: the Docker daemon did not start: ${error instanceof Error ? error.message : String(error)}\n`);
    });
    if (options.command !== undefined || !process.stdin.isTTY) {
      const script = options.command ?? (await readAll(process.stdin));
      const result = await guest.run(script, {
        onStdout: (chunk) => process.stdout.write(chunk),
        onStderr: (chunk) => process.stderr.write(chunk),
      });
      await flush(process.stdout);
      return result.status;
    }
    return await interactive(guest);
  } finally {
    await guest.destroy();
  }
}

/** The engine on a guest in Node: a memory store and the bundled images. */
export function startNodeEngine(guest: Guest): Promise<DocksideEngine> {
  const debug = process.env.DOCKSIDE_DEBUG;
  return DocksideEngine.start({
    guest,
    store: new MemoryStore(),
    registry: nodeRegistry(),
    onError: debug ? (error) => process.stderr.write(`dockside: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`) : undefined,
  });
}

function flush(stream: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolve) => stream.write('', () => resolve()));
}

function interactive(guest: Guest): Promise<number> {
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
  });
}
