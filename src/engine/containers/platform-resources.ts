// moby's verifyPlatformContainerResources, for what this guest's kernel has: its io cgroup controller
// has neither io.weight nor io.max (no BFQ, iocost or throttling built in), so block I/O limits cannot
// be applied; they are discarded with the warnings docker gives when the kernel lacks them (docker
// itself would pass them to runc, whose write of io.weight fails at start). And its CPUs for
// --cpuset-cpus (one, "0").

import { invalidParameter } from '../errors';
import type { HostConfig } from '../../api';

const BLKIO_DISCARDED: [keyof HostConfig, string][] = [
  ['BlkioWeight', 'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.'],
  ['BlkioWeightDevice', 'Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.'],
  ['BlkioDeviceReadBps', 'Your kernel does not support BPS Block I/O read limit or the cgroup is not mounted. Block I/O BPS read limit discarded.'],
  ['BlkioDeviceWriteBps', 'Your kernel does not support BPS Block I/O write limit or the cgroup is not mounted. Block I/O BPS write limit discarded.'],
  ['BlkioDeviceReadIOps', 'Your kernel does not support IOPS Block read limit or the cgroup is not mounted. Block I/O IOPS read limit discarded.'],
  ['BlkioDeviceWriteIOps', 'Your kernel does not support IOPS Block write limit or the cgroup is not mounted. Block I/O IOPS write limit discarded.'],
];

/** parsers.ParseUintList: "0-2,4" → its numbers; undefined when the list is malformed. */
function parseUintList(text: string): number[] | undefined {
  const out: number[] = [];
  for (const part of text.split(',')) {
    const range = /^(\d+)(?:-(\d+))?$/.exec(part);
    if (!range) return undefined;
    const start = Number(range[1]);
    const end = range[2] !== undefined ? Number(range[2]) : start;
    if (end < start) return undefined;
    for (let n = start; n <= end; n++) out.push(n);
  }
  return out;
}

/**
 * Checks and adjusts the resources as moby does on Linux: each block I/O setting the kernel cannot
 * apply is dropped from hostConfig with docker's warning; --cpuset-cpus and --cpuset-mems must name
 * CPUs and memory nodes the host has. Returns the warnings (docker run prints them as "WARNING: ...").
 */
export function verifyPlatformResources(hostConfig: HostConfig, cpus: number): string[] {
  const warnings: string[] = [];
  for (const [field, warning] of BLKIO_DISCARDED) {
    const value = hostConfig[field];
    const set = typeof value === 'number' ? value > 0 : Array.isArray(value) && value.length > 0;
    if (!set) continue;
    warnings.push(warning);
    (hostConfig as Record<string, unknown>)[field] = typeof value === 'number' ? 0 : [];
  }
  const available = cpus > 1 ? `0-${cpus - 1}` : '0';
  for (const [value, what, count, noun] of [
    [hostConfig.CpusetCpus, 'cpus', cpus, 'CPUs'],
    [hostConfig.CpusetMems, 'mems', 1, 'memory nodes'],
  ] as const) {
    if (!value) continue;
    const list = parseUintList(value);
    if (!list) throw invalidParameter(`Invalid value ${value} for cpuset ${what}: invalid format: ${value}`);
    if (list.some((n) => n >= count)) throw invalidParameter(`Requested ${noun} are not available - requested ${value}, available: ${what === 'cpus' ? available : '0'}`);
  }
  return warnings;
}
