// What every part of the container service shares (moby's daemon struct as its container files see
// it): the collaborators, the containers and exec instances in memory, the bridge's addresses, and
// lookup, persistence and events.

import { invalidParameter, notFound } from '../errors';
import type { EventBus } from '../events';
import type { ImageProvider } from '../images/types';
import { BridgeDriver, type RuleState } from '../network/driver';
import { EmbeddedResolvers } from '../network/resolver';
import type { Networks } from '../network/networks';
import type { Runtime } from '../runtime/types';
import type { JsonValue, Store } from '../store/types';
import type { VolumeService } from '../volumes/service';
import { resolverTargets } from './dns';
import type { ExecRecord, LiveContainer } from './live';

export interface ContainerServiceDeps {
  runtime: Runtime;
  /** The images containers run (the image service, or a small fake in tests). */
  images: ImageProvider;
  /** The daemon's volumes (-v name:/path, anonymous volumes). */
  volumes: VolumeService;
  /** The daemon's networks (predefined and user-defined), with their addresses. */
  networks: Networks;
  events: EventBus;
  clock: () => Date;
  store: Store;
  host: { name: string; cpus: number; memoryBytes: number; kernelVersion: string };
  random?: () => number;
  /**
   * The store was saved together with the whole machine, which is now resumed (not rebooted): the
   * containers that were running still run, and are taken back rather than reported exited.
   */
  resumed?: boolean;
}

export function randomHex(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

export class ContainerContext {
  readonly containers = new Map<string, LiveContainer>();
  readonly execs = new Map<string, ExecRecord>();
  /** The bridges, veths and iptables rules in the guest. */
  readonly driver: BridgeDriver;
  /** docker's embedded DNS servers (127.0.0.11) of the containers on user-defined networks. */
  readonly resolvers: EmbeddedResolvers;
  private guestNetworks: Promise<void> | undefined;
  readonly random: () => number;
  /** The daemon is stopping: exits do not trigger restart policies. */
  shuttingDown = false;
  private lastCreated = '';

  constructor(readonly deps: ContainerServiceDeps) {
    this.random = deps.random ?? Math.random;
    this.driver = new BridgeDriver(deps.runtime);
    this.resolvers = new EmbeddedResolvers(deps.runtime);
  }

  /**
   * The guest as the networks want it, once per daemon: the user networks' bridges (a restored guest
   * has only docker0) and docker's iptables rules.
   */
  networksInGuest(): Promise<void> {
    this.guestNetworks ??= (async () => {
      await this.deps.networks.ready();
      for (const network of this.deps.networks.list()) {
        if (network.builtin || network.driver !== 'bridge' || !network.bridge) continue;
        const config = network.ipam[0];
        await this.driver.createBridge({ bridge: network.bridge, subnet: config.Subnet, gatewayCidr: `${config.Gateway}/${config.Subnet.split('/')[1]}`, internal: network.internal, masquerade: true, icc: true });
      }
      await this.syncRules();
    })().catch((error: unknown) => {
      this.guestNetworks = undefined;
      throw error;
    });
    return this.guestNetworks;
  }

  /** docker's iptables rules for the networks and the running containers' published ports. */
  ruleState(): RuleState {
    const networks = this.deps.networks
      .list()
      .filter((network) => network.driver === 'bridge' && network.bridge && network.ipam[0])
      .map((network) => ({
        bridge: network.bridge ?? '',
        subnet: network.ipam[0].Subnet,
        gatewayCidr: `${network.ipam[0].Gateway}/${network.ipam[0].Subnet.split('/')[1]}`,
        internal: network.internal,
        masquerade: network.options['com.docker.network.bridge.enable_ip_masquerade'] !== 'false',
        icc: network.options['com.docker.network.bridge.enable_icc'] !== 'false',
      }));
    return { networks, ports: [...this.containers.values()].flatMap((live) => live.record.publishedPorts ?? []) };
  }

  syncRules(): Promise<void> {
    return this.driver.syncRules(this.ruleState());
  }

  /**
   * The embedded DNS servers and their records as the running containers now are (after a start, stop,
   * connect, disconnect or rename). `starting`: a container whose process waits to be started.
   */
  syncDns(starting?: { id: string; pid: number }): Promise<void> {
    try {
      return this.resolvers.sync(resolverTargets(this, starting));
    } catch (error) {
      // Never a synchronous throw: the callers only catch the promise.
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
  }

  get runtime(): Runtime {
    return this.deps.runtime;
  }

  // ---- lookup ----

  /** docker's GetContainer: full id, exact name, then unique id prefix. */
  find(ref: string): LiveContainer | undefined {
    if (ref === '') return undefined;
    const exact = this.containers.get(ref);
    if (exact) return exact;
    const name = ref.startsWith('/') ? ref : `/${ref}`;
    for (const live of this.containers.values()) if (live.record.name === name) return live;
    if (!/^[0-9a-f]+$/.test(ref)) return undefined;
    const matches = [...this.containers.values()].filter((live) => live.id.startsWith(ref));
    if (matches.length > 1) throw invalidParameter(`multiple IDs found with provided prefix: ${ref}`);
    return matches[0];
  }

  get(ref: string): LiveContainer {
    const live = this.find(ref);
    if (!live) throw notFound(`No such container: ${ref}`);
    return live;
  }

  /** Every container, newest first. */
  list(): LiveContainer[] {
    return [...this.containers.values()].sort((a, b) => (a.record.created < b.record.created ? 1 : a.record.created > b.record.created ? -1 : 0));
  }

  // ---- events and persistence ----

  attributes(live: LiveContainer, extra: Record<string, string> = {}): Record<string, string> {
    return { ...(live.record.config.Labels ?? {}), image: live.record.config.Image ?? '', name: live.shortName, ...extra };
  }

  emit(live: LiveContainer, action: string, extra: Record<string, string> = {}): void {
    this.deps.events.emit('container', action, live.id, this.attributes(live, extra));
  }

  async persist(live: LiveContainer): Promise<void> {
    if (!this.containers.has(live.id)) return;
    await this.deps.store.metadata.put(`container/${live.id}`, JSON.parse(JSON.stringify(live.record)) as JsonValue);
  }

  now(): string {
    return this.deps.clock().toISOString();
  }

  // ---- ids and creation times ----

  newId(): string {
    for (;;) {
      const id = randomHex(this.random, 64);
      if (/^\d{12}/.test(id) || this.containers.has(id)) continue;
      return id;
    }
  }

  /** A creation time read back from the store: later stamps must come after it. */
  noteCreated(stamp: string): void {
    if (stamp > this.lastCreated) this.lastCreated = stamp;
  }

  /** Creation time with nanoseconds, strictly increasing, so containers made in the same millisecond keep their order. */
  createdStamp(): string {
    const base = this.deps.clock().toISOString().slice(0, 23);
    let stamp = `${base}000000Z`;
    if (stamp <= this.lastCreated) {
      const previous = this.lastCreated;
      const nanos = BigInt(previous.slice(20, 29)) + 1n;
      stamp = `${previous.slice(0, 20)}${String(nanos).padStart(9, '0')}Z`;
    }
    this.lastCreated = stamp;
    return stamp;
  }
}
