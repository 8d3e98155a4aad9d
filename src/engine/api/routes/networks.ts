// Network endpoints (/networks/...): moby's api/server/router/network over the network service.

import { goStruct, networkCreateType } from '../go-json';
import type { EndpointConfigBody, NetworkCreateBody, NetworkService } from '../../network/service';
import type { Router } from '../router';
import { emptyResponse, jsonResponse, queryFilters, readJson, type ApiRequest } from '../types';

export function registerNetworkRoutes(router: Router, daemon: { networks: NetworkService }): void {
  const service = daemon.networks;

  const list = async (request: ApiRequest, _params: Record<string, string>, version: string) =>
    jsonResponse(200, await service.list(queryFilters(request.query), version));
  router.add('GET', '/networks', list);
  router.add('GET', '/networks/', list);

  router.add('POST', '/networks/create', async (request) => jsonResponse(201, await service.create(await readJson<NetworkCreateBody>(request, networkCreateType))));

  router.add('POST', '/networks/prune', async (request) => jsonResponse(200, await service.prune(queryFilters(request.query))));

  router.add('GET', '/networks/{id}', async (request, params, version) =>
    jsonResponse(200, await service.inspect(params.id, request.query.get('scope'), version)),
  );

  router.add('DELETE', '/networks/{id}', async (_request, params) => {
    await service.remove(params.id);
    return emptyResponse(204);
  });

  router.add('POST', '/networks/{id}/connect', async (request, params) => {
    const body = await readJson<{ Container?: unknown; EndpointConfig?: EndpointConfigBody | null }>(request, goStruct('network.ConnectOptions', {}));
    await service.connect(params.id, typeof body.Container === 'string' ? body.Container : '', body.EndpointConfig ?? {});
    return emptyResponse(200);
  });

  router.add('POST', '/networks/{id}/disconnect', async (request, params) => {
    const body = await readJson<{ Container?: unknown; Force?: unknown }>(request, goStruct('network.DisconnectOptions', {}));
    await service.disconnect(params.id, typeof body.Container === 'string' ? body.Container : '', body.Force === true);
    return emptyResponse(200);
  });
}
