// docker stop, kill, restart, pause and unpause (moby's daemon/stop.go, kill.go, restart.go, pause.go):
// the stop signal then SIGKILL after the timeout, signals by name or number, and the freezer.

import { conflict, invalidParameter, notModified } from '../errors';
import type { ContainerContext } from './context';
import type { LiveContainer } from './live';
import type { ExitMonitor } from './monitor';
import { parseSignal } from './signals';

export interface StopperLinks {
  /** Tells when a run has ended. */
  monitor: ExitMonitor;
  /** Starts the container's process again (docker restart). */
  startProcess: (live: LiveContainer) => Promise<void>;
}

/** Thaws a paused container whose process is being killed (a frozen process cannot take its signal). */
export async function resumeQuietly(context: ContainerContext, live: LiveContainer): Promise<void> {
  await context.runtime.resume(live.cgroupPath).catch(() => undefined);
  if (live.status === 'paused') live.record.state = { ...live.record.state, status: 'running' };
}

export class ContainerStopper {
  constructor(
    private readonly context: ContainerContext,
    private readonly links: StopperLinks,
  ) {}

  async stop(ref: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    const live = this.context.get(ref);
    if (live.status === 'restarting' && live.restartTimer) {
      clearTimeout(live.restartTimer);
      live.restartTimer = undefined;
      live.record.manuallyStopped = true;
      live.record.state = { ...live.record.state, status: 'exited' };
      await this.context.persist(live);
      this.context.emit(live, 'stop');
      return;
    }
    if (!live.process) throw notModified();
    live.record.manuallyStopped = true;
    const stopSignal = parseSignal(signal || live.record.config.StopSignal || 'SIGTERM');
    const timeout = timeoutSeconds ?? live.record.config.StopTimeout ?? 10;
    const handled = live.exitHandled;
    const exited = this.links.monitor.waitForExit(live, timeout < 0 ? -1 : timeout * 1000);
    this.context.emit(live, 'kill', { signal: String(stopSignal) });
    await live.process.signal(stopSignal).catch(() => undefined);
    if (live.status === 'paused') await resumeQuietly(this.context, live);
    if (!(await exited)) {
      this.context.emit(live, 'kill', { signal: '9' });
      await this.context.deps.runtime.killAll(live.cgroupPath, 9).catch(() => undefined);
      if (live.status === 'paused') await resumeQuietly(this.context, live);
      await this.links.monitor.waitForExit(live, -1);
    }
    await handled;
    this.context.emit(live, 'stop');
  }

  async kill(ref: string, signalText = 'KILL'): Promise<void> {
    const live = this.context.get(ref);
    let signal: number;
    try {
      signal = parseSignal(signalText);
    } catch (error) {
      throw invalidParameter((error as Error).message);
    }
    if (!live.process || (live.status !== 'running' && live.status !== 'paused')) {
      throw conflict(`cannot kill container: ${ref}: container ${live.id} is not running`);
    }
    const handled = live.exitHandled;
    if (signal === 9 || signal === 15 || signal === 2) live.record.manuallyStopped = true;
    this.context.emit(live, 'kill', { signal: String(signal) });
    if (signal === 9) {
      await this.context.deps.runtime.killAll(live.cgroupPath, 9);
      if (live.status === 'paused') await resumeQuietly(this.context, live);
      await handled;
    } else {
      await live.process.signal(signal);
    }
  }

  async restart(ref: string, timeoutSeconds?: number, signal?: string): Promise<void> {
    const live = this.context.get(ref);
    if (live.process) await this.stop(ref, timeoutSeconds, signal);
    live.record.manuallyStopped = false;
    if (live.restartTimer) clearTimeout(live.restartTimer);
    live.restartTimer = undefined;
    await this.links.startProcess(live);
    this.context.emit(live, 'restart');
  }

  async pause(ref: string): Promise<void> {
    const live = this.context.get(ref);
    if (live.status === 'paused') throw conflict(`Container ${live.id} is already paused`);
    if (live.status !== 'running') throw conflict(`Container ${live.id} is not running`);
    await this.context.deps.runtime.pause(live.cgroupPath);
    live.record.state = { ...live.record.state, status: 'paused' };
    await this.context.persist(live);
    this.context.emit(live, 'pause');
  }

  async unpause(ref: string): Promise<void> {
    const live = this.context.get(ref);
    if (live.status !== 'paused') throw conflict(`Container ${live.id} is not paused`);
    await this.context.deps.runtime.resume(live.cgroupPath);
    live.record.state = { ...live.record.state, status: 'running' };
    await this.context.persist(live);
    this.context.emit(live, 'unpause');
  }
}
