// Files of the guest for the docker CLI that runs on the guest's behalf: `docker load -i x.tar` reads
// the guest's x.tar, `docker save -o x.tar` writes one there. Bytes travel through the 9p share (the
// runtime's staging area): a guest `cp` between the path and a staged file, so a tar of many megabytes
// never crosses the agent's console channel.

import { readTarEntries } from '../go/tar';
import type { LocalArchives, LocalStat } from '../cli/env';
import type { ProcessSpec } from '../engine/runtime/types';
import type { GuestRuntime } from '../vm/runtime';
import type { ClientFiles } from './docker-sessions';

const PATH_ENV = 'PATH=/usr/sbin:/usr/bin:/sbin:/bin';
const decoder = new TextDecoder();

/** Go's os errors as docker prints them: "open x.tar: no such file or directory". */
export class ClientFileError extends Error {
  constructor(
    readonly code: string,
    readonly path: string,
    message: string,
  ) {
    super(message);
    this.name = 'ClientFileError';
  }
}

const ERRORS: Record<string, string> = {
  ENOENT: 'no such file or directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  ENOTDIR: 'not a directory',
  EINVAL: 'invalid argument',
  EIO: 'input/output error',
};

// The guest-side steps: check the path as Go's os.Open would see it, then copy. The first line of
// stdout is an errno name when something is wrong.
const READ_SCRIPT = '[ -e "$1" ] || { echo ENOENT; exit 1; }; [ -d "$1" ] && { echo EISDIR; exit 1; }; [ -r "$1" ] || { echo EACCES; exit 1; }; cp -- "$1" "$2" || { echo EIO; exit 1; }';
const WRITE_SCRIPT = 'd=$(dirname -- "$1"); [ -d "$d" ] || { echo ENOENT; exit 1; }; [ -d "$1" ] && { echo EISDIR; exit 1; }; cat -- "$2" > "$1" || { echo EACCES; exit 1; }; rm -f -- "$2"';

// docker cp's side (go-archive on the client): lstat as one letter, readlink, busybox tar to pack and to
// unpack without restoring owners (-o: Untar with NoLchown). Before unpacking, each entry's path is
// checked as Untar with NoOverwriteDirNonDir would: "$3" lists "d NAME" or "f NAME" lines.
const LSTAT_SCRIPT = 'if [ -L "$1" ]; then echo l; elif [ -d "$1" ]; then echo d; elif [ -f "$1" ]; then echo f; elif [ -b "$1" ] || [ -c "$1" ]; then echo c; elif [ -e "$1" ]; then echo o; else echo n; fi';
const READLINK_SCRIPT = '[ -L "$1" ] || { if [ -e "$1" ]; then echo EINVAL; else echo ENOENT; fi; exit 1; }; readlink "$1"';
const PACK_SCRIPT = 'cd "$1" 2>/dev/null || { if [ -e "$1" ]; then echo ENOTDIR; else echo ENOENT; fi; exit 1; }; [ -e "$3" ] || [ -L "$3" ] || { echo ENOENT; exit 1; }; tar -cf "$2" -- "$3" || { echo TAR; exit 1; }';
const UNPACK_SCRIPT = `[ -d "$1" ] || { if [ -e "$1" ]; then echo ENOTDIR; else echo ENOENT; fi; exit 1; }
while IFS= read -r line; do
  t=\${line%% *}; p="$1/\${line#* }"
  if [ -d "$p" ] && [ ! -L "$p" ]; then [ "$t" = d ] || { echo "DIR $p"; exit 1; }
  elif [ -e "$p" ] || [ -L "$p" ]; then [ "$t" = d ] && { echo "NONDIR $p"; exit 1; }
  fi
done < "$3"
tar -x -o -f "$2" -C "$1" || { echo TAR; exit 1; }`;

let nextStage = 1;

/** Go's filepath.Clean for a tar entry's name (relative). */
function cleanEntryName(name: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length > 0 && parts[parts.length - 1] !== '..') parts.pop();
    else parts.push(part);
  }
  return parts.join('/') || '.';
}

/** docker cp's view of the guest's files, through small shell scripts and the 9p staging area. */
export class GuestArchives implements LocalArchives {
  constructor(private readonly runtime: GuestRuntime) {}

  async lstat(path: string): Promise<LocalStat | undefined> {
    const { stdout } = await runScript(this.runtime, LSTAT_SCRIPT, [path]);
    const kind = stdout.trim();
    if (kind === 'n' || kind === '') return undefined;
    return { isDir: kind === 'd', isSymlink: kind === 'l', isRegular: kind === 'f', isDevice: kind === 'c' };
  }

  async readlink(path: string): Promise<string> {
    const { status, stdout } = await runScript(this.runtime, READLINK_SCRIPT, [path]);
    if (status !== 0) throw goFileError(stdout, 'readlink', path);
    return stdout.replace(/\n$/, '');
  }

  async pack(dir: string, base: string): Promise<Uint8Array> {
    const name = `client-pack-${Date.now().toString(36)}-${nextStage++}`;
    const path = base === '.' ? dir : `${dir.replace(/\/+$/, '')}/${base}`;
    try {
      const { status, stdout, stderr } = await runScript(this.runtime, PACK_SCRIPT, [dir, this.runtime.stagedPath(name), base]);
      if (status !== 0) throw stdout.startsWith('TAR') ? new Error(tarMessage(stderr)) : goFileError(stdout, 'lstat', path);
      return await this.runtime.readStagedFile(name);
    } finally {
      await this.runtime.removeStagedFile(name).catch(() => undefined);
    }
  }

  async unpack(dir: string, tar: Uint8Array): Promise<void> {
    const stamp = `${Date.now().toString(36)}-${nextStage++}`;
    const tarName = `client-unpack-${stamp}.tar`;
    const listName = `client-unpack-${stamp}.list`;
    const dest = cleanEntryName(dir) === '.' ? '/' : `/${cleanEntryName(dir)}`;
    const list = (await readTarEntries(tar))
      .map((entry) => [entry.type === '5' ? 'd' : 'f', cleanEntryName(entry.name)] as const)
      .filter(([, name]) => name !== '.' && !name.includes('\n'))
      .map(([type, name]) => `${type} ${name}\n`)
      .join('');
    const staged = await this.runtime.stageFile(tarName, tar);
    const stagedList = await this.runtime.stageFile(listName, encoder.encode(list));
    try {
      const { status, stdout, stderr } = await runScript(this.runtime, UNPACK_SCRIPT, [dest, staged, stagedList]);
      if (status === 0) return;
      const [code, ...rest] = stdout.trim().split(' ');
      const path = rest.join(' ').replace(/^\/\//, '/');
      if (code === 'DIR') throw new Error(`cannot overwrite directory ${JSON.stringify(path)} with non-directory ${JSON.stringify(dest)}`);
      if (code === 'NONDIR') throw new Error(`cannot overwrite non-directory ${JSON.stringify(path)} with directory ${JSON.stringify(dest)}`);
      if (code === 'TAR') throw new Error(tarMessage(stderr));
      throw goFileError(stdout, 'stat', dest);
    } finally {
      await this.runtime.removeStagedFile(tarName).catch(() => undefined);
      await this.runtime.removeStagedFile(listName).catch(() => undefined);
    }
  }
}

const encoder = new TextEncoder();

function goFileError(stdout: string, op: string, path: string): ClientFileError {
  const code = stdout.trim().split('\n')[0] || 'EIO';
  return new ClientFileError(code, path, `${op} ${path}: ${ERRORS[code] ?? ERRORS.EIO}`);
}

/** busybox tar's complaint without its "tar: " prefix. */
function tarMessage(stderr: string): string {
  return stderr.trim().split('\n').pop()?.replace(/^tar: /, '') || ERRORS.EIO;
}

async function runScript(runtime: GuestRuntime, script: string, args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const spec: ProcessSpec = {
    args: ['/bin/sh', '-c', script, 'sh', ...args],
    env: [PATH_ENV],
    cwd: '/',
    user: { uid: 0, gid: 0, groups: [] },
    terminal: false,
  };
  const out: Uint8Array[] = [];
  const err: Uint8Array[] = [];
  const process = await runtime.spawn(spec, { stdin: false, stdout: (chunk) => void out.push(chunk.slice()), stderr: (chunk) => void err.push(chunk.slice()) });
  const status = await process.wait();
  const text = (chunks: Uint8Array[]) => {
    const utf8 = new TextDecoder();
    return chunks.map((chunk) => utf8.decode(chunk, { stream: true })).join('') + utf8.decode();
  };
  return { status: status.exitCode ?? 1, stdout: text(out), stderr: text(err) };
}

export class GuestClientFiles implements ClientFiles {
  readonly archives: GuestArchives;

  constructor(private readonly runtime: GuestRuntime) {
    this.archives = new GuestArchives(runtime);
  }

  async read(path: string): Promise<Uint8Array> {
    const name = `client-read-${Date.now().toString(36)}-${nextStage++}`;
    try {
      await this.sh(READ_SCRIPT, path, this.runtime.stagedPath(name), 'open');
      return await this.runtime.readStagedFile(name);
    } finally {
      await this.runtime.removeStagedFile(name).catch(() => undefined);
    }
  }

  async write(path: string, data: Uint8Array): Promise<void> {
    const name = `client-write-${Date.now().toString(36)}-${nextStage++}`;
    const staged = await this.runtime.stageFile(name, data);
    try {
      await this.sh(WRITE_SCRIPT, path, staged, 'open');
    } finally {
      await this.runtime.removeStagedFile(name).catch(() => undefined);
    }
  }

  async mkdirAll(path: string, mode: number): Promise<void> {
    await this.sh(`mkdir -p -m ${mode.toString(8)} "$1" 2>/dev/null || { echo EIO; exit 1; }`, path, '', 'mkdir');
  }

  private async sh(script: string, path: string, staged: string, op: string): Promise<void> {
    const spec: ProcessSpec = {
      args: ['/bin/sh', '-c', script, 'sh', path, staged],
      env: [PATH_ENV],
      cwd: '/',
      user: { uid: 0, gid: 0, groups: [] },
      terminal: false,
    };
    const out: Uint8Array[] = [];
    const process = await this.runtime.spawn(spec, { stdin: false, stdout: (chunk) => void out.push(chunk.slice()), stderr: () => undefined });
    const status = await process.wait();
    if (status.exitCode === 0) return;
    const code = out.map((chunk) => decoder.decode(chunk)).join('').trim().split('\n')[0] || 'EIO';
    throw new ClientFileError(code, path, `${op} ${path}: ${ERRORS[code] ?? ERRORS.EIO}`);
  }
}
