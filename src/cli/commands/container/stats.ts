// docker stats (docker/cli container/stats.go and stats_helpers.go): one-shot with --no-stream, else a
// table redrawn every second.

import { defineCommand, type BoolValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { bytesSize, humanSizeWithPrecision, renderFormat, HeaderContext, goTypeName } from '../../formatter';
import { callJson, enc } from './util';
import { formatHelp } from './common';

interface StatsJson {
  id: string;
  name: string;
  read: string;
  cpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number; online_cpus?: number };
  precpu_stats: { cpu_usage: { total_usage: number }; system_cpu_usage?: number };
  memory_stats: { usage?: number; limit?: number; stats?: Record<string, number> };
  pids_stats: { current?: number };
  blkio_stats: { io_service_bytes_recursive: { op: string; value: number }[] | null };
  networks?: Record<string, { rx_bytes: number; tx_bytes: number }>;
}

export interface StatsEntry {
  container: string;
  id: string;
  name: string;
  cpu: number;
  memory: number;
  memoryLimit: number;
  memoryPercent: number;
  netRx: number;
  netTx: number;
  blockRead: number;
  blockWrite: number;
  pids: number;
  isInvalid: boolean;
}

export function entryFromStats(container: string, stats: StatsJson): StatsEntry {
  const cpuDelta = stats.cpu_stats.cpu_usage.total_usage - stats.precpu_stats.cpu_usage.total_usage;
  const systemDelta = (stats.cpu_stats.system_cpu_usage ?? 0) - (stats.precpu_stats.system_cpu_usage ?? 0);
  const cpus = stats.cpu_stats.online_cpus ?? 1;
  const cpu = systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
  const usage = stats.memory_stats.usage ?? 0;
  const inactive = stats.memory_stats.stats?.inactive_file ?? 0;
  const memory = inactive < usage ? usage - inactive : usage;
  const limit = stats.memory_stats.limit ?? 0;
  let rx = 0;
  let tx = 0;
  for (const network of Object.values(stats.networks ?? {})) {
    rx += network.rx_bytes;
    tx += network.tx_bytes;
  }
  let read = 0;
  let write = 0;
  for (const entry of stats.blkio_stats.io_service_bytes_recursive ?? []) {
    if (entry.op.toLowerCase() === 'read') read += entry.value;
    else if (entry.op.toLowerCase() === 'write') write += entry.value;
  }
  return {
    container,
    id: stats.id,
    name: stats.name.replace(/^\//, ''),
    cpu,
    memory,
    memoryLimit: limit,
    memoryPercent: limit > 0 ? (memory / limit) * 100 : 0,
    netRx: rx,
    netTx: tx,
    blockRead: read,
    blockWrite: write,
    pids: stats.pids_stats.current ?? 0,
    isInvalid: stats.read === '0001-01-01T00:00:00Z',
  };
}

class StatsContext {
  readonly [goTypeName] = '*formatter.statsContext';
  constructor(
    private readonly s: StatsEntry,
    private readonly trunc: boolean,
  ) {}
  Container(): string {
    return this.s.container;
  }
  Name(): string {
    return this.s.name !== '' ? this.s.name : '--';
  }
  ID(): string {
    return this.trunc ? this.s.id.slice(0, 12) : this.s.id;
  }
  CPUPerc(): string {
    return this.s.isInvalid ? '--' : `${this.s.cpu.toFixed(2)}%`;
  }
  MemUsage(): string {
    return this.s.isInvalid ? '-- / --' : `${bytesSize(this.s.memory)} / ${bytesSize(this.s.memoryLimit)}`;
  }
  MemPerc(): string {
    return this.s.isInvalid ? '--' : `${this.s.memoryPercent.toFixed(2)}%`;
  }
  NetIO(): string {
    return this.s.isInvalid ? '--' : `${humanSizeWithPrecision(this.s.netRx, 3)} / ${humanSizeWithPrecision(this.s.netTx, 3)}`;
  }
  BlockIO(): string {
    return this.s.isInvalid ? '--' : `${humanSizeWithPrecision(this.s.blockRead, 3)} / ${humanSizeWithPrecision(this.s.blockWrite, 3)}`;
  }
  PIDs(): string {
    return this.s.isInvalid ? '--' : String(this.s.pids);
  }
}

const defaultStatsFormat = 'table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}';

export function renderStats(format: string, entries: StatsEntry[], trunc: boolean): string {
  const header = new HeaderContext([
    ['Container', 'CONTAINER'],
    ['ID', 'CONTAINER ID'],
    ['Name', 'NAME'],
    ['CPUPerc', 'CPU %'],
    ['MemUsage', 'MEM USAGE / LIMIT'],
    ['MemPerc', 'MEM %'],
    ['NetIO', 'NET I/O'],
    ['BlockIO', 'BLOCK I/O'],
    ['PIDs', 'PIDS'],
  ]);
  const source = format === '' || format === 'table' ? defaultStatsFormat : format;
  return renderFormat(source, header, entries.map((entry) => new StatsContext(entry, trunc)));
}

export function statsCommand() {
  return defineCommand<{ all: BoolValue; noStream: BoolValue; noTrunc: BoolValue; format: StringValue }, DockerEnv>({
    use: 'stats [OPTIONS] [CONTAINER...]',
    short: 'Display a live stream of container(s) resource usage statistics',
    aliasesText: 'docker container stats, docker stats',
    flags: (flags) => ({
      all: flags.bool('all', 'a', false, 'Show all containers (default shows just running)'),
      noStream: flags.bool('no-stream', '', false, 'Disable streaming stats and only pull the first result'),
      noTrunc: flags.bool('no-trunc', '', false, 'Do not truncate output'),
      format: flags.string('format', '', '', formatHelp),
    }),
    run: async ({ args, options, env }) => {
      const sample = async (): Promise<StatsEntry[]> => {
        let names = [...args];
        if (names.length === 0) {
          const list = await callJson<{ Id: string }[]>(env, 'GET', '/containers/json', { query: { all: options.all.value ? '1' : undefined } });
          names = list.map((c) => c.Id.slice(0, 12));
        }
        const entries: StatsEntry[] = [];
        const errors: string[] = [];
        for (const name of names) {
          try {
            const stats = await callJson<StatsJson>(env, 'GET', `/containers/${enc(name)}/stats`, { query: { stream: '0' } });
            entries.push(entryFromStats(name, stats));
          } catch (error) {
            errors.push(error instanceof Error ? error.message : String(error));
          }
        }
        if (errors.length > 0 && args.length > 0) throw new Error(errors.join('\n'));
        return entries;
      };
      if (options.noStream.value) {
        env.stdout(renderStats(options.format.value, await sample(), !options.noTrunc.value));
        return;
      }
      let stopped = false;
      const off = env.onSignal(() => (stopped = true));
      try {
        while (!stopped) {
          const entries = await sample();
          env.stdout(`\x1b[2J\x1b[H${renderStats(options.format.value, entries, !options.noTrunc.value)}`);
          if (args.length > 0 && entries.length === 0) break;
        }
      } finally {
        off();
      }
    },
  });
}
