// docker cp (src/cli/commands/container/cp.ts) against a fake Engine API client made of one function and
// an in-memory client filesystem: go-archive's PrepareArchiveCopy cases, rebasing, the error texts of
// docker v28.2.2, '-' both ways, -a, -L and the summary line.

import { readTarEntries, writeTarEntries, type TarEntryInput } from '../../src/go/tar';
import { describe, expect, it } from 'vitest';
import { clientResponse, type ClientRequestOptions, type EngineClient } from '../../src/cli/client';
import { prepareArchiveCopy, rebaseArchiveEntries, splitCpArg, splitPathDirEntry, type CopyInfo } from '../../src/cli/commands/container/cp';
import { cleanPath } from '../../src/go/path';
import { runDocker } from '../../src/cli/docker';
import type { DockerEnv, LocalArchives, LocalStat } from '../../src/cli/env';
import { captureEnv } from '../helpers/docker-env';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

type Node = { kind: 'dir'; mode: number } | { kind: 'file'; data: string; mode: number } | { kind: 'link'; target: string } | { kind: 'device' };

/** A filesystem in memory: the client's (as LocalArchives) and the fake container's. */
class MemoryFs implements LocalArchives {
  readonly nodes = new Map<string, Node>([['/', { kind: 'dir', mode: 0o755 }]]);
  readonly calls: string[] = [];

  constructor(files: Record<string, string | Node> = {}) {
    for (const [path, node] of Object.entries(files)) this.put(path, typeof node === 'string' ? { kind: 'file', data: node, mode: 0o644 } : node);
  }

  put(path: string, node: Node): void {
    const parts = path.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = `/${parts.slice(0, i).join('/')}`;
      if (!this.nodes.has(dir)) this.nodes.set(dir, { kind: 'dir', mode: 0o755 });
    }
    this.nodes.set(cleanPath(path), node);
  }

  /** Every path under `root` (itself included) as "path kind[:data]" lines. */
  tree(root = '/'): string[] {
    const prefix = root === '/' ? '/' : `${root}/`;
    return [...this.nodes.entries()]
      .filter(([path]) => path === root || path.startsWith(prefix))
      .map(([path, node]) => `${path} ${node.kind === 'file' ? `file:${node.data}` : node.kind === 'link' ? `link:${node.target}` : node.kind}`)
      .sort();
  }

  private node(path: string): Node | undefined {
    const node = this.nodes.get(cleanPath(path));
    if (node && path.endsWith('/') && node.kind !== 'dir') return undefined; // ENOTDIR
    return node;
  }

  async lstat(path: string): Promise<LocalStat | undefined> {
    this.calls.push(`lstat ${path}`);
    const node = this.node(path);
    if (!node) return undefined;
    return { isDir: node.kind === 'dir', isSymlink: node.kind === 'link', isRegular: node.kind === 'file', isDevice: node.kind === 'device' };
  }

  async readlink(path: string): Promise<string> {
    const node = this.node(path);
    if (node?.kind !== 'link') throw new Error(`readlink ${path}: invalid argument`);
    return node.target;
  }

  async pack(dir: string, base: string): Promise<Uint8Array> {
    this.calls.push(`pack ${dir} ${base}`);
    const root = cleanPath(`${dir}/${base}`);
    const entries: TarEntryInput[] = [];
    for (const [path, node] of [...this.nodes.entries()].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (path !== root && !path.startsWith(root === '/' ? '/' : `${root}/`)) continue;
      const name = path === root ? base : `${base}${path.slice(root === '/' ? 0 : root.length)}`;
      if (node.kind === 'dir') entries.push({ name: `${name}/`, type: '5', mode: node.mode });
      else if (node.kind === 'file') entries.push({ name, type: '0', data: node.data, mode: node.mode });
      else if (node.kind === 'link') entries.push({ name, type: '2', mode: 0o777, linkName: node.target });
    }
    return writeTarEntries(entries);
  }

  async unpack(dir: string, tar: Uint8Array): Promise<void> {
    this.calls.push(`unpack ${dir}`);
    for (const { name, type, mode, linkName, data } of await readTarEntries(tar)) {
      const path = cleanPath(`${dir}/${name}`);
      const existing = this.nodes.get(path);
      const isDir = type === '5';
      if (existing?.kind === 'dir' && !isDir) throw new Error(`cannot overwrite directory "${path}" with non-directory "${cleanPath(dir)}"`);
      if (existing && existing.kind !== 'dir' && isDir) throw new Error(`cannot overwrite non-directory "${path}" with directory "${cleanPath(dir)}"`);
      if (isDir) this.put(path, { kind: 'dir', mode });
      else if (type === '2') this.put(path, { kind: 'link', target: linkName });
      else this.put(path, { kind: 'file', data: decoder.decode(data), mode });
    }
  }
}

interface Request {
  method: string;
  path: string;
  query: Record<string, string>;
  body?: Uint8Array;
}

/** Go's os.FileMode of a node, as the daemon's path-stat header has it. */
function fileMode(node: Node): number {
  if (node.kind === 'dir') return 2 ** 31 + node.mode;
  if (node.kind === 'link') return 2 ** 27 + 0o777;
  if (node.kind === 'device') return 2 ** 26 + 2 ** 21 + 0o666;
  return node.mode;
}

/** The daemon's archive endpoints over a container filesystem (container "c"). */
function fakeDaemon(container: MemoryFs, requests: Request[]): EngineClient {
  const json = (status: number, body: unknown) => clientResponse(status, { 'content-type': 'application/json' }, encoder.encode(JSON.stringify(body)));
  return {
    version: '1.47',
    hijack: async () => {
      throw new Error('no hijack in this test');
    },
    request: async (method: string, path: string, options: ClientRequestOptions = {}) => {
      const query = Object.fromEntries(Object.entries(options.query ?? {}).map(([k, v]) => [k, String(v)]));
      requests.push({ method, path, query, body: options.body instanceof Uint8Array ? options.body : undefined });
      if (path !== '/containers/c/archive') return json(404, { message: `No such container: ${path.split('/')[2]}` });
      const target = query.path;
      const node = container.nodes.get(cleanPath(target));
      if (method === 'PUT') {
        if (node?.kind !== 'dir') return json(404, { message: `Could not find the file ${target} in container c` });
        await container.unpack(target, options.body as Uint8Array);
        return clientResponse(200, {}, new Uint8Array(0));
      }
      if (!node) return json(404, { message: `Could not find the file ${target} in container c` });
      const [dir, base] = splitPathDirEntry(target);
      const contents = base === '.';
      const name = contents ? '.' : base;
      const header = btoa(JSON.stringify({ name, size: 0, mode: fileMode(node), mtime: '2025-01-01T00:00:00Z', linkTarget: node.kind === 'link' ? node.target : '' }));
      if (method === 'HEAD') return clientResponse(200, { 'x-docker-container-path-stat': header }, new Uint8Array(0));
      const tar = contents ? await container.pack(dir, '.') : await container.pack(dir, base);
      return clientResponse(200, { 'content-type': 'application/x-tar', 'x-docker-container-path-stat': header }, tar);
    },
  };
}

interface Setup {
  local?: MemoryFs;
  container?: MemoryFs;
  overrides?: Partial<DockerEnv>;
}

async function cp(args: string[], setup: Setup = {}) {
  const local = setup.local ?? new MemoryFs();
  const container = setup.container ?? new MemoryFs();
  const requests: Request[] = [];
  const captured = captureEnv(fakeDaemon(container, requests), { cwd: '/home/me', archives: local, ...setup.overrides });
  const status = await runDocker(['cp', ...args], captured.env);
  return { status, stdout: captured.stdout(), stderr: captured.stderr(), local, container, requests };
}

async function names(tar: Uint8Array): Promise<string[]> {
  return (await readTarEntries(tar)).map((entry) => entry.name);
}

describe('docker cp: arguments', () => {
  it('splits CONTAINER:PATH like splitCpArg', () => {
    expect(splitCpArg('/abs/path:withcolon')).toEqual(['', '/abs/path:withcolon']);
    expect(splitCpArg('./relative:path')).toEqual(['', './relative:path']);
    expect(splitCpArg('relative/path')).toEqual(['', 'relative/path']);
    expect(splitCpArg('container:/opt/foo')).toEqual(['container', '/opt/foo']);
    expect(splitCpArg('-')).toEqual(['', '-']);
  });

  it('says what is wrong with the arguments, in docker\'s words', async () => {
    expect(await cp(['', 'c:/x'])).toMatchObject({ status: 1, stderr: 'source can not be empty\n' });
    expect(await cp(['c:/x', ''])).toMatchObject({ status: 1, stderr: 'destination can not be empty\n' });
    expect(await cp(['first:/path', 'second:/path'])).toMatchObject({ status: 1, stderr: 'copying between containers is not supported\n' });
    expect(await cp(['./source', './dest'])).toMatchObject({ status: 1, stderr: 'must specify at least one container source\n' });
  });

  it('splits paths like SplitPathDirEntry', () => {
    expect(splitPathDirEntry('/a/b')).toEqual(['/a', 'b']);
    expect(splitPathDirEntry('/a/b/')).toEqual(['/a', 'b']);
    expect(splitPathDirEntry('/a/b/.')).toEqual(['/a/b', '.']);
    expect(splitPathDirEntry('/a')).toEqual(['/', 'a']);
  });
});

describe('PrepareArchiveCopy', () => {
  const file = (path: string): CopyInfo => ({ path, exists: true, isDir: false, rebaseName: '' });
  const dir = (path: string): CopyInfo => ({ path, exists: true, isDir: true, rebaseName: '' });
  const missing = (path: string): CopyInfo => ({ path, exists: false, isDir: false, rebaseName: '' });
  const fileTar = async () => writeTarEntries([{ name: 'f', type: '0', data: 'hi' }]);
  const dirTar = () =>
    Promise.resolve(
      writeTarEntries([
        { name: 'd/', type: '5', mode: 0o755 },
        { name: 'd/sub/', type: '5', mode: 0o755 },
        { name: 'd/sub/d', type: '0', data: 'x' },
      ]),
    );

  it('1. an existing directory: the tar as it is, extracted into it', async () => {
    const tar = await dirTar();
    const [to, content] = await prepareArchiveCopy(tar, dir('/src/d'), dir('/dst/x/'));
    expect(to).toBe('/dst/x/');
    expect(content).toBe(tar);
  });

  it('2. a directory over an existing file: cannot copy directory', async () => {
    await expect(prepareArchiveCopy(await dirTar(), dir('/src/d'), file('/dst/f'))).rejects.toThrow(/^cannot copy directory$/);
  });

  it('3. a file over an existing file: renamed to the destination, extracted into its directory', async () => {
    const [to, content] = await prepareArchiveCopy(await fileTar(), file('/src/f'), file('/dst/g'));
    expect(to).toBe('/dst');
    expect(await names(content)).toEqual(['g']);
  });

  it('4. a directory to a new name: every entry renamed (the first occurrence of the base only)', async () => {
    const [to, content] = await prepareArchiveCopy(await dirTar(), dir('/src/d'), missing('/dst/new'));
    expect(to).toBe('/dst');
    expect(await names(content)).toEqual(['new/', 'new/sub/', 'new/sub/d']);
  });

  it('5. a file to a path that asserts a directory that is not there: no such directory', async () => {
    await expect(prepareArchiveCopy(await fileTar(), file('/src/f'), missing('/dst/nodir/'))).rejects.toThrow(/^no such directory$/);
    await expect(prepareArchiveCopy(await fileTar(), file('/src/f'), missing('/dst/nodir/.'))).rejects.toThrow(/^no such directory$/);
  });

  it('6. a file to a new name: renamed, extracted into the parent', async () => {
    const [to, content] = await prepareArchiveCopy(await fileTar(), file('/src/f'), missing('/dst/g'));
    expect(to).toBe('/dst');
    expect(await names(content)).toEqual(['g']);
  });

  it('rebases with the rebase name of the source when there is one, and hard link targets too', async () => {
    const tar = writeTarEntries([
      { name: 'real', type: '0', data: 'x' },
      { name: 'real-again', type: '1', linkName: 'real' },
    ]);
    const [, content] = await prepareArchiveCopy(tar, { path: '/src/real', exists: true, isDir: false, rebaseName: 'real' }, missing('/dst/copy'));
    const entries = await readTarEntries(content);
    expect(entries.map((e) => [e.name, e.linkName])).toEqual([
      ['copy', ''],
      ['copy-again', 'copy'],
    ]);
    // strings.Replace(name, old, new, 1): only the first occurrence, wherever it is.
    expect(await names(await rebaseArchiveEntries(writeTarEntries([{ name: 'a/b/a', type: '0' }]), 'a', 'z'))).toEqual(['z/b/a']);
    expect(await names(await rebaseArchiveEntries(writeTarEntries([{ name: 'xa', type: '0' }]), 'a', 'z'))).toEqual(['xz']);
  });

  it('keeps long names through a rebase (PAX or ustar prefix)', async () => {
    const long = `${'d'.repeat(120)}/${'f'.repeat(120)}`;
    const tar = writeTarEntries([{ name: long, type: '0' }]);
    expect(await names(await rebaseArchiveEntries(tar, 'd'.repeat(120), 'e'.repeat(150)))).toEqual([`${'e'.repeat(150)}/${'f'.repeat(120)}`]);
  });
});

describe('docker cp into a container', () => {
  it('copies a directory into an existing directory (PUT at that directory, entries as they are)', async () => {
    const local = new MemoryFs({ '/home/me/d/sub/f': 'hi\n', '/home/me/d/empty': { kind: 'dir', mode: 0o700 } });
    const container = new MemoryFs({ '/tmp': { kind: 'dir', mode: 0o1777 } });
    const r = await cp(['d', 'c:/tmp'], { local, container });
    expect(r).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(r.requests.map((q) => `${q.method} ${q.query.path}`)).toEqual(['HEAD /tmp', 'PUT /tmp']);
    expect(r.requests[1].query).toEqual({ path: '/tmp', noOverwriteDirNonDir: 'true' });
    expect(container.tree('/tmp')).toEqual(['/tmp dir', '/tmp/d dir', '/tmp/d/empty dir', '/tmp/d/sub dir', '/tmp/d/sub/f file:hi\n']);
  });

  it('copies a directory to a new name (PUT at the parent, entries renamed)', async () => {
    const local = new MemoryFs({ '/home/me/d/sub/f': 'hi\n' });
    const container = new MemoryFs({ '/tmp': { kind: 'dir', mode: 0o1777 } });
    const r = await cp(['/home/me/d', 'c:/tmp/new'], { local, container });
    expect(r.status).toBe(0);
    expect(r.requests[1].query.path).toBe('/tmp');
    expect(await names(r.requests[1].body!)).toEqual(['new/', 'new/sub/', 'new/sub/f']);
    expect(container.tree('/tmp/new')).toEqual(['/tmp/new dir', '/tmp/new/sub dir', '/tmp/new/sub/f file:hi\n']);
  });

  it('copies a directory\'s contents with SRC/. (entries ./...)', async () => {
    const local = new MemoryFs({ '/home/me/d/sub/f': 'hi\n', '/home/me/d/g': 'g' });
    const container = new MemoryFs({ '/dst': { kind: 'dir', mode: 0o755 } });
    const r = await cp(['d/.', 'c:/dst'], { local, container });
    expect(r.status).toBe(0);
    expect(local.calls).toContain('pack /home/me/d .');
    expect(container.tree('/dst')).toEqual(['/dst dir', '/dst/g file:g', '/dst/sub dir', '/dst/sub/f file:hi\n']);
  });

  it('copies a file over a file, to a new name, and refuses a directory over a file or a file into a missing directory', async () => {
    const local = new MemoryFs({ '/home/me/f': 'new', '/home/me/d/x': 'x' });
    const container = new MemoryFs({ '/etc/old': 'old' });
    expect((await cp(['f', 'c:/etc/old'], { local, container })).status).toBe(0);
    expect(container.tree('/etc')).toEqual(['/etc dir', '/etc/old file:new']);
    expect((await cp(['f', 'c:/etc/renamed'], { local, container })).status).toBe(0);
    expect(container.tree('/etc/renamed')).toEqual(['/etc/renamed file:new']);
    expect(await cp(['d', 'c:/etc/old'], { local, container })).toMatchObject({ status: 1, stderr: 'cannot copy directory\n' });
    expect(await cp(['f', 'c:/etc/nodir/'], { local, container })).toMatchObject({ status: 1, stderr: 'no such directory\n' });
  });

  it('says lstat ... no such file or directory for a missing source, with docker\'s double slash under /', async () => {
    expect((await cp(['/nope', 'c:/tmp'])).stderr).toBe('lstat //nope: no such file or directory\n');
    expect((await cp(['/nope/x', 'c:/tmp'])).stderr).toBe('lstat /nope: no such file or directory\n');
    const local = new MemoryFs({ '/home/me/a/f': 'f' });
    expect((await cp(['a/b/c/d', 'c:/tmp'], { local })).stderr).toBe('lstat /home/me/a/b: no such file or directory\n');
    expect((await cp(['a/nope', 'c:/tmp'], { local })).stderr).toBe('lstat /home/me/a/nope: no such file or directory\n');
    // A file with a trailing slash (TestRunCopyToContainerFromFileWithTrailingSlash).
    expect((await cp(['a/f/', 'c:/tmp'], { local })).stderr).toBe('not a directory\n');
  });

  it('refuses a device as the destination', async () => {
    const local = new MemoryFs({ '/home/me/f': 'f' });
    const container = new MemoryFs({ '/dev/null': { kind: 'device' } });
    expect(await cp(['f', 'c:/dev/null'], { local, container })).toMatchObject({ status: 1, stderr: 'destination "c:/dev/null" must be a directory or a regular file: got a device\n' });
  });

  it('follows a link at the destination', async () => {
    const local = new MemoryFs({ '/home/me/f': 'f' });
    const container = new MemoryFs({ '/real': { kind: 'dir', mode: 0o755 }, '/link': { kind: 'link', target: 'real' } });
    const r = await cp(['f', 'c:/link'], { local, container });
    expect(r.status).toBe(0);
    expect(r.requests.map((q) => `${q.method} ${q.query.path}`)).toEqual(['HEAD /link', 'HEAD /real', 'PUT /real']);
    expect(container.tree('/real')).toEqual(['/real dir', '/real/f file:f']);
  });

  it('sends a tar from stdin as it is, to an existing directory only', async () => {
    const tar = writeTarEntries([{ name: 'in.txt', type: '0', data: 'in' }]);
    const stdin = (async function* () {
      yield tar;
    })();
    const container = new MemoryFs({ '/tmp': { kind: 'dir', mode: 0o1777 } });
    const r = await cp(['-', 'c:/tmp'], { container, overrides: { stdin } });
    expect(r.status).toBe(0);
    expect(r.requests[1]).toMatchObject({ method: 'PUT', query: { path: '/tmp' } });
    expect(r.requests[1].body).toEqual(tar);
    expect(container.tree('/tmp')).toEqual(['/tmp dir', '/tmp/in.txt file:in']);
    expect(await cp(['-', 'c:/tmp/nope'], { container, overrides: { stdin } })).toMatchObject({ status: 1, stderr: 'destination "c:/tmp/nope" must be a directory\n' });
  });

  it('asks for copyUIDGID with -a', async () => {
    const local = new MemoryFs({ '/home/me/f': 'f' });
    const container = new MemoryFs({ '/tmp': { kind: 'dir', mode: 0o1777 } });
    const r = await cp(['-a', 'f', 'c:/tmp'], { local, container });
    expect(r.requests[1].query).toEqual({ path: '/tmp', noOverwriteDirNonDir: 'true', copyUIDGID: 'true' });
  });

  it('prints the summary only when stdout is a terminal (or not with -q), also when the copy fails', async () => {
    const local = new MemoryFs({ '/home/me/f': 'f' });
    const container = new MemoryFs({ '/tmp': { kind: 'dir', mode: 0o1777 } });
    const tty = await cp(['f', 'c:/tmp'], { local, container, overrides: { stdoutIsTerminal: true } });
    expect(tty.stderr).toBe('Successfully copied 2.05kB to c:/tmp\n');
    expect((await cp(['-q', 'f', 'c:/tmp'], { local, container, overrides: { stdoutIsTerminal: true } })).stderr).toBe('');
    expect((await cp(['f', 'c:/tmp'], { local, container })).stderr).toBe('');
    const stdin = (async function* () {
      yield new Uint8Array(1024);
    })();
    expect((await cp(['-', 'c:/tmp'], { container, overrides: { stdin, stdoutIsTerminal: true } })).stderr).toBe('Successfully copied 0B to c:/tmp\n');
    const failed = await cp(['f', 'c:/nowhere/x'], { local, container, overrides: { stdoutIsTerminal: true } });
    expect(failed).toMatchObject({ status: 1, stderr: 'Successfully copied 2.05kB to c:/nowhere/x\nError response from daemon: Could not find the file /nowhere in container c\n' });
  });
});

describe('docker cp out of a container', () => {
  const container = () => new MemoryFs({ '/d/sub/f': 'hi\n', '/d/empty': { kind: 'dir', mode: 0o700 }, '/etc/hostname': 'box\n', '/link': { kind: 'link', target: '/etc/hostname' } });

  it('copies a directory into an existing directory and to a new name', async () => {
    const local = new MemoryFs({ '/home/me/out': { kind: 'dir', mode: 0o755 } });
    const into = await cp(['c:/d', 'out'], { local, container: container() });
    expect(into).toMatchObject({ status: 0, stdout: '', stderr: '' });
    expect(local.calls).toContain('unpack /home/me/out');
    expect(local.tree('/home/me/out')).toEqual(['/home/me/out dir', '/home/me/out/d dir', '/home/me/out/d/empty dir', '/home/me/out/d/sub dir', '/home/me/out/d/sub/f file:hi\n']);
    const renamed = await cp(['c:/d', '/home/me/back'], { local, container: container() });
    expect(renamed.status).toBe(0);
    expect(local.calls).toContain('unpack /home/me');
    expect(local.tree('/home/me/back')).toEqual(['/home/me/back dir', '/home/me/back/empty dir', '/home/me/back/sub dir', '/home/me/back/sub/f file:hi\n']);
  });

  it('copies the contents of a directory with SRC/.', async () => {
    const local = new MemoryFs({ '/home/me/out': { kind: 'dir', mode: 0o755 } });
    const r = await cp(['c:/d/.', 'out'], { local, container: container() });
    expect(r.status).toBe(0);
    expect(r.requests[0].query.path).toBe('/d/.');
    expect(local.tree('/home/me/out')).toEqual(['/home/me/out dir', '/home/me/out/empty dir', '/home/me/out/sub dir', '/home/me/out/sub/f file:hi\n']);
  });

  it('copies a file to a name, into a directory (trailing /), and over a file', async () => {
    const local = new MemoryFs({ '/home/me/dir': { kind: 'dir', mode: 0o755 }, '/home/me/old': 'old' });
    expect((await cp(['c:/etc/hostname', 'name'], { local, container: container() })).status).toBe(0);
    expect((await cp(['c:/etc/hostname', 'dir/'], { local, container: container() })).status).toBe(0);
    expect((await cp(['c:/etc/hostname', 'old'], { local, container: container() })).status).toBe(0);
    expect(local.tree('/home/me')).toEqual(['/home/me dir', '/home/me/dir dir', '/home/me/dir/hostname file:box\n', '/home/me/name file:box\n', '/home/me/old file:box\n']);
    expect(await cp(['c:/etc/hostname', 'nodir/'], { local, container: container() })).toMatchObject({ status: 1, stderr: 'no such directory\n' });
    expect(await cp(['c:/d', 'old'], { local, container: container() })).toMatchObject({ status: 1, stderr: 'cannot copy directory\n' });
  });

  it('checks the output path before asking the daemon', async () => {
    const r = await cp(['c:/d', '/home/me/missing/foo']);
    expect(r).toMatchObject({ status: 1, stderr: 'invalid output path: directory "/home/me/missing" does not exist\n' });
    expect(r.requests).toEqual([]);
    const local = new MemoryFs({ '/dev/random': { kind: 'device' } });
    expect((await cp(['c:/dev/null', '/dev/random'], { local })).stderr).toBe('invalid output path: "/dev/random" must be a directory or a regular file: got a device\n');
  });

  it('says what the daemon says when the path is not there', async () => {
    const local = new MemoryFs({ '/home/me': { kind: 'dir', mode: 0o755 } });
    expect(await cp(['c:/nope', 'x'], { local, container: container() })).toMatchObject({ status: 1, stderr: 'Error response from daemon: Could not find the file /nope in container c\n' });
  });

  it('copies a link as a link, or what it points to with -L (under the link\'s name)', async () => {
    const local = new MemoryFs({ '/home/me': { kind: 'dir', mode: 0o755 } });
    expect((await cp(['c:/link', 'l'], { local, container: container() })).status).toBe(0);
    expect(local.tree('/home/me/l')).toEqual(['/home/me/l link:/etc/hostname']);
    const followed = await cp(['-L', 'c:/link', 'followed'], { local, container: container() });
    expect(followed.status).toBe(0);
    expect(followed.requests.map((q) => `${q.method} ${q.query.path}`)).toEqual(['HEAD /link', 'GET /etc/hostname']);
    expect(local.tree('/home/me/followed')).toEqual(['/home/me/followed file:box\n']);
  });

  it('writes the tar to stdout as it is with -', async () => {
    const c = container();
    const r = await cp(['c:/etc/hostname', '-'], { container: c });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(decoder.decode(await c.pack('/etc', 'hostname')));
  });

  it('prints the summary with the absolute destination when stdout is a terminal', async () => {
    const local = new MemoryFs({ '/home/me': { kind: 'dir', mode: 0o755 } });
    const r = await cp(['c:/etc/hostname', '.'], { local, container: container(), overrides: { stdoutIsTerminal: true } });
    expect(r).toMatchObject({ status: 0, stderr: 'Successfully copied 2.05kB to /home/me/.\n' });
    expect(local.tree('/home/me/hostname')).toEqual(['/home/me/hostname file:box\n']);
  });
});

describe('docker cp where the client cannot do archives', () => {
  it('copies single files with readFile and writeFile, and says so for directories', async () => {
    const files = new Map<string, Uint8Array>([['/in/up.txt', encoder.encode('up\n')]]);
    const overrides: Partial<DockerEnv> = {
      archives: undefined,
      cwd: undefined,
      readFile: async (path) => {
        const data = files.get(path);
        if (!data) throw new Error(`open ${path}: no such file or directory`);
        return data;
      },
      writeFile: async (path, data) => void files.set(path, data),
    };
    const container = new MemoryFs({ '/d/f': 'f\n', '/tmp': { kind: 'dir', mode: 0o1777 } });
    expect((await cp(['c:/d/f', '/out/f2'], { container, overrides })).status).toBe(0);
    expect(decoder.decode(files.get('/out/f2'))).toBe('f\n');
    expect((await cp(['c:/d/f', '/out/'], { container, overrides })).status).toBe(0);
    expect(decoder.decode(files.get('/out/f'))).toBe('f\n');
    expect(await cp(['c:/d', '/out/d'], { container, overrides })).toMatchObject({ status: 1, stderr: 'docker cp of directories is not available here\n' });
    expect((await cp(['/in/up.txt', 'c:/tmp'], { container, overrides })).status).toBe(0);
    expect(container.tree('/tmp')).toEqual(['/tmp dir', '/tmp/up.txt file:up\n']);
    expect((await cp(['/in/nope', 'c:/tmp'], { container, overrides })).stderr).toBe('lstat /in/nope: no such file or directory\n');
  });
});
