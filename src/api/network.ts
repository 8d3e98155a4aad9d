// moby api/types/network (API v1.50): GET /networks and /networks/{id}.

/** network.IPAMConfig. */
export interface IpamConfig {
  Subnet?: string;
  IPRange?: string;
  Gateway?: string;
  AuxiliaryAddresses?: Record<string, string>;
}

/** network.IPAM. */
export interface Ipam {
  Driver: string;
  Options: Record<string, string> | null;
  Config: IpamConfig[] | null;
}

/** network.EndpointResource: a container in an inspected network. */
export interface NetworkContainer {
  Name: string;
  EndpointID: string;
  MacAddress: string;
  IPv4Address: string;
  IPv6Address: string;
}

/** network.Inspect (the list's network.Summary is the same with Containers empty). */
export interface NetworkInspect {
  Name: string;
  Id: string;
  Created: string;
  Scope: string;
  Driver: string;
  /** Since API 1.48. */
  EnableIPv4?: boolean;
  EnableIPv6: boolean;
  IPAM: Ipam;
  Internal: boolean;
  Attachable: boolean;
  Ingress: boolean;
  ConfigFrom: { Network: string };
  ConfigOnly: boolean;
  Containers: Record<string, NetworkContainer>;
  Options: Record<string, string>;
  Labels: Record<string, string> | null;
}

export type NetworkSummary = NetworkInspect;

/** network.CreateResponse. */
export interface NetworkCreateResponse {
  Id: string;
  Warning: string;
}

/** network.PruneReport. */
export interface NetworkPruneReport {
  NetworksDeleted: string[] | null;
}
