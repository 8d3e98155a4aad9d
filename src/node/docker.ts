// `dockside docker ARGS...`: Dockside's docker CLI in this Node process, talking to the daemon at
// DOCKER_HOST (default unix:///var/run/docker.sock) like docker does — e.g. `dockside serve` elsewhere.

import { chmod, link, lstat, lutimes, mkdir, readdir, readFile, readlink, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { readTarEntries, writeTarEntries, type TarEntryInput } from '../go/tar';
import { runDocker } from '../cli/docker';
import type { DockerEnv, LocalArchives } from '../cli/env';
import { engineClientForDockerHost } from './net-connection';

async function* stdinChunks(): AsyncIterable<Uint8Array> {
  for await (const chunk of process.stdin) yield chunk as Uint8Array;
}

export async function runDockerCommand(argv: string[]): Promise<number> {
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined) environment[key] = value;
  const stdout = process.stdout;
  const env: DockerEnv = {
    client: engineClientForDockerHost(environment.DOCKER_HOST || 'unix:///var/run/docker.sock'),
    stdout: (text) => void stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    columns: stdout.isTTY ? stdout.columns : undefined,
    writeStdout: (bytes) => new Promise<void>((resolve, reject) => stdout.write(bytes, (error) => (error ? reject(error) : resolve()))),
    stdin: stdinChunks(),
    stdinIsTerminal: Boolean(process.stdin.isTTY),
    stdoutIsTerminal: Boolean(stdout.isTTY),
    rows: stdout.isTTY ? stdout.rows : 24,
    setRawMode: (raw) => {
      if (process.stdin.isTTY) process.stdin.setRawMode(raw);
    },
    onResize: (listener) => {
      const handler = () => listener(stdout.rows, stdout.columns);
      stdout.on('resize', handler);
      return () => stdout.off('resize', handler);
    },
    onSignal: (listener) => {
      const handlers = (['SIGINT', 'SIGTERM', 'SIGHUP'] as const).map((signal) => {
        const handler = () => listener(signal);
        process.on(signal, handler);
        return () => process.off(signal, handler);
      });
      return () => handlers.forEach((off) => off());
    },
    environment,
    readFile: async (path) => new Uint8Array(await readFile(path)),
    writeFile: (path, data) => writeFile(path, data),
    mkdirAll: async (path, mode) => void (await mkdir(path, { recursive: true, mode })),
    now: () => new Date(),
    cwd: process.cwd(),
    archives: nodeArchives(),
  };
  return runDocker(argv, env);
}

const errorCode = (error: unknown): string | undefined => (error as NodeJS.ErrnoException).code;

/** Go's os errors: "lstat /x: no such file or directory" rather than Node's "ENOENT: ...". */
function goError(error: unknown, op: string, path: string): Error {
  const texts: Record<string, string> = {
    ENOENT: 'no such file or directory',
    ENOTDIR: 'not a directory',
    EISDIR: 'is a directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EEXIST: 'file exists',
    ENOTEMPTY: 'directory not empty',
  };
  const code = errorCode(error);
  return new Error(code && texts[code] ? `${op} ${path}: ${texts[code]}` : (error as Error).message);
}

async function lstatOrUndefined(path: string) {
  try {
    return await lstat(path);
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return undefined;
    throw goError(error, 'lstat', path);
  }
}

/**
 * The local filesystem for docker cp, as go-archive treats it: TarWithOptions' walk (lexical order,
 * hard links once, links as links, sockets and devices left out) and Untar with NoLchown and
 * NoOverwriteDirNonDir (archive.CopyTo's options).
 */
export function nodeArchives(): LocalArchives {
  return {
    async lstat(path) {
      const stat = await lstatOrUndefined(path);
      if (!stat) return undefined;
      return { isDir: stat.isDirectory(), isSymlink: stat.isSymbolicLink(), isRegular: stat.isFile(), isDevice: stat.isBlockDevice() || stat.isCharacterDevice() };
    },

    async readlink(path) {
      try {
        return await readlink(path);
      } catch (error) {
        throw goError(error, 'readlink', path);
      }
    },

    async pack(dir, base) {
      const entries: TarEntryInput[] = [];
      const seen = new Map<string, string>();
      const add = async (path: string, name: string): Promise<void> => {
        const stat = await lstat(path, { bigint: true }).catch((error: unknown) => {
          throw goError(error, 'lstat', path);
        });
        const header = {
          name,
          mode: Number(stat.mode & 0o7777n),
          uid: Number(stat.uid),
          gid: Number(stat.gid),
          mtime: Number(stat.mtimeMs / 1000n),
        };
        if (stat.isDirectory()) {
          entries.push({ ...header, name: `${name}/`, type: '5' });
          for (const child of (await readdir(path)).sort()) await add(join(path, child), `${name}/${child}`);
        } else if (stat.isSymbolicLink()) {
          entries.push({ ...header, type: '2', linkName: await readlink(path) });
        } else if (stat.isFile()) {
          const inode = `${stat.dev}:${stat.ino}`;
          const first = stat.nlink > 1n ? seen.get(inode) : undefined;
          if (first !== undefined) {
            entries.push({ ...header, type: '1', linkName: first });
            return;
          }
          if (stat.nlink > 1n) seen.set(inode, name);
          const data = new Uint8Array(await readFile(path));
          entries.push({ ...header, type: '0', data });
        } else if (stat.isFIFO()) {
          entries.push({ ...header, type: '6' });
        }
      };
      await add(join(dir, base), base);
      return writeTarEntries(entries);
    },

    async unpack(dest, tar) {
      dest = join(dest, '.').replace(/\/$/, '') || '/';
      const dirs: { path: string; mtime: Date }[] = [];
      for (const entry of await readTarEntries(tar)) {
        const name = join(entry.name, '.').replace(/\/$/, '') || '.';
        // Parent directories the archive implies.
        const parent = join(dest, dirname(name));
        if (!(await lstatOrUndefined(parent))) await mkdir(parent, { recursive: true, mode: 0o755 });
        const path = join(dest, name);
        const rel = relative(dest, path);
        if (rel === '..' || rel.startsWith('../')) throw new Error(`${JSON.stringify(name)} is outside of ${JSON.stringify(dest)}`);
        const isDir = entry.type === '5';
        const existing = await lstatOrUndefined(path);
        if (existing) {
          if (existing.isDirectory() && !isDir) throw new Error(`cannot overwrite directory ${JSON.stringify(path)} with non-directory ${JSON.stringify(dest)}`);
          if (!existing.isDirectory() && isDir) throw new Error(`cannot overwrite non-directory ${JSON.stringify(path)} with directory ${JSON.stringify(dest)}`);
          if (existing.isDirectory() && name === '.') continue;
          if (!existing.isDirectory() || !isDir) await rm(path, { recursive: true, force: true });
        }
        const mode = entry.mode & 0o7777;
        const mtime = new Date(entry.mtime * 1000);
        const kind = entry.type === '7' ? '0' : entry.type;
        try {
          switch (kind) {
            case '5':
              if (!existing) await mkdir(path, { mode });
              break;
            case '0':
              await writeFile(path, entry.data, { mode });
              break;
            case '1': {
              const target = join(dest, entry.linkName);
              if (!target.startsWith(dest)) throw new Error(`invalid hardlink ${JSON.stringify(target)} -> ${JSON.stringify(entry.linkName)}`);
              await link(target, path);
              break;
            }
            case '2': {
              const target = join(dirname(path), entry.linkName);
              if (!target.startsWith(dest)) throw new Error(`invalid symlink ${JSON.stringify(path)} -> ${JSON.stringify(entry.linkName)}`);
              await symlink(entry.linkName, path);
              await lutimes(path, mtime, mtime);
              continue;
            }
            default:
              // Devices and fifos need mknod, which Node does not have.
              continue;
          }
          await chmod(path, mode);
          if (kind !== '1') await utimes(path, mtime, mtime);
        } catch (error) {
          if (error instanceof Error && !errorCode(error)) throw error;
          throw goError(error, kind === '5' ? 'mkdir' : kind === '2' ? 'symlink' : kind === '1' ? 'link' : 'open', path);
        }
        if (isDir) dirs.push({ path, mtime });
      }
      // Directory times last: creating their entries changed them.
      for (const { path, mtime } of dirs) await utimes(path, mtime, mtime);
    },
  };
}
