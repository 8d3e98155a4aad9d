// docker update (moby's daemon/update.go): new resource limits, written to the cgroup of a running
// container at once, and a new restart policy.

import { conflict, invalidParameter, systemError } from '../errors';
import type { ContainerContext } from './context';
import { validateHostConfig } from './create';
import { verifyPlatformResources } from './platform-resources';
import { cgroupSettings } from './spec';
import { resourcesOf } from './start';
import type { HostConfig } from './types';

export class ContainerUpdater {
  constructor(private readonly context: ContainerContext) {}

  async update(ref: string, hostConfig: HostConfig): Promise<string[]> {
    // verifyContainerSettings first: bad cpusets fail, block I/O limits are dropped with docker's warnings
    const warnings = verifyPlatformResources(hostConfig, this.context.deps.host.cpus);
    const live = this.context.get(ref);
    const merged: HostConfig = { ...live.record.hostConfig };
    const keys: (keyof HostConfig)[] = [
      'CpuShares', 'Memory', 'NanoCpus', 'CpuPeriod', 'CpuQuota', 'CpusetCpus', 'CpusetMems', 'MemoryReservation', 'MemorySwap',
      'PidsLimit', 'BlkioWeight', 'CpuRealtimePeriod', 'CpuRealtimeRuntime',
    ];
    for (const key of keys) {
      const value = hostConfig[key];
      if (value !== undefined && value !== null && value !== 0 && value !== '') (merged as Record<string, unknown>)[key] = value;
    }
    if (hostConfig.RestartPolicy && hostConfig.RestartPolicy.Name !== '') {
      if (merged.AutoRemove && hostConfig.RestartPolicy.Name !== 'no') {
        throw invalidParameter('Cannot update restart policy on a container with --rm (autoRemove)');
      }
      merged.RestartPolicy = hostConfig.RestartPolicy;
    }
    if (hostConfig.Memory && hostConfig.Memory > 0 && !hostConfig.MemorySwap && live.record.hostConfig.MemorySwap && live.record.hostConfig.MemorySwap > 0 && hostConfig.Memory > live.record.hostConfig.MemorySwap) {
      // moby's errCannotUpdate names the container by its id
      throw conflict(`Cannot update container ${live.id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time`);
    }
    if (hostConfig.Memory && hostConfig.Memory > 0 && !hostConfig.MemorySwap) merged.MemorySwap = live.record.hostConfig.MemorySwap && live.record.hostConfig.MemorySwap > 0 ? live.record.hostConfig.MemorySwap : hostConfig.Memory * 2;
    validateHostConfig({ ...merged, RestartPolicy: merged.RestartPolicy, AutoRemove: false, PortBindings: {}, Binds: [], Links: [], Mounts: [], Devices: [] }, this.context.deps.host.cpus);
    if (live.process) {
      const settings = cgroupSettings(resourcesOf(merged));
      for (const [file, value] of Object.entries(settings)) {
        try {
          await this.context.deps.runtime.writeFile(`${live.cgroupPath}/${file}`, value);
        } catch (error) {
          throw systemError(`Cannot update container ${live.id}: writing ${file}: ${(error as Error).message}`);
        }
      }
    }
    live.record.hostConfig = merged;
    await this.context.persist(live);
    this.context.emit(live, 'update');
    return warnings;
  }
}
