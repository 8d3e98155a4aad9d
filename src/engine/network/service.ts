// The daemon's networks as docker's network commands see them (moby's daemon/network.go): the three
// predefined networks and user-defined bridge networks, with docker's filters, views, checks and
// errors. Creating a network makes its bridge in the guest (br-<12 hex>, or -o
// com.docker.network.bridge.name) and docker's iptables rules for it; connect and disconnect on a
// running container add or remove a real veth.

import type { ContainerService } from '../containers/service';
import type { ContainerContext } from '../containers/context';
import { attachmentFor, attachRunning, detachRunning, endpointsOf, modeNetworkName, recordNetworks } from '../containers/endpoints';
import type { LiveContainer } from '../containers/live';
import { EngineError, conflict, forbidden, invalidParameter, notFound, systemError } from '../errors';
import type { EventBus } from '../events';
import { formatCidr, intToIp, ipToInt, networkOf, nextPoolSubnet, overlaps, parseCidr, contains, type Cidr } from './ipam';
import { isPredefinedNetwork, nanoTime, randomHex, type IpamConfig, type NetworkModel, type Networks } from './networks';
import { embeddedResolvConf } from './resolver';
import { attachedContainers, networkView } from './views';
import type { NetworkCreateResponse, NetworkInspect, NetworkPruneReport } from '../../api';

/** moby's runconfig.ErrConflictHostNetwork. */
const CONFLICT_HOST_NETWORK = 'container cannot be disconnected from host network or connected to host network';
/** moby's runconfig.ErrConflictSharedNetwork. */
const CONFLICT_SHARED_NETWORK = 'container sharing network namespace with another container or host cannot be connected to any other network';
/** moby's runconfig.ErrConflictNoNetwork. */
const CONFLICT_NO_NETWORK = 'container cannot be connected to multiple networks with one of the networks in private (none) mode';

const ACCEPTED_FILTERS = ['dangling', 'driver', 'id', 'label', 'name', 'scope', 'type'];

/** The host's own route (eth0, 192.168.86.0/24): docker's default pools skip subnets that overlap it. */
const HOST_ROUTES: Cidr[] = [{ ip: ((192 << 24) | (168 << 16) | (86 << 8)) >>> 0, prefix: 24 }];

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

/** label=key or label=key=value against a network's labels. */
function labelMatch(values: readonly string[], labels: Record<string, string>): boolean {
  return values.every((value) => {
    const eq = value.indexOf('=');
    if (eq === -1) return Object.hasOwn(labels, value);
    return labels[value.slice(0, eq)] === value.slice(eq + 1);
  });
}

export interface NetworkServiceDeps {
  networks: Networks;
  /** The containers with endpoints on the networks. */
  containers: ContainerService;
  events: EventBus;
  clock?: () => Date;
}

export interface NetworkCreateBody {
  Name?: unknown;
  Driver?: unknown;
  Internal?: unknown;
  Attachable?: unknown;
  Ingress?: unknown;
  EnableIPv6?: unknown;
  IPAM?: { Driver?: unknown; Config?: unknown; Options?: unknown } | null;
  Options?: unknown;
  Labels?: unknown;
  ConfigOnly?: unknown;
  ConfigFrom?: unknown;
}

export interface EndpointConfigBody {
  IPAMConfig?: { IPv4Address?: string } | null;
  Aliases?: string[] | null;
  Links?: string[] | null;
}

function stringRecord(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value)) if (typeof v === 'string') out[key] = v;
  return out;
}

export class NetworkService {
  constructor(private readonly deps: NetworkServiceDeps) {}

  private async ready(): Promise<void> {
    await this.deps.networks.ready();
    await this.deps.containers.ready();
  }

  /** The container service's shared state (the driver, the running containers). */
  private get context(): ContainerContext {
    return this.deps.containers.networkContext();
  }

  private now(): Date {
    return (this.deps.clock ?? (() => new Date()))();
  }

  /** moby's FindNetwork with its not-found error (an ambiguous prefix is an invalid parameter). */
  private find(ref: string): NetworkModel {
    const network = this.deps.networks.find(ref);
    if (!network) throw notFound(`network ${ref} not found`);
    return network;
  }

  private emit(network: NetworkModel, action: string, extra: Record<string, string> = {}): void {
    this.deps.events.emit('network', action, network.id, { ...extra, name: network.name, type: network.driver });
  }

  /** GET /networks: the networks docker network ls shows, with its filters (the list leaves Containers empty). */
  async list(filters: Map<string, string[]>, version: string): Promise<NetworkInspect[]> {
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
      const label = filters.get('label');
      if (label && !labelMatch(label, network.labels)) return false;
      const scope = filters.get('scope');
      if (scope && !scope.includes('local')) return false;
      if (types && !types.includes(network.builtin ? 'builtin' : 'custom')) return false;
      if (dangling !== undefined) {
        // dangling=true: custom networks without containers; false: the others (and every builtin).
        const unused = !network.builtin && Object.keys(attachedContainers(this.deps.containers, network)).length === 0;
        if (dangling !== unused) return false;
      }
      return true;
    });
    return result.map((network) => networkView(network, version, {}));
  }

  /** GET /networks/{id}: one network with its containers (?verbose=true adds swarm services, which local networks do not have). */
  async inspect(ref: string, scope: string | null, version: string): Promise<NetworkInspect> {
    await this.ready();
    const network = this.find(ref);
    if (scope !== null && scope !== '' && scope !== 'local') throw notFound(`network ${ref} not found`);
    return networkView(network, version, attachedContainers(this.deps.containers, network));
  }

  /** moby's network.ValidateIPAM: every problem of the IPAM config, as one error. */
  private ipamConfig(body: NetworkCreateBody, used: Cidr[]): IpamConfig[] {
    const raw = body.IPAM?.Config;
    const configs = Array.isArray(raw) ? (raw as { Subnet?: unknown; IPRange?: unknown; Gateway?: unknown }[]) : [];
    const problems: string[] = [];
    const out: IpamConfig[] = [];
    for (const config of configs) {
      const subnetText = typeof config.Subnet === 'string' ? config.Subnet : '';
      const rangeText = typeof config.IPRange === 'string' ? config.IPRange : '';
      const gatewayText = typeof config.Gateway === 'string' ? config.Gateway : '';
      if (subnetText === '') {
        if (rangeText !== '' || gatewayText !== '') problems.push('ip-range or gateway specified without a subnet');
        continue;
      }
      const subnet = parseCidr(subnetText);
      if (!subnet) {
        problems.push(subnetText.includes(':') ? `invalid subnet ${subnetText}: IPv6 is not available in Dockside` : `invalid subnet ${subnetText}: invalid CIDR address`);
        continue;
      }
      const masked: Cidr = { ip: networkOf(subnet), prefix: subnet.prefix };
      if (masked.ip !== subnet.ip) {
        problems.push(`invalid subnet ${subnetText}: it should be ${formatCidr(masked)}`);
        continue;
      }
      const entry: IpamConfig = { Subnet: subnetText, Gateway: '' };
      if (rangeText !== '') {
        const range = parseCidr(rangeText);
        if (!range) problems.push(`invalid ip-range ${rangeText}: invalid CIDR address`);
        else if (networkOf(range) !== range.ip) problems.push(`invalid ip-range ${rangeText}: it should be ${formatCidr({ ip: networkOf(range), prefix: range.prefix })}`);
        else if (range.prefix < subnet.prefix || !contains(masked, range.ip)) problems.push(`invalid ip-range ${rangeText}: it should be within subnet ${subnetText}`);
        else entry.IPRange = rangeText;
      }
      if (gatewayText !== '') {
        const gateway = ipToInt(gatewayText);
        if (gateway === undefined) problems.push(`invalid gateway ${gatewayText}: invalid IP address`);
        else if (!contains(masked, gateway)) problems.push(`invalid gateway ${gatewayText}: it should be within subnet ${subnetText}`);
        else entry.Gateway = gatewayText;
      } else {
        entry.Gateway = intToIp(masked.ip + 1);
      }
      out.push(entry);
    }
    if (problems.length > 0) throw invalidParameter(`invalid network config:\n${problems.join('\n')}`);
    if (out.length > 1) throw invalidParameter('Dockside networks have one IPv4 subnet');
    for (const entry of out) {
      const subnet = parseCidr(entry.Subnet) as Cidr;
      if (used.some((other) => overlaps(subnet, other))) throw forbidden('invalid pool request: Pool overlaps with other one on this address space');
    }
    if (out.length === 0) {
      const subnet = nextPoolSubnet([...used, ...HOST_ROUTES]);
      if (!subnet) throw forbidden('all predefined address pools have been fully subnetted');
      out.push({ Subnet: formatCidr(subnet), Gateway: intToIp(subnet.ip + 1) });
    }
    return out;
  }

  /** POST /networks/create (moby's CreateNetwork): a bridge network with its bridge in the guest. */
  async create(body: NetworkCreateBody): Promise<NetworkCreateResponse> {
    await this.ready();
    const networks = this.deps.networks;
    const name = typeof body.Name === 'string' ? body.Name : '';
    const driver = typeof body.Driver === 'string' && body.Driver !== '' ? body.Driver : 'bridge';
    if (name === '') throw invalidParameter('network name cannot be empty'); // the API's own check (the CLI needs a name)
    if (isPredefinedNetwork(name)) throw forbidden(`operation is not permitted on predefined ${name} network `);
    if (networks.byName(name)) throw conflict(`network with name ${name} already exists`);
    if (driver === 'host' || driver === 'null') throw forbidden(`only one instance of "${driver}" network is allowed`);
    if (driver !== 'bridge') throw notFound(`plugin "${driver}" not found`);
    if (body.EnableIPv6 === true) throw invalidParameter('IPv6 networks are not available in Dockside (its guest kernel has no IPv6)');
    const ipamDriver = typeof body.IPAM?.Driver === 'string' && body.IPAM.Driver !== '' ? body.IPAM.Driver : 'default';
    if (ipamDriver !== 'default') throw notFound(`plugin "${ipamDriver}" not found`);
    const used = networks
      .list()
      .flatMap((network) => network.ipam)
      .map((config) => parseCidr(config.Subnet))
      .filter((cidr): cidr is Cidr => cidr !== undefined);
    const ipam = this.ipamConfig(body, used);
    const options = stringRecord(body.Options);
    let id: string;
    do id = randomHex(networks.random, 64);
    while (/^\d{12}/.test(id) || networks.find(id.slice(0, 12)));
    const bridge = options['com.docker.network.bridge.name'] || `br-${id.slice(0, 12)}`;
    if (bridge.length > 15) throw invalidParameter(`bridge name ${bridge} is too long: at most 15 characters`);
    if (networks.list().some((network) => network.bridge === bridge)) throw forbidden(`bridge ${bridge} is already in use`);
    const network: NetworkModel = {
      name,
      id,
      created: nanoTime(this.now()),
      driver: 'bridge',
      ipam,
      ipamOptions: body.IPAM?.Options === null ? null : stringRecord(body.IPAM?.Options),
      options,
      labels: stringRecord(body.Labels),
      internal: body.Internal === true,
      attachable: body.Attachable === true,
      builtin: false,
      bridge,
    };
    const context = this.context;
    await context.networksInGuest();
    const config = ipam[0];
    try {
      await context.driver.createBridge({
        bridge,
        subnet: config.Subnet,
        gatewayCidr: `${config.Gateway}/${config.Subnet.split('/')[1]}`,
        internal: network.internal,
        masquerade: true,
        icc: true,
      });
    } catch (error) {
      throw systemError((error as Error).message);
    }
    await networks.insert(network);
    try {
      await context.syncRules();
    } catch (error) {
      await networks.delete(network);
      await context.driver.removeBridge(bridge).catch(() => undefined);
      await context.syncRules().catch(() => undefined);
      throw systemError((error as Error).message);
    }
    this.emit(network, 'create');
    return { Id: id, Warning: '' };
  }

  /** The user networks that no running container uses, removed (docker network prune). */
  async prune(filters: Map<string, string[]>): Promise<NetworkPruneReport> {
    await this.ready();
    for (const key of filters.keys()) {
      if (!['until', 'label', 'label!'].includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    }
    const until = filters.get('until')?.[0];
    const untilMs = until === undefined ? undefined : /^\d+(\.\d+)?$/.test(until) ? Number(until) * 1000 : Date.parse(until);
    const deleted: string[] = [];
    for (const network of this.deps.networks.list()) {
      if (network.builtin) continue;
      if (Object.keys(attachedContainers(this.deps.containers, network)).length > 0) continue;
      const labels = filters.get('label');
      if (labels && !labelMatch(labels, network.labels)) continue;
      const notLabels = filters.get('label!');
      if (notLabels && notLabels.some((label) => labelMatch([label], network.labels))) continue;
      if (untilMs !== undefined && !Number.isNaN(untilMs) && Date.parse(network.created) >= untilMs) continue;
      await this.removeNetwork(network);
      deleted.push(network.name);
    }
    return { NetworksDeleted: deleted.length > 0 ? deleted : null };
  }

  private async removeNetwork(network: NetworkModel): Promise<void> {
    const context = this.context;
    await this.deps.networks.delete(network);
    // Stopped containers keep the network in their settings (their start then fails, as in docker).
    if (network.bridge) await context.driver.removeBridge(network.bridge).catch(() => undefined);
    await context.syncRules().catch(() => undefined);
    this.emit(network, 'destroy');
  }

  /** DELETE /networks/{id}. */
  async remove(ref: string): Promise<void> {
    await this.ready();
    const network = this.find(ref);
    if (network.builtin) throw forbidden(`${network.name} is a pre-defined network and cannot be removed`);
    if (Object.keys(attachedContainers(this.deps.containers, network)).length > 0) {
      throw forbidden(`error while removing network: network ${network.name} id ${network.id} has active endpoints`);
    }
    await this.removeNetwork(network);
  }

  private running(live: LiveContainer): boolean {
    return live.status === 'running' || live.status === 'paused' || live.status === 'restarting';
  }

  /** POST /networks/{id}/connect (moby's ConnectContainerToNetwork). */
  async connect(ref: string, containerRef: string, endpointConfig: EndpointConfigBody = {}): Promise<void> {
    await this.ready();
    const live = this.deps.containers.get(containerRef);
    const network = this.find(ref);
    const { record } = live;
    const mode = modeNetworkName(record.hostConfig.NetworkMode);
    if (mode.startsWith('container:')) throw forbidden(CONFLICT_SHARED_NETWORK);
    if (network.name === 'host' || mode === 'host') throw forbidden(CONFLICT_HOST_NETWORK);
    if (network.name === 'none' || mode === 'none') throw forbidden(CONFLICT_NO_NETWORK);
    const attachments = recordNetworks(record);
    if (attachments[network.name]) throw forbidden(`endpoint with name ${live.shortName} already exists in network ${network.name}`);
    const attachment = attachmentFor(network, endpointConfig);
    const context = this.context;
    record.networks = { ...attachments, [network.name]: attachment };
    if (this.running(live)) {
      try {
        await context.networksInGuest();
        await attachRunning(context, live, network);
      } catch (error) {
        delete record.networks[network.name];
        if (error instanceof EngineError) throw error;
        throw systemError((error as Error).message);
      }
      if (!network.builtin && !live.embeddedDns && live.status !== 'restarting') {
        // moby starts the sandbox's resolver when its first user-defined network joins, and rebuilds
        // /etc/resolv.conf for it.
        live.embeddedDns = true;
        const { hostConfig } = record;
        await context.runtime.writeFile(record.resolvConfPath, embeddedResolvConf({ dns: hostConfig.Dns ?? [], dnsSearch: hostConfig.DnsSearch ?? [], dnsOptions: hostConfig.DnsOptions ?? [] })).catch(() => undefined);
      }
      await context.syncDns().catch(() => undefined);
    }
    await context.persist(live);
    this.emit(network, 'connect', { container: live.id });
  }

  /** POST /networks/{id}/disconnect (moby's DisconnectContainerFromNetwork). */
  async disconnect(ref: string, containerRef: string, force = false): Promise<void> {
    await this.ready();
    const live = this.deps.containers.get(containerRef);
    const network = this.find(ref);
    const { record } = live;
    const attachments = recordNetworks(record);
    if (!attachments[network.name] && !(force && network.builtin === false)) {
      // moby's messages differ for a running container and a stopped one (a plain error: 500).
      throw systemError(`container ${live.id} is not connected to ${this.running(live) ? '' : 'the '}network ${network.name}`);
    }
    if (network.name === 'host') throw forbidden(CONFLICT_HOST_NETWORK);
    const context = this.context;
    if (this.running(live)) await detachRunning(context, live, network.name);
    const rest = { ...attachments };
    delete rest[network.name];
    record.networks = rest;
    if (this.running(live)) await context.syncDns().catch(() => undefined);
    if (record.publishedPorts) {
      const bridges = new Set(endpointsOf(record).map(({ network: name }) => this.deps.networks.byName(name)?.bridge));
      record.publishedPorts = record.publishedPorts.filter((port) => bridges.has(port.bridge));
      await context.syncRules().catch(() => undefined);
    }
    await context.persist(live);
    this.emit(network, 'disconnect', { container: live.id });
  }
}
