// The daemon ("dockerd"): owns the store, the runtime, the events and the Engine API router. Each area
// (system, images, containers, ...) registers its routes from its own module.

import { Router } from './api/router';
import { EventBus } from './events';
import type { RegistrySource } from './registry/source';
import type { Runtime } from './runtime/types';
import type { Store } from './store';
import type { ImageProvider } from './images/types';
import { registerSystemRoutes } from './api/routes/system';
import { registerImageRoutes } from './api/routes/images';
import { registerContainerRoutes } from './api/routes/containers';
import { registerNetworkRoutes } from './api/routes/networks';
import { registerVolumeRoutes } from './api/routes/volumes';
import { registerBuildRoutes } from './api/routes/build';

export interface DaemonOptions {
  store: Store;
  runtime: Runtime;
  registry: RegistrySource;
  /** Injected so tests control time (docker prints "Up 2 minutes", "3 days ago"). */
  clock?: () => Date;
  /** The guest's hostname and resources for `docker info`. */
  host?: { name: string; cpus: number; memoryBytes: number; kernelVersion: string };
}

export class Daemon {
  readonly router = new Router();
  readonly events: EventBus;
  readonly clock: () => Date;
  readonly store: Store;
  readonly runtime: Runtime;
  readonly registry: RegistrySource;
  readonly host: NonNullable<DaemonOptions['host']>;
  readonly startedAt: Date;
  /** Set by the image service when it registers (containers use it to run images). */
  images!: ImageProvider;

  constructor(options: DaemonOptions) {
    this.clock = options.clock ?? (() => new Date());
    this.events = new EventBus(this.clock);
    this.store = options.store;
    this.runtime = options.runtime;
    this.registry = options.registry;
    this.host = options.host ?? { name: 'dockside', cpus: 1, memoryBytes: 256 * 1024 * 1024, kernelVersion: '6.1' };
    this.startedAt = this.clock();
    registerSystemRoutes(this.router, this);
    registerImageRoutes(this.router, this);
    registerContainerRoutes(this.router, this);
    registerNetworkRoutes(this.router, this);
    registerVolumeRoutes(this.router, this);
    registerBuildRoutes(this.router, this);
  }
}
