// A connection accepted on one of the guest's listening sockets (the docker client's socket,
// /var/run/docker.sock), relayed by the agent as one stream in both directions. It has the shape of
// the engine's RawConnection: `input` is what the guest program sends, `write` sends to it, `close`
// half-closes the host's direction, `destroy` closes the socket at once.

import type { InputStream, OutputStream } from './client';

export interface AcceptEvent {
  socket: string;
  stream: number;
}

export interface ConnectionPlumbing {
  input: InputStream;
  openOutput(sink: (chunk: Uint8Array) => Promise<void>): OutputStream;
  close(): Promise<void>;
}

interface Queued {
  chunk: Uint8Array;
  taken: () => void;
}

export class GuestConnection {
  private readonly queue: Queued[] = [];
  private wake: (() => void) | undefined;
  private ended = false;
  private destroyed = false;
  private iterated = false;
  private readonly toGuest: InputStream;
  private readonly closeSocket: () => Promise<void>;

  constructor(
    /** The name the host gave the socket in `listen` ("cli", "api"). */
    readonly socket: string,
    readonly stream: number,
    plumbing: ConnectionPlumbing,
  ) {
    this.toGuest = plumbing.input;
    this.closeSocket = plumbing.close;
    // Each chunk is credited back to the agent only once the consumer took it: a slow consumer
    // slows the guest program down instead of piling bytes up here.
    const output = plumbing.openOutput(
      (chunk) =>
        new Promise<void>((taken) => {
          if (this.destroyed) return taken();
          this.queue.push({ chunk, taken });
          this.wakeUp();
        }),
    );
    void output.ended.then(() => {
      this.ended = true;
      this.wakeUp();
    });
  }

  /** What the guest program sends; ends when it half-closes (or the connection is destroyed). */
  get input(): AsyncIterable<Uint8Array> {
    if (this.iterated) throw new Error('the input of a guest connection can be read only once');
    this.iterated = true;
    return { [Symbol.asyncIterator]: () => this.iterator() };
  }

  private async *iterator(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const head = this.queue.shift();
      if (head) {
        head.taken();
        yield head.chunk;
        continue;
      }
      if (this.ended || this.destroyed) return;
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Sends bytes to the guest program; resolves once they are within the agent's window. */
  write(chunk: Uint8Array): Promise<void> {
    if (this.destroyed) return Promise.reject(new Error('the connection is closed'));
    return this.toGuest.write(chunk);
  }

  /** Ends what the host sends (the guest program reads EOF); the socket closes once both sides ended. */
  close(): void {
    if (this.destroyed) return;
    this.toGuest.close().catch(() => undefined);
  }

  /** Closes the socket in the guest now, in both directions. */
  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    for (const entry of this.queue.splice(0)) entry.taken();
    this.wakeUp();
    this.toGuest.fail(new Error('the connection is closed'));
    this.closeSocket().catch(() => undefined);
  }
}
