// Volume endpoints (/volumes/...): moby's api/server/router/volume.

import type { Daemon } from '../../daemon';
import { containerService } from '../../containers';
import { volumeService } from '../../volumes';
import type { Router } from '../router';
import { invalidParameter } from '../../errors';
import { emptyResponse, jsonResponse, queryBool, queryFilters, readJson } from '../types';

interface CreateBody {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export function registerVolumeRoutes(router: Router, daemon: Daemon): void {
  const service = volumeService(daemon);
  // Containers tell the volume service which volumes they use (they load their records first).
  const ready = async (): Promise<void> => {
    await containerService(daemon).ready();
    await service.ready();
  };

  router.add('GET', '/volumes', async (request) => {
    await ready();
    return jsonResponse(200, await service.list(queryFilters(request.query)));
  });

  router.add('POST', '/volumes/create', async (request) => {
    await ready();
    const body = await readJson<CreateBody>(request);
    if (typeof body !== 'object' || body === null) throw invalidParameter('invalid JSON body');
    const record = await service.create({ name: body.Name ?? '', driver: body.Driver ?? '', labels: body.Labels ?? {}, options: body.DriverOpts ?? {} });
    return jsonResponse(201, service.view(record));
  });

  router.add('POST', '/volumes/prune', async (request) => {
    await ready();
    return jsonResponse(200, await service.prune(queryFilters(request.query)));
  });

  router.add('GET', '/volumes/{name}', async (_request, params) => {
    await ready();
    return jsonResponse(200, await service.inspect(params.name));
  });

  router.add('PUT', '/volumes/{name}', async () => {
    throw invalidParameter('volume update is only supported for cluster volumes, and Dockside has no swarm');
  });

  router.add('DELETE', '/volumes/{name}', async (request, params) => {
    await ready();
    await service.remove(params.name, queryBool(request.query, 'force'));
    return emptyResponse(204);
  });
}
