// A Runtime for engine unit tests: it records what the engine asked for and plays processes from a
// script the test gives, so engine logic (state machines, output formats, errors) is tested without a
// guest. Guest behaviour itself is tested against the real agent in tests/guest.

import { TarWriter } from '../../src/go/tar';
import {
  RuntimeError,
  type Change,
  type ContainerSpec,
  type DeviceNode,
  type ExitStatus,
  type ProcessIO,
  type ProcessSpec,
  type Runtime,
  type RuntimeProcess,
  type ShellResult,
} from '../../src/engine/runtime/types';

/** What a fake process does: gets its spec and stdin, writes output, returns its exit status. */
export type FakeProgram = (context: {
  spec: ProcessSpec;
  stdout: (text: string) => Promise<void>;
  stderr: (text: string) => Promise<void>;
  stdin: () => Promise<Uint8Array>;
  signals: AsyncIterable<number>;
}) => Promise<number | Partial<ExitStatus>>;

export interface FakeCall {
  op: string;
  args: unknown[];
}

const encoder = new TextEncoder();

export class FakeRuntime implements Runtime {
  readonly calls: FakeCall[] = [];
  readonly containers = new Map<string, { spec: ContainerSpec; started: boolean; paused: boolean; init: FakeProcess }>();
  readonly files = new Map<string, string>();
  private nextPid = 100;

  constructor(private readonly program: FakeProgram = async () => 0) {}

  async create(spec: ContainerSpec, io: ProcessIO): Promise<RuntimeProcess> {
    this.calls.push({ op: 'create', args: [spec] });
    if (this.containers.has(spec.id)) throw new RuntimeError(`mkdir ${spec.cgroup.path}: File exists`, 'EEXIST', 17, 'mkdir', spec.cgroup.path);
    const init = new FakeProcess(this.nextPid++, spec.process, io, this.program);
    this.containers.set(spec.id, { spec, started: false, paused: false, init });
    return init;
  }

  async start(containerId: string): Promise<void> {
    this.calls.push({ op: 'start', args: [containerId] });
    const container = this.mustGet(containerId);
    container.started = true;
    container.init.run();
  }

  async exec(containerId: string, process: ProcessSpec, io: ProcessIO): Promise<RuntimeProcess> {
    this.calls.push({ op: 'exec', args: [containerId, process] });
    this.mustGet(containerId);
    const exec = new FakeProcess(this.nextPid++, process, io, this.program);
    exec.run();
    return exec;
  }

  async pause(cgroupPath: string): Promise<void> {
    this.calls.push({ op: 'pause', args: [cgroupPath] });
  }

  async resume(cgroupPath: string): Promise<void> {
    this.calls.push({ op: 'resume', args: [cgroupPath] });
  }

  async killAll(cgroupPath: string, signal: number): Promise<void> {
    this.calls.push({ op: 'killAll', args: [cgroupPath, signal] });
    for (const container of this.containers.values()) {
      if (container.spec.cgroup.path === cgroupPath) container.init.deliver(signal);
    }
  }

  async delete(containerId: string): Promise<void> {
    this.calls.push({ op: 'delete', args: [containerId] });
    const container = this.containers.get(containerId);
    // a process deleted before it started never runs: its wait() ends instead of hanging
    if (container && !container.started) container.init.discard();
    this.containers.delete(containerId);
  }

  async readFiles(paths: string[]): Promise<Record<string, string | null>> {
    this.calls.push({ op: 'readFiles', args: [paths] });
    return Object.fromEntries(paths.map((path) => [path, this.files.get(path) ?? null]));
  }

  /** What runHostTool answers (a fake `ps`, say); by default the tool is not found. */
  hostTool: (args: string[]) => { exitCode: number; stdout: string; stderr: string } = (args) => ({ exitCode: 127, stdout: '', stderr: `${args[0]}: not found\n` });

  async runHostTool(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    this.calls.push({ op: 'runHostTool', args: [args] });
    return this.hostTool(args);
  }

  async writeFile(path: string, content: string): Promise<void> {
    this.calls.push({ op: 'writeFile', args: [path, content] });
    this.files.set(path, content);
  }

  readonly staged = new Map<string, Uint8Array>();

  stagedPath(name: string): string {
    return `/run/dockside/host/${name}`;
  }

  async stageFile(name: string, data: Uint8Array): Promise<string> {
    this.calls.push({ op: 'stageFile', args: [name, data.length] });
    this.staged.set(name, data.slice());
    return this.stagedPath(name);
  }

  async readStagedFile(name: string): Promise<Uint8Array> {
    const data = this.staged.get(name);
    if (!data) throw new RuntimeError(`no staged file ${name}`, 'ENOENT', 2, 'open', name);
    return data;
  }

  async removeStagedFile(name: string): Promise<void> {
    this.staged.delete(name);
  }

  readonly removedPaths: string[] = [];

  async removePath(path: string): Promise<void> {
    this.calls.push({ op: 'removePath', args: [path] });
    this.removedPaths.push(path);
  }

  async unpack(tarPath: string, dir: string, gzip: boolean): Promise<void> {
    this.calls.push({ op: 'unpack', args: [tarPath, dir, gzip] });
  }

  readonly installedLayers = new Map<string, number>();
  /** What directorySize answers, by path (0 for others). */
  readonly directorySizes = new Map<string, number>();

  /** What hostDevices answers, by host path (others do not exist). */
  readonly hostDeviceNodes = new Map<string, DeviceNode[]>();

  async hostDevices(path: string): Promise<DeviceNode[]> {
    const nodes = this.hostDeviceNodes.get(path);
    // A directory that was not registered itself holds every registered node below it (like find).
    if (!nodes && path === '/dev') return [...this.hostDeviceNodes.values()].flat().filter((node) => node.path.startsWith('/dev/'));
    if (!nodes) throw new Error('no such file or directory');
    return nodes;
  }

  async directorySize(path: string): Promise<number> {
    this.calls.push({ op: 'directorySize', args: [path] });
    return this.directorySizes.get(path) ?? 0;
  }

  async installLayer(dir: string, tar: Uint8Array): Promise<void> {
    this.calls.push({ op: 'installLayer', args: [dir, tar.length, tar[0] === 0x1f && tar[1] === 0x8b] });
    this.installedLayers.set(dir, tar.length);
  }

  async removeLayer(dir: string): Promise<void> {
    this.calls.push({ op: 'removeLayer', args: [dir] });
    this.installedLayers.delete(dir);
  }

  async pack(dir: string, tarPath: string, paths: string[], whiteouts: boolean): Promise<void> {
    this.calls.push({ op: 'pack', args: [dir, tarPath, paths, whiteouts] });
  }

  async changes(upper: string, lower: string[]): Promise<Change[]> {
    this.calls.push({ op: 'changes', args: [upper, lower] });
    return [];
  }

  /** The scripts hostShell ran, with their args. */
  readonly shellScripts: { script: string; args: string[] }[] = [];
  /** What hostShell answers (every script succeeds silently unless the test says otherwise). */
  shellAnswer: (script: string, args: string[]) => ShellResult = () => ({ exitCode: 0, stdout: '', stderr: '' });

  async hostShell(script: string, args: string[] = []): Promise<ShellResult> {
    this.calls.push({ op: 'hostShell', args: [script, args] });
    this.shellScripts.push({ script, args });
    return this.shellAnswer(script, args);
  }

  private mustGet(containerId: string) {
    const container = this.containers.get(containerId);
    if (!container) throw new RuntimeError(`no such container ${containerId}`, 'ENOENT', 2, 'start', containerId);
    return container;
  }
}

class FakeProcess implements RuntimeProcess {
  private stdinChunks: Uint8Array[] = [];
  private stdinClosed = false;
  private stdinWaiter: (() => void) | undefined;
  private readonly pendingSignals: number[] = [];
  private signalWaiter: (() => void) | undefined;
  private exitPromise: Promise<ExitStatus> | undefined;
  private resolveStarted!: () => void;
  private readonly started = new Promise<void>((resolve) => (this.resolveStarted = resolve));
  readonly sizes: [number, number][] = [];

  constructor(
    readonly pid: number,
    private readonly spec: ProcessSpec,
    private readonly io: ProcessIO,
    private readonly program: FakeProgram,
  ) {}

  run(): void {
    this.resolveStarted();
  }

  /** Deleted before start: wait() fails at once (the agent forgets a process that never ran). */
  discard(): void {
    this.exitPromise ??= Promise.reject(new Error('the process was deleted before it started'));
    this.exitPromise.catch(() => undefined);
  }

  deliver(signal: number): void {
    this.pendingSignals.push(signal);
    this.signalWaiter?.();
  }

  async writeStdin(data: Uint8Array): Promise<void> {
    if (!this.io.stdin) throw new Error('the process was started without stdin');
    this.stdinChunks.push(data.slice());
    this.stdinWaiter?.();
  }

  async closeStdin(): Promise<void> {
    this.stdinClosed = true;
    this.stdinWaiter?.();
  }

  async resize(rows: number, cols: number): Promise<void> {
    this.sizes.push([rows, cols]);
  }

  async signal(signal: number): Promise<void> {
    this.deliver(signal);
  }

  wait(): Promise<ExitStatus> {
    this.exitPromise ??= this.started.then(async () => {
      const result = await this.program({
        spec: this.spec,
        stdout: async (text) => void (await this.io.stdout?.(encoder.encode(text))),
        stderr: async (text) => void (await (this.spec.terminal ? this.io.stdout : this.io.stderr)?.(encoder.encode(text))),
        stdin: () => this.readAllStdin(),
        signals: this.signalStream(),
      });
      return typeof result === 'number' ? { exitCode: result, signal: 0, oomKilled: false } : { exitCode: 0, signal: 0, oomKilled: false, ...result };
    });
    return this.exitPromise;
  }

  private async readAllStdin(): Promise<Uint8Array> {
    while (!this.stdinClosed) await new Promise<void>((resolve) => (this.stdinWaiter = resolve));
    const total = this.stdinChunks.reduce((n, c) => n + c.length, 0);
    const out = new Uint8Array(total);
    let at = 0;
    for (const chunk of this.stdinChunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  private async *signalStream(): AsyncIterable<number> {
    for (;;) {
      const next = this.pendingSignals.shift();
      if (next !== undefined) yield next;
      else await new Promise<void>((resolve) => (this.signalWaiter = resolve));
    }
  }
}

/** A FakeRuntime whose pack writes a layer with one file, `ran` ("yes"), as if a RUN had created it. */
export class RunLayerRuntime extends FakeRuntime {
  override async pack(dir: string, tarPath: string, paths: string[], whiteouts: boolean): Promise<void> {
    await super.pack(dir, tarPath, paths, whiteouts);
    const tar = new TarWriter();
    tar.file('ran', 'yes\n');
    await this.stageFile(tarPath.slice(tarPath.lastIndexOf('/') + 1), tar.finish());
  }
}
