// What the Engine API shows of networks: network.Inspect as moby marshals it, with the containers that
// have an endpoint on the network.

import { endpointOn } from '../containers/endpoints';
import type { ContainerService } from '../containers/service';
import type { NetworkModel } from './networks';
import type { NetworkContainer, NetworkInspect } from '../../api';

function compareVersions(a: string, b: string): number {
  const [a1, a2] = a.split('.').map(Number);
  const [b1, b2] = b.split('.').map(Number);
  return a1 !== b1 ? a1 - b1 : a2 - b2;
}


type EndpointView = NetworkContainer;

/** The running containers that have an endpoint on the network, by container id. */
export function attachedContainers(service: ContainerService, network: NetworkModel): Record<string, EndpointView> {
  const out: Record<string, EndpointView> = {};
  for (const live of service.containers.values()) {
    const endpoint = endpointOn(live.record, network.name);
    if (!endpoint) continue;
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
export function networkView(network: NetworkModel, version: string, containers: Record<string, EndpointView>): NetworkInspect {
  // Built key by key: EnableIPv4 sits in the middle of moby's order, for API 1.48 and later only.
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
    IPAM: { Driver: 'default', Options: network.ipamOptions ?? null, Config: network.ipam.length > 0 ? network.ipam.map((config) => ({ ...config })) : network.builtin ? null : [] },
    Internal: network.internal,
    Attachable: network.attachable,
    Ingress: false,
    ConfigFrom: { Network: '' },
    ConfigOnly: false,
    Containers: containers,
    Options: { ...network.options },
    Labels: { ...network.labels },
  });
  return view as unknown as NetworkInspect;
}
