// The daemon's volume service, one per Daemon, found through volumeService(daemon) (like containers).

import type { Daemon } from '../daemon';
import { VolumeService } from './service';

const services = new WeakMap<Daemon, VolumeService>();

export function volumeService(daemon: Daemon): VolumeService {
  let service = services.get(daemon);
  if (!service) {
    service = new VolumeService({ store: daemon.store, runtime: daemon.runtime, events: daemon.events, clock: daemon.clock });
    services.set(daemon, service);
  }
  return service;
}

export { VolumeService, volumeMountpoint, VOLUMES_ROOT, ANONYMOUS_LABEL } from './service';
export type { VolumeRecord, VolumeView, CreateVolumeOptions } from './service';
