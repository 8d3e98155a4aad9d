// Volume endpoints (/volumes/...): moby's api/server/router/volume.

import { volumeCreateType } from '../go-json';
import type { VolumeService } from '../../volumes/service';
import { invalidParameter } from '../../errors';
import type { Router } from '../router';
import { emptyResponse, jsonResponse, queryBool, queryFilters, readJson } from '../types';

interface CreateBody {
  Name?: string;
  Driver?: string;
  DriverOpts?: Record<string, string> | null;
  Labels?: Record<string, string> | null;
}

export function registerVolumeRoutes(router: Router, daemon: { volumes: VolumeService }): void {
  const service = daemon.volumes;

  router.add('GET', '/volumes', async (request) => {
    return jsonResponse(200, await service.list(queryFilters(request.query)));
  });

  router.add('POST', '/volumes/create', async (request) => {
    const body = await readJson<CreateBody>(request, volumeCreateType);
    if (typeof body !== 'object' || body === null) throw invalidParameter('invalid JSON body');
    const record = await service.create({ name: body.Name ?? '', driver: body.Driver ?? '', labels: body.Labels ?? {}, options: body.DriverOpts ?? {} });
    return jsonResponse(201, service.view(record));
  });

  router.add('POST', '/volumes/prune', async (request) => {
    return jsonResponse(200, await service.prune(queryFilters(request.query)));
  });

  router.add('GET', '/volumes/{name}', async (_request, params) => jsonResponse(200, await service.inspect(params.name)));

  router.add('PUT', '/volumes/{name}', async () => {
    throw invalidParameter('volume update is only supported for cluster volumes, and Dockside has no swarm');
  });

  router.add('DELETE', '/volumes/{name}', async (request, params) => {
    await service.remove(params.name, queryBool(request.query, 'force'));
    return emptyResponse(204);
  });
}
