// docker attach and docker logs (moby's daemon/attach.go and logs.go): a client's view of the
// container's output as it was logged and as it comes, its stdin with the detach keys, and docker's
// stream framing (raw for a TTY, stdcopy-multiplexed without).

import { invalidParameter } from '../errors';
import type { LiveContainer } from './live';
import { AsyncQueue, STDERR, STDOUT, frame, rfc3339Nano, type LogEntry } from './streams';
import { concatBytes } from '../../go/bytes';
import { EscapeProxy, detachKeyBytes } from '../../go/term';

/** The attach query's detachKeys as bytes (term.ToBytes), refused with moby's message. */
export function parseDetachKeys(keys: string): number[] {
  try {
    return detachKeyBytes(keys);
  } catch {
    throw invalidParameter(`Invalid escape keys (${keys}) provided`);
  }
}

export interface AttachOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Follow the output (and pass stdin) until the run ends or the client detaches. */
  stream: boolean;
  /** Replay what was logged first. */
  logs: boolean;
  /** The detach sequence (parseDetachKeys). */
  keys: number[];
}

/** A client connection of attach: what it sends (stdin) and where its output goes (framed already). */
export interface AttachConnection {
  input: AsyncIterable<Uint8Array>;
  write(chunk: Uint8Array): Promise<void>;
}

/** The container's stdin as attach feeds it (the container service's). */
export interface AttachStdin {
  writeStdin(live: LiveContainer, chunk: Uint8Array): Promise<void>;
  closeStdin(live: LiveContainer): Promise<void>;
}

/** Serves an attached client until the run ends, the client detaches or goes away. */
export async function attachStream(stdin: AttachStdin, live: LiveContainer, connection: AttachConnection, options: AttachOptions): Promise<void> {
  const tty = live.record.config.Tty ?? false;
  const write = (stream: 1 | 2, chunk: Uint8Array) => connection.write(tty ? chunk : frame(stream, chunk));
  if (options.logs) {
    for (const entry of live.log.entries) {
      if ((entry.stream === 'stdout' && options.stdout) || (entry.stream === 'stderr' && options.stderr)) {
        await write(entry.stream === 'stdout' ? 1 : 2, entry.data).catch(() => undefined);
      }
    }
  }
  if (!options.stream) return;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  const listener = (stream: 1 | 2, chunk: Uint8Array): Promise<void> | undefined => {
    if ((stream === 1 && options.stdout) || (stream === 2 && options.stderr)) return write(stream, chunk).catch(() => undefined);
    return undefined;
  };
  live.listeners.add(listener);
  live.endListeners.add(finish);
  if (options.stdin) {
    void (async () => {
      const proxy = new EscapeProxy(options.keys);
      try {
        for await (const chunk of connection.input) {
          const [pass, detached] = proxy.feed(chunk);
          if (pass.length > 0) await stdin.writeStdin(live, pass);
          if (detached) {
            finish();
            return;
          }
        }
      } catch {
        // client went away
      }
      // docker closes the container's stdin only without a TTY; with one, the client has gone (detached).
      if (!tty) await stdin.closeStdin(live);
      else finish();
    })();
  }
  // An exited container's stream waits for its next start (docker start -a attaches, then starts); only a
  // container on its way out has nothing more to say.
  if (live.status === 'removing' || live.status === 'dead') finish();
  await done;
  live.listeners.delete(listener);
  live.endListeners.delete(finish);
}

export interface LogsOptions {
  stdout: boolean;
  stderr: boolean;
  follow: boolean;
  timestamps: boolean;
  /** Unix seconds (with a fraction) or RFC 3339, as the query gives them. */
  since: string | null;
  until: string | null;
  /** "all" or a number of lines from the end. */
  tail: string | null;
}

/** since/until: Unix seconds with optional fraction, or RFC 3339. */
export function parseTime(value: string | null | undefined): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw invalidParameter(`invalid value for time: ${value}`);
  return ms;
}

const encoder = new TextEncoder();

function logBytes(entry: LogEntry, tty: boolean, timestamps: boolean): Uint8Array {
  const data = timestamps ? concatBytes([encoder.encode(`${rfc3339Nano(entry.timeMs, entry.subNanos)} `), entry.data]) : entry.data;
  return tty ? data : frame(entry.stream === 'stdout' ? STDOUT : STDERR, data);
}

/** docker logs: the logged lines as docker's stream (all at once, or following a running container). */
export function logStream(live: LiveContainer, options: LogsOptions): Uint8Array | AsyncQueue<Uint8Array> {
  const { stdout, stderr, timestamps } = options;
  if (!stdout && !stderr) throw invalidParameter('Bad parameters: you must choose at least one stream');
  const since = parseTime(options.since);
  const until = parseTime(options.until);
  const tailText = options.tail ?? 'all';
  const tail = tailText === 'all' || tailText === '' ? -1 : Number(tailText);
  const tty = live.record.config.Tty ?? false;
  const wanted = (entry: LogEntry) =>
    ((entry.stream === 'stdout' && stdout) || (entry.stream === 'stderr' && stderr)) &&
    (since === undefined || entry.timeMs >= since) &&
    (until === undefined || entry.timeMs <= until);
  let past = live.log.entries.filter(wanted);
  if (tail >= 0) past = tail === 0 ? [] : past.slice(-tail);
  if (!options.follow || !live.isUp) {
    return concatBytes([...past.map((entry) => logBytes(entry, tty, timestamps))]);
  }
  const queue = new AsyncQueue<Uint8Array>();
  for (const entry of past) queue.push(logBytes(entry, tty, timestamps));
  const unsubscribe = live.log.subscribe((entry) => {
    if (wanted(entry)) queue.push(logBytes(entry, tty, timestamps));
  });
  const end = () => {
    unsubscribe();
    live.endListeners.delete(end);
    queue.end();
  };
  live.endListeners.add(end);
  queue.onCancel = end;
  return queue;
}
