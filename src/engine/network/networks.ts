// The daemon's networks: today the three predefined ones of docker (bridge on docker0, host, none).
// Their ids are 64 hex characters made once, like dockerd does at its first start, and kept in the
// store (`network/<name>`), so they stay the same across daemon restarts and page reloads.
// User-defined networks do not exist yet in Dockside: the API says so instead of pretending.

import { EngineError } from '../errors';
import type { JsonValue, Store } from '../store/types';
import { BRIDGE_GATEWAY, BRIDGE_NAME, BRIDGE_SUBNET } from './bridge';

export const PREDEFINED_NETWORKS = ['bridge', 'host', 'none'] as const;
export type PredefinedNetworkName = (typeof PREDEFINED_NETWORKS)[number];

/** What Dockside says when asked for something that needs user-defined networks. */
export const USER_NETWORKS_UNAVAILABLE = 'user-defined networks are not available yet in Dockside';

export function isPredefinedNetwork(name: string): name is PredefinedNetworkName {
  return (PREDEFINED_NETWORKS as readonly string[]).includes(name);
}

/** One network as the engine knows it (the API views are made from it). */
export interface NetworkModel {
  name: PredefinedNetworkName;
  id: string;
  /** RFC 3339 with nanoseconds, as moby's network.Inspect.Created marshals. */
  created: string;
  driver: 'bridge' | 'host' | 'null';
  ipam: { Subnet: string; Gateway: string }[];
  options: Record<string, string>;
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

function randomHex(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

function nanoTime(date: Date): string {
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

export class PredefinedNetworks {
  private readonly byName = new Map<PredefinedNetworkName, NetworkModel>();
  private loaded: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: () => Date = () => new Date(),
    private readonly random: () => number = Math.random,
  ) {}

  /** Reads the networks' ids from the store, making (and storing) those that are missing. */
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
          this.byName.set(name, {
            name,
            id: stored.id,
            created: stored.created,
            driver: DRIVERS[name],
            ipam: name === 'bridge' ? [{ Subnet: BRIDGE_SUBNET, Gateway: BRIDGE_GATEWAY }] : [],
            options: name === 'bridge' ? { ...DEFAULT_BRIDGE_OPTIONS } : {},
          });
        }
      })
      .catch((error: unknown) => {
        this.loaded = undefined;
        throw error;
      });
    return this.loaded;
  }

  /** Every network, in the order docker creates them (bridge, host, none). Call ready() first. */
  list(): NetworkModel[] {
    return PREDEFINED_NETWORKS.map((name) => this.get(name));
  }

  get(name: PredefinedNetworkName): NetworkModel {
    const network = this.byName.get(name);
    if (!network) throw new Error(`networks: ${name} asked for before the networks were read from the store (call ready() first)`);
    return network;
  }

  /** The id of a predefined network by name ("" for another name, or before ready()). */
  id(name: string): string {
    return isPredefinedNetwork(name) ? (this.byName.get(name)?.id ?? '') : '';
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

export class AmbiguousNetworkError extends EngineError {
  constructor(ref: string, count: number) {
    super('invalid-parameter', `network ${ref} is ambiguous (${count} matches found based on ID prefix)`);
    this.name = 'AmbiguousNetworkError';
  }
}
