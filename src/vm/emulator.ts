// The one place that touches v86: creating the emulator and the few internals we must reach (whether a
// virtio console port has a receive buffer posted, the 9p filesystem's tree). Everything else in src/vm
// goes through this.

import { V86 } from 'v86';
import { ShareTree, type V86FileSystem } from './share-tree';
import { connectToGuest, installFinWorkaround, installOfflineDns, type GuestTcpConnection, type V86NetworkAdapter } from './network';

export interface EmulatorBus {
  send(event: string, data?: unknown): void;
}

interface VirtQueue {
  has_request(): boolean;
  is_configured?(): boolean;
}

interface V86Internals {
  v86?: { cpu?: { devices?: { virtio_console?: { virtio?: { queues?: VirtQueue[] } } } } };
  bus: EmulatorBus;
}

interface LooseListeners {
  add_listener(event: string, listener: (data: never) => void): void;
  remove_listener(event: string, listener: (data: never) => void): void;
}

export interface EmulatorOptions {
  bios: ArrayBuffer;
  wasm: ArrayBuffer;
  memorySize: number;
  /** Cold boot: kernel, initramfs and command line. */
  kernel?: ArrayBuffer;
  initramfs?: ArrayBuffer;
  cmdline?: string;
  /** Restore: a saved machine state (zstd-compressed states are decompressed by v86). */
  state?: ArrayBuffer;
  /** Start running once loaded (default true; tests inspect a restored machine before it runs). */
  autostart?: boolean;
  /** Zero all guest memory before a restore as v86 does (default: only the first MiB, see below). */
  zeroAllMemoryOnRestore?: boolean;
}

export class EmulatorHandle {
  readonly v86: V86;
  readonly bus: EmulatorBus;
  private finWorkaroundInstalled = false;
  private isLoaded = false;
  /** Settles once v86 has set up the machine (and restored the state, if any). */
  readonly loaded: Promise<void>;

  constructor(options: EmulatorOptions) {
    const wasm = options.wasm;
    this.v86 = new V86({
      wasm_fn: async (env: WebAssembly.Imports) => {
        const exports = (await WebAssembly.instantiate(wasm, env)).instance.exports;
        const fastRestore = options.state !== undefined && !options.kernel && !options.zeroAllMemoryOnRestore;
        return fastRestore ? skipFirstFullZeroing(exports) : exports;
      },
      bios: { buffer: options.bios },
      bzimage: options.kernel ? { buffer: options.kernel } : undefined,
      initrd: options.initramfs ? { buffer: options.initramfs } : undefined,
      cmdline: options.cmdline,
      initial_state: options.state ? { buffer: options.state } : undefined,
      memory_size: options.memorySize,
      vga_memory_size: 2 * 1024 * 1024,
      filesystem: {},
      // virtio-net on v86's in-emulator TCP/IP stack; part of the machine, so the saved state has it too.
      net_device: { type: 'virtio', relay_url: 'fetch' },
      // The guest kernel keeps the MAC it booted with; the device must answer to the same one after a restore.
      preserve_mac_from_state_image: true,
      virtio_console: true,
      disable_keyboard: true,
      disable_mouse: true,
      disable_speaker: true,
      autostart: options.autostart ?? true,
    } as unknown as ConstructorParameters<typeof V86>[0]);
    this.bus = (this.v86 as unknown as V86Internals).bus;
    this.loaded = new Promise((resolve) =>
      this.on('emulator-loaded', () => {
        this.isLoaded = true;
        // v86 creates the network adapter while it loads; patch it as soon as it exists.
        void this.networkAdapter;
        resolve();
      }),
    );
  }

  /** The guest's physical memory (tests compare restored machines byte for byte). */
  guestMemory(): Uint8Array {
    const memory = (this.v86 as unknown as { v86?: { cpu?: { mem8?: Uint8Array } } }).v86?.cpu?.mem8;
    if (!memory) throw new Error('the machine is not loaded');
    return memory;
  }

  get networkAdapter(): V86NetworkAdapter {
    const adapter = (this.v86 as unknown as { network_adapter?: V86NetworkAdapter }).network_adapter;
    if (!adapter) throw new Error('the network is not up yet, or v86 internals changed (check the v86 version)');
    if (!this.finWorkaroundInstalled) {
      installFinWorkaround(adapter);
      installOfflineDns(adapter as unknown as Parameters<typeof installOfflineDns>[0]);
      this.finWorkaroundInstalled = true;
    }
    return adapter;
  }

  /** Opens a TCP connection from the host to a port of the guest (192.168.86.100). */
  connectTcp(port: number, onData?: (chunk: Uint8Array) => void): Promise<GuestTcpConnection> {
    return connectToGuest(this.networkAdapter, port, onData);
  }

  /** Receive queue of virtio console port N: 0 for port 0, then 4, 6, 8 (the control queues sit at 2 and 3). */
  virtioPortHasBuffer(port: number): boolean {
    const queueIndex = port === 0 ? 0 : port * 2 + 2;
    const queues = (this.v86 as unknown as V86Internals).v86?.cpu?.devices?.virtio_console?.virtio?.queues;
    const queue = queues?.[queueIndex];
    if (!queue) {
      // Before v86 has loaded the machine there is no device yet: nothing can be delivered.
      if (!this.isLoaded) return false;
      throw new Error('v86 internals changed: no virtio console queues (check the v86 version)');
    }
    return queue.has_request();
  }

  // v86's typings list only some bus events; the virtio console and serial events are real but untyped.
  on(event: string, listener: (data: never) => void): void {
    (this.v86 as unknown as LooseListeners).add_listener(event, listener);
  }

  off(event: string, listener: (data: never) => void): void {
    (this.v86 as unknown as LooseListeners).remove_listener(event, listener);
  }

  /**
   * Tells the guest the size of the terminal on virtio console port 0. v86 puts rows before cols in the
   * VIRTIO_CONSOLE_RESIZE message, but the virtio spec and Linux (since 5.8) read cols first, so the
   * two are handed over swapped. Checked by tests/guest/console.test.ts with `stty size`.
   */
  resizeConsole(cols: number, rows: number): void {
    this.bus.send('virtio-console0-resize', [rows, cols]);
  }

  /** The 9p filesystem's tree, for building directories in it without the guest (see share-tree.ts). */
  shareTree(): ShareTree {
    const fs = (this.v86 as unknown as { fs9p?: V86FileSystem }).fs9p;
    if (!fs || typeof fs.CreateDirectory !== 'function') throw new Error('v86 internals changed: no 9p filesystem (check the v86 version)');
    return new ShareTree(fs);
  }

  createFile(path: string, data: Uint8Array): Promise<void> {
    return this.v86.create_file(path, data);
  }

  readFile(path: string): Promise<Uint8Array> {
    return this.v86.read_file(path);
  }

  async saveState(): Promise<ArrayBuffer> {
    return this.v86.save_state();
  }

  /** Stops the CPU (the machine keeps its state; run() goes on). */
  async stop(): Promise<void> {
    await this.v86.stop();
  }

  async run(): Promise<void> {
    await this.v86.run();
  }

  async destroy(): Promise<void> {
    await this.v86.destroy();
  }
}

/**
 * A restore begins by zeroing all guest memory (zero_memory over 256 MiB: ~110 ms, and it commits every
 * page). In a fresh emulator that memory is still zero except the first MiB, where v86 has just
 * loaded the BIOS images, so the first whole-memory zeroing only clears that MiB. Reading the rest to
 * check would cost more than it saves (it maps every page); tests/guest/restore.test.ts instead
 * compares a machine restored this way with one restored the v86 way, byte for byte.
 */
function skipFirstFullZeroing(exports: WebAssembly.Exports): WebAssembly.Exports {
  const zeroMemory = exports.zero_memory as (addr: number, size: number) => void;
  const firstMiB = 1 << 20;
  let fresh = true;
  return {
    ...exports,
    zero_memory: (addr: number, size: number) => {
      if (fresh && addr === 0 && size > firstMiB) {
        fresh = false;
        zeroMemory(0, firstMiB);
        return;
      }
      fresh = false;
      zeroMemory(addr, size);
    },
  };
}
