// docker update (docker/cli container/update.go): resources and restart policy, changed live.

import { defineCommand, requiresMinArgs, BytesValue, type IntValue, type StringValue, type UintValue, type CustomValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { parseCpus, parseRestartPolicy } from '../../opts';
import { call, enc } from './util';
import type { UpdateResponse } from '../../../api';

interface UpdateOptions {
  blkioWeight: UintValue;
  cpuPeriod: IntValue;
  cpuQuota: IntValue;
  cpuRealtimePeriod: IntValue;
  cpuRealtimeRuntime: IntValue;
  cpusetCpus: StringValue;
  cpusetMems: StringValue;
  cpuShares: IntValue;
  memory: BytesValue;
  memoryReservation: BytesValue;
  memorySwap: BytesValue;
  kernelMemory: BytesValue;
  restartPolicy: StringValue;
  pidsLimit: IntValue;
  cpus: CustomValue<number>;
}

export function updateCommand() {
  return defineCommand<UpdateOptions, DockerEnv>({
    use: 'update [OPTIONS] CONTAINER [CONTAINER...]',
    short: 'Update configuration of one or more containers',
    aliasesText: 'docker container update, docker update',
    args: requiresMinArgs(1),
    flags: (flags) => {
      const o: Partial<UpdateOptions> = {};
      o.blkioWeight = flags.uint16('blkio-weight', '', 0, 'Block IO (relative weight), between 10 and 1000, or 0 to disable (default 0)');
      o.cpuPeriod = flags.int64('cpu-period', '', 0, 'Limit CPU CFS (Completely Fair Scheduler) period');
      o.cpuQuota = flags.int64('cpu-quota', '', 0, 'Limit CPU CFS (Completely Fair Scheduler) quota');
      o.cpuRealtimePeriod = flags.int64('cpu-rt-period', '', 0, 'Limit the CPU real-time period in microseconds');
      o.cpuRealtimeRuntime = flags.int64('cpu-rt-runtime', '', 0, 'Limit the CPU real-time runtime in microseconds');
      o.cpusetCpus = flags.string('cpuset-cpus', '', '', 'CPUs in which to allow execution (0-3, 0,1)');
      o.cpusetMems = flags.string('cpuset-mems', '', '', 'MEMs in which to allow execution (0-3, 0,1)');
      o.cpuShares = flags.int64('cpu-shares', 'c', 0, 'CPU shares (relative weight)');
      o.memory = flags.bytes('memory', 'm', 0, 'Memory limit');
      o.memoryReservation = flags.bytes('memory-reservation', '', 0, 'Memory soft limit');
      o.memorySwap = flags.define('memory-swap', new BytesValue(0, true), 'Swap limit equal to memory plus swap: -1 to enable unlimited swap');
      o.kernelMemory = flags.bytes('kernel-memory', '', 0, 'Kernel memory limit (deprecated)');
      flags.markDeprecated('kernel-memory', 'and no longer supported by the kernel');
      o.restartPolicy = flags.string('restart', '', '', 'Restart policy to apply when a container exits');
      o.pidsLimit = flags.int64('pids-limit', '', 0, 'Tune container pids limit (set -1 for unlimited)');
      o.cpus = flags.custom<number>('cpus', '', 'decimal', 0, 'Number of CPUs', (raw) => parseCpus(raw), (v) => (v === 0 ? '' : String(v / 1e9)));
      return o as UpdateOptions;
    },
    run: async ({ args, options, flags, env }) => {
      if (flags.all().filter((f) => f.changed).length === 0) throw new Error('you must provide one or more flags when using this command');
      const restart = flags.changed('restart') ? parseRestartPolicy(options.restartPolicy.value) : undefined;
      const body = {
        BlkioWeight: options.blkioWeight.value,
        CpuPeriod: options.cpuPeriod.value,
        CpuQuota: options.cpuQuota.value,
        CpuRealtimePeriod: options.cpuRealtimePeriod.value,
        CpuRealtimeRuntime: options.cpuRealtimeRuntime.value,
        CpusetCpus: options.cpusetCpus.value,
        CpusetMems: options.cpusetMems.value,
        CpuShares: options.cpuShares.value,
        Memory: options.memory.value,
        MemoryReservation: options.memoryReservation.value,
        MemorySwap: options.memorySwap.value,
        NanoCpus: options.cpus.value,
        ...(flags.changed('pids-limit') ? { PidsLimit: options.pidsLimit.value } : {}),
        RestartPolicy: restart ?? { Name: '', MaximumRetryCount: 0 },
      };
      const errors: string[] = [];
      const warnings: string[] = [];
      for (const ref of args) {
        try {
          const response = await call(env, 'POST', `/containers/${enc(ref)}/update`, { body });
          const result = await response.json<UpdateResponse>();
          warnings.push(...(result.Warnings ?? []));
          env.stdout(`${ref}\n`);
        } catch (error) {
          errors.push(error instanceof Error ? error.message : String(error));
        }
      }
      for (const warning of warnings) env.stderr(`${warning}\n`);
      if (errors.length > 0) throw new Error(errors.join('\n'));
    },
  });
}
