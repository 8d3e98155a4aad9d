// The host end of the agent protocol against a scripted agent: framing, replies in any order, errors,
// credits both ways, timeouts and an agent that goes silent. Timeouts, heartbeats and pings run on
// vitest's fake timers (and Date), so they are checked to the millisecond and never wait.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentClient, AgentUnavailableError, type AgentTransport } from '../../src/vm/agent/client';
import {
  FrameKind,
  FrameReader,
  INITIAL_WINDOW,
  creditOf,
  encodeCredit,
  encodeFrame,
  encodeJson,
  jsonOf,
  type Frame,
} from '../../src/vm/agent/frames';
import { RuntimeError } from '../../src/engine/runtime/types';

/** Plays the agent: sees every frame the host sends and answers through `reply`. */
class ScriptedAgent implements AgentTransport {
  readonly reader = new FrameReader();
  readonly received: Frame[] = [];
  private listener: ((bytes: Uint8Array) => void) | undefined;
  onFrame: (frame: Frame) => void = () => undefined;

  send(bytes: Uint8Array): void {
    for (const frame of this.reader.push(bytes)) {
      this.received.push(frame);
      this.onFrame(frame);
    }
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }

  emit(bytes: Uint8Array): void {
    this.listener?.(bytes);
  }

  reply(id: number, value: Record<string, unknown>): void {
    this.emit(encodeJson(FrameKind.Reply, id, value));
  }

  requests(): { id: number; body: Record<string, unknown> }[] {
    return this.received
      .filter((frame) => frame.kind === FrameKind.Request)
      .map((frame) => ({ id: frame.id, body: jsonOf(frame) as Record<string, unknown> }));
  }
}

const clients: AgentClient[] = [];
function connect(agent: ScriptedAgent, options = {}): AgentClient {
  const client = new AgentClient(agent, options);
  clients.push(client);
  return client;
}
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
  vi.useRealTimers();
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('frames', () => {
  it('reassembles frames split at every byte and skips garbage before a header', () => {
    const frames = [encodeJson(FrameKind.Reply, 7, { ok: true }), encodeFrame(FrameKind.Data, 3, new Uint8Array([1, 2, 3])), encodeCredit(3, 99)];
    const bytes = new Uint8Array([0x44, 0x00, 0xff, ...frames[0], ...frames[1], ...frames[2]]);
    const reader = new FrameReader();
    const out: Frame[] = [];
    for (let i = 0; i < bytes.length; i++) out.push(...reader.push(bytes.subarray(i, i + 1)));
    expect(out.map((f) => [f.kind, f.id])).toEqual([
      [FrameKind.Reply, 7],
      [FrameKind.Data, 3],
      [FrameKind.Credit, 3],
    ]);
    expect(jsonOf(out[0])).toEqual({ ok: true });
    expect([...out[1].payload]).toEqual([1, 2, 3]);
    expect(creditOf(out[2])).toBe(99);
    expect(reader.skipped).toBe(3);
  });

  it('refuses a header with a wrong version or an oversized length', () => {
    const bad = encodeFrame(FrameKind.Reply, 1);
    bad[2] = 9;
    const huge = encodeFrame(FrameKind.Reply, 2);
    new DataView(huge.buffer).setUint32(8, (1 << 20) + 1, true);
    const good = encodeJson(FrameKind.Reply, 3, { ok: true });
    const frames = new FrameReader().push(new Uint8Array([...bad, ...huge, ...good]));
    expect(frames.map((f) => f.id)).toEqual([3]);
  });
});

describe('AgentClient requests', () => {
  it('matches replies to requests in any order', async () => {
    const agent = new ScriptedAgent();
    const client = connect(agent);
    const first = client.request('read', { paths: ['/a'] });
    const second = client.request('hello');
    const [a, b] = agent.requests();
    expect(a.body).toEqual({ op: 'read', paths: ['/a'] });
    agent.reply(b.id, { ok: true, version: 1 });
    agent.reply(a.id, { ok: true, files: { '/a': 'x' } });
    expect(await second).toEqual({ ok: true, version: 1 });
    expect(await first).toEqual({ ok: true, files: { '/a': 'x' } });
  });

  it('turns an error reply into a RuntimeError with errno, step and path', async () => {
    const agent = new ScriptedAgent();
    const client = connect(agent);
    const call = client.request('create', { id: 'c1' });
    agent.reply(agent.requests()[0].id, { ok: false, errno: 2, code: 'ENOENT', op: 'mount', path: '/x/merged', message: 'No such file or directory' });
    const error = await call.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeError);
    expect(error).toMatchObject({ code: 'ENOENT', errno: 2, op: 'mount', path: '/x/merged', message: 'mount /x/merged: No such file or directory' });
  });

  it('fails a call with a timeout and ignores its late reply', async () => {
    vi.useFakeTimers();
    const agent = new ScriptedAgent();
    const client = connect(agent);
    const call = client.request('unpack', {}, { timeoutMs: 20 });
    const failed = expect(call).rejects.toThrow(/did not answer unpack within 20 ms/);
    await vi.advanceTimersByTimeAsync(19);
    expect(client.pendingCount).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await failed;
    agent.reply(agent.requests()[0].id, { ok: true });
    expect(client.pendingCount).toBe(0);
  });

  it('keeps a long call alive while the agent answers pings, and fails it when the agent goes silent', async () => {
    const agent = new ScriptedAgent();
    let alive = true;
    agent.onFrame = (frame) => {
      const body = jsonOf(frame) as { op: string };
      if (alive && body.op === 'hello') agent.reply(frame.id, { ok: true, version: 1 });
    };
    vi.useFakeTimers();
    const client = connect(agent, { heartbeatMs: 20, livenessMs: 100 });
    let outcome: unknown;
    const wait = client.request('wait', { process: 'p' }).then(
      () => (outcome = 'answered'),
      (error: unknown) => (outcome = error),
    );
    await vi.advanceTimersByTimeAsync(250);
    expect(client.pendingCount).toBe(1); // pings answered: still waiting, well past livenessMs
    // A ping each heartbeatMs of silence (the replies come at once): 250 / 20.
    expect(agent.requests().filter((r) => r.body.op === 'hello')).toHaveLength(12);
    alive = false;
    // The last answer came less than a heartbeat ago: the call lives until livenessMs after it...
    await vi.advanceTimersByTimeAsync(60);
    expect(outcome).toBeUndefined();
    // ...and fails by livenessMs + a heartbeat + the check's period (10 ms) after the agent fell silent.
    await vi.advanceTimersByTimeAsync(100 + 20 + 10 - 60);
    await wait;
    expect(outcome).toBeInstanceOf(AgentUnavailableError);
    expect((outcome as Error).message).toMatch(/stopped answering/);
    // The client stays usable: a respawned agent answers the next call.
    alive = true;
    const again = client.request('hello');
    agent.reply(agent.requests().at(-1)!.id, { ok: true, version: 1 });
    await expect(again).resolves.toMatchObject({ version: 1 });
  });

  it('records ERROR frames for frames the agent could not read', () => {
    const agent = new ScriptedAgent();
    const client = connect(agent);
    agent.emit(encodeJson(FrameKind.Error, 0, { ok: false, code: 'EPROTO', message: 'bad magic' }));
    expect(client.protocolErrors).toEqual([{ ok: false, code: 'EPROTO', message: 'bad magic' }]);
  });
});

describe('AgentClient streams', () => {
  it('sends stdin only within the window and resumes on credit', async () => {
    const agent = new ScriptedAgent();
    const client = connect(agent);
    const input = client.openInput(5);
    const data = Uint8Array.from({ length: INITIAL_WINDOW + 1000 }, (_, i) => i % 256);
    let written = false;
    const write = input.write(data).then(() => (written = true));
    await tick();
    const sent = () => agent.received.filter((f) => f.kind === FrameKind.Data).reduce((n, f) => n + f.payload.length, 0);
    expect(sent()).toBe(INITIAL_WINDOW);
    expect(written).toBe(false);
    agent.emit(encodeCredit(5, 500));
    expect(sent()).toBe(INITIAL_WINDOW + 500);
    agent.emit(encodeCredit(5, 4096));
    await write;
    expect(sent()).toBe(data.length);
    const joined = new Uint8Array(agent.received.filter((f) => f.kind === FrameKind.Data).flatMap((f) => [...f.payload]));
    expect(joined).toEqual(data);
    await input.close();
    const last = agent.received.at(-1)!;
    expect([last.kind, last.id, last.payload.length]).toEqual([FrameKind.Data, 5, 0]);
  });

  it('credits output back only after the sink has taken it, in order', async () => {
    const agent = new ScriptedAgent();
    const client = connect(agent);
    const seen: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const output = client.openOutput(9, async (chunk) => {
      seen.push(new TextDecoder().decode(chunk));
      if (seen.length === 1) await gate;
    });
    agent.emit(encodeFrame(FrameKind.Data, 9, new TextEncoder().encode('one')));
    agent.emit(encodeFrame(FrameKind.Data, 9, new TextEncoder().encode('two!')));
    agent.emit(encodeFrame(FrameKind.Data, 9));
    await tick();
    const credits = () => agent.received.filter((f) => f.kind === FrameKind.Credit).map(creditOf);
    expect(credits()).toEqual([]);
    expect(seen).toEqual(['one']);
    release();
    await output.ended;
    expect(seen).toEqual(['one', 'two!']);
    expect(credits()).toEqual([3, 4]);
  });

  it('fails pending stdin writes when the agent goes silent', async () => {
    const agent = new ScriptedAgent();
    vi.useFakeTimers();
    const client = connect(agent, { heartbeatMs: 10, livenessMs: 50 });
    const input = client.openInput(1);
    const write = expect(input.write(new Uint8Array(INITIAL_WINDOW + 1))).rejects.toBeInstanceOf(AgentUnavailableError);
    await vi.advanceTimersByTimeAsync(50);
    await write;
  });
});

describe('a new agent (boot, or respawned by init)', () => {
  it('fails the calls sent before its first request, keeps that one, and tells the start listeners', async () => {
    const agent = new ScriptedAgent();
    const client = connect(agent);
    let starts = 0;
    client.onStarted(() => starts++);
    const lost = client.request('spawn', {});
    const kept = client.request('hello', {});
    const [first, second] = agent.requests();
    agent.emit(encodeJson(FrameKind.Event, 0, { event: 'started', pid: 74, request: second.id }));
    await expect(lost).rejects.toThrow('the guest agent restarted');
    expect(starts).toBe(1);
    agent.reply(second.id, { ok: true, version: 1 });
    await expect(kept).resolves.toMatchObject({ ok: true });
    expect(first.id).toBeLessThan(second.id);
  });

  it('is pinged now and then when nothing is pending (once an agent has spoken), so a silent respawned agent gets to announce itself', async () => {
    vi.useFakeTimers();
    const agent = new ScriptedAgent();
    const client = connect(agent, { heartbeatMs: 20, idlePingMs: 40 });
    await vi.advanceTimersByTimeAsync(150);
    // Nothing is written before the first agent's ready event (a cold boot's virtqueues may not be set up).
    expect(agent.received).toHaveLength(0);
    agent.emit(encodeJson(FrameKind.Event, 0, { event: 'ready', pid: 73 }));
    await client.heard;
    await vi.advanceTimersByTimeAsync(39);
    expect(agent.requests()).toHaveLength(0); // not before idlePingMs of silence
    await vi.advanceTimersByTimeAsync(200 - 39);
    // Unanswered pings repeat, one per idlePingMs (not per heartbeatMs): 200 / 40.
    expect(agent.requests().filter((r) => r.body.op === 'hello')).toHaveLength(5);
  });
});

describe('a client of a resumed machine (the agent still owes the saved host)', () => {
  it('goes on from the saved cursor, so no id of the old host is handed out again', async () => {
    const old = connect(new ScriptedAgent());
    for (let i = 0; i < 3; i++) old.allocateStream();
    void old.request('hello').catch(() => undefined);
    const cursor = old.cursor();
    expect(cursor).toEqual({ nextRequest: 2, nextStream: 4 });
    const agent = new ScriptedAgent();
    const client = connect(agent, { resume: cursor });
    const reply = client.request('hello');
    expect(agent.requests().map((r) => r.id)).toEqual([2]);
    agent.reply(2, { ok: true, version: 1 });
    await expect(reply).resolves.toMatchObject({ version: 1 });
    expect(client.allocateStream()).toBe(4);
  });

  it("takes back the reply to the old host's wait, and refuses ids it never sent", async () => {
    const agent = new ScriptedAgent();
    const client = connect(agent, { resume: { nextRequest: 50, nextStream: 1 } });
    const exit = client.adoptRequest(7, 'wait');
    await expect(client.adoptRequest(50, 'wait')).rejects.toThrow(/cannot be taken back/);
    agent.reply(7, { ok: true, exitCode: 137, signal: 9 });
    await expect(exit).resolves.toMatchObject({ exitCode: 137 });
    expect(agent.requests()).toEqual([]); // nothing was asked again
  });

  it('reads an adopted output stream, grants it a fresh window, and skips its id when allocating', async () => {
    const agent = new ScriptedAgent();
    const client = connect(agent, { resume: { nextRequest: 1, nextStream: 5 } });
    const chunks: string[] = [];
    client.adoptOutput(5, (chunk) => void chunks.push(new TextDecoder().decode(chunk)));
    const credits = () => agent.received.filter((f) => f.kind === FrameKind.Credit).map((f) => [f.id, creditOf(f)]);
    expect(credits()).toEqual([[5, INITIAL_WINDOW]]);
    agent.emit(encodeFrame(FrameKind.Data, 5, new TextEncoder().encode('tick 9\n')));
    await vi.waitFor(() => expect(credits()).toEqual([[5, INITIAL_WINDOW], [5, 7]]));
    expect(chunks).toEqual(['tick 9\n']);
    expect(client.allocateStream()).toBe(6);
  });
});
