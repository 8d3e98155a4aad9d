// The host end of the agent protocol: requests with ids and replies in any order, and byte streams
// with credit-based flow control both ways. When the agent stops answering, every pending call fails
// within a bounded time, and later calls try again (init respawns the agent).

import { RuntimeError } from '../../engine/runtime/types';
import { GuestConnection, type AcceptEvent } from './connection';
import {
  CONNECTION_STREAM_BASE,
  FrameKind,
  FrameReader,
  INITIAL_WINDOW,
  creditOf,
  encodeCredit,
  encodeFrame,
  encodeJson,
  jsonOf,
  type Frame,
} from './frames';

export interface AgentTransport {
  send(bytes: Uint8Array): void;
  /** Subscribes to bytes from the agent; returns the unsubscribe function. */
  onData(listener: (bytes: Uint8Array) => void): () => void;
}

export class AgentUnavailableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AgentUnavailableError';
  }
}

export interface AgentClientOptions {
  /** While calls are pending and the agent is silent this long, ping it (default 2 s). */
  heartbeatMs?: number;
  /** Silence this long with calls pending means the agent is gone (default 10 s). */
  livenessMs?: number;
  /**
   * With nothing pending, ping a silent agent this often (default 5 s): an agent that init respawned
   * stays silent until spoken to, and only then says it started (and the host listens again).
   */
  idlePingMs?: number;
  /**
   * Where a client of a resumed machine goes on from (the cursor() of the client that saved it): the
   * agent may still answer requests of the old host, and must not see their ids reused.
   */
  resume?: AgentCursor;
}

/** The ids a client hands out next: saved with the machine so a resumed client never reuses an old one. */
export interface AgentCursor {
  nextRequest: number;
  nextStream: number;
}

export interface RequestOptions {
  /** Fail the call if no reply came by then, even though the agent is alive. */
  timeoutMs?: number;
}

type Json = Record<string, unknown>;

interface Pending {
  op: string;
  resolve: (reply: Json) => void;
  reject: (error: Error) => void;
  timer?: ReturnType<typeof setTimeout>;
}

/** Largest DATA frame the host sends: keeps one stream from hogging the port. */
const MAX_DATA_FRAME = 32 * 1024;

export class AgentClient {
  private readonly reader = new FrameReader();
  private readonly pending = new Map<number, Pending>();
  private readonly inputs = new Map<number, InputStream>();
  private readonly outputs = new Map<number, OutputStream>();
  private readonly unsubscribe: () => void;
  private readonly heartbeat: ReturnType<typeof setInterval>;
  private readonly heartbeatMs: number;
  private readonly livenessMs: number;
  private readonly idlePingMs: number;
  private lastPing = 0;
  private nextRequest = 1;
  private nextStream = 1;
  private lastHeard = Date.now();
  /** Whether any frame came from an agent yet (idle pings wait for it: see `heard`). */
  private hasHeard = false;
  private markHeard: () => void = () => undefined;
  /** Settles when the first bytes come from an agent (its `ready` event at a cold boot). */
  readonly heard: Promise<void> = new Promise<void>((resolve) => (this.markHeard = resolve));
  private closed = false;
  private readonly acceptListeners = new Set<(connection: GuestConnection) => boolean>();
  private readonly startListeners = new Set<() => void>();
  /** Protocol errors the agent reported for frames it could not read (ERROR frames). */
  readonly protocolErrors: Json[] = [];

  constructor(
    private readonly transport: AgentTransport,
    options: AgentClientOptions = {},
  ) {
    this.heartbeatMs = options.heartbeatMs ?? 2000;
    this.livenessMs = options.livenessMs ?? 10_000;
    this.idlePingMs = options.idlePingMs ?? 5000;
    if (options.resume) {
      this.nextRequest = options.resume.nextRequest;
      this.nextStream = options.resume.nextStream;
    }
    this.unsubscribe = transport.onData((bytes) => this.receive(bytes));
    this.heartbeat = setInterval(() => this.checkLiveness(), Math.max(10, Math.floor(this.heartbeatMs / 2)));
    // Node must not stay alive just for the heartbeat.
    (this.heartbeat as { unref?: () => void }).unref?.();
  }

  request<T extends Json = Json>(op: string, args: Json = {}, options: RequestOptions = {}): Promise<T> {
    return this.send_<T>(op, args, options).reply;
  }

  /** A request, with its id (a resumed host can take the reply back with adoptRequest). */
  requestWithId<T extends Json = Json>(op: string, args: Json = {}, options: RequestOptions = {}): { id: number; reply: Promise<T> } {
    return this.send_<T>(op, args, options);
  }

  /**
   * Waits for the reply to a request that the host of a saved machine sent before the save (the
   * resumed agent still owes it): a `wait` for a running container's process, say, taken back rather
   * than asked again (the agent keeps at most 8 waiters per process).
   */
  adoptRequest<T extends Json = Json>(id: number, op: string): Promise<T> {
    if (this.closed) return Promise.reject(new AgentUnavailableError('the agent connection is closed'));
    if (this.pending.has(id) || id >= this.nextRequest) return Promise.reject(new Error(`request ${id} cannot be taken back`));
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { op, resolve: resolve as (reply: Json) => void, reject });
    });
  }

  private send_<T extends Json>(op: string, args: Json, options: RequestOptions): { id: number; reply: Promise<T> } {
    if (this.closed) return { id: 0, reply: Promise.reject<T>(new AgentUnavailableError('the agent connection is closed')) };
    const id = this.nextRequest++;
    if (this.pending.size === 0) this.lastHeard = Date.now(); // silence before this call is not the agent's fault
    const reply = new Promise<T>((resolve, reject) => {
      const entry: Pending = { op, resolve: resolve as (reply: Json) => void, reject };
      if (options.timeoutMs !== undefined) {
        entry.timer = setTimeout(() => {
          this.pending.delete(id);
          reject(new AgentUnavailableError(`the guest agent did not answer ${op} within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      }
      this.pending.set(id, entry);
      this.transport.send(encodeJson(FrameKind.Request, id, { op, ...args }));
    });
    return { id, reply };
  }

  /** Sends raw bytes as they are (tests use it to send malformed frames). */
  sendRaw(bytes: Uint8Array): void {
    this.transport.send(bytes);
  }

  allocateStream(): number {
    for (;;) {
      const id = this.nextStream;
      // Ids from CONNECTION_STREAM_BASE up are the agent's (accepted connections).
      this.nextStream = this.nextStream >= CONNECTION_STREAM_BASE - 1 ? 1 : this.nextStream + 1;
      // After a wrap (or a resume) an id may still be in use by an adopted stream.
      if (!this.inputs.has(id) && !this.outputs.has(id)) return id;
    }
  }

  /** The ids handed out next (see AgentClientOptions.resume). */
  cursor(): AgentCursor {
    return { nextRequest: this.nextRequest, nextStream: this.nextStream };
  }

  /**
   * Takes over an output stream that a previous host opened before the machine was saved (a running
   * container's stdout). What the old host had received but not yet credited is lost with it, so the
   * agent gets a fresh window on top of what it has left: the stream can never stall for want of credit.
   */
  adoptOutput(streamId: number, sink: (chunk: Uint8Array) => void | Promise<void>): OutputStream {
    const stream = this.openOutput(streamId, sink);
    this.send(encodeCredit(streamId, INITIAL_WINDOW));
    return stream;
  }

  /**
   * Connections accepted on the guest's listening sockets (op `listen`). A listener returns true when
   * it took the connection; one nobody takes is closed.
   */
  onAccept(listener: (connection: GuestConnection) => boolean): () => void {
    this.acceptListeners.add(listener);
    return () => this.acceptListeners.delete(listener);
  }

  /** Called each time an agent starts: at boot, and when init respawns it after a crash. */
  onStarted(listener: () => void): () => void {
    this.startListeners.add(listener);
    return () => this.startListeners.delete(listener);
  }

  private accept(event: AcceptEvent): void {
    const stream = event.stream;
    const connection = new GuestConnection(event.socket, stream, {
      input: this.openInput(stream),
      openOutput: (sink) => this.openOutput(stream, sink),
      close: () => {
        this.dropStream(stream);
        return this.request('close', { stream }).then(() => undefined);
      },
    });
    for (const listener of this.acceptListeners) if (listener(connection)) return;
    connection.destroy();
  }

  openInput(streamId: number): InputStream {
    const stream = new InputStream(streamId, (bytes) => this.send(bytes), () => this.inputs.delete(streamId));
    this.inputs.set(streamId, stream);
    return stream;
  }

  openOutput(streamId: number, sink: (chunk: Uint8Array) => void | Promise<void>): OutputStream {
    const stream = new OutputStream(streamId, sink, (bytes) => this.send(bytes), () => this.outputs.delete(streamId));
    this.outputs.set(streamId, stream);
    return stream;
  }

  /** Forgets a stream without telling the agent (its process never started). */
  dropStream(streamId: number): void {
    this.inputs.get(streamId)?.fail(new AgentUnavailableError('the stream was dropped'));
    this.inputs.delete(streamId);
    this.outputs.get(streamId)?.end();
    this.outputs.delete(streamId);
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  close(): void {
    if (this.closed) return;
    this.failAll(new AgentUnavailableError('the agent connection is closed'));
    this.closed = true;
    clearInterval(this.heartbeat);
    this.unsubscribe();
  }

  private send(bytes: Uint8Array): void {
    if (!this.closed) this.transport.send(bytes);
  }

  private receive(bytes: Uint8Array): void {
    this.lastHeard = Date.now();
    if (!this.hasHeard) {
      this.hasHeard = true;
      this.markHeard();
    }
    for (const frame of this.reader.push(bytes)) this.dispatch(frame);
  }

  private dispatch(frame: Frame): void {
    switch (frame.kind) {
      case FrameKind.Reply:
        this.settle(frame);
        break;
      case FrameKind.Data:
        this.outputs.get(frame.id)?.deliver(frame.payload);
        break;
      case FrameKind.Credit:
        this.inputs.get(frame.id)?.grant(creditOf(frame));
        break;
      case FrameKind.Error:
        this.protocolErrors.push(parseJson(frame));
        break;
      case FrameKind.Event: {
        const event = parseJson(frame);
        if (event.event === 'accept' && typeof event.socket === 'string' && typeof event.stream === 'number') {
          this.accept({ socket: event.socket, stream: event.stream });
        } else if (event.event === 'started' && typeof event.request === 'number') {
          // A new agent answers from `request` on; what was sent before it will never be answered.
          this.failBefore(event.request, new AgentUnavailableError('the guest agent restarted'));
          for (const listener of this.startListeners) listener();
        }
        break;
      }
      default:
        break; // the agent sends no requests
    }
  }

  private settle(frame: Frame): void {
    const entry = this.pending.get(frame.id);
    if (!entry) return;
    this.pending.delete(frame.id);
    if (entry.timer) clearTimeout(entry.timer);
    const reply = parseJson(frame);
    if (reply.ok === true) entry.resolve(reply);
    else entry.reject(toRuntimeError(entry.op, reply));
  }

  private checkLiveness(): void {
    const now = Date.now();
    const silent = now - this.lastHeard;
    const busy = this.pending.size > 0 || this.inputs.size > 0;
    if (busy && silent >= this.livenessMs) {
      this.failAll(new AgentUnavailableError(`the guest agent stopped answering (silent for ${Math.round(silent / 1000)} s)`));
      return;
    }
    // Any frame back counts as a sign of life; the reply itself is of no interest. A ping can be lost
    // (a respawning agent has not opened its port yet), so pings repeat rather than wait for an answer.
    // Idle pings only once an agent has spoken: at a cold boot nothing may be written before (see heard).
    if (!busy && !this.hasHeard) return;
    const interval = busy ? this.heartbeatMs : this.idlePingMs;
    if (silent >= interval && now - this.lastPing >= interval) {
      this.lastPing = now;
      const id = this.nextRequest++;
      this.transport.send(encodeJson(FrameKind.Request, id, { op: 'hello' }));
    }
  }

  /** Fails the calls sent before request `first` (ids grow with every request) and every stream. */
  private failBefore(first: number, error: Error): void {
    for (const [id, entry] of [...this.pending]) {
      if (id >= first) continue;
      this.pending.delete(id);
      if (entry.timer) clearTimeout(entry.timer);
      entry.reject(error);
    }
    for (const input of this.inputs.values()) input.fail(error);
    this.inputs.clear();
    for (const output of this.outputs.values()) output.end();
    this.outputs.clear();
  }

  private failAll(error: Error): void {
    this.failBefore(Number.POSITIVE_INFINITY, error);
    this.lastHeard = Date.now();
  }
}

/** Host → agent bytes (a process's stdin), sent only within the window the agent granted. */
export class InputStream {
  private window = INITIAL_WINDOW;
  private readonly queue: { data: Uint8Array; resolve: () => void; reject: (error: Error) => void }[] = [];
  private closing: { resolve: () => void; reject: (error: Error) => void } | undefined;
  private error: Error | undefined;
  private ended = false;

  constructor(
    readonly id: number,
    private readonly send: (bytes: Uint8Array) => void,
    private readonly forget: () => void,
  ) {}

  write(data: Uint8Array): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this.ended || this.closing) return Promise.reject(new Error('stdin is closed'));
    if (data.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ data, resolve, reject });
      this.pump();
    });
  }

  close(): Promise<void> {
    if (this.error) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.closing = { resolve, reject };
      this.pump();
    });
  }

  grant(bytes: number): void {
    this.window += bytes;
    this.pump();
  }

  fail(error: Error): void {
    this.error = error;
    for (const entry of this.queue.splice(0)) entry.reject(error);
    this.closing?.reject(error);
    this.closing = undefined;
  }

  private pump(): void {
    while (this.queue.length > 0 && this.window > 0) {
      const head = this.queue[0];
      const size = Math.min(head.data.length, this.window, MAX_DATA_FRAME);
      this.send(encodeFrame(FrameKind.Data, this.id, head.data.subarray(0, size)));
      this.window -= size;
      if (size === head.data.length) {
        this.queue.shift();
        head.resolve();
      } else {
        head.data = head.data.subarray(size);
      }
    }
    if (this.queue.length === 0 && this.closing && !this.ended) {
      this.ended = true;
      this.send(encodeFrame(FrameKind.Data, this.id));
      this.forget();
      this.closing.resolve();
    }
  }
}

/** Agent → host bytes; each chunk is credited back once the sink has taken it. */
export class OutputStream {
  private chain: Promise<void> = Promise.resolve();
  private finished = false;
  private resolveEnded!: () => void;
  /** Settles when the agent closed the stream and the sink has taken every chunk. */
  readonly ended: Promise<void>;

  constructor(
    readonly id: number,
    private readonly sink: (chunk: Uint8Array) => void | Promise<void>,
    private readonly send: (bytes: Uint8Array) => void,
    private readonly forget: () => void,
  ) {
    this.ended = new Promise((resolve) => (this.resolveEnded = resolve));
  }

  deliver(chunk: Uint8Array): void {
    if (this.finished) return;
    if (chunk.length === 0) {
      this.end();
      return;
    }
    this.chain = this.chain
      .then(() => this.sink(chunk))
      .catch(() => undefined) // a failing consumer must not stall the stream
      .then(() => this.send(encodeCredit(this.id, chunk.length)));
  }

  end(): void {
    if (this.finished) return;
    this.finished = true;
    this.forget();
    void this.chain.then(() => this.resolveEnded());
  }
}

function parseJson(frame: Frame): Json {
  try {
    const value = jsonOf(frame);
    return typeof value === 'object' && value !== null ? (value as Json) : { ok: false, message: 'reply is not an object' };
  } catch {
    return { ok: false, code: 'EPROTO', message: 'reply is not JSON' };
  }
}

function toRuntimeError(op: string, reply: Json): RuntimeError {
  const code = typeof reply.code === 'string' ? reply.code : 'EIO';
  const failedOp = typeof reply.op === 'string' && reply.op !== '' ? reply.op : op;
  const path = typeof reply.path === 'string' ? reply.path : '';
  const message = typeof reply.message === 'string' ? reply.message : 'agent error';
  const errno = typeof reply.errno === 'number' ? reply.errno : 0;
  const where = path ? `${failedOp} ${path}` : failedOp;
  return new RuntimeError(`${where}: ${message}`, code, errno, failedOp, path);
}
