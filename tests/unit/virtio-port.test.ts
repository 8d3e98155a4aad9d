// VirtioPortWriter only hands the guest as much as it has receive buffers for, 4 KiB at a time. Its
// retries run on vitest's fake timers.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { VirtioPortWriter } from '../../src/vm/virtio-port';
import type { EmulatorHandle } from '../../src/vm/emulator';

function fakeEmulator(buffers: { count: number }) {
  const delivered: Uint8Array[] = [];
  const emulator = {
    virtioPortHasBuffer: () => buffers.count > 0,
    bus: {
      send: (event: string, data: unknown) => {
        expect(event).toBe('virtio-console0-input-bytes');
        buffers.count--;
        delivered.push(data as Uint8Array);
      },
    },
  } as unknown as EmulatorHandle;
  return { emulator, delivered };
}

describe('VirtioPortWriter', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('splits into 4 KiB messages and waits while the guest has no buffer', () => {
    const buffers = { count: 2 };
    const { emulator, delivered } = fakeEmulator(buffers);
    const writer = new VirtioPortWriter(emulator, 0);
    const data = Uint8Array.from({ length: 10_000 }, (_, i) => i % 251);
    writer.write(data);
    expect(delivered.map((d) => d.length)).toEqual([4096, 4096]);
    expect(writer.backlog).toBe(10_000 - 8192);
    vi.advanceTimersByTime(20);
    expect(delivered.length).toBe(2); // nothing more without a buffer, however often it retries
    buffers.count = 5;
    vi.advanceTimersByTime(1); // the next retry (1 ms) finds the buffers
    expect(delivered.map((d) => d.length)).toEqual([4096, 4096, 1808]);
    const joined = new Uint8Array(10_000);
    let at = 0;
    for (const d of delivered) {
      joined.set(d, at);
      at += d.length;
    }
    expect(joined).toEqual(data);
    writer.close();
  });

  it('drops what is pending when closed', () => {
    const buffers = { count: 0 };
    const { emulator, delivered } = fakeEmulator(buffers);
    const writer = new VirtioPortWriter(emulator, 0);
    writer.write(new Uint8Array(100));
    writer.close();
    buffers.count = 10;
    vi.advanceTimersByTime(20);
    expect(delivered).toEqual([]);
    expect(vi.getTimerCount()).toBe(0); // and stopped retrying
  });
});
