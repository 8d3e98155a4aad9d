// Routing of Engine API requests: the /v1.NN prefix and version checks, path parameters, and errors
// as docker's JSON bodies. Every response carries the headers moby sends.

import { errorResponse } from './errors';
import { ApiError, type ApiRequest, type ApiResponse, type HeaderMap } from './types';
import { ENGINE_VERSION } from '../version';

export const API_VERSION = '1.50';
export const MIN_API_VERSION = '1.24';
export const MAX_API_VERSION = '1.50';
export { ENGINE_VERSION };

export type Handler = (request: ApiRequest, params: Record<string, string>, version: string) => Promise<ApiResponse>;

interface Route {
  method: string;
  pattern: RegExp;
  names: string[];
  handler: Handler;
}

function compareVersions(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}

export function standardHeaders(): HeaderMap {
  return {
    server: `Docker/${ENGINE_VERSION} (linux)`,
    'api-version': API_VERSION,
    ostype: 'linux',
    'docker-experimental': 'false',
  };
}

export class Router {
  private readonly routes: Route[] = [];

  /** pattern: "/containers/{id}/json"; "{name*}" matches the rest of the path, slashes included. */
  add(method: string, pattern: string, handler: Handler): void {
    const names: string[] = [];
    const source = pattern.replace(/\{(\w+)(\*?)\}/g, (_, name: string, rest: string) => {
      names.push(name);
      return rest ? '(.+)' : '([^/]+)';
    });
    this.routes.push({ method, pattern: new RegExp(`^${source}$`), names, handler });
  }

  async handle(request: ApiRequest): Promise<ApiResponse> {
    let response: ApiResponse;
    try {
      response = await this.dispatch(request);
    } catch (error) {
      response = errorResponse(error);
    }
    return { ...response, headers: { ...standardHeaders(), ...response.headers } };
  }

  private async dispatch(request: ApiRequest): Promise<ApiResponse> {
    let path = request.path;
    let version = API_VERSION;
    const prefix = /^\/v(\d+\.\d+)(\/.*)$/.exec(path);
    if (prefix) {
      version = prefix[1];
      path = prefix[2];
      if (compareVersions(version, MAX_API_VERSION) > 0) {
        throw new ApiError(400, `client version ${version} is too new. Maximum supported API version is ${MAX_API_VERSION}`);
      }
      if (compareVersions(version, MIN_API_VERSION) < 0) {
        throw new ApiError(400, `client version ${version} is too old. Minimum supported API version is ${MIN_API_VERSION}, please upgrade your client to a newer version`);
      }
    } else if (/^\/v[^/]*\//.test(path)) {
      throw new ApiError(404, 'page not found');
    }
    let methodMismatch = false;
    for (const route of this.routes) {
      const match = route.pattern.exec(path);
      if (!match) continue;
      const method = request.method === 'HEAD' && route.method === 'GET' ? 'GET' : request.method;
      if (route.method !== method) {
        methodMismatch = true;
        continue;
      }
      const params: Record<string, string> = {};
      route.names.forEach((name, i) => (params[name] = decodeURIComponent(match[i + 1])));
      return route.handler(request, params, version);
    }
    if (methodMismatch) throw new ApiError(405, 'Method Not Allowed');
    throw new ApiError(404, 'page not found');
  }
}
