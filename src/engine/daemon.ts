// The daemon ("dockerd"): constructs every service in one place and hands each its collaborators
// through its constructor, then registers the Engine API routes over them. Services that need each
// other both ways (images and volumes ask which containers use them; containers run images and mount
// volumes) are joined by small query interfaces (ImageUsers, VolumeUsers) that read the container
// service when asked, so nothing is set late.

import { Router } from './api/router';
import { EventBus } from './events';
import type { RegistrySource } from './registry/source';
import type { Runtime } from './runtime/types';
import type { Store } from './store';
import type { ImageProvider } from './images/types';
import { ImageService } from './images/service';
import { ContainerService } from './containers/service';
import { VolumeService } from './volumes/service';
import { PredefinedNetworks } from './network/networks';
import { NetworkService } from './network/service';
import { registerSystemRoutes } from './api/routes/system';
import { registerImageRoutes } from './api/routes/images';
import { registerContainerRoutes } from './api/routes/containers';
import { registerNetworkRoutes } from './api/routes/networks';
import { registerVolumeRoutes } from './api/routes/volumes';
import { registerBuildRoutes } from './api/routes/build';
import type { BuilderDeps } from './builder/dispatch';

export interface HostInfo {
  name: string;
  cpus: number;
  memoryBytes: number;
  kernelVersion: string;
}

export interface DaemonOptions {
  store: Store;
  runtime: Runtime;
  registry: RegistrySource;
  /** Injected so tests control time (docker prints "Up 2 minutes", "3 days ago"). */
  clock?: () => Date;
  /** The guest's hostname and resources for `docker info`. */
  host?: HostInfo;
  /** Where containers get their images (default: the image service; container tests give a small fake). */
  imageProvider?: ImageProvider;
  /** When image layers are unpacked in the guest (ImageServiceOptions.unpackAt). */
  unpackAt?: 'pull' | 'run';
  /** The store was saved with the whole machine, now resumed: running containers are taken back (ContainerServiceDeps.resumed). */
  resumed?: boolean;
}

export class Daemon {
  readonly router = new Router();
  readonly events: EventBus;
  readonly clock: () => Date;
  readonly store: Store;
  readonly runtime: Runtime;
  readonly registry: RegistrySource;
  readonly host: HostInfo;
  readonly startedAt: Date;
  /** The predefined networks' ids (bridge, host, none), kept in the store. */
  readonly predefinedNetworks: PredefinedNetworks;
  readonly volumes: VolumeService;
  readonly images: ImageService;
  readonly containers: ContainerService;
  readonly networks: NetworkService;
  /** What each docker build's legacy builder works with: images, containers for RUN, the runtime. */
  readonly builder: BuilderDeps;

  constructor(options: DaemonOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.events = new EventBus(this.clock);
    this.store = options.store;
    this.runtime = options.runtime;
    this.registry = options.registry;
    this.host = options.host ?? { name: 'dockside', cpus: 1, memoryBytes: 256 * 1024 * 1024, kernelVersion: '6.1' };
    this.startedAt = this.clock();
    const { store, runtime, events, clock } = this;

    this.predefinedNetworks = new PredefinedNetworks(store, clock);
    // Volumes and images ask the container service, made after them, only once constructed.
    this.volumes = new VolumeService({
      store,
      runtime,
      events,
      clock,
      users: { ready: () => this.containers.ready(), usersOf: (name) => this.containers.volumeUsers(name) },
    });
    this.images = new ImageService({
      store,
      runtime,
      registry: options.registry,
      events,
      clock,
      unpackAt: options.unpackAt,
      users: { ready: () => this.containers.ready(), userOf: (imageId) => this.containers.imageUser(imageId) },
    });
    this.containers = new ContainerService({
      runtime,
      images: options.imageProvider ?? this.images,
      volumes: this.volumes,
      networks: this.predefinedNetworks,
      events,
      clock,
      store,
      host: this.host,
      resumed: options.resumed,
    });
    this.networks = new NetworkService({ networks: this.predefinedNetworks, containers: this.containers, events, clock });
    this.builder = { images: this.images.builderImages(), containers: this.containers, runtime };

    registerSystemRoutes(this.router, this);
    registerImageRoutes(this.router, this);
    registerContainerRoutes(this.router, this);
    registerNetworkRoutes(this.router, this);
    registerVolumeRoutes(this.router, this);
    registerBuildRoutes(this.router, this);
  }
}
