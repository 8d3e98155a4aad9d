// A container as the daemon holds it in memory: its record (what is persisted) and what lives only as
// long as the daemon (its process, log, attached clients, waiters, timers), and an exec instance.

import type { RuntimeProcess } from '../runtime/types';
import { CGROUP_PARENT } from './spec';
import { ContainerLog } from './streams';
import type { ContainerRecord, ContainerStatus } from './types';

export interface WaitResult {
  StatusCode: number;
  Error: { Message: string } | null;
}

/** An output listener of an attached client: stream 1 stdout, 2 stderr. */
export type OutputListener = (stream: 1 | 2, chunk: Uint8Array) => void | Promise<void>;

export interface ExecRecord {
  id: string;
  containerId: string;
  user: string;
  privileged: boolean;
  tty: boolean;
  attachStdin: boolean;
  attachStdout: boolean;
  attachStderr: boolean;
  detachKeys: string;
  env: string[];
  workingDir: string;
  cmd: string[];
  consoleSize?: [number, number];
  running: boolean;
  exitCode: number | null;
  pid: number;
  process?: RuntimeProcess;
  exited: Promise<void>;
  resolveExited: () => void;
  canRemove: boolean;
}

export class LiveContainer {
  process: RuntimeProcess | undefined;
  readonly log: ContainerLog;
  readonly listeners = new Set<OutputListener>();
  /** Called when the current run ends (attach streams close). */
  readonly endListeners = new Set<() => void>();
  readonly stdinQueue: Uint8Array[] = [];
  exitWaiters: ((result: WaitResult) => void)[] = [];
  removedWaiters: ((result: WaitResult) => void)[] = [];
  readonly execs = new Set<string>();
  restartTimer: ReturnType<typeof setTimeout> | undefined;
  healthTimer: ReturnType<typeof setTimeout> | undefined;
  /** Resolves when the current run's exit has been handled. */
  exitHandled: Promise<void> = Promise.resolve();
  stdinClosed = false;
  /** The seccomp filter of the current run, for its processes and execs (program undefined: unconfined). */
  seccomp: { program: Uint8Array | undefined } | undefined;
  /** This run has docker's embedded DNS server (it joined a user-defined network); until it stops. */
  embeddedDns = false;

  constructor(
    public record: ContainerRecord,
    clock: () => Date,
  ) {
    this.log = new ContainerLog(clock);
  }

  get id(): string {
    return this.record.id;
  }
  get status(): ContainerStatus {
    return this.record.state.status;
  }
  get cgroupPath(): string {
    return `${CGROUP_PARENT}/${this.record.id}`;
  }
  get shortName(): string {
    return this.record.name.slice(1);
  }
  /** Running, paused or about to restart: what `docker ps` shows without -a. */
  get isUp(): boolean {
    const status = this.status;
    return status === 'running' || status === 'paused' || status === 'restarting';
  }
}
