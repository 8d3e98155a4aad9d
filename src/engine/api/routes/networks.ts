// Network endpoints (/networks/...): the three predefined networks of docker (bridge on docker0,
// host, none) with moby's views, filters and errors. Every container on the default bridge is listed
// in `Containers` with the endpoint the container service gave it. User-defined networks are not
// available yet in Dockside: creating one, connecting a container to a network after it was created
// or disconnecting it answers an explicit error saying so, never a pretended success.

import type { ContainerService } from '../../containers/service';
import { USER_NETWORKS_UNAVAILABLE, isPredefinedNetwork, type NetworkModel, type PredefinedNetworks } from '../../network/networks';
import type { Router } from '../router';
import { forbidden, invalidParameter, notFound, notImplemented as notAvailable, systemError } from '../../errors';
import { jsonResponse, queryFilters, readJson, type ApiRequest } from '../types';

/** moby's runconfig.ErrConflictHostNetwork. */
const CONFLICT_HOST_NETWORK = 'container cannot be disconnected from host network or connected to host network';
/** moby's runconfig.ErrConflictSharedNetwork. */
const CONFLICT_SHARED_NETWORK = 'container sharing network namespace with another container or host cannot be connected to any other network';

const ACCEPTED_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];

function compareVersions(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}

/** The network a container's NetworkMode puts it on ("default" is the bridge). */
function modeNetwork(mode: string | undefined): string {
  return mode === undefined || mode === '' || mode === 'default' ? 'bridge' : mode;
}

interface EndpointView {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  IPv4Address: string;
  IPv6Address: string;
}

/** The running containers that have an endpoint on the network, by container id. */
function attachedContainers(service: ContainerService, network: NetworkModel): Record<string, EndpointView> {
  const out: Record<string, EndpointView> = {};
  for (const live of service.containers.values()) {
    const endpoint = live.record.endpoint;
    if (!endpoint || modeNetwork(live.record.hostConfig.NetworkMode) !== network.name) continue;
    out[live.id] = {
      Name: live.shortName,
      EndpointID: endpoint.endpointId,
      MacAddress: endpoint.mac,
      IPv4Address: `${endpoint.ip}/${endpoint.prefixLen}`,
      IPv6Address: '',
    };
  }
  return out;
}

/** network.Inspect as moby marshals it (GET /networks/{id}; the list leaves Containers empty). */
function networkView(network: NetworkModel, version: string, containers: Record<string, EndpointView>): Record<string, unknown> {
  const view: Record<string, unknown> = {
    Name: network.name,
    Id: network.id,
    Created: network.created,
    Scope: 'local',
    Driver: network.driver,
  };
  if (compareVersions(version, '1.48') >= 0) view.EnableIPv4 = true;
  Object.assign(view, {
    EnableIPv6: false,
    IPAM: { Driver: 'default', Options: null, Config: network.ipam.length > 0 ? network.ipam.map((config) => ({ ...config })) : null },
    Internal: false,
    Attachable: false,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: { ...network.options },
    Labels: {},
  });
  return view;
}

/** filters.Args.Match: an exact value, or a value that is a regular expression matching the source. */
function filterMatch(values: readonly string[], source: string): boolean {
  return values.some((value) => {
    if (value === source) return true;
    try {
      return new RegExp(value).test(source);
    } catch {
      return false;
    }
  });
}

export function registerNetworkRoutes(router: Router, daemon: { networks: PredefinedNetworks; containers: ContainerService }): void {
  const { networks, containers } = daemon;
  const ready = async (): Promise<void> => {
    await networks.ready();
    await containers.ready();
  };
  /** moby's FindNetwork with its not-found error (an ambiguous prefix is an invalid parameter). */
  const find = (ref: string): NetworkModel => {
    const network = networks.find(ref);
    if (!network) throw notFound(`network ${ref} not found`);
    return network;
  };

  const list = async (request: ApiRequest, _params: Record<string, string>, version: string) => {
    await ready();
    const filters = queryFilters(request.query);
    for (const key of filters.keys()) {
      if (!ACCEPTED_FILTERS.includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    }
    let dangling: boolean | undefined;
    for (const value of filters.get('dangling') ?? []) {
      const lower = value.toLowerCase();
      if (lower === 'true' || lower === '1') dangling = true;
      else if (lower === 'false' || lower === '0') dangling = false;
      else throw invalidParameter(`invalid filter 'dangling=${value}'`);
    }
    const types = filters.get('type');
    for (const type of types ?? []) {
      if (type !== 'builtin' && type !== 'custom') throw invalidParameter(`invalid filter: 'type'='${type}'`);
    }
    const result = networks.list().filter((network) => {
      const driver = filters.get('driver');
      if (driver && !driver.includes(network.driver)) return false;
      const name = filters.get('name');
      if (name && !filterMatch(name, network.name)) return false;
      const id = filters.get('id');
      if (id && !filterMatch(id, network.id)) return false;
      // The predefined networks have no labels: any label filter leaves them out.
      if (filters.has('label')) return false;
      const scope = filters.get('scope');
      if (scope && !scope.includes('local')) return false;
      // Every network is builtin today (there are no user-defined networks yet).
      if (types && !types.includes('builtin')) return false;
      // dangling=true: custom networks without containers (never a predefined one).
      if (dangling === true) return false;
      return true;
    });
    return jsonResponse(200, result.map((network) => networkView(network, version, {})));
  };
  router.add('GET', '/networks', list);
  router.add('GET', '/networks/', list);

  router.add('POST', '/networks/create', async (request) => {
    const body = await readJson<{ Name?: unknown; Driver?: unknown }>(request);
    await ready();
    const name = typeof body.Name === 'string' ? body.Name : '';
    const driver = typeof body.Driver === 'string' && body.Driver !== '' ? body.Driver : 'bridge';
    if (isPredefinedNetwork(name)) throw forbidden(`operation is not permitted on predefined ${name} network `);
    if (driver === 'host' || driver === 'null') throw forbidden(`only one instance of "${driver}" network is allowed`);
    throw notAvailable(`network create ${name}: ${USER_NETWORKS_UNAVAILABLE}`);
  });

  router.add('POST', '/networks/prune', async (request) => {
    await ready();
    const filters = queryFilters(request.query);
    for (const key of filters.keys()) {
      if (!['until', 'label', 'label!'].includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    }
    // Prune removes only user-defined networks; there are none in Dockside yet, so nothing is removed.
    return jsonResponse(200, { NetworksDeleted: null });
  });

  router.add('GET', '/networks/{id}', async (request, params, version) => {
    await ready();
    const network = find(params.id);
    const scope = request.query.get('scope');
    if (scope !== null && scope !== '' && scope !== 'local') throw notFound(`network ${params.id} not found`);
    // ?verbose=true adds swarm services, which local networks do not have: the same view.
    return jsonResponse(200, networkView(network, version, attachedContainers(containers, network)));
  });

  router.add('DELETE', '/networks/{id}', async (_request, params) => {
    await ready();
    const network = find(params.id);
    throw forbidden(`${network.name} is a pre-defined network and cannot be removed`);
  });

  router.add('POST', '/networks/{id}/connect', async (request, params) => {
    const body = await readJson<{ Container?: unknown }>(request);
    await ready();
    const network = find(params.id);
    const live = containers.get(typeof body.Container === 'string' ? body.Container : '');
    const mode = modeNetwork(live.record.hostConfig.NetworkMode);
    if (mode.startsWith('container:')) throw forbidden(CONFLICT_SHARED_NETWORK);
    if (network.name === 'host' || mode === 'host') throw forbidden(CONFLICT_HOST_NETWORK);
    if (network.name === mode && live.record.endpoint) {
      throw forbidden(`endpoint with name ${live.shortName} already exists in network ${network.name}`);
    }
    throw notAvailable(`network connect ${network.name} ${live.shortName}: connecting a container to a network after it was created is not available yet in Dockside (${USER_NETWORKS_UNAVAILABLE}); use docker run --network ${network.name}`);
  });

  router.add('POST', '/networks/{id}/disconnect', async (request, params) => {
    const body = await readJson<{ Container?: unknown; Force?: unknown }>(request);
    await ready();
    const network = find(params.id);
    const live = containers.get(typeof body.Container === 'string' ? body.Container : '');
    const mode = modeNetwork(live.record.hostConfig.NetworkMode);
    if (network.name !== mode) {
      // moby's messages differ for a running container and a stopped one (a plain error: 500).
      const running = live.status === 'running' || live.status === 'paused' || live.status === 'restarting';
      throw systemError(`container ${live.id} is not connected to ${running ? '' : 'the '}network ${network.name}`);
    }
    if (network.name === 'host') throw forbidden(CONFLICT_HOST_NETWORK);
    throw notAvailable(`network disconnect ${network.name} ${live.shortName}: disconnecting a container from a network is not available yet in Dockside (${USER_NETWORKS_UNAVAILABLE})`);
  });
}
