// A container's networks (moby's daemon/container_operations.go): which networks a create request
// connects it to, checked as docker checks them; its endpoints (address, MAC, veth) when it starts, on
// docker0 or a user network's bridge; more networks connected or disconnected while it runs (a real
// veth into its namespace, or removed from it); the addresses given back when it stops.

import { EngineError, forbidden, invalidParameter } from '../errors';
import { AddressInUseError } from '../network/ipam';
import { randomHex, type NetworkModel } from '../network/networks';
import { hostVethName, macForIp } from '../network/bridge';
import type { ContainerContext } from './context';
import type { LiveContainer } from './live';
import type { ContainerRecord, EndpointRecord, HostConfig, NetworkAttachmentRecord } from './types';

interface EndpointConfigRequest {
  IPAMConfig?: { IPv4Address?: string } | null;
  Aliases?: string[] | null;
  Links?: string[] | null;
  MacAddress?: string;
}

function asEndpointConfig(value: unknown): EndpointConfigRequest {
  return typeof value === 'object' && value !== null ? (value as EndpointConfigRequest) : {};
}

/** The network a NetworkMode names ("default" is the bridge). */
export function modeNetworkName(mode: string | undefined): string {
  return mode === undefined || mode === '' || mode === 'default' ? 'bridge' : mode;
}

export function isUserNetwork(network: NetworkModel): boolean {
  return !network.builtin;
}

/** One network's settings from an endpoint config, with docker's checks. */
export function attachmentFor(network: NetworkModel, request: EndpointConfigRequest): NetworkAttachmentRecord {
  const out: NetworkAttachmentRecord = {};
  const ip = request.IPAMConfig?.IPv4Address ?? '';
  const aliases = (request.Aliases ?? []).filter((alias) => alias !== '');
  if (!isUserNetwork(network)) {
    if (ip !== '') throw invalidParameter('user specified IP address is supported on user defined networks only');
    if (aliases.length > 0) throw invalidParameter('network-scoped alias is supported only for containers in user defined networks');
  } else if (ip !== '') {
    if (!network.ipam.some((config) => config.Subnet)) throw invalidParameter('user specified IP address is supported only when connecting to networks with user configured subnets');
    out.ipv4Address = ip;
  }
  if (aliases.length > 0) out.aliases = aliases;
  const links = (request.Links ?? []).filter((link) => link !== '');
  if (links.length > 0) out.links = links;
  return out;
}

/**
 * The networks a create request connects the container to: NetworkMode's network with its
 * EndpointsConfig entry (docker's CLI puts --ip and --network-alias there), and, since API 1.44, more
 * networks from EndpointsConfig. Throws docker's errors for unknown networks and misplaced options.
 */
export function networksAtCreate(context: ContainerContext, hostConfig: HostConfig, endpointsConfig: Record<string, unknown> | null | undefined): { networks: Record<string, NetworkAttachmentRecord>; primary?: string } {
  const mode = modeNetworkName(hostConfig.NetworkMode);
  const endpoints = endpointsConfig ?? {};
  if (mode === 'host' || mode === 'none' || mode.startsWith('container:')) {
    for (const [name, value] of Object.entries(endpoints)) {
      const config = asEndpointConfig(value);
      if (name !== mode && !(mode.startsWith('container:') && name === mode)) {
        throw invalidParameter('Container cannot be connected to network endpoints');
      }
      if (config.IPAMConfig?.IPv4Address) throw invalidParameter('user specified IP address is supported on user defined networks only');
      if ((config.Aliases ?? []).length > 0) throw invalidParameter('network-scoped alias is supported only for containers in user defined networks');
    }
    return { networks: mode.startsWith('container:') ? {} : { [mode]: {} } };
  }
  const networks = context.deps.networks;
  const primary = networks.find(mode);
  // As moby's create: a network it cannot find is kept by name; the start fails on it.
  if (!primary) return { networks: { [mode]: {} }, primary: mode };
  const out: Record<string, NetworkAttachmentRecord> = {};
  const primaryConfig = endpoints[hostConfig.NetworkMode ?? 'default'] ?? endpoints[mode] ?? endpoints[primary.name] ?? endpoints[primary.id];
  out[primary.name] = attachmentFor(primary, asEndpointConfig(primaryConfig));
  for (const [ref, value] of Object.entries(endpoints)) {
    const network = networks.find(ref === 'default' ? 'bridge' : ref);
    if (!network) {
      out[ref] = {};
      continue;
    }
    if (network.name === primary.name) continue;
    if (network.driver !== 'bridge') throw invalidParameter('Container cannot be connected to network endpoints');
    out[network.name] = attachmentFor(network, asEndpointConfig(value));
  }
  return { networks: out, primary: primary.name };
}

/** The networks of a record, by name, for records from before user networks too. */
export function recordNetworks(record: ContainerRecord): Record<string, NetworkAttachmentRecord> {
  if (record.networks) return record.networks;
  const mode = modeNetworkName(record.hostConfig.NetworkMode);
  return mode.startsWith('container:') ? {} : { [mode]: {} };
}

/** The endpoint of a container on a network (undefined while it is stopped). */
export function endpointOn(record: ContainerRecord, name: string): EndpointRecord | undefined {
  const primary = record.primaryNetwork ?? modeNetworkName(record.hostConfig.NetworkMode);
  if (name === primary) return record.endpoint;
  return record.networks?.[name]?.endpoint;
}

/** Every endpoint of a running container with its network's name. */
export function endpointsOf(record: ContainerRecord): { network: string; endpoint: EndpointRecord }[] {
  const out: { network: string; endpoint: EndpointRecord }[] = [];
  for (const name of Object.keys(recordNetworks(record))) {
    const endpoint = endpointOn(record, name);
    if (endpoint) out.push({ network: name, endpoint });
  }
  return out;
}

/** An endpoint on a bridge network: a requested or the lowest free address, its MAC, a host veth name. */
export function allocateEndpoint(context: ContainerContext, network: NetworkModel, attachment: NetworkAttachmentRecord, iface: string, mac?: string): EndpointRecord {
  const ipam = context.deps.networks.ipam(network);
  let ip: string;
  if (attachment.ipv4Address) {
    try {
      ipam.reserve(attachment.ipv4Address);
    } catch (error) {
      if (error instanceof AddressInUseError) throw forbidden(`Address already in use`);
      throw invalidParameter(`Invalid address ${attachment.ipv4Address}: It does not belong to any of this network's subnets`);
    }
    ip = attachment.ipv4Address;
  } else {
    ip = ipam.allocate(network.name);
  }
  const config = network.ipam[0];
  return {
    ip,
    prefixLen: Number(config.Subnet.split('/')[1]),
    gateway: config.Gateway,
    mac: mac || macForIp(ip),
    hostVeth: hostVethName(context.random),
    endpointId: randomHex(context.random, 64),
    iface,
  };
}

export function releaseEndpoint(context: ContainerContext, networkName: string, endpoint: EndpointRecord): void {
  const network = context.deps.networks.byName(networkName);
  if (network && network.driver === 'bridge') context.deps.networks.ipam(network).release(endpoint.ip);
}

/** Gives back the addresses of a container that stopped (its veths went with its namespace). */
export function releaseEndpoints(context: ContainerContext, record: ContainerRecord): void {
  for (const { network, endpoint } of endpointsOf(record)) releaseEndpoint(context, network, endpoint);
  record.endpoint = undefined;
  for (const attachment of Object.values(record.networks ?? {})) attachment.endpoint = undefined;
}

/** The next free interface name of a running container (eth0 is the first network's). */
export function nextIface(record: ContainerRecord): string {
  const used = new Set(endpointsOf(record).map(({ endpoint }) => endpoint.iface ?? 'eth0'));
  for (let n = 0; ; n++) if (!used.has(`eth${n}`)) return `eth${n}`;
}

/**
 * Connects a running container to one more network: an endpoint, a veth from the network's bridge
 * into its namespace. The attachment is already in record.networks.
 */
export async function attachRunning(context: ContainerContext, live: LiveContainer, network: NetworkModel): Promise<void> {
  const { record } = live;
  const attachment = recordNetworks(record)[network.name];
  const iface = nextIface(record);
  const endpoint = allocateEndpoint(context, network, attachment, iface);
  try {
    await context.driver.attach(
      { pid: record.state.pid, bridge: network.bridge ?? '', hostVeth: endpoint.hostVeth, iface, address: `${endpoint.ip}/${endpoint.prefixLen}`, mac: endpoint.mac, mtu: 1500 },
      network.internal ? undefined : endpoint.gateway,
    );
  } catch (error) {
    context.deps.networks.ipam(network).release(endpoint.ip);
    throw error instanceof EngineError ? error : new EngineError('system', (error as Error).message);
  }
  attachment.endpoint = endpoint;
}

/** Disconnects a running container from a network: its interface (and so the veth) is removed. */
export async function detachRunning(context: ContainerContext, live: LiveContainer, networkName: string): Promise<void> {
  const { record } = live;
  const endpoint = endpointOn(record, networkName);
  if (!endpoint) return;
  await context.driver.detach(record.state.pid, endpoint.iface ?? 'eth0').catch(() => undefined);
  releaseEndpoint(context, networkName, endpoint);
  if (networkName === (record.primaryNetwork ?? modeNetworkName(record.hostConfig.NetworkMode))) record.endpoint = undefined;
}
