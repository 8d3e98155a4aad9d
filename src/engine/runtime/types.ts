// The Runtime: what the engine asks of whatever runs containers (runc + containerd-shim in docker).
// Shaped after the OCI runtime spec. The engine decides everything (ids, paths, limits, addresses,
// mounts); a Runtime only executes. src/vm implements it over the guest agent; tests use a fake.

export interface User {
  uid: number;
  gid: number;
  /** Supplementary groups. */
  groups: number[];
}

export interface ProcessSpec {
  args: string[];
  /** KEY=VALUE pairs; PATH in here is used to find args[0] when it has no slash. */
  env: string[];
  cwd: string;
  user: User;
  /** A PTY as controlling terminal (docker -t); stdout then carries the terminal's output. */
  terminal: boolean;
  rows?: number;
  cols?: number;
  /** The capability bounding set (CAP_* names); undefined keeps every capability (host processes). */
  capabilities?: string[];
  /** PR_SET_NO_NEW_PRIVS before execve (docker's --security-opt no-new-privileges). */
  noNewPrivileges?: boolean;
  /**
   * A seccomp filter to install before execve: classic BPF, 8-byte struct sock_filter entries (u16 code,
   * u8 jt, u8 jf, u32 k, little endian). Undefined: none (--security-opt seccomp=unconfined, host
   * processes).
   */
  seccomp?: Uint8Array;
}

/** Receives a process's output. Returning a promise holds back further output until it settles. */
export type OutputSink = (chunk: Uint8Array) => void | Promise<void>;

export interface ProcessIO {
  /** Open a stdin stream (docker -i); without it the process reads /dev/null. */
  stdin: boolean;
  stdout?: OutputSink;
  /** Not used with a terminal (its output is all on stdout). */
  stderr?: OutputSink;
}

export interface ExitStatus {
  /** The exit status, or 128+signal when a signal killed the process (as docker reports it). */
  exitCode: number;
  /** The signal that killed it, or 0. */
  signal: number;
  /** The container's cgroup OOM-killed a process while this one ran. */
  oomKilled: boolean;
}

/**
 * What names a runtime's process across a resume of the whole machine (JSON, kept in the container's
 * record): a runtime that can adopt() takes the process back from it.
 */
export interface ProcessRef {
  /** The runtime's name for the process. */
  name: string;
  pid: number;
  /** The runtime's ids of its output streams (0: none). */
  stdout: number;
  stderr: number;
  /** The runtime's id of the wait already asked for the process, which a resumed runtime takes back. */
  wait?: number;
}

export interface RuntimeProcess {
  /** The process id in the guest's (host) pid namespace. */
  readonly pid: number;
  /** Set by runtimes that can adopt() the process after the machine is resumed. */
  readonly ref?: ProcessRef;
  /** Resolves when every byte is accepted by the process (backpressure). */
  writeStdin(data: Uint8Array): Promise<void>;
  closeStdin(): Promise<void>;
  resize(rows: number, cols: number): Promise<void>;
  signal(signal: number): Promise<void>;
  /** Resolves once the process exited and all its output was delivered to the sinks. */
  wait(): Promise<ExitStatus>;
}

export interface Mount {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

export interface DeviceNode {
  path: string;
  type: 'c' | 'b';
  major: number;
  minor: number;
  /** Permission bits, e.g. 0o666. */
  mode: number;
}

/** An exception to a devices cgroup's default; major or minor -1 means any. */
export interface DeviceAccessRule {
  type: 'b' | 'c';
  major: number;
  minor: number;
  /** Some of r (read), w (write), m (mknod). */
  access: string;
}

/** Which device nodes the processes of a cgroup may open or create. */
export interface DeviceFilter {
  /** What happens to an access no rule matches. */
  defaultAllow: boolean;
  /** Accesses that get the opposite of the default. */
  rules: DeviceAccessRule[];
}

export interface CgroupSpec {
  /** e.g. /sys/fs/cgroup/docker/<id> */
  path: string;
  /** cgroup v2 interface files to write before anything runs: memory.max, cpu.weight, pids.max, ... */
  settings: Record<string, string>;
  /** The devices cgroup (cgroup v2: an eBPF program attached to the cgroup); undefined: no filter. */
  devices?: DeviceFilter;
}

export interface NetworkAttachment {
  bridge: string;
  hostVeth: string;
  /** CIDR, e.g. 172.17.0.2/16 */
  address: string;
  gateway: string;
  mac: string;
  mtu: number;
}

export interface ContainerSpec {
  id: string;
  rootfs: {
    /** Unpacked layer directories, top-most first (overlayfs lowerdir order). */
    lower: string[];
    upper: string;
    work: string;
    merged: string;
  };
  readonly: boolean;
  hostname: string;
  namespaces: {
    /** true: a new namespace; false: the guest's own (docker --pid=host). */
    pid: boolean;
    /** true: new; false: the guest's (--ipc=host); or a namespace file to join (/proc/PID/ns/ipc). */
    ipc: boolean | string;
    /** true: new; false: the guest's (--uts=host, no hostname set). */
    uts: boolean;
    /** 'new', 'host', or a namespace file to join (/proc/PID/ns/net). */
    net: string;
    /** A private cgroup namespace rooted at the container's cgroup (docker's default on cgroup v2). */
    cgroup: boolean;
  };
  mounts: Mount[];
  devices: DeviceNode[];
  symlinks: { path: string; target: string }[];
  maskedPaths: string[];
  readonlyPaths: string[];
  cgroup: CgroupSpec;
  network?: NetworkAttachment;
  process: ProcessSpec;
}

export type ChangeKind = 0 | 1 | 2; // docker's container changes: modified, added, deleted

export interface Change {
  path: string;
  kind: ChangeKind;
}

export interface Runtime {
  /** Sets up the container; its process waits before execve until start(). */
  create(spec: ContainerSpec, io: ProcessIO): Promise<RuntimeProcess>;
  start(containerId: string): Promise<void>;
  /**
   * Takes back a process that is still running in a resumed machine (saved with it), its output to
   * the new sinks; stdin is not reattached. Runtimes that cannot resume a machine leave it out.
   */
  adopt?(ref: ProcessRef, io: Omit<ProcessIO, 'stdin'>): RuntimeProcess;
  exec(containerId: string, process: ProcessSpec, io: ProcessIO): Promise<RuntimeProcess>;
  pause(cgroupPath: string): Promise<void>;
  resume(cgroupPath: string): Promise<void>;
  /** A signal to every process of a cgroup (9 uses cgroup.kill). */
  killAll(cgroupPath: string, signal: number): Promise<void>;
  /** Unmounts, removes the cgroup and the veth; idempotent. */
  delete(containerId: string): Promise<void>;
  /** Small text files (cgroup statistics, /proc); null for a file that cannot be read. */
  readFiles(paths: string[]): Promise<Record<string, string | null>>;
  writeFile(path: string, content: string, mode?: number): Promise<void>;
  /** Runs a guest tool in the guest's own namespaces (`ps` for docker top with options) and collects its output. */
  runHostTool(args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  /**
   * Puts bytes where the guest can read them (the 9p share) and returns the guest path: image layers
   * for unpack, build contexts, tars to load.
   */
  stageFile(name: string, data: Uint8Array): Promise<string>;
  /** Reads a file the guest wrote into the share (a pack output). */
  readStagedFile(name: string): Promise<Uint8Array>;
  removeStagedFile(name: string): Promise<void>;
  /** Guest path of a staged file name (for pack outputs). */
  stagedPath(name: string): string;
  /** Removes a directory tree in the guest (a removed container's layer and files); idempotent. */
  removePath(path: string): Promise<void>;
  unpack(tarPath: string, dir: string, gzip: boolean): Promise<void>;
  /**
   * Makes an image layer (a tar, gzip or not) readable at `dir` in the guest, whiteouts converted for
   * overlayfs; from then on `dir` is an overlay lower directory and never changes.
   */
  installLayer(dir: string, tar: Uint8Array): Promise<void>;
  /** Removes what installLayer put at `dir`; idempotent. */
  removeLayer(dir: string): Promise<void>;
  /**
   * Bytes of the files under a directory as docker counts a layer's size: every entry but
   * directories (symlinks count their target's length), each hard-linked file once.
   */
  directorySize(path: string): Promise<number>;
  /**
   * The device nodes at a host path (docker's DevicesFromPath): the node itself, or every character and
   * block device under a directory. Rejects with Go's wording: "no such file or directory", "not a
   * device node".
   */
  hostDevices(path: string): Promise<DeviceNode[]>;
  pack(dir: string, tarPath: string, paths: string[], whiteouts: boolean): Promise<void>;
  changes(upper: string, lower: string[]): Promise<Change[]>;
  /**
   * A shell script run by the guest's sh as root in the guest's own namespaces (the Docker host's
   * network: ip, brctl, iptables, nsenter), with $1... from args; resolves with its status and its
   * stdout and stderr as text. The network driver makes bridges, veths and iptables rules with it.
   */
  hostShell(script: string, args?: string[]): Promise<ShellResult>;
}

export interface ShellResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/** A failure reported by the runtime: the errno and the step and path it concerned. */
export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly code: string,
    readonly errno: number,
    readonly op: string,
    readonly path: string,
  ) {
    super(message);
    this.name = 'RuntimeError';
  }
}
