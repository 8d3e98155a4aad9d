// docker stats (docker/cli container/stats.go and stats_helpers.go of v28.2.2): one collector per
// container reading its stats stream (or one sample with --no-stream), the table drawn every 500 ms.
// Without names it follows the container events: started containers join, dead ones leave (unless -a).

import { defineCommand, type BoolValue, type StringValue } from '../../flags';
import type { DockerEnv } from '../../env';
import { bytesSize, humanSizeWithPrecision, renderFormat, HeaderContext, goTypeName } from '../../formatter';
import { call, callJson, enc } from './util';
import { formatHelp } from './common';
import type { ContainerSummary, StatsResponse } from '../../../api';

type StatsJson = StatsResponse;

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
      const trunc = !options.noTrunc.value;
      const stream = !options.noStream.value;
      const showAll = args.length === 0;
      const collectors = new Map<string, Collector>();
      const add = (container: string): void => {
        if (!collectors.has(container)) collectors.set(container, new Collector(env, container, stream));
      };
      let events: AsyncIterator<Uint8Array> | undefined;
      try {
        if (showAll) {
          // Subscribed before listing, as docker does, so a container started in between is not missed.
          const response = await call(env, 'GET', '/events', { query: { filters: JSON.stringify({ type: { container: true } }) } });
          events = response.stream()[Symbol.asyncIterator]();
          void followEvents(events, (action, id) => {
            if (action === 'start' || (options.all.value && action === 'create')) add(id.slice(0, 12));
            else if (action === 'die' && !options.all.value) {
              collectors.get(id.slice(0, 12))?.stop();
              collectors.delete(id.slice(0, 12));
            }
          });
          const list = await callJson<ContainerSummary[]>(env, 'GET', '/containers/json', { query: { all: options.all.value ? '1' : undefined } });
          for (const c of list) add(c.Id.slice(0, 12));
          await Promise.all([...collectors.values()].map((c) => c.first));
        } else {
          for (const name of args) add(name);
          await Promise.all([...collectors.values()].map((c) => c.first));
          const errors = [...collectors.values()].flatMap((c) => (c.error ? [c.error] : []));
          if (errors.length > 0) throw new Error(errors.join('\n'));
        }
        if (!stream) {
          env.stdout(renderStats(options.format.value, [...collectors.values()].map((c) => c.entry()), trunc));
          return;
        }
        let stopped = false;
        const off = env.onSignal(() => (stopped = true));
        try {
          while (!stopped) {
            await new Promise((resolve) => setTimeout(resolve, 500));
            if (stopped) break;
            env.stdout(redraw(renderStats(options.format.value, [...collectors.values()].map((c) => c.entry()), trunc)));
            if (collectors.size === 0 && !showAll) break;
          }
        } finally {
          off();
        }
      } finally {
        for (const collector of collectors.values()) collector.stop();
        void events?.return?.();
      }
    },
  });
}

/**
 * One frame of the live table, byte for byte as docker 28.2.2 writes it: cursor home and the table,
 * then (its buffer is split and appended to itself) every line again after a cursor home, each
 * followed by " ESC[K" to erase what a longer previous frame left, and ESC[J below.
 */
export function redraw(table: string): string {
  const first = `\x1b[H${table}`;
  return `${first}${first.split('\n').map((line) => `${line} \x1b[K\n`).join('')}\x1b[J`;
}

/** Hands each non-empty line of a newline-delimited JSON stream, parsed, to `onValue`; ends with the stream. */
async function readJsonLines(stream: AsyncIterator<Uint8Array>, onValue: (value: unknown) => void, stopped: () => boolean = () => false): Promise<void> {
  const decoder = new TextDecoder();
  let buffer = '';
  for (let next = await stream.next(); !next.done && !stopped(); next = await stream.next()) {
    buffer += decoder.decode(next.value, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline !== -1) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      if (line !== '') onValue(JSON.parse(line));
    }
  }
  if (buffer.trim() !== '') onValue(JSON.parse(buffer));
}

/** Reads the events stream and reports container actions with the container's id. */
async function followEvents(events: AsyncIterator<Uint8Array>, onAction: (action: string, id: string) => void): Promise<void> {
  try {
    await readJsonLines(events, (value) => {
      const event = value as { Type?: string; Action?: string; Actor?: { ID?: string } };
      if (event.Type === 'container' && event.Action && event.Actor?.ID) onAction(event.Action, event.Actor.ID);
    });
  } catch {
    // The stream ended with the command (or the daemon went away): nothing more to follow.
  }
}

/** The latest statistics of one container (docker's Stats with its collect goroutine). */
class Collector {
  /** Settles when the first sample (or the error) arrived. */
  readonly first: Promise<void>;
  error: string | undefined;
  private latest: StatsEntry | undefined;
  private stream: AsyncIterator<Uint8Array> | undefined;
  private stopped = false;

  constructor(
    env: DockerEnv,
    readonly container: string,
    streaming: boolean,
  ) {
    let markFirst: () => void = () => undefined;
    this.first = new Promise<void>((resolve) => (markFirst = resolve));
    void this.collect(env, streaming, markFirst);
  }

  entry(): StatsEntry {
    return this.latest ?? invalidEntry(this.container);
  }

  stop(): void {
    this.stopped = true;
    void this.stream?.return?.();
  }

  private async collect(env: DockerEnv, streaming: boolean, markFirst: () => void): Promise<void> {
    // Like docker, values go back to "--" when no sample came for two seconds.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const armTimeout = () => {
      clearTimeout(timer);
      if (streaming && !this.stopped) timer = setTimeout(() => ((this.latest = undefined), (this.error = 'timeout waiting for stats'), markFirst()), 2000);
    };
    try {
      const response = await call(env, 'GET', `/containers/${enc(this.container)}/stats`, { query: { stream: streaming ? '1' : '0' } });
      this.stream = response.stream()[Symbol.asyncIterator]();
      armTimeout();
      await readJsonLines(
        this.stream,
        (value) => {
          this.latest = entryFromStats(this.container, value as StatsJson);
          this.error = undefined;
          armTimeout();
          markFirst();
        },
        () => this.stopped,
      );
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      clearTimeout(timer);
      markFirst();
    }
  }
}

function invalidEntry(container: string): StatsEntry {
  return { container, id: '', name: '', cpu: 0, memory: 0, memoryLimit: 0, memoryPercent: 0, netRx: 0, netTx: 0, blockRead: 0, blockWrite: 0, pids: 0, isInvalid: true };
}
