// The embedded DNS of the running containers (see network/resolver.ts): which containers have a
// resolver (those on a user-defined network, from the moment one joins until the container stops, as
// moby's sandbox keeps its resolver), and what each one's resolver answers.

import { resolverRecords, type ResolverContainer, type ResolverTarget } from '../network/resolver';
import type { ContainerContext } from './context';
import { endpointsOf, modeNetworkName, recordNetworks } from './endpoints';
import { parseLink } from './links';
import type { LiveContainer } from './live';
import type { ContainerRecord } from './types';

/** moby's buildEndpointDNSNames: the name, the network's aliases, the short id, the hostname (deduplicated). */
export function endpointDnsNames(record: ContainerRecord, networkName: string): string[] {
  const aliases = recordNetworks(record)[networkName]?.aliases ?? [];
  return [...new Set([record.name.slice(1), ...aliases, record.id.slice(0, 12), ...(record.config.Hostname ? [record.config.Hostname] : [])])];
}

function isUserNetworkName(context: ContainerContext, name: string): boolean {
  const network = context.deps.networks.byName(name);
  return network !== undefined && !network.builtin && network.driver === 'bridge';
}

/** Whether a container's networks give it docker's embedded DNS (a user-defined network among them). */
export function usesEmbeddedDns(context: ContainerContext, record: ContainerRecord): boolean {
  return Object.keys(recordNetworks(record)).some((name) => isUserNetworkName(context, name));
}

/** --link on a user network ("name:alias" in HostConfig.Links, or given at network connect). */
function userNetworkLinks(record: ContainerRecord): { name: string; alias: string }[] {
  const raw: string[] = [];
  const mode = modeNetworkName(record.hostConfig.NetworkMode);
  if (!['bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:')) raw.push(...(record.hostConfig.Links ?? []));
  for (const attachment of Object.values(recordNetworks(record))) raw.push(...(attachment.links ?? []));
  const out: { name: string; alias: string }[] = [];
  for (const link of raw) {
    try {
      out.push(parseLink(link));
    } catch {
      // kept as given; not a name:alias pair
    }
  }
  return out;
}

function resolverContainer(context: ContainerContext, live: LiveContainer): ResolverContainer {
  const { record } = live;
  const primary = record.primaryNetwork ?? modeNetworkName(record.hostConfig.NetworkMode);
  const endpoints = endpointsOf(record)
    .filter(({ network }) => isUserNetworkName(context, network))
    .sort((a, b) => (a.network === primary ? -1 : b.network === primary ? 1 : 0))
    .map(({ network, endpoint }) => ({ network, ip: endpoint.ip, names: endpointDnsNames(record, network) }));
  // moby: a sandbox whose networks are all internal does not forward names it does not know.
  const external = endpoints.some(({ network }) => context.deps.networks.byName(network)?.internal === false);
  const dns = record.hostConfig.Dns ?? [];
  const extServers = external ? (dns.length > 0 ? [...dns] : ['8.8.8.8', '8.8.4.4']) : [];
  return { id: record.id, name: record.name.slice(1), endpoints, links: userNetworkLinks(record), extServers };
}

/**
 * Every container that has a resolver, with its process and its records. `starting` names a container
 * whose process exists but has not been started yet (its server must listen before it runs).
 */
export function resolverTargets(context: ContainerContext, starting?: { id: string; pid: number }): ResolverTarget[] {
  const up = [...context.containers.values()].filter((live) => live.id === starting?.id || (live.isUp && live.record.state.pid > 0));
  const all = up.map((live) => resolverContainer(context, live));
  const targets: ResolverTarget[] = [];
  for (const live of up) {
    if (!live.embeddedDns && !usesEmbeddedDns(context, live.record)) continue;
    const self = all.find((container) => container.id === live.id);
    if (!self) continue;
    const pid = live.id === starting?.id ? starting.pid : live.record.state.pid;
    targets.push({ id: live.id, pid, records: resolverRecords(self, all) });
  }
  return targets;
}
