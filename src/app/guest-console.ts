// The learner's terminal as the lessons drive it: types SolutionLines into the guest's console as a
// learner would (each line and Enter; the next line once the shell prompt is back; `{input, waitFor}`
// lines typed into the command still running once `waitFor` has appeared), tells when the shell prompt
// comes back (a trigger for the lesson's checks), and writes files into the guest for "Write file".
// The page's Run buttons and the solution bot both use it, so the bot tests exactly what a click does.

import type { SolutionLine } from '../lessons/types';
import type { Guest } from '../vm/guest';
import { GuestClientFiles } from './guest-files';

/** What GuestConsole needs of the guest's console (a Guest; a fake in unit tests). */
export interface ConsolePort {
  onConsoleData(listener: (data: Uint8Array) => void): () => void;
  writeConsole(data: Uint8Array | string): void;
}

/**
 * The host shell's prompt at the end of the output: `root@dockside:~# ` (PS1='\u@\h:\w\$ ' in the
 * guest's /etc/profile). A container's shell has its container id as hostname, so it never matches.
 */
export const HOST_PROMPT = /[a-z_][a-z0-9_-]*@dockside:[^\r\n]*[#$] $/;

/** CSI, OSC and two-byte escape sequences: what a terminal draws with, not text. */
export const ESCAPES = /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;
const KEEP = 4096;

export class ConsoleTimeoutError extends Error {
  constructor(what: string, screen: string) {
    super(`timed out waiting for ${what}; the terminal's last lines:\n${screen.split('\n').slice(-8).join('\n')}`);
    this.name = 'ConsoleTimeoutError';
  }
}

export interface TypeOptions {
  /** Give up on any one wait after this long (default: wait as long as it takes, as a learner would). */
  timeoutMs?: number;
  /** Stops typing (the lines not typed yet are dropped). */
  signal?: AbortSignal;
}

/** A command line typed at the host prompt and what the terminal showed until the prompt came back. */
export interface ConsoleCommand {
  /** The line as echoed (escape sequences removed; what line editing erased is gone). */
  line: string;
  /** The output after it (its last 4 KiB), escape sequences removed. */
  output: string;
  /** When the prompt came back (ms since the epoch). */
  endedAt: number;
}

interface Waiter {
  test: () => boolean;
  resolve: () => void;
}

export class GuestConsole {
  private raw = '';
  /** Output since the last line was typed, escapes removed (for waitFor). */
  private since = '';
  private promptShown = false;
  private prompts = 0;
  private readonly waiters = new Set<Waiter>();
  private readonly promptListeners = new Set<() => void>();
  private readonly fileListeners = new Set<(path: string) => void>();
  private readonly commandListeners = new Set<(command: ConsoleCommand) => void>();
  /** The line being echoed after the prompt, then its output; undefined before the first prompt. */
  private transcript: { line: string; output: string; lineDone: boolean } | undefined;
  private readonly off: () => void;
  private queue: Promise<void> = Promise.resolve();

  /**
   * Create it when the guest starts, before the terminal is attached, so it sees the first prompt.
   * Created later (the prompt already on the screen, nothing printed since), pass `atPrompt: true`.
   */
  constructor(
    private readonly port: ConsolePort,
    private readonly guest?: Guest,
    options: { atPrompt?: boolean } = {},
  ) {
    this.promptShown = options.atPrompt ?? false;
    this.off = port.onConsoleData((data) => this.received(data));
  }

  /** Stops listening to the console. */
  dispose(): void {
    this.off();
  }

  /** Whether the host shell's prompt is the last thing on the screen. */
  get atPrompt(): boolean {
    return this.promptShown;
  }

  /** The output's last few KiB without escape sequences (for error messages and tests). */
  get screen(): string {
    return this.raw.replace(ESCAPES, '').replace(/\r/g, '');
  }

  /** Calls `listener` each time the host shell's prompt comes back (a command ended). */
  onPrompt(listener: () => void): () => void {
    this.promptListeners.add(listener);
    return () => this.promptListeners.delete(listener);
  }

  /** Calls `listener` when the prompt comes back after a command line (the terminal's transcript of it). */
  onCommand(listener: (command: ConsoleCommand) => void): () => void {
    this.commandListeners.add(listener);
    return () => this.commandListeners.delete(listener);
  }

  /** Calls `listener` after writeFile() put a file into the guest. */
  onFileWritten(listener: (path: string) => void): () => void {
    this.fileListeners.add(listener);
    return () => this.fileListeners.delete(listener);
  }

  /** Resolves when the host prompt is on the screen (at once if it is). */
  waitForPrompt(options: TypeOptions = {}): Promise<void> {
    return this.waitUntil(() => this.promptShown, 'the shell prompt', options);
  }

  /**
   * Types the lines into the terminal as a learner would. Calls are queued: a second Run click types
   * after the first one's lines. Resolves once the shell prompt is back after the last line.
   */
  type(lines: readonly SolutionLine[], options: TypeOptions = {}): Promise<void> {
    const run = this.queue.then(() => this.typeNow(lines, options));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async typeNow(lines: readonly SolutionLine[], options: TypeOptions): Promise<void> {
    let promptsAtLastLine: number | undefined;
    const promptBack = (): Promise<void> => {
      const mark = promptsAtLastLine;
      if (mark === undefined) {
        // The learner left something half typed at the prompt: Ctrl-U clears it, as they would, and
        // ash redraws the prompt ("\r" PROMPT ESC[J), which is when typing can go on.
        if (!this.promptShown && this.transcript && !this.transcript.lineDone && this.transcript.line !== '') {
          this.write('\x15');
          this.transcript.line = '';
        }
        return this.waitForPrompt(options);
      }
      return this.waitUntil(() => this.prompts > mark && this.promptShown, 'the shell prompt to come back', options);
    };
    for (const line of lines) {
      options.signal?.throwIfAborted();
      if (typeof line === 'string') {
        await promptBack();
        this.write(`${line}\r`);
      } else {
        if (line.waitFor !== undefined) {
          const text = line.waitFor;
          await this.waitUntil(() => this.since.includes(text), JSON.stringify(text), options);
        }
        this.write(line.enter === false ? line.input : `${line.input}\r`);
      }
      promptsAtLastLine ??= this.prompts;
      if (typeof line === 'string') promptsAtLastLine = this.prompts;
    }
    await promptBack();
  }

  /** Writes a file into the guest (creating its directories), as "Write file" does. */
  async writeFile(path: string, content: string): Promise<void> {
    if (!this.guest) throw new Error('GuestConsole: no guest to write files into');
    if (!path.startsWith('/')) throw new Error(`not an absolute path: ${path}`);
    const dir = path.replace(/\/[^/]*$/, '') || '/';
    const made = await this.guest.run(`mkdir -p -- ${shellQuote(dir)}`);
    if (made.status !== 0) throw new Error(`mkdir -p ${dir}: ${new TextDecoder().decode(made.stderr).trim()}`);
    await new GuestClientFiles(this.guest.runtime).write(path, new TextEncoder().encode(content));
    for (const listener of [...this.fileListeners]) listener(path);
  }

  private write(text: string): void {
    this.since = '';
    this.promptShown = false;
    this.port.writeConsole(text);
  }

  private received(data: Uint8Array): void {
    const text = new TextDecoder().decode(data);
    this.raw = (this.raw + text).slice(-KEEP);
    this.since = (this.since + text).slice(-KEEP);
    const screen = this.raw.replace(ESCAPES, '');
    const shown = HOST_PROMPT.test(screen);
    this.follow(text);
    if (shown && !this.promptShown) {
      this.prompts++;
      this.promptShown = true;
      const done = this.transcript;
      this.transcript = { line: '', output: '', lineDone: false };
      if (done?.lineDone && done.line.trim() !== '') {
        const command: ConsoleCommand = { line: done.line.trim(), output: done.output.replace(HOST_PROMPT, ''), endedAt: Date.now() };
        for (const listener of [...this.commandListeners]) listener(command);
      }
      for (const listener of [...this.promptListeners]) listener();
    } else if (!shown) {
      this.promptShown = false;
    }
    if (this.since.includes('\x1b')) this.since = this.since.replace(ESCAPES, '');
    for (const waiter of [...this.waiters]) {
      if (waiter.test()) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  /** Adds output to the transcript of the command line being typed or run. */
  private follow(text: string): void {
    const transcript = this.transcript;
    if (!transcript) return;
    const plain = text.replace(ESCAPES, '').replace(/[\x00-\x07\x0b-\x1f]/g, '');
    for (const char of plain) {
      if (!transcript.lineDone) {
        if (char === '\n') transcript.lineDone = true;
        else if (char === '\b') transcript.line = transcript.line.slice(0, -1);
        else transcript.line += char;
      } else if (char !== '\b') {
        transcript.output += char;
      }
    }
    if (transcript.output.length > KEEP) transcript.output = transcript.output.slice(-KEEP);
  }

  private waitUntil(test: () => boolean, what: string, options: TypeOptions): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (error?: unknown): void => {
        this.waiters.delete(waiter);
        if (timer !== undefined) clearTimeout(timer);
        options.signal?.removeEventListener('abort', onAbort);
        if (error) reject(error);
        else resolve();
      };
      const waiter: Waiter = { test, resolve: () => done() };
      const onAbort = (): void => done(options.signal?.reason ?? new Error('aborted'));
      if (options.timeoutMs !== undefined) timer = setTimeout(() => done(new ConsoleTimeoutError(what, this.screen)), options.timeoutMs);
      options.signal?.addEventListener('abort', onAbort);
      this.waiters.add(waiter);
    });
  }
}

/** A word for sh: single-quoted. */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
