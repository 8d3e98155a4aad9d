// The engine's Runtime over the guest agent: translates specs into protocol requests, gives every
// process its own streams, and never lets the engine see frames.

import type {
  Change,
  ContainerSpec,
  DeviceNode,
  ExitStatus,
  ProcessIO,
  ProcessRef,
  ProcessSpec,
  Runtime,
  RuntimeProcess,
  ShellResult,
} from '../engine/runtime/types';
import { gunzip, isGzip } from '../go/gzip';
import type { AgentClient, InputStream, OutputStream } from './agent/client';
import { unpackLayerTree, UnsupportedLayer } from './layer-tree';
import type { ShareTree } from './share-tree';
import { concatBytes } from '../go/bytes';

type Json = Record<string, unknown>;

/** Unpacking a large layer from 9p takes a while in an emulated machine. */
const FILE_OP_TIMEOUT_MS = 10 * 60_000;

/** The host side of the guest's 9p share (mounted at /run/dockside/host in the guest). */
export interface SharedFiles {
  write(path: string, data: Uint8Array): Promise<void>;
  read(path: string): Promise<Uint8Array>;
  /** Direct access to the share's tree, where the emulator offers it (layers are unpacked there). */
  tree?: ShareTree;
}

export interface GuestRuntimeOptions {
  /**
   * Unpack image layers into the 9p share (JavaScript builds the tree; overlayfs reads it over 9p)
   * instead of the guest's tar -x into tmpfs; on unless false. It needs the guest kernel's 9p patch
   * (vm-images/kernel/patches/0001-*): without it, a container that a memory cgroup OOM-kills while it
   * pages its own binary in from 9p could oops the 6.1 kernel (2 of 26 `-m 16m` kills under CPU
   * contention; v86 wrote a late Tread reply into pages the killed task had already released).
   */
  layersInShare?: boolean;
  /** The first number of process names (host.N, ID.execN): a resumed machine's agent may still know lower ones. */
  firstProcess?: number;
}

const SHARE_IN_GUEST = '/run/dockside/host';
/** Where installed layers live in the share: /run/dockside/host/layers/<id> in the guest. */
const LAYERS_IN_SHARE = '/layers';

export class GuestRuntime implements Runtime {
  private nextProcess = 1;

  constructor(
    private readonly agent: AgentClient,
    private readonly share: SharedFiles,
    private readonly options: GuestRuntimeOptions = {},
  ) {
    this.nextProcess = options.firstProcess ?? 1;
  }

  /** The number the next process name takes (saved with the machine, see firstProcess). */
  get processCursor(): number {
    return this.nextProcess;
  }

  stagedPath(name: string): string {
    return `${SHARE_IN_GUEST}/${checkStageName(name)}`;
  }

  async stageFile(name: string, data: Uint8Array): Promise<string> {
    await this.share.write(`/${checkStageName(name)}`, data);
    return this.stagedPath(name);
  }

  readStagedFile(name: string): Promise<Uint8Array> {
    return this.share.read(`/${checkStageName(name)}`);
  }

  async removeStagedFile(name: string): Promise<void> {
    await this.runQuietly(['rm', '-f', this.stagedPath(name)]);
  }

  async removePath(path: string): Promise<void> {
    if (!path.startsWith('/') || path.split('/').includes('..') || path === '/') throw new Error(`refusing to remove ${path}`);
    const status = await this.runQuietly(['rm', '-rf', path]);
    if (status !== 0) throw new Error(`rm -rf ${path} exited with ${status}`);
  }

  async runHostTool(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }> {
    const decoder = new TextDecoder();
    let stdout = '';
    let stderr = '';
    const p = await this.spawn(
      { args, env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false },
      { stdin: false, stdout: (chunk) => void (stdout += decoder.decode(chunk, { stream: true })), stderr: (chunk) => void (stderr += decoder.decode(chunk, { stream: true })) },
    );
    const { exitCode } = await p.wait();
    return { exitCode, stdout, stderr };
  }

  /** A guest tool for housekeeping (rm), in the guest's own namespaces; resolves with its status. */
  private async runQuietly(args: string[]): Promise<number> {
    const p = await this.spawn({ args, env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false }, { stdin: false });
    return (await p.wait()).exitCode;
  }

  async hello(): Promise<{ version: number; pid: number }> {
    const reply = await this.agent.request('hello', {}, { timeoutMs: 10_000 });
    return { version: Number(reply.version), pid: Number(reply.pid) };
  }

  async create(spec: ContainerSpec, io: ProcessIO): Promise<RuntimeProcess> {
    const { process, ...container } = spec;
    return this.launch(`${spec.id}.init`, process, io, (wire) => this.agent.request('create', { ...container, process: wire }));
  }

  adopt(ref: ProcessRef, io: Omit<ProcessIO, 'stdin'>): RuntimeProcess {
    const outputs: OutputStream[] = [];
    // A stream the agent still writes must be read, or the process blocks once its window is spent.
    if (ref.stdout) outputs.push(this.agent.adoptOutput(ref.stdout, io.stdout ?? (() => undefined)));
    if (ref.stderr) outputs.push(this.agent.adoptOutput(ref.stderr, io.stderr ?? (() => undefined)));
    const process = new AgentProcess(this.agent, ref.name, ref.pid, undefined, outputs, ref.stdout, ref.stderr);
    // The wait the old host asked for is still owed by the agent: take its reply back (a new wait would
    // add a waiter at every resume, and the agent keeps at most 8).
    if (ref.wait !== undefined) process.adoptWait(ref.wait);
    return process;
  }

  async start(containerId: string): Promise<void> {
    await this.agent.request('start', { id: containerId });
  }

  async exec(containerId: string, process: ProcessSpec, io: ProcessIO): Promise<RuntimeProcess> {
    const name = `${containerId}.exec${this.nextProcess++}`;
    return this.launch(name, process, io, (wire) => this.agent.request('exec', { container: containerId, process: wire }));
  }

  /** A process in the guest's own namespaces: the host shell's world (not a container). */
  async spawn(process: ProcessSpec, io: ProcessIO): Promise<RuntimeProcess> {
    const name = `host.${this.nextProcess++}`;
    return this.launch(name, process, io, (wire) => this.agent.request('spawn', { process: wire }));
  }

  async pause(cgroupPath: string): Promise<void> {
    await this.agent.request('freeze', { cgroup: cgroupPath, frozen: true });
  }

  async resume(cgroupPath: string): Promise<void> {
    await this.agent.request('freeze', { cgroup: cgroupPath, frozen: false });
  }

  async killAll(cgroupPath: string, signal: number): Promise<void> {
    await this.agent.request('killall', { cgroup: cgroupPath, signal });
  }

  async delete(containerId: string): Promise<void> {
    await this.agent.request('delete', { id: containerId }, { timeoutMs: 60_000 });
  }

  async readFiles(paths: string[]): Promise<Record<string, string | null>> {
    const reply = await this.agent.request('read', { paths });
    return reply.files as Record<string, string | null>;
  }

  async writeFile(path: string, content: string, mode = 0o644): Promise<void> {
    await this.agent.request('write', { path, content, mode });
  }

  async unpack(tarPath: string, dir: string, gzip: boolean): Promise<void> {
    await this.agent.request('unpack', { tar: tarPath, dir, gzip }, { timeoutMs: FILE_OP_TIMEOUT_MS });
  }

  /**
   * With layersInShare, layers are unpacked here, into the 9p share, and `dir` becomes a symlink to
   * the layer's tree there (overlayfs takes 9p lower directories; the upper stays on tmpfs). Measured
   * with bench/images.ts: debian (34 MB gzip, 92 MB unpacked) takes about 0.2 s this way against 6-8 s
   * for the guest's own tar -x, and its bytes stay out of guest RAM. Layers 9p cannot hold (opaque
   * directories need an xattr), and every layer without layersInShare, are unpacked by the guest.
   */
  async installLayer(dir: string, tar: Uint8Array): Promise<void> {
    const tree = this.options.layersInShare === false ? undefined : this.share.tree;
    if (tree) {
      const root = `${LAYERS_IN_SHARE}/${layerTreeName(dir)}`;
      try {
        await unpackLayerTree(tree, root, tar);
        const status = await this.runQuietly(['sh', '-c', 'mkdir -p "${1%/*}" && rm -rf "$1" && ln -s "$2" "$1"', 'sh', dir, `${SHARE_IN_GUEST}${root}`]);
        if (status !== 0) throw new Error(`linking ${dir} to its layer failed with status ${status}`);
        return;
      } catch (error) {
        tree.removePath(root);
        if (!(error instanceof UnsupportedLayer)) throw error;
      }
    }
    // The guest's own gunzip is slow (12-15 s for debian): stage the tar uncompressed.
    const name = `layer-${layerTreeName(dir)}.tar`;
    const path = await this.stageFile(name, isGzip(tar) ? await gunzip(tar) : tar);
    try {
      await this.unpack(path, dir, false);
    } finally {
      await this.removeStagedFile(name);
    }
  }

  async directorySize(path: string): Promise<number> {
    // busybox find and stat: one "inode size" line per entry that is not a directory.
    const out: Uint8Array[] = [];
    const p = await this.spawn(
      { args: ['sh', '-c', 'find "$1" ! -type d -exec stat -c "%i %s" {} +', 'sh', path], env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false },
      { stdin: false, stdout: (chunk) => void out.push(chunk.slice()), stderr: () => undefined },
    );
    const status = await p.wait();
    if (status.exitCode !== 0) throw new Error(`measuring ${path} failed with status ${status.exitCode}`);
    const sizes = new Map<string, number>();
    for (const line of new TextDecoder().decode(concatBytes(out)).split('\n')) {
      const [inode, size] = line.split(' ');
      if (inode && size) sizes.set(inode, Number(size));
    }
    let total = 0;
    for (const size of sizes.values()) total += size;
    return total;
  }

  async hostShell(script: string, args: string[] = []): Promise<ShellResult> {
    const out: Uint8Array[] = [];
    const err: Uint8Array[] = [];
    const p = await this.spawn(
      { args: ['sh', '-c', script, 'sh', ...args], env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false },
      { stdin: false, stdout: (chunk) => void out.push(chunk.slice()), stderr: (chunk) => void err.push(chunk.slice()) },
    );
    const status = await p.wait();
    const decoder = new TextDecoder();
    return { exitCode: status.exitCode, stdout: decoder.decode(concatBytes(out)), stderr: decoder.decode(concatBytes(err)) };
  }

  async hostDevices(path: string): Promise<DeviceNode[]> {
    // One "mode-hex major-hex minor-hex path" line per device node, or an error word.
    const script = [
      '[ -e "$1" ] || { echo ENOENT; exit 1; }',
      'if [ -d "$1" ]; then find "$1" \\( -type c -o -type b \\) -exec stat -c "%f %t %T %n" {} +',
      'elif [ -c "$1" ] || [ -b "$1" ]; then stat -c "%f %t %T %n" "$1"',
      'else echo ENODEV; exit 1; fi',
    ].join('\n');
    const out: Uint8Array[] = [];
    const p = await this.spawn(
      { args: ['sh', '-c', script, 'sh', path], env: ['PATH=/usr/sbin:/usr/bin:/sbin:/bin'], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false },
      { stdin: false, stdout: (chunk) => void out.push(chunk.slice()), stderr: () => undefined },
    );
    const status = await p.wait();
    const text = new TextDecoder().decode(concatBytes(out));
    if (status.exitCode !== 0) throw new Error(text.startsWith('ENODEV') ? 'not a device node' : 'no such file or directory');
    const nodes: DeviceNode[] = [];
    for (const line of text.split('\n')) {
      const match = /^([0-9a-f]+) ([0-9a-f]+) ([0-9a-f]+) (.+)$/.exec(line);
      if (!match) continue;
      const mode = parseInt(match[1], 16);
      nodes.push({ path: match[4], type: (mode & 0o170000) === 0o060000 ? 'b' : 'c', major: parseInt(match[2], 16), minor: parseInt(match[3], 16), mode: mode & 0o7777 });
    }
    return nodes;
  }

  async removeLayer(dir: string): Promise<void> {
    this.share.tree?.removePath(`${LAYERS_IN_SHARE}/${layerTreeName(dir)}`);
    await this.removePath(dir);
  }

  async pack(dir: string, tarPath: string, paths: string[], whiteouts: boolean): Promise<void> {
    await this.agent.request('pack', { dir, tar: tarPath, paths, whiteouts }, { timeoutMs: FILE_OP_TIMEOUT_MS });
  }

  async changes(upper: string, lower: string[]): Promise<Change[]> {
    const reply = await this.agent.request('changes', { upper, lower }, { timeoutMs: FILE_OP_TIMEOUT_MS });
    return reply.changes as Change[];
  }

  private async launch(name: string, spec: ProcessSpec, io: ProcessIO, send: (wire: Json) => Promise<Json>): Promise<RuntimeProcess> {
    const stdinId = io.stdin ? this.agent.allocateStream() : 0;
    const stdoutId = io.stdout ? this.agent.allocateStream() : 0;
    const stderrId = io.stderr && !spec.terminal ? this.agent.allocateStream() : 0;
    // Output may arrive before the reply: open the streams first.
    const outputs: OutputStream[] = [];
    if (io.stdout) outputs.push(this.agent.openOutput(stdoutId, io.stdout));
    if (io.stderr && stderrId) outputs.push(this.agent.openOutput(stderrId, io.stderr));
    const input = io.stdin ? this.agent.openInput(stdinId) : undefined;
    const wire: Json = {
      id: name,
      args: spec.args,
      env: spec.env,
      cwd: spec.cwd,
      uid: spec.user.uid,
      gid: spec.user.gid,
      groups: spec.user.groups,
      terminal: spec.terminal,
      rows: spec.rows ?? 24,
      cols: spec.cols ?? 80,
      stdin: stdinId,
      stdout: stdoutId,
      stderr: stderrId,
      ...(spec.capabilities ? { capabilities: spec.capabilities } : {}),
      ...(spec.noNewPrivileges ? { noNewPrivileges: true } : {}),
      ...(spec.seccomp ? { seccomp: base64(spec.seccomp) } : {}),
    };
    let reply: Json;
    try {
      reply = await send(wire);
    } catch (error) {
      for (const id of [stdinId, stdoutId, stderrId]) if (id) this.agent.dropStream(id);
      throw error;
    }
    const pid = Number(reply.pid);
    return new AgentProcess(this.agent, name, pid, input, outputs, stdoutId, stderrId);
  }
}

class AgentProcess implements RuntimeProcess {
  private exit: Promise<ExitStatus> | undefined;

  constructor(
    private readonly agent: AgentClient,
    private readonly name: string,
    readonly pid: number,
    private readonly input: InputStream | undefined,
    private readonly outputs: OutputStream[],
    private readonly stdoutId: number,
    private readonly stderrId: number,
  ) {}

  private waitRequest: number | undefined;

  get ref(): ProcessRef {
    return { name: this.name, pid: this.pid, stdout: this.stdoutId, stderr: this.stderrId, ...(this.waitRequest !== undefined ? { wait: this.waitRequest } : {}) };
  }

  /** Takes back the reply to a wait a previous host asked for (see GuestRuntime.adopt). */
  adoptWait(request: number): void {
    this.waitRequest = request;
    this.exit = this.settle(this.agent.adoptRequest(request, 'wait'));
  }

  writeStdin(data: Uint8Array): Promise<void> {
    if (!this.input) return Promise.reject(new Error('the process was started without stdin'));
    return this.input.write(data);
  }

  closeStdin(): Promise<void> {
    return this.input ? this.input.close() : Promise.resolve();
  }

  async resize(rows: number, cols: number): Promise<void> {
    await this.agent.request('resize', { process: this.name, rows, cols });
  }

  async signal(signal: number): Promise<void> {
    await this.agent.request('signal', { process: this.name, signal });
  }

  wait(): Promise<ExitStatus> {
    if (!this.exit) {
      const { id, reply } = this.agent.requestWithId('wait', { process: this.name });
      this.waitRequest = id;
      this.exit = this.settle(reply);
    }
    return this.exit;
  }

  private async settle(waited: Promise<Record<string, unknown>>): Promise<ExitStatus> {
    const reply = await waited;
    // The agent closed the output streams before replying; let the sinks finish.
    await Promise.all(this.outputs.map((output) => output.ended));
    return { exitCode: Number(reply.exitCode), signal: Number(reply.signal), oomKilled: reply.oomKilled === true };
  }
}

/** The name of a layer's tree in the share: its overlay2 id (dir is /var/lib/docker/overlay2/<id>/diff). */
function layerTreeName(dir: string): string {
  const parts = dir.split('/').filter(Boolean);
  const name = parts.at(-1) === 'diff' && parts.length > 1 ? parts[parts.length - 2] : (parts.at(-1) ?? '');
  return checkStageName(name);
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function checkStageName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new Error(`invalid staged file name: ${name}`);
  return name;
}
