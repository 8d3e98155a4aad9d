// What every part of the container service shares (moby's daemon struct as its container files see
// it): the collaborators, the containers and exec instances in memory, the bridge's addresses, and
// lookup, persistence and events.

import { invalidParameter, notFound } from '../errors';
import type { EventBus } from '../events';
import type { ImageProvider } from '../images/types';
import { BridgeIpam } from '../network/bridge';
import type { PredefinedNetworks } from '../network/networks';
import type { Runtime } from '../runtime/types';
import type { JsonValue, Store } from '../store/types';
import type { VolumeService } from '../volumes/service';
import type { ExecRecord, LiveContainer } from './live';

export interface ContainerServiceDeps {
  runtime: Runtime;
  /** The images containers run (the image service, or a small fake in tests). */
  images: ImageProvider;
  /** The daemon's volumes (-v name:/path, anonymous volumes). */
  volumes: VolumeService;
  /** The predefined networks (a container's NetworkSettings shows their ids). */
  networks: PredefinedNetworks;
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
  readonly ipam = new BridgeIpam();
  readonly random: () => number;
  /** The daemon is stopping: exits do not trigger restart policies. */
  shuttingDown = false;
  private lastCreated = '';

  constructor(readonly deps: ContainerServiceDeps) {
    this.random = deps.random ?? Math.random;
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
