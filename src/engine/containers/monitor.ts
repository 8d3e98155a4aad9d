// What happens when a container's process ends (moby's daemon/monitor.go and restartmanager): its
// state and events, the clients waiting for it, and its restart policy (with docker's back-off) or
// --rm; and docker wait's conditions.

import { releaseEndpoints } from './endpoints';
import type { ExitStatus, RuntimeProcess } from '../runtime/types';
import type { ContainerContext } from './context';
import type { LiveContainer, WaitResult } from './live';

export interface MonitorLinks {
  /** Starts the container's process again (a restart policy). */
  restart: (live: LiveContainer) => Promise<void>;
  /** --rm: removes a container whose run ended. */
  autoRemove: (live: LiveContainer) => Promise<void>;
}

export class ExitMonitor {
  constructor(
    private readonly context: ContainerContext,
    private readonly links: MonitorLinks,
  ) {}

  /** The process of a run ended: the container's state, events, waiters, then its restart policy or --rm. */
  async onExit(live: LiveContainer, proc: RuntimeProcess, status: ExitStatus, failure = ''): Promise<void> {
    if (live.process !== proc) return;
    live.process = undefined;
    live.log.flush();
    if (live.healthTimer) clearTimeout(live.healthTimer);
    live.healthTimer = undefined;
    const { record } = live;
    const startedAtMs = Date.parse(record.state.startedAt);
    record.state = {
      ...record.state,
      status: 'exited',
      pid: 0,
      exitCode: status.exitCode,
      oomKilled: status.oomKilled,
      error: failure,
      finishedAt: this.context.now(),
      health: record.state.health ? { ...record.state.health, Status: 'unhealthy' } : undefined,
    };
    if (record.state.health) record.state.health = undefined;
    await this.context.deps.runtime.delete(record.id).catch(() => undefined);
    releaseEndpoints(this.context, record);
    // Its server ended with its process; the others forget its names.
    live.embeddedDns = false;
    await this.context.syncDns().catch(() => undefined);
    if (record.publishedPorts) {
      record.publishedPorts = undefined;
      await this.context.syncRules().catch(() => undefined);
    }
    for (const execId of live.execs) {
      const exec = this.context.execs.get(execId);
      if (exec && exec.running) {
        exec.running = false;
        exec.exitCode ??= 137;
        exec.resolveExited();
      }
    }
    if (status.oomKilled) this.context.emit(live, 'oom');
    this.context.emit(live, 'die', { exitCode: String(status.exitCode), execDuration: String(Math.max(0, Math.round((this.context.deps.clock().getTime() - startedAtMs) / 1000))) });
    for (const end of [...live.endListeners]) end();
    const result: WaitResult = { StatusCode: status.exitCode, Error: null };
    const waiters = live.exitWaiters;
    live.exitWaiters = [];
    for (const waiter of waiters) waiter(result);
    if (this.shouldRestart(live)) {
      record.state = { ...record.state, status: 'restarting' };
      await this.context.persist(live);
      const delay = Math.min(100 * 2 ** record.restartCount, 60_000);
      const ranFor = this.context.deps.clock().getTime() - startedAtMs;
      live.restartTimer = setTimeout(() => void this.restartAfterExit(live), ranFor > 10_000 ? 100 : delay);
      return;
    }
    await this.context.persist(live);
    if (record.hostConfig.AutoRemove) await this.links.autoRemove(live).catch(() => undefined);
    else await this.context.deps.store.metadata.put(`containerlog/${live.id}`, live.log.toJson()).catch(() => undefined);
  }

  private shouldRestart(live: LiveContainer): boolean {
    const { record } = live;
    if (this.context.shuttingDown || record.manuallyStopped || record.hostConfig.AutoRemove) return false;
    const policy = record.hostConfig.RestartPolicy ?? { Name: 'no', MaximumRetryCount: 0 };
    switch (policy.Name) {
      case 'always':
      case 'unless-stopped':
        return true;
      case 'on-failure':
        return record.state.exitCode !== 0 && (policy.MaximumRetryCount === 0 || record.restartCount < policy.MaximumRetryCount);
      default:
        return false;
    }
  }

  private async restartAfterExit(live: LiveContainer): Promise<void> {
    live.restartTimer = undefined;
    if (!this.context.containers.has(live.id) || live.status !== 'restarting') return;
    live.record.restartCount++;
    try {
      await this.links.restart(live);
      this.context.emit(live, 'restart');
    } catch {
      live.record.state = { ...live.record.state, status: 'exited' };
      await this.context.persist(live);
    }
  }

  /** Resolves true when the current run has ended, false after timeoutMs (-1: no timeout). */
  waitForExit(live: LiveContainer, timeoutMs: number): Promise<boolean> {
    if (!live.process) return Promise.resolve(true);
    return new Promise((resolve) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = (value: boolean) => {
        if (timer) clearTimeout(timer);
        resolve(value);
      };
      live.exitWaiters.push(() => done(true));
      if (timeoutMs >= 0) timer = setTimeout(() => done(false), timeoutMs);
    });
  }

  /** Resolves when the condition is met; `cancel` (the client hung up) forgets the waiter. */
  wait(live: LiveContainer, condition: string): { result: Promise<WaitResult>; cancel: () => void } {
    const running = live.status === 'running' || live.status === 'paused' || live.status === 'restarting';
    if ((condition === '' || condition === 'not-running') && !running) {
      return { result: Promise.resolve({ StatusCode: live.record.state.exitCode, Error: null }), cancel: () => undefined };
    }
    const waiters = condition === 'removed' ? live.removedWaiters : live.exitWaiters;
    let waiter: ((result: WaitResult) => void) | undefined;
    const result = new Promise<WaitResult>((resolve) => {
      waiter = resolve;
      waiters.push(resolve);
    });
    const cancel = () => {
      const at = waiter ? waiters.indexOf(waiter) : -1;
      if (at !== -1) waiters.splice(at, 1);
    };
    return { result, cancel };
  }
}
