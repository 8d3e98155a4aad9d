// What a docker command sees of the world: text and byte output, stdin, the terminal, signals, the
// environment, the clock, and the engine client. The page, the guest's `docker` program and tests each
// provide one.

import type { CliStreams } from './flags';
import type { EngineClient } from './client';

export interface DockerEnv extends CliStreams {
  client: EngineClient;
  /** Bytes to stdout as they are (export, save, cp to -). */
  writeStdout(bytes: Uint8Array): Promise<void>;
  /** stdin as it arrives; undefined when there is none (docker run without -i reads nothing). */
  stdin: AsyncIterable<Uint8Array> | undefined;
  stdinIsTerminal: boolean;
  stdoutIsTerminal: boolean;
  rows: number;
  /** Puts the terminal in raw mode for -it sessions (and back). */
  setRawMode(raw: boolean): void;
  onResize(listener: (rows: number, cols: number) => void): () => void;
  /** Signals sent to the docker process itself (SIGINT from Ctrl-C outside raw mode, SIGTERM...). */
  onSignal(listener: (signal: string) => void): () => void;
  /** The docker process's environment (DOCKER_HOST, HOME, variables for -e NAME). */
  environment: Record<string, string>;
  /** Reads a file of the client's machine (--env-file, -i for load, cp sources); rejects if missing. */
  readFile(path: string): Promise<Uint8Array>;
  writeFile(path: string, data: Uint8Array): Promise<void>;
  /** mkdir -p with the mode for what it creates (docker's config directory: 0700); absent where the client cannot. */
  mkdirAll?(path: string, mode: number): Promise<void>;
  now(): Date;
  /** The client's working directory (relative local paths are resolved against it); '/' when absent. */
  cwd?: string;
  /** The client machine's files as docker cp uses them; absent where the client has no filesystem. */
  archives?: LocalArchives;
}

/** What lstat tells docker cp about a local path (Go's os.FileMode type bits). */
export interface LocalStat {
  isDir: boolean;
  isSymlink: boolean;
  isRegular: boolean;
  isDevice: boolean;
}

/** The client's filesystem for docker cp (go-archive's view of it). Paths are absolute. */
export interface LocalArchives {
  /** lstat; undefined when the path does not exist. */
  lstat(path: string): Promise<LocalStat | undefined>;
  /** A tar of `base` inside directory `dir` (base '.' = the directory's contents with its own entry), like go-archive TarWithOptions(dir, {IncludeFiles: [base]}). */
  pack(dir: string, base: string): Promise<Uint8Array>;
  /** Extracts a tar into an existing directory, without chown (Untar with NoLchown). */
  unpack(dir: string, tar: Uint8Array): Promise<void>;
  /**
   * os.Readlink, for following symlinks as docker does (a destination that is a link, links in the
   * source's parent directories, -L). Without it links are taken for what they point at being there.
   */
  readlink?(path: string): Promise<string>;
}
