// Flow-controlled writes into a virtio console port. v86 silently drops input when the guest has no
// receive buffer posted, and one message fills at most one buffer (4 KiB in Linux's hvc driver), so
// bytes wait here until the port's receive queue has a buffer, and go in chunks of at most 4 KiB.

import type { EmulatorHandle } from './emulator';

const CHUNK = 4096;
const RETRY_MS = 1;

export class VirtioPortWriter {
  private pending: Uint8Array[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private closed = false;

  constructor(
    private readonly emulator: EmulatorHandle,
    private readonly port: number,
  ) {}

  write(data: Uint8Array): void {
    if (this.closed || data.length === 0) return;
    for (let at = 0; at < data.length; at += CHUNK) this.pending.push(data.subarray(at, at + CHUNK));
    this.pump();
  }

  /** Bytes accepted by write() that the guest has not received yet. */
  get backlog(): number {
    return this.pending.reduce((sum, chunk) => sum + chunk.length, 0);
  }

  close(): void {
    this.closed = true;
    this.pending = [];
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  private pump(): void {
    if (this.timer !== undefined) return;
    while (this.pending.length > 0 && this.emulator.virtioPortHasBuffer(this.port)) {
      const chunk = this.pending.shift();
      if (chunk) this.emulator.bus.send(`virtio-console${this.port}-input-bytes`, chunk);
    }
    if (this.pending.length > 0 && !this.closed) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, RETRY_MS);
    }
  }
}
