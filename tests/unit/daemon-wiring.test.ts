// The daemon as one piece: engine errors by kind and the one table of their HTTP statuses; services
// that ask each other through the query interfaces the daemon gives them (a used image or volume,
// before any container endpoint was called); the daemon's shutdown and start-up.

import { describe, expect, it } from 'vitest';
import { errorResponse, statusOf } from '../../src/engine/api/errors';
import { ApiError } from '../../src/engine/api/types';
import { Daemon } from '../../src/engine/daemon';
import { EngineError, conflict, forbidden, invalidParameter, notFound, notImplemented, notModified, systemError, unauthorized } from '../../src/engine/errors';
import { MemoryStore } from '../../src/engine/store';
import { FakeImages } from '../helpers/fake-images';
import { FakeRuntime, type FakeProgram } from '../helpers/fake-runtime';

const decoder = new TextDecoder();

const sleeper: FakeProgram = async ({ signals }) => {
  for await (const signal of signals) if (signal === 9 || signal === 15) return { exitCode: 128 + signal, signal };
  return 0;
};

function daemon(store = new MemoryStore(), runtime = new FakeRuntime(sleeper)) {
  const images = new FakeImages();
  const made = new Daemon({ imageProvider: images, store, runtime, registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) } });
  images.install(made).add('busybox', { config: { Cmd: ['sh'] } });
  return { daemon: made, runtime, store };
}

describe('engine errors', () => {
  it('map each kind to the status moby gives it, keeping the message as it is', () => {
    const cases: [EngineError, number][] = [
      [invalidParameter('bad'), 400],
      [unauthorized('who'), 401],
      [forbidden('no'), 403],
      [notFound('No such container: x'), 404],
      [conflict('in use'), 409],
      [systemError('broke'), 500],
      [notImplemented('not yet'), 501],
      [new EngineError('unavailable', 'later'), 503],
    ];
    for (const [error, status] of cases) {
      expect(statusOf(error)).toBe(status);
      const response = errorResponse(error);
      expect(response.status).toBe(status);
      expect(JSON.parse(decoder.decode(response.body as Uint8Array))).toEqual({ message: error.message });
    }
  });

  it('answer not-modified without a body, an ApiError with its own status, anything else with 500', () => {
    expect(errorResponse(notModified())).toEqual({ status: 304, headers: {} });
    expect(errorResponse(new ApiError(405, 'Method Not Allowed')).status).toBe(405);
    const plain = errorResponse(new Error('surprise'));
    expect([plain.status, JSON.parse(decoder.decode(plain.body as Uint8Array))]).toEqual([500, { message: 'surprise' }]);
  });
});

describe('the daemon wired in one place', () => {
  it('refuses to remove a volume a stored container uses, before any container endpoint was called', async () => {
    const store = new MemoryStore();
    const first = daemon(store).daemon;
    await first.containers.create('user', { Image: 'busybox', HostConfig: { Binds: ['data:/data'] } });
    const second = daemon(store).daemon;
    await expect(second.volumes.remove('data')).rejects.toMatchObject({ kind: 'conflict', message: expect.stringMatching(/^remove data: volume is in use - \[[0-9a-f]{64}\]$/) });
    expect((await second.volumes.list(new Map([['dangling', ['true']]]))).Volumes).toEqual([]);
  });

  it('gives the image service the container that uses an image', async () => {
    const { daemon: made } = daemon();
    const { Id } = await made.containers.create('user', { Image: 'busybox' });
    const image = made.containers.get(Id).record.image;
    expect(made.containers.imageUser(image)).toEqual({ containerId: Id, running: false });
    await made.containers.start(Id);
    expect(made.containers.imageUser(image)).toEqual({ containerId: Id, running: true });
    await made.containers.remove(Id, { force: true });
    expect(made.containers.imageUser(image)).toBeUndefined();
  });

  it('shutdown stops running and restarting containers; startUp brings back the always ones once', async () => {
    const store = new MemoryStore();
    const { daemon: made, runtime } = daemon(store);
    await made.containers.create('always', { Image: 'busybox', Cmd: ['sleep'], HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } } });
    await made.containers.create('once', { Image: 'busybox', Cmd: ['sleep'] });
    await made.containers.start('always');
    await made.containers.start('once');
    await made.containers.shutdown(1);
    expect(made.containers.list().map((live) => [live.shortName, live.status])).toEqual([
      ['once', 'exited'],
      ['always', 'exited'],
    ]);
    const creates = () => runtime.calls.filter((call) => call.op === 'create').length;
    const before = creates();
    await made.containers.startUp();
    expect(made.containers.get('always').status).toBe('running');
    expect(made.containers.get('once').status).toBe('exited');
    expect(creates()).toBe(before + 1);

    // A new daemon on the same store: ready() brings it back, and startUp does not start it again.
    await made.containers.shutdown(1);
    const next = daemon(store);
    await next.daemon.containers.startUp();
    expect(next.daemon.containers.get('always').status).toBe('running');
    expect(next.runtime.calls.filter((call) => call.op === 'create')).toHaveLength(1);
  });
});
