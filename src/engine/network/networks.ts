// The daemon's networks: docker's three predefined ones (bridge on docker0, host, none) and the
// user-defined bridge networks. The predefined networks' ids are 64 hex characters made once, like
// dockerd does at its first start, and kept in the store (`network/<name>`); a user network is kept
// whole under `usernetwork/<id>`, so both survive daemon restarts and page reloads. Each bridge
// network has its addresses (ipam.ts); the guest's bridges and rules are the driver's (driver.ts).

import { EngineError } from '../errors';
import type { JsonValue, Store } from '../store/types';
import { BRIDGE_GATEWAY, BRIDGE_NAME, BRIDGE_SUBNET } from './bridge';
import { SubnetIpam } from './ipam';

export const PREDEFINED_NETWORKS = ['bridge', 'host', 'none'] as const;
export type PredefinedNetworkName = (typeof PREDEFINED_NETWORKS)[number];

export function isPredefinedNetwork(name: string): name is PredefinedNetworkName {
  return (PREDEFINED_NETWORKS as readonly string[]).includes(name);
}

export interface IpamConfig {
  Subnet: string;
  IPRange?: string;
  Gateway: string;
}

/** One network as the engine knows it (the API views are made from it). */
export interface NetworkModel {
  name: string;
  id: string;
  /** RFC 3339 with nanoseconds, as moby's network.Inspect.Created marshals. */
  created: string;
  driver: 'bridge' | 'host' | 'null';
  ipam: IpamConfig[];
  /** IPAM.Options as created (null for the predefined networks). */
  ipamOptions: Record<string, string> | null;
  options: Record<string, string>;
  labels: Record<string, string>;
  internal: boolean;
  attachable: boolean;
  /** One of docker's predefined networks (network ls --filter type=builtin). */
  builtin: boolean;
  /** The guest's bridge interface of a bridge network (docker0, br-<12 hex>). */
  bridge?: string;
}

/** com.docker.network.* options of docker's default bridge. */
export const DEFAULT_BRIDGE_OPTIONS: Readonly<Record<string, string>> = {
  'com.docker.network.bridge.default_bridge': 'true',
  'com.docker.network.bridge.enable_icc': 'true',
  'com.docker.network.bridge.enable_ip_masquerade': 'true',
  'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
  'com.docker.network.bridge.name': BRIDGE_NAME,
  'com.docker.network.driver.mtu': '1500',
};

const DRIVERS: Record<PredefinedNetworkName, NetworkModel['driver']> = { bridge: 'bridge', host: 'host', none: 'null' };

export const USER_NETWORK_PREFIX = 'usernetwork/';

export function randomHex(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

export function nanoTime(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 19)}.${iso.slice(20, 23)}000000Z`;
}

interface StoredNetwork {
  id: string;
  created: string;
}

function isStoredNetwork(value: JsonValue | undefined): value is { id: string; created: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof value.id === 'string' &&
    /^[0-9a-f]{64}$/.test(value.id) &&
    typeof value.created === 'string'
  );
}

function isUserNetwork(value: JsonValue | undefined): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof value.id === 'string' && typeof value.name === 'string';
}

export class Networks {
  private readonly byId = new Map<string, NetworkModel>();
  private readonly ipams = new Map<string, SubnetIpam>();
  private loaded: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: () => Date = () => new Date(),
    readonly random: () => number = Math.random,
  ) {}

  /** Reads the networks from the store, making (and storing) the predefined ones that are missing. */
  ready(): Promise<void> {
    this.loaded ??= this.store.metadata
      .update(async (tx) => {
        const created = nanoTime(this.clock());
        for (const name of PREDEFINED_NETWORKS) {
          const key = `network/${name}`;
          const saved = await tx.get(key);
          let stored: StoredNetwork;
          if (isStoredNetwork(saved)) {
            stored = { id: saved.id, created: saved.created };
          } else {
            stored = { id: randomHex(this.random, 64), created };
            tx.put(key, { id: stored.id, created: stored.created });
          }
          this.add({
            name,
            id: stored.id,
            created: stored.created,
            driver: DRIVERS[name],
            ipam: name === 'bridge' ? [{ Subnet: BRIDGE_SUBNET, Gateway: BRIDGE_GATEWAY }] : [],
            ipamOptions: null,
            options: name === 'bridge' ? { ...DEFAULT_BRIDGE_OPTIONS } : {},
            labels: {},
            internal: false,
            attachable: false,
            builtin: true,
            bridge: name === 'bridge' ? BRIDGE_NAME : undefined,
          });
        }
        for (const key of await tx.keys(USER_NETWORK_PREFIX)) {
          const saved = await tx.get(key);
          if (isUserNetwork(saved)) this.add(saved as unknown as NetworkModel);
        }
      })
      .catch((error: unknown) => {
        this.loaded = undefined;
        throw error;
      });
    return this.loaded;
  }

  private add(network: NetworkModel): void {
    this.byId.set(network.id, network);
    const config = network.ipam[0];
    if (network.driver === 'bridge' && config) this.ipams.set(network.id, new SubnetIpam(config.Subnet, config.Gateway, config.IPRange));
  }

  /** Keeps a new user network (in memory and in the store). */
  async insert(network: NetworkModel): Promise<void> {
    await this.store.metadata.put(`${USER_NETWORK_PREFIX}${network.id}`, JSON.parse(JSON.stringify(network)) as JsonValue);
    this.add(network);
  }

  async delete(network: NetworkModel): Promise<void> {
    await this.store.metadata.delete(`${USER_NETWORK_PREFIX}${network.id}`);
    this.byId.delete(network.id);
    this.ipams.delete(network.id);
  }

  /** Every network: the predefined ones in the order docker creates them, then the user's by creation. */
  list(): NetworkModel[] {
    const all = [...this.byId.values()];
    const builtin = PREDEFINED_NETWORKS.map((name) => all.find((network) => network.builtin && network.name === name)).filter((n): n is NetworkModel => n !== undefined);
    const user = all.filter((network) => !network.builtin).sort((a, b) => (a.created < b.created ? -1 : a.created > b.created ? 1 : 0));
    return [...builtin, ...user];
  }

  get(name: PredefinedNetworkName): NetworkModel {
    const network = this.list().find((n) => n.builtin && n.name === name);
    if (!network) throw new Error(`networks: ${name} asked for before the networks were read from the store (call ready() first)`);
    return network;
  }

  byName(name: string): NetworkModel | undefined {
    return this.list().find((network) => network.name === name);
  }

  /** The id of a network by name ("" for an unknown name, or before ready()). */
  id(name: string): string {
    return this.byName(name)?.id ?? '';
  }

  /** The addresses of a bridge network. */
  ipam(network: NetworkModel): SubnetIpam {
    const ipam = this.ipams.get(network.id);
    if (!ipam) throw new Error(`networks: ${network.name} has no address pool`);
    return ipam;
  }

  /**
   * moby's FindNetwork: an exact id, then an exact name, then an id prefix; undefined when nothing
   * matches. Throws `network x is ambiguous` when a prefix names several networks.
   */
  find(ref: string): NetworkModel | undefined {
    const all = this.list();
    const byId = all.find((network) => network.id === ref);
    if (byId) return byId;
    const byName = all.find((network) => network.name === ref);
    if (byName) return byName;
    if (ref === '') return undefined;
    const prefixed = all.filter((network) => network.id.startsWith(ref));
    if (prefixed.length > 1) throw new AmbiguousNetworkError(ref, prefixed.length);
    return prefixed[0];
  }
}

/** The name the engine used before user networks: the daemon's networks. */
export { Networks as PredefinedNetworks };

export class AmbiguousNetworkError extends EngineError {
  constructor(ref: string, count: number) {
    super('invalid-parameter', `network ${ref} is ambiguous (${count} matches found based on ID prefix)`);
    this.name = 'AmbiguousNetworkError';
  }
}
