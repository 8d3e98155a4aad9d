// A booted Dockside guest: the learner's console (virtio port 0), the script runner (control on ttyS1,
// stdout on virtio port 2, stderr on port 3), and the 9p filesystem. Used the same way in the page and
// in Node; loading the artifacts is the caller's business (see loader types below).

import { EmulatorHandle, type EmulatorOptions } from './emulator';
import { VirtioPortWriter } from './virtio-port';
import type { GuestManifest } from './manifest';
import { AgentClient, type AgentTransport } from './agent/client';
import { GuestRuntime } from './runtime';

export type BootMode = 'restore' | 'cold';

export interface GuestArtifacts {
  manifest: GuestManifest;
  bios: ArrayBuffer;
  wasm: ArrayBuffer;
  kernel?: ArrayBuffer;
  initramfs?: ArrayBuffer;
  state?: ArrayBuffer;
}

export interface RunResult {
  stdout: Uint8Array;
  stderr: Uint8Array;
  status: number;
}

export interface RunStreams {
  onStdout?: (chunk: Uint8Array) => void;
  onStderr?: (chunk: Uint8Array) => void;
}

export interface StartOptions {
  /** Give up if the guest has not answered by then (default 120 s: a cold boot in a slow browser). */
  readyTimeoutMs?: number;
  /** Every byte the kernel writes to its log console (ttyS0). */
  onKernelLog?: (byte: number) => void;
}

export class GuestUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuestUnavailableError';
  }
}

const AGENT_PORT = 1; // hvc1
const CONTROL_PORT = 1; // ttyS1
const STDOUT_PORT = 2; // hvc2
const STDERR_PORT = 3; // hvc3
const JOBS_DIR = '/jobs';
const encoder = new TextEncoder();

interface PendingJob {
  id: string;
  stdout: Uint8Array[];
  stderr: Uint8Array[];
  streams: RunStreams;
  resolve: (result: RunResult) => void;
  reject: (error: Error) => void;
}

export class Guest {
  private readonly consoleWriter: VirtioPortWriter;
  private readonly consoleListeners = new Set<(data: Uint8Array) => void>();
  private controlLine = '';
  private readonly controlWaiters = new Map<string, (words: string[]) => void>();
  private job: PendingJob | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextJob = 1;
  private destroyed = false;
  private agentClient: AgentClient | undefined;
  private guestRuntime: GuestRuntime | undefined;

  private constructor(
    readonly emulator: EmulatorHandle,
    readonly bootMode: BootMode,
  ) {
    this.consoleWriter = new VirtioPortWriter(emulator, 0);
    emulator.on('virtio-console0-output-bytes', (data: Uint8Array) => {
      for (const listener of this.consoleListeners) listener(data);
    });
    emulator.on(`virtio-console${STDOUT_PORT}-output-bytes`, (data: Uint8Array) => this.jobOutput('stdout', data));
    emulator.on(`virtio-console${STDERR_PORT}-output-bytes`, (data: Uint8Array) => this.jobOutput('stderr', data));
    emulator.on(`serial${CONTROL_PORT}-output-byte`, (byte: number) => this.controlByte(byte));
  }

  /** Boots from the saved state (default) or cold, and resolves once the guest answers on its control channel. */
  static async start(artifacts: GuestArtifacts, mode: BootMode = 'restore', options: StartOptions = {}): Promise<Guest> {
    const { manifest } = artifacts;
    const emulatorOptions: EmulatorOptions = {
      bios: artifacts.bios,
      wasm: artifacts.wasm,
      memorySize: manifest.memorySize,
    };
    if (mode === 'restore') {
      if (!artifacts.state) throw new Error('restore needs the saved state');
      emulatorOptions.state = artifacts.state;
    } else {
      if (!artifacts.kernel || !artifacts.initramfs) throw new Error('cold boot needs the kernel and the initramfs');
      emulatorOptions.kernel = artifacts.kernel;
      emulatorOptions.initramfs = artifacts.initramfs;
      emulatorOptions.cmdline = manifest.cmdline;
    }
    const emulator = new EmulatorHandle(emulatorOptions);
    const kernelLog = options.onKernelLog;
    if (kernelLog) emulator.on('serial0-output-byte', (byte: number) => kernelLog(byte));
    const guest = new Guest(emulator, mode);
    await guest.waitReady(options.readyTimeoutMs ?? 120_000);
    return guest;
  }

  /** Pings the runner until it answers: after a restore that is the first round trip. */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (let attempt = 0; ; attempt++) {
      const id = `ready${attempt}`;
      const answered = new Promise<boolean>((resolve) => {
        this.controlWaiters.set(`pong ${id}`, () => resolve(true));
        setTimeout(() => resolve(false), attempt === 0 ? 50 : 250);
      });
      this.control(`ping ${id}`);
      if (await answered) {
        for (const key of [...this.controlWaiters.keys()]) if (key.startsWith('pong ready')) this.controlWaiters.delete(key);
        return;
      }
      if (Date.now() > deadline) throw new GuestUnavailableError(`the guest did not answer within ${timeoutMs} ms`);
    }
  }

  // ---- the learner's console ----

  onConsoleData(listener: (data: Uint8Array) => void): () => void {
    this.consoleListeners.add(listener);
    return () => this.consoleListeners.delete(listener);
  }

  writeConsole(data: Uint8Array | string): void {
    this.consoleWriter.write(typeof data === 'string' ? encoder.encode(data) : data);
  }

  resizeConsole(cols: number, rows: number): void {
    this.emulator.resizeConsole(cols, rows);
  }

  /** Sets the terminal size, then lets the first login shell start (it prints its prompt at that size). */
  attachConsole(cols: number, rows: number): void {
    this.resizeConsole(cols, rows);
    this.control('attach');
  }

  // ---- scripts without a terminal ----

  /** Runs a shell script in the guest as root in /root; stdin is /dev/null. Scripts run one at a time. */
  run(script: string, streams: RunStreams = {}): Promise<RunResult> {
    const result = this.queue.then(() => this.runNow(script, streams));
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async runNow(script: string, streams: RunStreams): Promise<RunResult> {
    if (this.destroyed) throw new GuestUnavailableError('the guest has been stopped');
    const id = `j${this.nextJob++}`;
    await this.emulator.createFile(`${JOBS_DIR}/${id}.sh`, encoder.encode(script));
    return new Promise<RunResult>((resolve, reject) => {
      this.job = { id, stdout: [], stderr: [], streams, resolve, reject };
      this.controlWaiters.set(`done ${id}`, (words) => {
        const job = this.job;
        this.job = undefined;
        if (!job) return;
        job.resolve({ stdout: concat(job.stdout), stderr: concat(job.stderr), status: Number(words[2]) });
      });
      this.control(`run ${id}`);
    });
  }

  private jobOutput(stream: 'stdout' | 'stderr', data: Uint8Array): void {
    const job = this.job;
    if (!job) return;
    const copy = data.slice();
    job[stream].push(copy);
    (stream === 'stdout' ? job.streams.onStdout : job.streams.onStderr)?.(copy);
  }

  // ---- control channel (ttyS1, one line per message) ----

  private control(line: string): void {
    this.emulator.serialSend(CONTROL_PORT, encoder.encode(`${line}\n`));
  }

  private controlByte(byte: number): void {
    if (byte !== 10) {
      if (byte !== 13) this.controlLine += String.fromCharCode(byte);
      return;
    }
    const words = this.controlLine.trim().split(/\s+/);
    this.controlLine = '';
    const key = `${words[0]} ${words[1]}`;
    const waiter = this.controlWaiters.get(key);
    if (waiter) {
      this.controlWaiters.delete(key);
      waiter(words);
    }
  }

  // ---- the agent (containers and processes) ----

  /** The byte channel to the guest agent on virtio console port 1, flow-controlled on the way in. */
  agentTransport(): AgentTransport {
    const writer = new VirtioPortWriter(this.emulator, AGENT_PORT);
    return {
      send: (bytes) => writer.write(bytes),
      onData: (listener) => {
        const event = `virtio-console${AGENT_PORT}-output-bytes`;
        const handler = (data: Uint8Array) => listener(data);
        this.emulator.on(event, handler);
        return () => this.emulator.off(event, handler);
      },
    };
  }

  get agent(): AgentClient {
    this.agentClient ??= new AgentClient(this.agentTransport());
    return this.agentClient;
  }

  get runtime(): GuestRuntime {
    this.guestRuntime ??= new GuestRuntime(this.agent, { write: (path, data) => this.writeFile(path, data), read: (path) => this.readFile(path) });
    return this.guestRuntime;
  }

  // ---- files and lifecycle ----

  writeFile(path: string, data: Uint8Array): Promise<void> {
    return this.emulator.createFile(path, data);
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.emulator.readFile(path);
  }

  saveState(): Promise<ArrayBuffer> {
    return this.emulator.saveState();
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.consoleWriter.close();
    this.agentClient?.close();
    this.job?.reject(new GuestUnavailableError('the guest was stopped while a script was running'));
    this.job = undefined;
    await this.emulator.destroy();
  }
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}
