// Files of the guest for the docker CLI that runs on the guest's behalf: `docker load -i x.tar` reads
// the guest's x.tar, `docker save -o x.tar` writes one there. Bytes travel through the 9p share (the
// runtime's staging area): a guest `cp` between the path and a staged file, so a tar of many megabytes
// never crosses the agent's console channel.

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
  EIO: 'input/output error',
};

// The guest-side steps: check the path as Go's os.Open would see it, then copy. The first line of
// stdout is an errno name when something is wrong.
const READ_SCRIPT = '[ -e "$1" ] || { echo ENOENT; exit 1; }; [ -d "$1" ] && { echo EISDIR; exit 1; }; [ -r "$1" ] || { echo EACCES; exit 1; }; cp -- "$1" "$2" || { echo EIO; exit 1; }';
const WRITE_SCRIPT = 'd=$(dirname -- "$1"); [ -d "$d" ] || { echo ENOENT; exit 1; }; [ -d "$1" ] && { echo EISDIR; exit 1; }; cat -- "$2" > "$1" || { echo EACCES; exit 1; }; rm -f -- "$2"';

let nextStage = 1;

export class GuestClientFiles implements ClientFiles {
  constructor(private readonly runtime: GuestRuntime) {}

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
