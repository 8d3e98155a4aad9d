// HEALTHCHECK (moby's daemon/health.go): the check runs as an exec in the container every interval,
// with its timeout, retries and start period; the container goes from starting to healthy or
// unhealthy, and each change is an event.

import type { ExitStatus } from '../runtime/types';
import type { ContainerContext } from './context';
import type { LiveContainer } from './live';
import { processSpec } from './process';
import type { HealthLog } from './types';

export class HealthMonitor {
  constructor(private readonly context: ContainerContext) {}

  /** The next healthcheck: at once-ish after start, every interval after (start interval in the start period). */
  schedule(live: LiveContainer, first: boolean): void {
    const health = live.record.config.Healthcheck;
    if (!health?.Test || health.Test.length === 0 || health.Test[0] === 'NONE') return;
    const interval = (health.Interval || 30e9) / 1e6;
    const startInterval = (health.StartInterval || 5e9) / 1e6;
    const startPeriod = (health.StartPeriod || 0) / 1e6;
    const inStart = this.context.deps.clock().getTime() - Date.parse(live.record.state.startedAt) < startPeriod;
    const delay = first || inStart ? Math.min(interval, inStart ? startInterval : interval) : interval;
    live.healthTimer = setTimeout(() => void this.run(live), delay);
  }

  private async run(live: LiveContainer): Promise<void> {
    live.healthTimer = undefined;
    const health = live.record.config.Healthcheck;
    const state = live.record.state.health;
    if (!health?.Test || !state || live.status !== 'running' || !live.process) {
      if (live.status === 'paused') this.schedule(live, false);
      return;
    }
    const cmd = health.Test[0] === 'CMD-SHELL' ? ['/bin/sh', '-c', health.Test.slice(1).join(' ')] : health.Test.slice(1);
    const start = this.context.now();
    let output = '';
    let exitCode = -1;
    const timeoutMs = (health.Timeout || 30e9) / 1e6;
    try {
      const spec = await processSpec(this.context, live, cmd, { env: live.record.config.Env ?? [], user: live.record.config.User ?? '', cwd: live.record.config.WorkingDir || '/', tty: false });
      const decoder = new TextDecoder();
      const sink = (chunk: Uint8Array) => {
        if (output.length < 4096) output += decoder.decode(chunk);
      };
      const proc = await this.context.deps.runtime.exec(live.id, spec, { stdin: false, stdout: sink, stderr: sink });
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timedOut = new Promise<ExitStatus | undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), timeoutMs)));
      const status = await Promise.race([proc.wait(), timedOut]);
      if (timer) clearTimeout(timer);
      if (status) exitCode = status.exitCode;
      else {
        await proc.signal(9).catch(() => undefined);
        output = `Health check exceeded timeout (${timeoutMs / 1000}s)`;
      }
    } catch (error) {
      output = error instanceof Error ? error.message : String(error);
    }
    if (!live.process || live.record.state.health !== state) return;
    const entry: HealthLog = { Start: start, End: this.context.now(), ExitCode: exitCode, Output: output };
    state.Log = [...state.Log, entry].slice(-5);
    const before = state.Status;
    if (exitCode === 0) {
      state.FailingStreak = 0;
      state.Status = 'healthy';
    } else {
      const startPeriod = (health.StartPeriod || 0) / 1e6;
      const inStart = this.context.deps.clock().getTime() - Date.parse(live.record.state.startedAt) < startPeriod;
      if (!(inStart && before === 'starting')) {
        state.FailingStreak++;
        if (state.FailingStreak >= (health.Retries || 3)) state.Status = 'unhealthy';
      }
    }
    if (state.Status !== before) this.context.emit(live, `health_status: ${state.Status}`);
    this.schedule(live, false);
  }
}
