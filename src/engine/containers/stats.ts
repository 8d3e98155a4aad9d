// docker top and docker stats (moby's daemon/top_unix.go and stats.go): the container's processes from
// /proc, and its cgroup's CPU, memory, pids and network counters, once or every second.

import { conflict } from '../errors';
import type { ContainerContext } from './context';
import type { LiveContainer } from './live';
import { AsyncQueue } from './streams';
import { statsJson, statsSample, top, type StatsSample } from './views';

const STATS_INTERVAL_MS = 1000;

/** docker top: ps of the container's processes (ps_args as docker's ps would take them). */
export async function topOf(context: ContainerContext, live: LiveContainer, psArgs: string): Promise<{ Titles: string[]; Processes: string[][] }> {
  if (live.status !== 'running' && live.status !== 'paused') throw conflict(`container ${live.id} is not running`);
  return top(context.runtime, live.cgroupPath, psArgs, context.deps.clock().getTime());
}

/**
 * docker stats: one sample (with the CPU usage over a second, unless one-shot), or a sample every
 * second until the container is removed or the consumer stops.
 */
export async function statsOf(
  context: ContainerContext,
  live: LiveContainer,
  options: { stream: boolean; oneShot: boolean },
): Promise<Record<string, unknown> | AsyncQueue<Record<string, unknown>>> {
  const { host, clock } = context.deps;
  const sample = async (): Promise<StatsSample | undefined> => {
    if (live.status !== 'running' && live.status !== 'paused') return undefined;
    try {
      return await statsSample(context.runtime, live.cgroupPath, live.record.endpoint?.hostVeth, host.memoryBytes, host.cpus, clock());
    } catch {
      return undefined;
    }
  };
  if (!options.stream) {
    let previous: StatsSample | undefined;
    if (!options.oneShot) {
      previous = await sample();
      await new Promise((resolve) => setTimeout(resolve, STATS_INTERVAL_MS));
    }
    const current = await sample();
    return statsJson(live, current, previous);
  }
  const queue = new AsyncQueue<Record<string, unknown>>();
  let stopped = false;
  queue.onCancel = () => (stopped = true);
  void (async () => {
    let previous: StatsSample | undefined;
    while (!stopped && context.containers.has(live.id)) {
      const current = await sample();
      queue.push(statsJson(live, current, previous));
      previous = current;
      await new Promise((resolve) => setTimeout(resolve, STATS_INTERVAL_MS));
    }
    queue.end();
  })();
  return queue;
}
