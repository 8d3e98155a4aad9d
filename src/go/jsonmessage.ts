// docker's pkg/jsonmessage: the newline-delimited JSON messages of pull, push, load, import and build
// (the daemon writes them, the CLI draws them), and DisplayJSONMessagesStream, which `docker pull`
// and the automatic pull of `docker run` and `docker create` both print through.

import { humanSize } from './units';

const decoder = new TextDecoder();

/** jsonmessage.JSONProgress as the API sends it. */
export interface ProgressDetail {
  current?: number;
  total?: number;
}

/** jsonmessage.JSONMessage: one line of the pull, push, load, import and build streams. */
export interface JsonMessage {
  status?: string;
  id?: string;
  progressDetail?: ProgressDetail;
  /** The daemon's pre-rendered bar; the CLI draws its own from progressDetail. */
  progress?: string;
  stream?: string;
  aux?: unknown;
  errorDetail?: { code?: number; message?: string };
  error?: string;
}

/** jsonmessage.JSONError: the error a stream ended with. */
export class JsonMessageError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'JsonMessageError';
  }
}

export interface DisplayOptions {
  /** Whether the output is a terminal: progress lines are then redrawn in place. */
  terminal: boolean;
  columns?: number;
  onAux?: (aux: unknown) => void;
}

const messageFields = ['status', 'id', 'progressDetail', 'progress', 'stream', 'aux', 'errorDetail', 'error'];

/** Go's encoding/json matches keys case-insensitively: {"ID": "1"} fills `id`. */
function decodeMessage(line: string): JsonMessage {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const message: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(raw)) {
    const field = messageFields.find((name) => name.toLowerCase() === key.toLowerCase());
    if (field) message[field] = value;
  }
  return message as JsonMessage;
}

/** jsonmessage.JSONProgress.String(): the bar the CLI draws on a terminal. */
export function progressString(detail: ProgressDetail | undefined, width: number): string {
  const current = detail?.current ?? 0;
  const total = detail?.total ?? 0;
  if (current <= 0 && total <= 0) return '';
  if (total <= 0) return humanSize(current).padStart(8);
  let percentage = Math.floor(Math.floor((current / total) * 100) / 2);
  if (percentage > 50) percentage = 50;
  let bar = '';
  if (width > 110) bar = `[${'='.repeat(percentage)}>${' '.repeat(Math.max(0, 50 - percentage))}] `;
  let numbers = `${humanSize(current).padStart(8)}/${humanSize(total)}`;
  if (current > total) numbers = humanSize(current).padStart(8);
  return bar + numbers;
}

/**
 * jsonmessage.DisplayJSONMessagesStream: each message on its line; on a terminal, progress lines
 * of an id are redrawn in place; off a terminal, lines with a progress bar are left out.
 * Throws the stream's error as a JsonMessageError.
 */
export async function displayJsonMessageStream(stream: AsyncIterable<Uint8Array>, write: (text: string) => void, options: DisplayOptions): Promise<void> {
  const ids = new Map<string, number>();
  let buffered = '';
  const handle = (message: JsonMessage): void => {
    if (message.aux !== undefined) {
      options.onAux?.(message.aux);
      return;
    }
    const terminal = options.terminal;
    let diff = 0;
    const hasProgress = message.progressDetail !== undefined || message.progress !== undefined;
    if (message.id && hasProgress) {
      let line = ids.get(message.id);
      if (line === undefined) {
        line = ids.size;
        ids.set(message.id, line);
        if (terminal) write('\n');
      }
      diff = ids.size - line;
      if (terminal && diff > 0) write(`\x1b[${diff}A`);
    } else {
      ids.clear();
    }
    if (message.error !== undefined || message.errorDetail !== undefined) {
      const text = message.errorDetail?.message ?? message.error ?? '';
      throw new JsonMessageError(text, message.errorDetail?.code ?? 0);
    }
    let out = '';
    let endl = '';
    const progress = progressString(message.progressDetail, options.columns ?? 80);
    if (terminal && message.stream === undefined && hasProgress) {
      out += '\x1b[2K\r';
      endl = '\r';
    } else if (hasProgress && progress !== '') {
      if (message.id && terminal && diff > 0) write(`\x1b[${diff}B`);
      return;
    }
    if (message.id) out += `${message.id}: `;
    if (hasProgress && terminal) out += `${message.status ?? ''} ${progress}${endl}`;
    else if (message.stream !== undefined) out += `${message.stream}${endl}`;
    else out += `${message.status ?? ''}${endl}\n`;
    write(out);
    if (message.id && terminal && diff > 0) write(`\x1b[${diff}B`);
  };
  for await (const chunk of stream) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line !== '') handle(decodeMessage(line));
    }
  }
  if (buffered.trim() !== '') handle(decodeMessage(buffered));
}
