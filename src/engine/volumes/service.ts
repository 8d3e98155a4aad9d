// The daemon's volume service (moby's volume/service with the local driver): named and anonymous
// volumes whose data lives in the guest at /var/lib/docker/volumes/<name>/_data, their labels and
// options, which containers use them (a volume in use cannot be removed), and prune.

import { conflict, invalidParameter, notFound } from '../errors';
import type { EventBus } from '../events';
import type { Runtime } from '../runtime/types';
import type { JsonValue, Store } from '../store/types';

export const VOLUMES_ROOT = '/var/lib/docker/volumes';
const KEY_PREFIX = 'volume/';
/** moby's volume name rule (names.RestrictedNamePattern). */
const VALID_VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** The label moby puts on anonymous volumes. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';

export interface VolumeRecord {
  name: string;
  driver: string;
  createdAt: string;
  labels: Record<string, string>;
  options: Record<string, string>;
  anonymous: boolean;
  /** A container has mounted it (docker copies an image's content only into an empty volume). */
  used?: boolean;
}

/** The API's Volume object (moby api/types/volume.Volume). */
export interface VolumeView {
  CreatedAt: string;
  Driver: string;
  Labels: Record<string, string> | null;
  Mountpoint: string;
  Name: string;
  Options: Record<string, string> | null;
  Scope: string;
}

/** Which containers use a volume (a volume in use cannot be removed, nor pruned; it is not dangling). */
export interface VolumeUsers {
  /** Resolves once the containers of the store are known. */
  ready(): Promise<void>;
  /** The ids of the containers that mount it. */
  usersOf(name: string): string[];
}

export interface VolumeServiceDeps {
  store: Store;
  runtime: Runtime;
  events: EventBus;
  clock: () => Date;
  /** Which containers use a volume (none when the service runs without containers). */
  users?: VolumeUsers;
  random?: () => number;
}

const NO_USERS: VolumeUsers = { ready: async () => undefined, usersOf: () => [] };

export interface CreateVolumeOptions {
  name?: string;
  driver?: string;
  labels?: Record<string, string>;
  options?: Record<string, string>;
  anonymous?: boolean;
}

export function volumeMountpoint(name: string): string {
  return `${VOLUMES_ROOT}/${name}/_data`;
}

function randomHex(random: () => number, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}

export class VolumeService {
  private readonly random: () => number;
  private readonly volumes = new Map<string, VolumeRecord>();
  private loaded?: Promise<void>;
  private readonly users: VolumeUsers;

  constructor(private readonly deps: VolumeServiceDeps) {
    this.random = deps.random ?? Math.random;
    this.users = deps.users ?? NO_USERS;
  }

  ready(): Promise<void> {
    this.loaded ??= (async () => {
      for (const key of await this.deps.store.metadata.keys(KEY_PREFIX)) {
        const record = (await this.deps.store.metadata.get(key)) as unknown as VolumeRecord | undefined;
        if (record) this.volumes.set(record.name, record);
      }
    })();
    return this.loaded;
  }

  view(record: VolumeRecord): VolumeView {
    return {
      CreatedAt: record.createdAt,
      Driver: record.driver,
      Labels: Object.keys(record.labels).length > 0 ? { ...record.labels } : null,
      Mountpoint: volumeMountpoint(record.name),
      Name: record.name,
      Options: Object.keys(record.options).length > 0 ? { ...record.options } : null,
      Scope: 'local',
    };
  }

  private createdAt(): string {
    // moby formats CreatedAt with time.RFC3339 (seconds, a zone).
    return `${this.deps.clock().toISOString().slice(0, 19)}Z`;
  }

  /** Creates a volume, or returns the existing one of that name (as moby does for the local driver). */
  async create(options: CreateVolumeOptions = {}): Promise<VolumeRecord> {
    await this.ready();
    const driver = options.driver || 'local';
    if (driver !== 'local') throw notFound(`error looking up volume plugin ${driver}: plugin "${driver}" not found`);
    let name = options.name ?? '';
    const anonymous = options.anonymous ?? false;
    if (name === '') {
      do name = randomHex(this.random, 64);
      while (this.volumes.has(name));
    } else if (!VALID_VOLUME_NAME.test(name)) {
      throw invalidParameter(
        `create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`,
      );
    }
    for (const key of Object.keys(options.options ?? {})) {
      if (!['type', 'device', 'o', 'size'].includes(key)) throw invalidParameter(`create ${name}: invalid option key: "${key}"`);
    }
    const existing = this.volumes.get(name);
    if (existing) {
      if (options.driver && options.driver !== existing.driver) {
        throw conflict(`create ${name}: a volume with the name ${name} already exists with driver "${existing.driver}" but driver "${options.driver}" was specified`);
      }
      return existing;
    }
    const labels = { ...(options.labels ?? {}) };
    if (anonymous) labels[ANONYMOUS_LABEL] = '';
    const record: VolumeRecord = { name, driver, createdAt: this.createdAt(), labels, options: { ...(options.options ?? {}) }, anonymous };
    // The data directory in the guest: writing a file creates its parents.
    await this.deps.runtime.writeFile(`${VOLUMES_ROOT}/${name}/_data/.dockside-volume`, '');
    await this.deps.runtime.removePath(`${VOLUMES_ROOT}/${name}/_data/.dockside-volume`);
    this.volumes.set(name, record);
    await this.deps.store.metadata.put(`${KEY_PREFIX}${name}`, JSON.parse(JSON.stringify(record)) as JsonValue);
    this.deps.events.emit('volume', 'create', name, { driver });
    return record;
  }

  /** Marks a volume as given to a container; whether it was fresh (never used, so still empty). */
  async claim(name: string): Promise<boolean> {
    const record = await this.get(name);
    if (record.used) return false;
    record.used = true;
    await this.deps.store.metadata.put(`${KEY_PREFIX}${name}`, JSON.parse(JSON.stringify(record)) as JsonValue);
    return true;
  }

  find(name: string): VolumeRecord | undefined {
    return this.volumes.get(name);
  }

  async get(name: string): Promise<VolumeRecord> {
    await this.ready();
    const record = this.volumes.get(name);
    if (!record) throw notFound(`get ${name}: no such volume`);
    return record;
  }

  async inspect(name: string): Promise<VolumeView> {
    return this.view(await this.get(name));
  }

  async list(filters: Map<string, string[]> = new Map()): Promise<{ Volumes: VolumeView[]; Warnings: null }> {
    await this.ready();
    await this.users.ready();
    for (const key of filters.keys()) {
      if (!['dangling', 'name', 'label', 'driver'].includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    }
    const dangling = filters.get('dangling');
    let wantDangling: boolean | undefined;
    if (dangling && dangling.length > 0) {
      const value = dangling[dangling.length - 1].toLowerCase();
      if (['true', '1'].includes(value)) wantDangling = true;
      else if (['false', '0'].includes(value)) wantDangling = false;
      else throw invalidParameter(`invalid filter 'dangling=${dangling[dangling.length - 1]}'`);
    }
    const records = [...this.volumes.values()].filter((record) => {
      if (wantDangling !== undefined && (this.users.usersOf(record.name).length === 0) !== wantDangling) return false;
      const names = filters.get('name');
      if (names && names.length > 0 && !names.some((name) => record.name.includes(name))) return false;
      const drivers = filters.get('driver');
      if (drivers && drivers.length > 0 && !drivers.includes(record.driver)) return false;
      if (!matchLabels(record.labels, filters.get('label') ?? [])) return false;
      return true;
    });
    records.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    return { Volumes: records.map((record) => this.view(record)), Warnings: null };
  }

  /** Removes a volume and its data; a volume in use is refused, even with force. */
  async remove(name: string, force = false): Promise<void> {
    await this.ready();
    const record = this.volumes.get(name);
    if (!record) {
      if (force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    await this.users.ready();
    const users = this.users.usersOf(name);
    if (users.length > 0) throw conflict(`remove ${name}: volume is in use - [${users.join(', ')}]`);
    await this.deps.runtime.removePath(`${VOLUMES_ROOT}/${name}`);
    this.volumes.delete(name);
    await this.deps.store.metadata.delete(`${KEY_PREFIX}${name}`);
    this.deps.events.emit('volume', 'destroy', name, { driver: record.driver });
  }

  /** POST /volumes/prune: unused anonymous volumes, or every unused volume with all=true. */
  async prune(filters: Map<string, string[]> = new Map()): Promise<{ VolumesDeleted: string[] | null; SpaceReclaimed: number }> {
    await this.ready();
    for (const key of filters.keys()) {
      if (!['label', 'label!', 'all'].includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    }
    const allValues = filters.get('all') ?? [];
    const all = allValues.some((value) => ['true', '1'].includes(value.toLowerCase()));
    const deleted: string[] = [];
    await this.users.ready();
    for (const record of [...this.volumes.values()].sort((a, b) => (a.name < b.name ? -1 : 1))) {
      if (!all && !record.anonymous) continue;
      if (!matchLabels(record.labels, filters.get('label') ?? [])) continue;
      const without = filters.get('label!') ?? [];
      if (without.length > 0 && without.some((label) => matchLabels(record.labels, [label]))) continue;
      if (this.users.usersOf(record.name).length > 0) continue;
      await this.remove(record.name);
      deleted.push(record.name);
    }
    this.deps.events.emit('volume', 'prune', '', { reclaimed: '0' });
    return { VolumesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: 0 };
  }
}

/** label filters: `key` (present) or `key=value`, all must match. */
function matchLabels(labels: Record<string, string>, wanted: readonly string[]): boolean {
  return wanted.every((item) => {
    const equals = item.indexOf('=');
    if (equals === -1) return Object.prototype.hasOwnProperty.call(labels, item);
    return labels[item.slice(0, equals)] === item.slice(equals + 1);
  });
}
