// The daemon's networks as docker's network commands see them (moby's daemon/network.go): the three
// predefined networks with docker's filters, views and errors. User-defined networks are not available
// yet in Dockside: creating one, connecting a container to a network after it was created or
// disconnecting it answers an explicit error saying so, never a pretended success.

import type { ContainerService } from '../containers/service';
import { forbidden, invalidParameter, notFound, notImplemented as notAvailable, systemError } from '../errors';
import { USER_NETWORKS_UNAVAILABLE, isPredefinedNetwork, type NetworkModel, type PredefinedNetworks } from './networks';
import { attachedContainers, modeNetwork, networkView } from './views';

/** moby's runconfig.ErrConflictHostNetwork. */
const CONFLICT_HOST_NETWORK = 'container cannot be disconnected from host network or connected to host network';
/** moby's runconfig.ErrConflictSharedNetwork. */
const CONFLICT_SHARED_NETWORK = 'container sharing network namespace with another container or host cannot be connected to any other network';

const ACCEPTED_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];

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

export interface NetworkServiceDeps {
  networks: PredefinedNetworks;
  /** The containers with endpoints on the networks. */
  containers: ContainerService;
}

export class NetworkService {
  constructor(private readonly deps: NetworkServiceDeps) {}

  private async ready(): Promise<void> {
    await this.deps.networks.ready();
    await this.deps.containers.ready();
  }

  /** moby's FindNetwork with its not-found error (an ambiguous prefix is an invalid parameter). */
  private find(ref: string): NetworkModel {
    const network = this.deps.networks.find(ref);
    if (!network) throw notFound(`network ${ref} not found`);
    return network;
  }

  /** GET /networks: the networks docker network ls shows, with its filters (the list leaves Containers empty). */
  async list(filters: Map<string, string[]>, version: string): Promise<Record<string, unknown>[]> {
    await this.ready();
    const networks = this.deps.networks;
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
    return result.map((network) => networkView(network, version, {}));
  }

  /** GET /networks/{id}: one network with its containers (?verbose=true adds swarm services, which local networks do not have). */
  async inspect(ref: string, scope: string | null, version: string): Promise<Record<string, unknown>> {
    await this.ready();
    const network = this.find(ref);
    if (scope !== null && scope !== '' && scope !== 'local') throw notFound(`network ${ref} not found`);
    return networkView(network, version, attachedContainers(this.deps.containers, network));
  }

  async create(body: { Name?: unknown; Driver?: unknown }): Promise<never> {
    await this.ready();
    const name = typeof body.Name === 'string' ? body.Name : '';
    const driver = typeof body.Driver === 'string' && body.Driver !== '' ? body.Driver : 'bridge';
    if (isPredefinedNetwork(name)) throw forbidden(`operation is not permitted on predefined ${name} network `);
    if (driver === 'host' || driver === 'null') throw forbidden(`only one instance of "${driver}" network is allowed`);
    throw notAvailable(`network create ${name}: ${USER_NETWORKS_UNAVAILABLE}`);
  }

  /** Prune removes only user-defined networks; there are none in Dockside yet, so nothing is removed. */
  async prune(filters: Map<string, string[]>): Promise<{ NetworksDeleted: null }> {
    await this.ready();
    for (const key of filters.keys()) {
      if (!['until', 'label', 'label!'].includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    }
    return { NetworksDeleted: null };
  }

  async remove(ref: string): Promise<never> {
    await this.ready();
    const network = this.find(ref);
    throw forbidden(`${network.name} is a pre-defined network and cannot be removed`);
  }

  async connect(ref: string, containerRef: string): Promise<never> {
    await this.ready();
    const network = this.find(ref);
    const live = this.deps.containers.get(containerRef);
    const mode = modeNetwork(live.record.hostConfig.NetworkMode);
    if (mode.startsWith('container:')) throw forbidden(CONFLICT_SHARED_NETWORK);
    if (network.name === 'host' || mode === 'host') throw forbidden(CONFLICT_HOST_NETWORK);
    if (network.name === mode && live.record.endpoint) {
      throw forbidden(`endpoint with name ${live.shortName} already exists in network ${network.name}`);
    }
    throw notAvailable(`network connect ${network.name} ${live.shortName}: connecting a container to a network after it was created is not available yet in Dockside (${USER_NETWORKS_UNAVAILABLE}); use docker run --network ${network.name}`);
  }

  async disconnect(ref: string, containerRef: string): Promise<never> {
    await this.ready();
    const network = this.find(ref);
    const live = this.deps.containers.get(containerRef);
    const mode = modeNetwork(live.record.hostConfig.NetworkMode);
    if (network.name !== mode) {
      // moby's messages differ for a running container and a stopped one (a plain error: 500).
      const running = live.status === 'running' || live.status === 'paused' || live.status === 'restarting';
      throw systemError(`container ${live.id} is not connected to ${running ? '' : 'the '}network ${network.name}`);
    }
    if (network.name === 'host') throw forbidden(CONFLICT_HOST_NETWORK);
    throw notAvailable(`network disconnect ${network.name} ${live.shortName}: disconnecting a container from a network is not available yet in Dockside (${USER_NETWORKS_UNAVAILABLE})`);
  }
}
