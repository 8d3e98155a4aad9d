// The newline-delimited JSON messages of pull, push, load and import (docker's jsonmessage), and a
// byte channel to stream them as the API body while the work goes on.

import { AsyncQueue } from '../../go/async-queue';
import type { JsonMessage } from '../../go/jsonmessage';

const encoder = new TextEncoder();

/** An async byte queue: the producer writes, the API body iterates. */
export class ByteChannel extends AsyncQueue<Uint8Array> {
  write(chunk: Uint8Array): void {
    this.push(chunk);
  }

  message(message: JsonMessage): void {
    this.write(encoder.encode(`${JSON.stringify(message)}\n`));
  }
}

