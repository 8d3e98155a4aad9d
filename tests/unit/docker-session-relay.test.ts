// The host end of the agent's socket relay (PROTOCOL.md, "Sockets"): accept events become
// GuestConnections with credit-based flow control both ways, half-close, and close; connections
// nobody handles are closed; host-chosen stream ids stay below the agent's.

import { afterEach, describe, expect, it } from 'vitest';
import { AgentClient, type AgentTransport } from '../../src/vm/agent/client';
import { CONNECTION_STREAM_BASE, FrameKind, FrameReader, creditOf, encodeFrame, encodeJson, jsonOf, type Frame } from '../../src/vm/agent/frames';
import { GuestConnections, type GuestConnection } from '../../src/vm/guest-connections';

class FakeAgent implements AgentTransport {
  readonly reader = new FrameReader();
  readonly received: Frame[] = [];
  private listener: ((bytes: Uint8Array) => void) | undefined;

  send(bytes: Uint8Array): void {
    for (const frame of this.reader.push(bytes)) {
      this.received.push(frame);
      if (frame.kind === FrameKind.Request) this.emit(encodeJson(FrameKind.Reply, frame.id, { ok: true }));
    }
  }

  onData(listener: (bytes: Uint8Array) => void): () => void {
    this.listener = listener;
    return () => (this.listener = undefined);
  }

  emit(bytes: Uint8Array): void {
    this.listener?.(bytes);
  }

  accept(socket: string, stream: number): void {
    this.emit(encodeJson(FrameKind.Event, 0, { event: 'accept', socket, stream }));
  }

  requests(): Record<string, unknown>[] {
    return this.received.filter((f) => f.kind === FrameKind.Request).map((f) => jsonOf(f) as Record<string, unknown>);
  }

  credits(stream: number): number {
    return this.received.filter((f) => f.kind === FrameKind.Credit && f.id === stream).reduce((n, f) => n + creditOf(f), 0);
  }

  data(stream: number): Frame[] {
    return this.received.filter((f) => f.kind === FrameKind.Data && f.id === stream);
  }
}

const clients: AgentClient[] = [];
afterEach(() => {
  for (const client of clients.splice(0)) client.close();
});

function setup(): { agent: FakeAgent; client: AgentClient; connections: GuestConnections; accepted: GuestConnection[] } {
  const agent = new FakeAgent();
  const client = new AgentClient(agent);
  clients.push(client);
  const connections = new GuestConnections(client);
  const accepted: GuestConnection[] = [];
  connections.onConnection('api', (c) => accepted.push(c));
  return { agent, client, connections, accepted };
}

const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));
const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const N = CONNECTION_STREAM_BASE + 7;

describe('guest socket relay', () => {
  it('asks the agent to listen and unlisten with the paths of the guest sockets', async () => {
    const { agent, connections } = setup();
    await connections.listen('api');
    await connections.unlisten('api');
    expect(agent.requests()).toEqual([
      { op: 'listen', socket: 'api', path: '/var/run/docker.sock', mode: 0o660 },
      { op: 'unlisten', socket: 'api' },
    ]);
  });

  it('delivers what the guest sends and credits it only once consumed', async () => {
    const { agent, accepted } = setup();
    agent.accept('api', N);
    expect(accepted).toHaveLength(1);
    expect(accepted[0].socket).toBe('api');
    agent.emit(encodeFrame(FrameKind.Data, N, bytes('GET /_ping')));
    agent.emit(encodeFrame(FrameKind.Data, N, bytes(' HTTP/1.1\r\n\r\n')));
    agent.emit(encodeFrame(FrameKind.Data, N));
    await tick();
    expect(agent.credits(N)).toBe(0);
    let text = '';
    for await (const chunk of accepted[0].input) text += new TextDecoder().decode(chunk);
    expect(text).toBe('GET /_ping HTTP/1.1\r\n\r\n');
    await tick();
    expect(agent.credits(N)).toBe(text.length);
  });

  it('sends within the window, waits for credit, and half-closes with an empty DATA', async () => {
    const { agent, accepted } = setup();
    agent.accept('api', N);
    const connection = accepted[0];
    const big = new Uint8Array(65536 + 1000);
    let written = false;
    const write = connection.write(big).then(() => (written = true));
    await tick();
    expect(agent.data(N).reduce((n, f) => n + f.payload.length, 0)).toBe(65536);
    expect(written).toBe(false);
    agent.emit(encodeFrame(FrameKind.Credit, N, Uint8Array.of(0xe8, 0x03, 0, 0)));
    await write;
    expect(agent.data(N).reduce((n, f) => n + f.payload.length, 0)).toBe(65536 + 1000);
    connection.close();
    await tick();
    const last = agent.data(N).at(-1);
    expect(last?.payload.length).toBe(0);
  });

  it('closes the socket on destroy and forgets the stream', async () => {
    const { agent, accepted } = setup();
    agent.accept('api', N);
    accepted[0].destroy();
    await tick();
    expect(agent.requests()).toEqual([{ op: 'close', stream: N }]);
    await expect(accepted[0].write(bytes('x'))).rejects.toThrow('closed');
    agent.emit(encodeFrame(FrameKind.Data, N, bytes('late')));
    await tick();
    expect(agent.credits(N)).toBe(0);
  });

  it('closes connections on sockets nobody handles', async () => {
    const { agent } = setup();
    agent.accept('cli', N + 1);
    await tick();
    expect(agent.requests()).toEqual([{ op: 'close', stream: N + 1 }]);
  });

  it('keeps the stream ids it chooses below the agent range', () => {
    const { client } = setup();
    for (let i = 0; i < 3; i++) expect(client.allocateStream()).toBeLessThan(CONNECTION_STREAM_BASE);
    (client as unknown as { nextStream: number }).nextStream = CONNECTION_STREAM_BASE - 1;
    expect(client.allocateStream()).toBe(CONNECTION_STREAM_BASE - 1);
    expect(client.allocateStream()).toBe(1);
  });
});
