// System endpoints: _ping and version (info and events arrive with the areas they report on).

import type { Daemon } from '../../daemon';
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION, type Router } from '../router';
import { jsonResponse } from '../types';

const encoder = new TextEncoder();

export function registerSystemRoutes(router: Router, daemon: Daemon): void {
  router.add('GET', '/_ping', async (request) => ({
    status: 200,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-cache, no-store, must-revalidate',
      pragma: 'no-cache',
      'builder-version': '1',
      swarm: 'inactive',
      ...(request.method === 'HEAD' ? { 'content-length': '0' } : {}),
    },
    body: request.method === 'HEAD' ? undefined : encoder.encode('OK'),
  }));

  router.add('GET', '/version', async () =>
    jsonResponse(200, {
      Platform: { Name: 'Docker Engine - Community' },
      Components: [
        {
          Name: 'Engine',
          Version: ENGINE_VERSION,
          Details: {
            ApiVersion: API_VERSION,
            Arch: '386',
            BuildTime: '2025-05-30T12:00:00.000000000+00:00',
            Experimental: 'false',
            GitCommit: 'dockside',
            GoVersion: 'go1.24.3',
            KernelVersion: daemon.host.kernelVersion,
            MinAPIVersion: '1.24',
            Os: 'linux',
          },
        },
      ],
      Version: ENGINE_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: 'dockside',
      GoVersion: 'go1.24.3',
      Os: 'linux',
      Arch: '386',
      KernelVersion: daemon.host.kernelVersion,
      BuildTime: '2025-05-30T12:00:00.000000000+00:00',
    }),
  );
}
