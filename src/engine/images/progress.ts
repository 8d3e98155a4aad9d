// The newline-delimited JSON messages of pull, push, load and import (docker's jsonmessage), and a
// byte channel to stream them as the API body while the work goes on.

import { AsyncQueue } from '../async-queue';

const encoder = new TextEncoder();

export interface ProgressDetail {
  current?: number;
  total?: number;
}

export interface JsonMessage {
  status?: string;
  id?: string;
  progressDetail?: ProgressDetail;
  progress?: string;
  stream?: string;
  aux?: Record<string, unknown>;
  errorDetail?: { code?: number; message: string };
  error?: string;
}

/** An async byte queue: the producer writes, the API body iterates. */
export class ByteChannel extends AsyncQueue<Uint8Array> {
  write(chunk: Uint8Array): void {
    this.push(chunk);
  }

  message(message: JsonMessage): void {
    this.write(encoder.encode(`${JSON.stringify(message)}\n`));
  }
}

/** docker's progress bar text as the daemon sends it in `progress` (the CLI redraws its own). */
export function progressBar(current: number, total: number): string {
  const percentage = Math.min(50, Math.floor(Math.floor((current / total) * 100) / 2));
  const size = (n: number): string => {
    const units = ['B', 'kB', 'MB', 'GB'];
    let value = n;
    let index = 0;
    while (value >= 1000 && index < units.length - 1) {
      value /= 1000;
      index++;
    }
    return `${Number(value.toPrecision(4))}${units[index]}`;
  };
  return `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] ${size(current).padStart(8)}/${size(total)}`;
}
