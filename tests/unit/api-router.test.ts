// The Engine API router: version prefixes, docker's version errors, JSON errors, the ping headers.

import { describe, expect, it } from 'vitest';
import { Router } from '../../src/engine/api/router';
import { ApiError, jsonResponse, readJson, type ApiRequest } from '../../src/engine/api/types';
import { registerSystemRoutes } from '../../src/engine/api/routes/system';
import type { Daemon } from '../../src/engine/daemon';

const decoder = new TextDecoder();

function request(method: string, path: string): ApiRequest {
  return { method, path, query: new URLSearchParams(), headers: {}, body: async () => new Uint8Array(0), bodyStream: async function* () {} };
}

function router(): Router {
  const r = new Router();
  registerSystemRoutes(r, { host: { name: 'dockside', cpus: 1, memoryBytes: 1, kernelVersion: '6.1.0' } } as Daemon);
  r.add('GET', '/containers/{id}/json', async (_req, params) => jsonResponse(200, { Id: params.id }));
  r.add('DELETE', '/containers/{id}', async (_req, params) => {
    throw new ApiError(409, `cannot remove ${params.id}`);
  });
  return r;
}

const body = (b: unknown) => decoder.decode(b as Uint8Array);

describe('Engine API router', () => {
  it('answers HEAD and GET /_ping with the headers the docker CLI reads', async () => {
    const head = await router().handle(request('HEAD', '/_ping'));
    expect(head.status).toBe(200);
    expect(head.body).toBeUndefined();
    expect(head.headers).toMatchObject({ 'api-version': '1.50', ostype: 'linux', 'docker-experimental': 'false', swarm: 'inactive', server: 'Docker/28.2.2 (linux)', 'content-length': '0' });
    const get = await router().handle(request('GET', '/_ping'));
    expect(body(get.body)).toBe('OK');
  });

  it('routes with and without a version prefix and decodes path parameters', async () => {
    for (const path of ['/containers/web%2F1/json', '/v1.50/containers/web%2F1/json', '/v1.24/containers/web%2F1/json']) {
      const response = await router().handle(request('GET', path));
      expect(response.status).toBe(200);
      expect(JSON.parse(body(response.body))).toEqual({ Id: 'web/1' });
    }
  });

  it('refuses versions outside 1.24 to 1.50 with docker texts', async () => {
    const tooNew = await router().handle(request('GET', '/v1.51/version'));
    expect(tooNew.status).toBe(400);
    expect(JSON.parse(body(tooNew.body))).toEqual({ message: 'client version 1.51 is too new. Maximum supported API version is 1.50' });
    const tooOld = await router().handle(request('GET', '/v1.12/version'));
    expect(JSON.parse(body(tooOld.body)).message).toBe('client version 1.12 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version');
  });

  it('reports unknown paths, wrong methods and handler errors as JSON', async () => {
    const missing = await router().handle(request('GET', '/v1.50/nothing/here'));
    expect([missing.status, JSON.parse(body(missing.body))]).toEqual([404, { message: 'page not found' }]);
    const method = await router().handle(request('POST', '/v1.50/containers/x/json'));
    expect(method.status).toBe(405);
    const conflict = await router().handle(request('DELETE', '/v1.50/containers/x'));
    expect([conflict.status, JSON.parse(body(conflict.body))]).toEqual([409, { message: 'cannot remove x' }]);
    expect(conflict.headers['api-version']).toBe('1.50');
  });
});

describe('JSON bodies', () => {
  it("answers a malformed body with Go's encoding/json text, as dockerd's ReadJSON does", async () => {
    const r = new Router();
    r.add('POST', '/echo', async (req) => jsonResponse(200, await readJson(req)));
    const send = async (text: string) => {
      const response = await r.handle({ ...request('POST', '/echo'), body: async () => new TextEncoder().encode(text) });
      return { status: response.status, body: JSON.parse(body(response.body)) as unknown };
    };
    expect(await send('{bad}')).toEqual({ status: 400, body: { message: "invalid JSON: invalid character 'b' looking for beginning of object key string" } });
    expect(await send('{"a":')).toEqual({ status: 400, body: { message: 'invalid JSON: unexpected end of JSON input' } });
    expect(await send('{"a":1}')).toEqual({ status: 200, body: { a: 1 } });
  });
});
