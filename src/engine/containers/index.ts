// The daemon's container service, one per Daemon (the daemon's own fields stay as they are: the service
// is found through containerService(daemon)).

import type { Daemon } from '../daemon';
import { ContainerService } from './service';
import { volumeService } from '../volumes';

const services = new WeakMap<Daemon, ContainerService>();

export function containerService(daemon: Daemon): ContainerService {
  let service = services.get(daemon);
  if (!service) {
    service = new ContainerService({
      runtime: daemon.runtime,
      images: () => daemon.images,
      events: daemon.events,
      clock: daemon.clock,
      store: daemon.store,
      host: daemon.host,
      volumes: volumeService(daemon),
    });
    services.set(daemon, service);
  }
  return service;
}

export { ContainerService } from './service';
export type { LiveContainer, ExecRecord, WaitResult } from './service';
