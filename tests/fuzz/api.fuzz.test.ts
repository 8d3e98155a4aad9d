// Fuzzing the Engine API's JSON bodies through the real routes and services (a Daemon with the fake
// runtime and images): container create/update/exec, network and volume create, with bodies built
// from the fields docker sends (valid, wrongly typed, out of range) and broken JSON text. Every
// answer is a success or docker's error shape, a 4xx with `{"message": "..."}` (never a 500 from a
// crash), and a rejected request leaves the store and `GET /containers/json?all=1` as they were.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/engine/daemon';
import type { ApiRequest, ApiResponse } from '../../src/engine/api/types';
import { MemoryStore } from '../../src/engine/store';
import { FakeImages } from '../helpers/fake-images';
import { FakeRuntime, type FakeProgram } from '../helpers/fake-runtime';
import { check } from './budget';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const program: FakeProgram = async () => 0;

async function setup() {
  const store = new MemoryStore();
  const images = new FakeImages({ 'busybox:latest': {} });
  images.add('busybox');
  const daemon = new Daemon({ imageProvider: images, store, runtime: new FakeRuntime(program), registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) }, clock: () => new Date('2026-01-01T00:00:00Z') });
  images.install(daemon);
  const created = await call(daemon, 'POST', '/containers/create', 'name=existing', JSON.stringify({ Image: 'busybox', Cmd: ['sh'] }));
  expect(created.status).toBe(201);
  return { daemon, store };
}

async function call(daemon: Daemon, method: string, path: string, query: string, body: string): Promise<{ status: number; text: string }> {
  const request: ApiRequest = { method, path: `/v1.50${path}`, query: new URLSearchParams(query), headers: { 'content-type': 'application/json' }, body: async () => encoder.encode(body), bodyStream: async function* () { yield encoder.encode(body); } };
  const response: ApiResponse = await daemon.router.handle(request);
  let text = '';
  if (response.body instanceof Uint8Array) text = decoder.decode(response.body);
  else if (response.body) for await (const chunk of response.body) text += decoder.decode(chunk);
  return { status: response.status, text };
}

async function snapshot(daemon: Daemon, store: MemoryStore): Promise<string> {
  const documents = [...store.metadata.documents.entries()].sort(([a], [b]) => (a < b ? -1 : 1));
  const ps = await call(daemon, 'GET', '/containers/json', 'all=1', '');
  const networks = await call(daemon, 'GET', '/networks', '', '');
  const volumes = await call(daemon, 'GET', '/volumes', '', '');
  return JSON.stringify([documents, ps.text, networks.text, volumes.text]);
}

// ---- bodies ----

const anyJson = fc.jsonValue({ maxDepth: 2 });
const strings = fc.oneof(fc.constantFrom('', 'busybox', 'sh', '/data', 'a=b', 'A', '80/tcp', 'no-such-image', 'bridge', 'host', 'none', 'x'.repeat(300), '../..', 'SIGKILL'), fc.string({ maxLength: 6 }));
const numbers = fc.oneof(fc.constantFrom(0, -1, 1, 1e9, 2 ** 53, 1.5, 4_000_000, -4_000_000), fc.integer());
const field = <T>(valid: fc.Arbitrary<T>) => fc.oneof({ weight: 4, arbitrary: valid }, { weight: 1, arbitrary: anyJson });
const stringList = fc.array(strings, { maxLength: 3 });
const stringMap = fc.dictionary(strings, strings, { maxKeys: 2 });
const portBindings = fc.dictionary(fc.constantFrom('80/tcp', '80', '53/udp', 'x/tcp', '70000/tcp', ''), fc.array(fc.record({ HostIp: field(fc.constantFrom('', '127.0.0.1', '::1', 'nope')), HostPort: field(fc.constantFrom('', '8080', '0', '99999', 'x')) }, { requiredKeys: [] }), { maxLength: 2 }), { maxKeys: 2 });

const hostConfig = fc.record(
  {
    Binds: field(fc.array(fc.constantFrom('/h:/c', 'vol:/data:ro', 'bad', '/h:/c:zz', ':/c', 'v:'), { maxLength: 2 })),
    PortBindings: field(portBindings),
    RestartPolicy: field(fc.record({ Name: field(fc.constantFrom('', 'no', 'always', 'on-failure', 'unless-stopped', 'bogus')), MaximumRetryCount: field(numbers) }, { requiredKeys: [] })),
    AutoRemove: field(fc.boolean()),
    Memory: field(numbers),
    MemorySwap: field(numbers),
    NanoCpus: field(numbers),
    CpuShares: field(numbers),
    PidsLimit: field(numbers),
    NetworkMode: field(strings),
    Privileged: field(fc.boolean()),
    CapAdd: field(stringList),
    CapDrop: field(stringList),
    Mounts: field(fc.array(fc.record({ Type: field(fc.constantFrom('bind', 'volume', 'tmpfs', 'image', 'x')), Source: field(strings), Target: field(strings), ReadOnly: field(fc.boolean()) }, { requiredKeys: [] }), { maxLength: 2 })),
    Tmpfs: field(stringMap),
    Ulimits: field(fc.array(fc.record({ Name: field(strings), Soft: field(numbers), Hard: field(numbers) }, { requiredKeys: [] }), { maxLength: 2 })),
    ExtraHosts: field(stringList),
    Dns: field(stringList),
    LogConfig: field(fc.record({ Type: field(strings), Config: field(stringMap) }, { requiredKeys: [] })),
    Init: field(fc.boolean()),
    ShmSize: field(numbers),
  },
  { requiredKeys: [] },
);

const createBody = fc.record(
  {
    Image: field(fc.constantFrom('busybox', 'busybox:latest', 'no-such-image', '', 'UPPER', 'sha256:abc')),
    Cmd: field(stringList),
    Entrypoint: field(stringList),
    Env: field(fc.array(fc.constantFrom('A=1', 'A', '=x', '', 'PATH=/bin'), { maxLength: 3 })),
    Labels: field(stringMap),
    ExposedPorts: field(fc.dictionary(fc.constantFrom('80/tcp', '80', 'x', '1-3/udp', ''), fc.constant({}), { maxKeys: 2 })),
    WorkingDir: field(strings),
    User: field(strings),
    Tty: field(fc.boolean()),
    OpenStdin: field(fc.boolean()),
    StopSignal: field(fc.constantFrom('SIGTERM', 'SIGKILL', '9', 'BOGUS', '', '-1', '99')),
    StopTimeout: field(numbers),
    Healthcheck: field(fc.record({ Test: field(stringList), Interval: field(numbers), Retries: field(numbers) }, { requiredKeys: [] })),
    Volumes: field(fc.dictionary(fc.constantFrom('/data', 'rel', ''), fc.constant({}), { maxKeys: 2 })),
    HostConfig: field(hostConfig),
    NetworkingConfig: field(fc.record({ EndpointsConfig: field(fc.dictionary(fc.constantFrom('bridge', 'none', 'nope', 'host'), fc.record({ Aliases: field(stringList) }, { requiredKeys: [] }), { maxKeys: 2 })) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);

const brokenJson = (valid: fc.Arbitrary<unknown>) =>
  fc.tuple(valid.map((value) => JSON.stringify(value)), fc.nat(), fc.nat({ max: 3 }), fc.constantFrom('', '{', '}', '"', ',', ':', 'null', '[', '\\', '1e999', 'x')).map(([text, at, remove, insert]) => {
    const position = at % (text.length + 1);
    return text.slice(0, position) + insert + text.slice(position + remove);
  });

const bodyText = (valid: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 5, arbitrary: valid.map((value) => JSON.stringify(value)) }, { weight: 2, arbitrary: brokenJson(valid) }, { weight: 1, arbitrary: anyJson.map((value) => JSON.stringify(value)) });

/** The request is answered as docker answers: success, or a 4xx with {"message": non-empty}; a rejection changes nothing. */
async function answersLikeDocker(method: string, path: string, query: string, body: string, okStatuses: readonly number[]): Promise<void> {
  const { daemon, store } = await setup();
  const before = await snapshot(daemon, store);
  const { status, text } = await call(daemon, method, path, query, body);
  if (okStatuses.includes(status)) return;
  expect(status, `${status} ${text}`).toBeGreaterThanOrEqual(400);
  expect(status, `${status} ${text}`).toBeLessThan(500);
  const parsed = JSON.parse(text) as { message?: unknown };
  expect(typeof parsed.message === 'string' && parsed.message !== '', text).toBe(true);
  expect(await snapshot(daemon, store)).toBe(before);
}

const names = fc.constantFrom('', 'name=web', 'name=existing', 'name=bad%20name', 'name=/slash', 'name=a..b', `name=${'n'.repeat(300)}`);

describe('fuzz: Engine API JSON bodies', () => {
  it('POST /containers/create', async () => {
    await check(
      'api-create',
      fc.asyncProperty(bodyText(createBody), names, async (body, query) => {
        await answersLikeDocker('POST', '/containers/create', query, body, [201]);
      }),
      150,
    );
  });

  it('POST /containers/{id}/update and /exec', async () => {
    const update = fc.record({ Memory: field(numbers), MemorySwap: field(numbers), NanoCpus: field(numbers), CpuShares: field(numbers), PidsLimit: field(numbers), RestartPolicy: field(fc.record({ Name: field(strings), MaximumRetryCount: field(numbers) }, { requiredKeys: [] })) }, { requiredKeys: [] });
    const exec = fc.record({ Cmd: field(stringList), Env: field(stringList), User: field(strings), WorkingDir: field(strings), Tty: field(fc.boolean()), AttachStdout: field(fc.boolean()), Privileged: field(fc.boolean()) }, { requiredKeys: [] });
    await check(
      'api-update-exec',
      fc.asyncProperty(bodyText(update), bodyText(exec), async (updateBody, execBody) => {
        await answersLikeDocker('POST', '/containers/existing/update', '', updateBody, [200]);
        await answersLikeDocker('POST', '/containers/existing/exec', '', execBody, [201]);
      }),
      80,
    );
  });

  it('POST /networks/create and /volumes/create', async () => {
    const network = fc.record({ Name: field(strings), Driver: field(fc.constantFrom('bridge', 'host', 'overlay', 'null', '', 'x')), Internal: field(fc.boolean()), Labels: field(stringMap), Options: field(stringMap), IPAM: field(fc.record({ Config: field(fc.array(fc.record({ Subnet: field(fc.constantFrom('10.9.0.0/16', '10.9.0.0/33', 'x', '', '172.17.0.0/16')), Gateway: field(fc.constantFrom('10.9.0.1', '1.2.3.4', 'x', '')) }, { requiredKeys: [] }), { maxLength: 2 })) }, { requiredKeys: [] })) }, { requiredKeys: [] });
    const volume = fc.record({ Name: field(strings), Driver: field(fc.constantFrom('local', '', 'x')), DriverOpts: field(stringMap), Labels: field(stringMap) }, { requiredKeys: [] });
    await check(
      'api-network-volume',
      fc.asyncProperty(bodyText(network), bodyText(volume), async (networkBody, volumeBody) => {
        await answersLikeDocker('POST', '/networks/create', '', networkBody, [201]);
        await answersLikeDocker('POST', '/volumes/create', '', volumeBody, [201]);
      }),
      80,
    );
  });
});
