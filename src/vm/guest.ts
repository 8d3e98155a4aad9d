// A booted Dockside guest: the learner's console (virtio port 0), the agent (virtio port 1: processes,
// containers, files) and the 9p filesystem. Used the same way in the page and in Node; loading the
// artifacts is the caller's business (see loader types below).

import { EmulatorHandle, type EmulatorOptions } from './emulator';
import { VirtioPortWriter } from './virtio-port';
import type { GuestManifest } from './manifest';
import { AgentClient, type AgentCursor, type AgentTransport } from './agent/client';
import type { ShareTree } from './share-tree';
import { GuestRuntime } from './runtime';
import { GuestConnections, type ConnectionHandler } from './guest-connections';
import { concatBytes } from '../go/bytes';

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
  /** The host's time in ms since the epoch (default Date.now); a restored guest's clock is set to it. */
  now?: () => number;
  /** The machine in artifacts.state was saved by hibernate(): the host side goes on from its cursor. */
  resume?: GuestCursor;
}

/**
 * The host side's counters at the moment a machine was saved (hibernate()): request, stream and process
 * ids the guest's agent may still hold, which the host of the resumed machine must not hand out again.
 */
export interface GuestCursor {
  agent: AgentCursor;
  processes: number;
}

/** A saved machine: v86's state and the host's cursor (both are needed to resume it). */
export interface Hibernation<T> {
  state: ArrayBuffer;
  cursor: GuestCursor;
  /** What the caller captured while the machine stood still (the engine's store). */
  captured: T;
}

export class GuestUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GuestUnavailableError';
  }
}

const AGENT_PORT = 1; // hvc1
const encoder = new TextEncoder();
/** The environment of scripts run with run() (what a root login shell has). */
const SCRIPT_ENV = ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'HOME=/root', 'USER=root', 'LOGNAME=root', 'SHELL=/bin/sh'];

export class Guest {
  private readonly consoleWriter: VirtioPortWriter;
  private readonly consoleListeners = new Set<(data: Uint8Array) => void>();
  private destroyed = false;
  private agentClient: AgentClient | undefined;
  private guestRuntime: GuestRuntime | undefined;
  private guestConnections: GuestConnections | undefined;
  private resumeCursor: GuestCursor | undefined;

  private constructor(
    readonly emulator: EmulatorHandle,
    readonly bootMode: BootMode,
  ) {
    this.consoleWriter = new VirtioPortWriter(emulator, 0);
    emulator.on('virtio-console0-output-bytes', (data: Uint8Array) => {
      for (const listener of this.consoleListeners) listener(data);
    });
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
    guest.resumeCursor = options.resume;
    try {
      await guest.waitReady(options.readyTimeoutMs ?? 120_000);
    } catch (error) {
      // A machine that never answered is stopped, not left running behind the caller's back.
      await guest.destroy().catch(() => undefined);
      throw error;
    }
    // The saved state carries the clock of the moment it was made: without this, `date`, `ls -l` and
    // `docker top`'s STIME in the guest would be days behind the engine's timestamps.
    if (mode === 'restore') await guest.setClock((options.now ?? Date.now)());
    return guest;
  }

  /**
   * Asks the agent until it answers: after a restore that is the first round trip. At a cold boot it
   * first waits for the agent's unasked `ready` event: a frame written while the kernel still sets up
   * the console's virtqueues can leave the agent's port deaf for good (v86 drops or misplaces it).
   */
  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const agent = this.agent; // listening from the start: the agent's first frame must not be missed
    await this.emulator.loaded;
    if (this.bootMode === 'cold') {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
      const outcome = await Promise.race([agent.heard.then(() => 'heard' as const), timedOut]);
      clearTimeout(timer);
      if (outcome === 'timeout') throw new GuestUnavailableError(`the guest did not answer within ${timeoutMs} ms (the agent never said it was ready)`);
    }
    for (let attempt = 0; ; attempt++) {
      try {
        await this.agent.request('hello', {}, { timeoutMs: attempt === 0 ? 100 : 500 });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new GuestUnavailableError(`the guest did not answer within ${timeoutMs} ms (${(error as Error).message})`);
      }
    }
  }

  /** Sets the guest's wall clock (CLOCK_REALTIME) to a host time in ms since the epoch. */
  async setClock(epochMs: number): Promise<void> {
    const result = await this.run(`date -u -s @${Math.floor(epochMs / 1000)} >/dev/null`);
    if (result.status !== 0) throw new Error(`setting the guest's clock failed: ${new TextDecoder().decode(result.stderr)}`);
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
    // The console's first shell waits on this fifo (see /sbin/dockside-console).
    void this.run('[ -e /run/dockside/console.attached ] || { echo go > /run/dockside/console.go & }').catch(() => undefined);
  }

  // ---- scripts without a terminal ----

  /** Runs a shell script in the guest as root in /root; stdin is /dev/null. */
  async run(script: string, streams: RunStreams = {}): Promise<RunResult> {
    if (this.destroyed) throw new GuestUnavailableError('the guest has been stopped');
    const stdout: Uint8Array[] = [];
    const stderr: Uint8Array[] = [];
    const collect = (into: Uint8Array[], listener?: (chunk: Uint8Array) => void) => (chunk: Uint8Array) => {
      const copy = chunk.slice();
      into.push(copy);
      listener?.(copy);
    };
    const process = await this.runtime.spawn(
      { args: ['/bin/sh', '-c', script], env: SCRIPT_ENV, cwd: '/root', user: { uid: 0, gid: 0, groups: [] }, terminal: false },
      { stdin: false, stdout: collect(stdout, streams.onStdout), stderr: collect(stderr, streams.onStderr) },
    );
    const exit = await process.wait();
    return { stdout: concatBytes(stdout), stderr: concatBytes(stderr), status: exit.exitCode };
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
    this.agentClient ??= new AgentClient(this.agentTransport(), { resume: this.resumeCursor?.agent });
    return this.agentClient;
  }

  get runtime(): GuestRuntime {
    this.guestRuntime ??= new GuestRuntime(this.agent, {
      write: (path, data) => this.writeFile(path, data),
      read: (path) => this.readFile(path),
      tree: this.emulator.shareTree(),
    }, { firstProcess: this.resumeCursor?.processes });
    return this.guestRuntime;
  }

  /** The 9p share's tree (a GuestRuntime with layersInShare unpacks layers there). */
  shareTree(): ShareTree {
    return this.emulator.shareTree();
  }

  /** The guest's listening sockets (docker client, /var/run/docker.sock) and their connections. */
  get connections(): GuestConnections {
    this.guestConnections ??= new GuestConnections(this.agent);
    return this.guestConnections;
  }

  /** Handles connections accepted on a guest socket the host listens on (see GuestConnections). */
  onConnection(socket: string, handler: ConnectionHandler): () => void {
    return this.connections.onConnection(socket, handler);
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

  /**
   * Saves the whole machine so that Guest.start({ ...artifacts, state }, 'restore', { resume: cursor })
   * goes on from this moment: the CPU stops, v86 saves its state (memory, devices, the 9p share),
   * the host's cursor is taken, then `capture` runs while the machine still stands still (the engine's
   * store goes with it: see src/app/machine-pair.ts), and the CPU runs again.
   */
  async hibernate<T>(capture: () => Promise<T>): Promise<Hibernation<T>> {
    if (this.destroyed) throw new GuestUnavailableError('the guest has been stopped');
    await this.emulator.stop();
    try {
      const state = await this.emulator.saveState();
      // After the save: every request sent before it has a lower id, and nothing sent later is in the state.
      const cursor: GuestCursor = { agent: this.agent.cursor(), processes: this.runtime.processCursor };
      const captured = await capture();
      return { state, cursor, captured };
    } finally {
      await this.emulator.run();
    }
  }

  async destroy(): Promise<void> {
    if (this.destroyed) return;
    this.destroyed = true;
    this.consoleWriter.close();
    this.agentClient?.close();
    await this.emulator.destroy();
  }
}

