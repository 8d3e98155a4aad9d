// Request bodies of the wrong JSON kind, found by tests/fuzz/api.fuzz.test.ts: moby decodes them into
// Go structs and answers 400 with encoding/json's text; Dockside answered 500 with a JavaScript
// TypeError ("Cannot read properties of null", "reference.includes is not a function").

import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/engine/daemon';
import type { ApiRequest } from '../../src/engine/api/types';
import { MemoryStore } from '../../src/engine/store';
import { FakeImages } from '../helpers/fake-images';
import { FakeRuntime } from '../helpers/fake-runtime';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function daemon(): Daemon {
  const images = new FakeImages({ 'busybox:latest': {} });
  images.add('busybox');
  return new Daemon({ imageProvider: images, store: new MemoryStore(), runtime: new FakeRuntime(async () => 0), registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) } });
}

async function post(target: Daemon, path: string, body: string): Promise<{ status: number; body: unknown }> {
  const request: ApiRequest = { method: 'POST', path: `/v1.50${path}`, query: new URLSearchParams(), headers: {}, body: async () => encoder.encode(body), bodyStream: async function* () {} };
  const response = await target.router.handle(request);
  return { status: response.status, body: JSON.parse(decoder.decode(response.body as Uint8Array)) };
}

describe('JSON bodies of the wrong kind', () => {
  it('a body that is not an object: null is an empty struct, the rest cannot fill one', async () => {
    const d = daemon();
    expect(await post(d, '/containers/create', '5')).toEqual({ status: 400, body: { message: 'invalid JSON: json: cannot unmarshal number into Go value of type ContainerConfigWrapper' } });
    expect(await post(d, '/volumes/create', '["x"]')).toEqual({ status: 400, body: { message: 'invalid JSON: json: cannot unmarshal array into Go value of type volume.CreateOptions' } });
    const created = await post(d, '/volumes/create', 'null');
    expect(created.status).toBe(201);
  });

  it('a field of the wrong kind names the Go struct field and its type', async () => {
    const d = daemon();
    expect(await post(d, '/containers/create', '{"Image":{}}')).toEqual({ status: 400, body: { message: 'invalid JSON: json: cannot unmarshal object into Go struct field ContainerConfigWrapper.Image of type string' } });
    expect((await post(d, '/containers/create', '{"Image":"busybox","HostConfig":{"Memory":"1g"}}')).body).toEqual({ message: 'invalid JSON: json: cannot unmarshal string into Go struct field ContainerConfigWrapper.HostConfig.Memory of type int64' });
    expect((await post(d, '/containers/create', '{"Image":"busybox","Cmd":["sh",1]}')).body).toEqual({ message: 'invalid JSON: json: cannot unmarshal number into Go struct field ContainerConfigWrapper.Cmd of type string' });
    expect((await post(d, '/containers/create', '{"Image":"busybox","HostConfig":{"BlkioWeight":70000}}')).body).toEqual({ message: 'invalid JSON: json: cannot unmarshal number 70000 into Go struct field ContainerConfigWrapper.HostConfig.BlkioWeight of type uint16' });
    // strslice: a string is a one-element list
    expect((await post(d, '/containers/create', '{"Image":"busybox","Cmd":"sh"}')).status).toBe(201);
  });
});
