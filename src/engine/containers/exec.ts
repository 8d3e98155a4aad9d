// docker exec (moby's daemon/exec.go): exec instances of a running container, started with the
// container's environment, user and seccomp, their exit codes and events.

import { conflict, invalidParameter, notFound } from '../errors';
import type { RuntimeProcess } from '../runtime/types';
import type { ContainerContext } from './context';
import type { ExecRecord, LiveContainer } from './live';
import { execFailure, processSpec } from './process';

export class ExecService {
  constructor(private readonly context: ContainerContext) {}

  /** docker exec's POST /containers/{id}/exec: an exec instance of a running container. */
  async create(
    ref: string,
    body: { User?: string; Privileged?: boolean; Tty?: boolean; ConsoleSize?: [number, number] | null; AttachStdin?: boolean; AttachStdout?: boolean; AttachStderr?: boolean; DetachKeys?: string; Env?: string[] | null; WorkingDir?: string; Cmd?: string[] | null },
  ): Promise<string> {
    const live = this.context.get(ref);
    if (live.status === 'paused') throw conflict(`Container ${live.id} is paused, unpause the container before exec`);
    if (live.status !== 'running') throw conflict(`container ${live.id} is not running`);
    if (!body.Cmd || body.Cmd.length === 0) throw invalidParameter('No exec command specified');
    const id = this.context.newId();
    let resolveExited!: () => void;
    const exited = new Promise<void>((resolve) => (resolveExited = resolve));
    const exec: ExecRecord = {
      id,
      containerId: live.id,
      user: body.User ?? '',
      privileged: body.Privileged ?? false,
      tty: body.Tty ?? false,
      attachStdin: body.AttachStdin ?? false,
      attachStdout: body.AttachStdout ?? false,
      attachStderr: body.AttachStderr ?? false,
      detachKeys: body.DetachKeys ?? '',
      env: body.Env ?? [],
      workingDir: body.WorkingDir ?? '',
      cmd: body.Cmd,
      consoleSize: body.ConsoleSize ?? undefined,
      running: false,
      exitCode: null,
      pid: 0,
      exited,
      resolveExited,
      canRemove: false,
    };
    this.context.execs.set(id, exec);
    live.execs.add(id);
    this.context.emit(live, `exec_create: ${exec.cmd.join(' ')}`, { execID: id });
    return id;
  }

  get(id: string): ExecRecord {
    const exec = this.context.execs.get(id);
    if (!exec) throw notFound(`No such exec instance: ${id}`);
    return exec;
  }

  /** Starts an exec; output goes to the sinks. Throws before starting (an EngineError) or reports a failed execve. */
  /** An exec starts once, in a running container that is not paused; its container. */
  checkStartable(exec: ExecRecord): LiveContainer {
    if (exec.running || exec.exitCode !== null) throw conflict(`Error: Exec command ${exec.id} has already run`);
    const live = this.context.get(exec.containerId);
    if (live.status === 'paused') throw conflict(`Container ${live.id} is paused, unpause the container before exec`);
    if (live.status !== 'running') throw conflict(`container ${live.id} is not running`);
    return live;
  }

  async start(
    exec: ExecRecord,
    io: { stdin: boolean; stdout?: (chunk: Uint8Array) => void | Promise<void>; stderr?: (chunk: Uint8Array) => void | Promise<void> },
    overrides: { tty?: boolean; consoleSize?: [number, number] } = {},
  ): Promise<RuntimeProcess | { failure: string }> {
    const live = this.checkStartable(exec);
    const tty = overrides.tty ?? exec.tty;
    const spec = await processSpec(this.context, live, exec.cmd, {
      env: [...(live.record.config.Env ?? []), ...exec.env],
      user: exec.user || live.record.config.User || '',
      cwd: exec.workingDir || live.record.config.WorkingDir || '/',
      tty,
      consoleSize: overrides.consoleSize ?? exec.consoleSize,
      hostname: live.record.config.Hostname,
      privileged: exec.privileged,
    });
    exec.running = true;
    this.context.emit(live, `exec_start: ${exec.cmd.join(' ')}`, { execID: exec.id });
    let proc: RuntimeProcess;
    try {
      proc = await this.context.deps.runtime.exec(live.id, spec, { stdin: io.stdin, stdout: io.stdout, stderr: tty ? undefined : io.stderr });
    } catch (error) {
      exec.running = false;
      const failure = execFailure(error, exec.cmd[0]);
      exec.exitCode = failure ? 126 : 126;
      exec.resolveExited();
      this.context.emit(live, 'exec_die', { execID: exec.id, exitCode: String(exec.exitCode) });
      const message = failure ? failure.message : error instanceof Error ? error.message : String(error);
      return { failure: `OCI runtime exec failed: exec failed: unable to start container process: ${message}: unknown` };
    }
    exec.process = proc;
    exec.pid = proc.pid;
    void proc.wait().then(
      (status) => {
        exec.running = false;
        exec.exitCode = status.exitCode;
        exec.process = undefined;
        exec.resolveExited();
        if (this.context.containers.has(live.id)) this.context.emit(live, 'exec_die', { execID: exec.id, exitCode: String(status.exitCode) });
      },
      () => {
        exec.running = false;
        exec.exitCode = 126;
        exec.resolveExited();
      },
    );
    return proc;
  }
}
