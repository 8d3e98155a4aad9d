// docker cp (docker/cli v28.2.2 cli/command/container/cp.go, with moby/go-archive's copy.go): files and
// directories between the client's filesystem and a container, through the archive endpoints. The
// client's side is env.archives (lstat, readlink, the tar of a path, untar into a directory); tars are
// read and rewritten (RebaseArchiveEntries) with src/go/tar. Where the client has no filesystem for
// archives, single files still go through env.readFile and env.writeFile.

import { readTarEntries, writeTarEntries, type TarEntry } from '../../../go/tar';
import { defineCommand, exactArgs, type BoolValue } from '../../flags';
import type { ClientResponse } from '../../client';
import type { DockerEnv, LocalArchives, LocalStat } from '../../env';
import { humanSizeWithPrecision } from '../../../go/units';
import { enc, errorFrom } from './util';
import { basePath, cleanPath, dirPath, joinPath } from '../../../go/path';
import { goQuote } from '../../../go/strconv';

// Go's path/filepath helpers beyond src/go/path that cp.go uses.

const isAbs = (path: string): boolean => path.startsWith('/');
const hasTrailingSeparator = (path: string): boolean => path.endsWith('/');
const specifiesCurrentDir = (path: string): boolean => basePath(path) === '.';
/** strings.Replace(s, old, new, 1). */
function replaceFirst(text: string, old: string, replacement: string): string {
  const at = text.indexOf(old);
  return at < 0 ? text : text.slice(0, at) + replacement + text.slice(at + old.length);
}
/** Go's %q, for the paths docker quotes. */
const quote = goQuote;

/** archive.PreserveTrailingDotOrSeparator. */
export function preserveTrailingDotOrSeparator(cleaned: string, original: string): string {
  if (!specifiesCurrentDir(cleaned) && specifiesCurrentDir(original)) {
    if (!hasTrailingSeparator(cleaned)) cleaned += '/';
    cleaned += '.';
  }
  if (!hasTrailingSeparator(cleaned) && hasTrailingSeparator(original)) cleaned += '/';
  return cleaned;
}

/** archive.SplitPathDirEntry: (dir, base), keeping a trailing '.' as the base. */
export function splitPathDirEntry(path: string): [string, string] {
  let cleaned = cleanPath(path);
  if (specifiesCurrentDir(path)) cleaned += '/.';
  return [dirPath(cleaned), basePath(cleaned)];
}

/** splitCpArg: ['', path] for a local path, [container, path] otherwise. */
export function splitCpArg(arg: string): [string, string] {
  if (isAbs(arg)) return ['', arg];
  const colon = arg.indexOf(':');
  if (colon < 0 || arg.startsWith('.')) return ['', arg];
  return [arg.slice(0, colon), arg.slice(colon + 1)];
}

/** resolveLocalPath: filepath.Abs against the client's cwd, keeping a trailing '/' or '/.'. */
function resolveLocalPath(cwd: string, path: string): string {
  const absolute = isAbs(path) ? cleanPath(path) : joinPath(cwd, path);
  return preserveTrailingDotOrSeparator(absolute, path);
}

// ---- Go's os.FileMode bits, as X-Docker-Container-Path-Stat carries them ---------------------------

const modeBit = (mode: number, bit: number): boolean => Math.floor((mode >>> 0) / 2 ** bit) % 2 === 1;
const isDirMode = (mode: number): boolean => modeBit(mode, 31);
const isSymlinkMode = (mode: number): boolean => modeBit(mode, 27);
const isDeviceMode = (mode: number): boolean => modeBit(mode, 26);
const isIrregularMode = (mode: number): boolean => modeBit(mode, 19);

interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

function pathStatFromHeader(headers: Record<string, string>): PathStat {
  const encoded = headers['x-docker-container-path-stat'] ?? '';
  if (encoded === '') throw new Error('unable to decode container path stat header: EOF');
  try {
    const parsed = JSON.parse(atob(encoded)) as Partial<PathStat>;
    return { name: parsed.name ?? '', size: parsed.size ?? 0, mode: parsed.mode ?? 0, mtime: parsed.mtime ?? '', linkTarget: parsed.linkTarget ?? '' };
  } catch (error) {
    throw new Error(`unable to decode container path stat header: ${(error as Error).message}`);
  }
}

/** command.ValidateOutputPathFileMode. */
function validateOutputPathFileMode(mode: number): string | undefined {
  if (isDeviceMode(mode)) return 'got a device';
  if (isIrregularMode(mode)) return 'got an irregular file';
  return undefined;
}

// ---- go-archive's copy.go over LocalArchives -------------------------------------------------------

/** archive.CopyInfo. */
export interface CopyInfo {
  path: string;
  exists: boolean;
  isDir: boolean;
  rebaseName: string;
}

const ENOENT = 'no such file or directory';
const ENOTDIR = 'not a directory';

/** Why lstat of a missing path failed, as Linux says it: a file on the way makes it ENOTDIR. */
async function missingReason(fs: LocalArchives, path: string): Promise<string> {
  const parts = path.split('/').filter((part) => part !== '');
  let prefix = '';
  for (let i = 0; i < parts.length; i++) {
    prefix += `/${parts[i]}`;
    if (i === parts.length - 1 && !hasTrailingSeparator(path)) break;
    const stat = await fs.lstat(prefix);
    if (!stat) return ENOENT;
    if (!stat.isDir && !stat.isSymlink) return ENOTDIR;
  }
  return ENOENT;
}

/** os.Stat: lstat following the last element's links. */
async function statFollowing(fs: LocalArchives, path: string): Promise<LocalStat | undefined> {
  let stat = await fs.lstat(path);
  for (let n = 0; stat?.isSymlink && fs.readlink && n < 40; n++) {
    const target = await fs.readlink(path);
    path = isAbs(target) ? target : joinPath(dirPath(path), target);
    stat = await fs.lstat(path);
  }
  return stat;
}

/** filepath.EvalSymlinks (Go's walkSymlinks, Unix). Without readlink, links count as directories. */
async function evalSymlinks(fs: LocalArchives, path: string): Promise<string> {
  let volLen = isAbs(path) ? 1 : 0;
  let vol = path.slice(0, volLen);
  let dest = vol;
  let linksWalked = 0;
  for (let start = volLen, end = volLen; start < path.length; start = end) {
    while (start < path.length && path[start] === '/') start++;
    end = start;
    while (end < path.length && path[end] !== '/') end++;
    if (end === start) break;
    const part = path.slice(start, end);
    if (part === '.') continue;
    if (part === '..') {
      let r = dest.length - 1;
      while (r >= volLen && dest[r] !== '/') r--;
      if (r < volLen || dest.slice(r + 1) === '..') {
        if (dest.length > volLen) dest += '/';
        dest += '..';
      } else dest = dest.slice(0, r);
      continue;
    }
    if (dest.length > 0 && !hasTrailingSeparator(dest)) dest += '/';
    dest += part;
    const stat = await fs.lstat(dest);
    if (!stat) throw new Error(`lstat ${dest}: ${await missingReason(fs, dest)}`);
    if (!stat.isSymlink || !fs.readlink) {
      if (!stat.isDir && !stat.isSymlink && end < path.length) throw new Error(ENOTDIR);
      continue;
    }
    if (++linksWalked > 255) throw new Error('EvalSymlinks: too many links');
    const link = await fs.readlink(dest);
    path = link + path.slice(end);
    if (isAbs(link)) {
      dest = '/';
      vol = '/';
      volLen = 1;
      end = 1;
    } else {
      let r = dest.length - 1;
      while (r >= volLen && dest[r] !== '/') r--;
      dest = r < volLen ? vol : dest.slice(0, r);
      end = 0;
    }
  }
  return cleanPath(dest);
}

/** archive.GetRebaseName. */
function getRebaseName(path: string, resolvedPath: string): [string, string] {
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(resolvedPath)) resolvedPath += '/.';
  if (hasTrailingSeparator(path) && !hasTrailingSeparator(resolvedPath)) resolvedPath += '/';
  return [resolvedPath, basePath(path) !== basePath(resolvedPath) ? basePath(path) : ''];
}

/** archive.ResolveHostSourcePath. */
async function resolveHostSourcePath(fs: LocalArchives, path: string, followLink: boolean): Promise<[string, string]> {
  if (followLink) return getRebaseName(path, await evalSymlinks(fs, path));
  const slash = path.lastIndexOf('/');
  const resolvedDir = await evalSymlinks(fs, path.slice(0, slash + 1));
  // The resolved directory is clean (no trailing separator): docker joins by hand, hence "//x" under /.
  const resolvedPath = `${resolvedDir}/${path.slice(slash + 1)}`;
  const rebaseName = hasTrailingSeparator(path) && basePath(path) !== basePath(resolvedPath) ? basePath(path) : '';
  return [resolvedPath, rebaseName];
}

/** archive.CopyInfoSourcePath. */
async function copyInfoSourcePath(fs: LocalArchives, path: string, followLink: boolean): Promise<CopyInfo> {
  const [resolvedPath, rebaseName] = await resolveHostSourcePath(fs, path, followLink);
  const stat = await fs.lstat(resolvedPath);
  if (!stat) throw new Error(`lstat ${resolvedPath}: ${await missingReason(fs, resolvedPath)}`);
  return { path: resolvedPath, exists: true, isDir: stat.isDir, rebaseName };
}

/** archive.CopyInfoDestinationPath: a link is followed; a missing path needs its parent directory. */
async function copyInfoDestinationPath(fs: LocalArchives, path: string): Promise<CopyInfo> {
  const originalPath = path;
  let stat = await fs.lstat(path);
  if (stat && (!stat.isSymlink || !fs.readlink)) return { path, exists: true, isDir: stat.isDir, rebaseName: '' };
  for (let n = 0; stat?.isSymlink && fs.readlink; n++) {
    if (n > 10) throw new Error(`too many symlinks in ${originalPath}`);
    let target = await fs.readlink(path);
    if (!isAbs(target)) target = joinPath(splitPathDirEntry(path)[0], target);
    path = target;
    stat = await fs.lstat(path);
  }
  if (stat) return { path, exists: true, isDir: stat.isDir, rebaseName: '' };
  const reason = await missingReason(fs, path);
  if (reason !== ENOENT) throw new Error(`lstat ${path}: ${reason}`);
  const [parent] = splitPathDirEntry(path);
  const parentStat = await statFollowing(fs, parent);
  if (!parentStat) throw new Error(`stat ${parent}: ${await missingReason(fs, parent)}`);
  if (!parentStat.isDir) throw new Error(ENOTDIR);
  return { path, exists: false, isDir: false, rebaseName: '' };
}

/** command.ValidateOutputPath. */
async function validateOutputPath(fs: LocalArchives, path: string): Promise<void> {
  const dir = dirPath(cleanPath(path));
  if (dir !== '' && dir !== '.' && !(await statFollowing(fs, dir)) && (await missingReason(fs, dir)) === ENOENT) {
    throw new Error(`invalid output path: directory ${quote(dir)} does not exist`);
  }
  const stat = await statFollowing(fs, path);
  if (!stat) {
    const reason = await missingReason(fs, path);
    if (reason !== ENOENT) throw new Error(`stat ${path}: ${reason}`);
    return;
  }
  if (stat.isDir || stat.isRegular) return;
  if (stat.isDevice) throw new Error(`invalid output path: ${quote(path)} must be a directory or a regular file: got a device`);
}

/** archive.RebaseArchiveEntries: the first occurrence of oldBase in each name (and hard link target) becomes newBase. */
export async function rebaseArchiveEntries(tar: Uint8Array, oldBase: string, newBase: string): Promise<Uint8Array> {
  if (oldBase === '/') oldBase = '';
  const entries = await readTarEntries(tar);
  // The writer puts long names back into pax records where a name needs them.
  const rebased = entries.map(
    (entry): TarEntry => ({
      ...entry,
      name: replaceFirst(entry.name, oldBase, newBase),
      linkName: entry.type === '1' ? replaceFirst(entry.linkName, oldBase, newBase) : entry.linkName,
    }),
  );
  return writeTarEntries(rebased);
}

/**
 * archive.PrepareArchiveCopy: where to extract the source's tar so that it lands at the destination,
 * and the tar with its entries renamed when the destination's name differs.
 */
export async function prepareArchiveCopy(tar: Uint8Array, srcInfo: CopyInfo, dstInfo: CopyInfo): Promise<[string, Uint8Array]> {
  const [dstDir, dstBase] = splitPathDirEntry(dstInfo.path);
  let [, srcBase] = splitPathDirEntry(srcInfo.path);
  if (srcInfo.rebaseName !== '') srcBase = srcInfo.rebaseName;
  if (dstInfo.exists && dstInfo.isDir) return [dstInfo.path, tar];
  if (dstInfo.exists && srcInfo.isDir) throw new Error('cannot copy directory');
  if (!dstInfo.exists && !srcInfo.isDir && (hasTrailingSeparator(dstInfo.path) || specifiesCurrentDir(dstInfo.path))) throw new Error('no such directory');
  return [dstDir, await rebaseArchiveEntries(tar, srcBase, dstBase)];
}

/** archive.TarResource: the tar of the source, its first path element renamed to rebaseName if set. */
async function tarResource(fs: LocalArchives, srcInfo: CopyInfo): Promise<Uint8Array> {
  if (!(await fs.lstat(srcInfo.path))) throw new Error(`lstat ${srcInfo.path}: ${await missingReason(fs, srcInfo.path)}`);
  const [dir, base] = splitPathDirEntry(srcInfo.path);
  const tar = await fs.pack(dir, base);
  if (srcInfo.rebaseName === '') return tar;
  return rebaseArchiveEntries(tar, base, srcInfo.rebaseName === '/' ? '' : srcInfo.rebaseName);
}

/** archive.CopyTo: extracts a container's tar at a local destination. */
async function copyTo(fs: LocalArchives, tar: Uint8Array, srcInfo: CopyInfo, dstPath: string): Promise<void> {
  const dstInfo = await copyInfoDestinationPath(fs, dstPath);
  const [dstDir, content] = await prepareArchiveCopy(tar, srcInfo, dstInfo);
  await fs.unpack(dstDir, content);
}

// ---- the command -----------------------------------------------------------------------------------

interface CpConfig {
  followLink: boolean;
  copyUIDGID: boolean;
  quiet: boolean;
  sourcePath: string;
  destPath: string;
  container: string;
}

const NO_DIRECTORIES = 'docker cp of directories is not available here';

async function readAll(stream: AsyncIterable<Uint8Array> | undefined): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of stream ?? []) chunks.push(chunk);
  const out = new Uint8Array(chunks.reduce((n, chunk) => n + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.length;
  }
  return out;
}

/** ContainerStatPath: HEAD /containers/{id}/archive. */
async function containerStatPath(env: DockerEnv, container: string, path: string): Promise<PathStat> {
  const response = await env.client.request('HEAD', `/containers/${enc(container)}/archive`, { query: { path } });
  if (response.status >= 400) throw await errorFrom(response);
  await response.bytes();
  return pathStatFromHeader(response.headers);
}

async function statOrError(env: DockerEnv, container: string, path: string): Promise<[PathStat | undefined, unknown]> {
  try {
    return [await containerStatPath(env, container, path), undefined];
  } catch (error) {
    return [undefined, error];
  }
}

/** The summary docker prints after a copy (also when the copy then failed). */
async function withSummary(env: DockerEnv, config: CpConfig, size: () => number, to: () => string, copy: () => Promise<void>): Promise<void> {
  let failure: unknown;
  let failed = false;
  try {
    await copy();
  } catch (error) {
    failure = error;
    failed = true;
  }
  if (!config.quiet) env.stderr(`Successfully copied ${humanSizeWithPrecision(size(), 3)} to ${to()}\n`);
  if (failed) throw failure;
}

async function copyFromContainer(env: DockerEnv, config: CpConfig): Promise<void> {
  const fs = env.archives;
  let dstPath = config.destPath;
  let srcPath = config.sourcePath;
  if (dstPath !== '-') {
    dstPath = resolveLocalPath(env.cwd ?? '/', dstPath);
    if (fs) await validateOutputPath(fs, dstPath);
  }

  // With -L, a link in the container is copied as what it points to, under the link's name.
  let rebaseName = '';
  if (config.followLink) {
    const [stat] = await statOrError(env, config.container, srcPath);
    if (stat && isSymlinkMode(stat.mode)) {
      let linkTarget = stat.linkTarget;
      if (!isAbs(linkTarget)) linkTarget = joinPath(splitPathDirEntry(srcPath)[0], linkTarget);
      [srcPath, rebaseName] = getRebaseName(srcPath, linkTarget);
    }
  }

  const response: ClientResponse = await env.client.request('GET', `/containers/${enc(config.container)}/archive`, { query: { path: srcPath } });
  if (response.status >= 400) throw await errorFrom(response);
  let stat: PathStat;
  try {
    stat = pathStatFromHeader(response.headers);
  } catch (error) {
    throw new Error(`unable to get resource stat from response: ${(error as Error).message}`);
  }
  const tar = await response.bytes();
  if (dstPath === '-') {
    await env.writeStdout(tar);
    return;
  }
  const srcInfo: CopyInfo = { path: srcPath, exists: true, isDir: isDirMode(stat.mode), rebaseName };
  let content = tar;
  if (rebaseName !== '') content = await rebaseArchiveEntries(tar, splitPathDirEntry(srcPath)[1], rebaseName);

  await withSummary(
    env,
    config,
    () => tar.length,
    () => dstPath,
    async () => {
      if (fs) return copyTo(fs, content, srcInfo, dstPath);
      // No filesystem for archives: a single file through writeFile.
      if (srcInfo.isDir) throw new Error(NO_DIRECTORIES);
      const entry = (await readTarEntries(content))[0];
      if (!entry || entry.type === '5') throw new Error(NO_DIRECTORIES);
      if (entry.type !== '0' && entry.type !== '7') throw new Error('docker cp of links and special files is not available here');
      const target = hasTrailingSeparator(dstPath) || specifiesCurrentDir(dstPath) ? joinPath(dstPath, basePath(entry.name)) : dstPath;
      await env.writeFile(target, entry.data);
    },
  );
}

async function copyToContainer(env: DockerEnv, config: CpConfig): Promise<void> {
  const fs = env.archives;
  let srcPath = config.sourcePath;
  const dstPath = config.destPath;
  if (srcPath !== '-') srcPath = resolveLocalPath(env.cwd ?? '/', srcPath);

  // What the destination is: a link is followed once; a stat error means it may not exist yet.
  const dstInfo: CopyInfo = { path: dstPath, exists: false, isDir: false, rebaseName: '' };
  let [dstStat, statError] = await statOrError(env, config.container, dstPath);
  if (!statError && dstStat && isSymlinkMode(dstStat.mode)) {
    let linkTarget = dstStat.linkTarget;
    if (!isAbs(linkTarget)) linkTarget = joinPath(splitPathDirEntry(dstPath)[0], linkTarget);
    dstInfo.path = linkTarget;
    [dstStat, statError] = await statOrError(env, config.container, linkTarget);
  }
  const invalid = validateOutputPathFileMode(dstStat?.mode ?? 0);
  if (invalid) throw new Error(`destination "${config.container}:${dstPath}" must be a directory or a regular file: ${invalid}`);
  if (!statError && dstStat) {
    dstInfo.exists = true;
    dstInfo.isDir = isDirMode(dstStat.mode);
  }

  let content: Uint8Array;
  let resolvedDstPath: string;
  let copiedSize = 0;
  if (srcPath === '-') {
    resolvedDstPath = dstInfo.path;
    if (!dstInfo.isDir) throw new Error(`destination "${config.container}:${dstPath}" must be a directory`);
    content = await readAll(env.stdin);
  } else {
    let srcInfo: CopyInfo;
    let srcArchive: Uint8Array;
    if (fs) {
      srcInfo = await copyInfoSourcePath(fs, srcPath, config.followLink);
      srcArchive = await tarResource(fs, srcInfo);
    } else {
      // No filesystem for archives: a single file read with readFile.
      let data: Uint8Array;
      try {
        data = await env.readFile(srcPath);
      } catch (error) {
        if (/is a directory/.test((error as Error).message)) throw new Error(NO_DIRECTORIES);
        throw new Error(`lstat ${srcPath}: ${ENOENT}`);
      }
      srcInfo = { path: srcPath, exists: true, isDir: false, rebaseName: '' };
      const [, base] = splitPathDirEntry(srcPath);
      srcArchive = writeTarEntries([{ name: base, type: '0', data, mode: 0o644, mtime: Math.floor(env.now().getTime() / 1000) }]);
    }
    [resolvedDstPath, content] = await prepareArchiveCopy(srcArchive, srcInfo, dstInfo);
    copiedSize = content.length;
  }

  const query: Record<string, string> = { path: resolvedDstPath, noOverwriteDirNonDir: 'true' };
  if (config.copyUIDGID) query.copyUIDGID = 'true';
  await withSummary(
    env,
    config,
    () => copiedSize,
    () => `${config.container}:${dstInfo.path}`,
    async () => {
      const response = await env.client.request('PUT', `/containers/${enc(config.container)}/archive`, { query, body: content });
      if (response.status >= 400) throw await errorFrom(response);
      await response.bytes();
    },
  );
}

export function cpCommand() {
  return defineCommand<{ followLink: BoolValue; archive: BoolValue; quiet: BoolValue }, DockerEnv>({
    use: 'cp [OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n\tdocker cp [OPTIONS] SRC_PATH|- CONTAINER:DEST_PATH',
    short: 'Copy files/folders between a container and the local filesystem',
    long: `Copy files/folders between a container and the local filesystem

Use '-' as the source to read a tar archive from stdin
and extract it to a directory destination in a container.
Use '-' as the destination to stream a tar archive of a
container source to stdout.`,
    aliasesText: 'docker container cp, docker cp',
    args: exactArgs(2),
    flags: (flags) => ({
      followLink: flags.bool('follow-link', 'L', false, 'Always follow symbol link in SRC_PATH'),
      archive: flags.bool('archive', 'a', false, 'Archive mode (copy all uid/gid information)'),
      quiet: flags.bool('quiet', 'q', false, 'Suppress progress output during copy. Progress output is automatically suppressed if no terminal is attached'),
    }),
    run: async ({ args, options, flags, env }) => {
      if (args[0] === '') throw new Error('source can not be empty');
      if (args[1] === '') throw new Error('destination can not be empty');
      const [srcContainer, sourcePath] = splitCpArg(args[0]);
      const [destContainer, destPath] = splitCpArg(args[1]);
      const config: CpConfig = {
        followLink: options.followLink.value,
        copyUIDGID: options.archive.value,
        // Without -q, progress is shown only when stdout is a terminal.
        quiet: flags.changed('quiet') ? options.quiet.value : !env.stdoutIsTerminal,
        sourcePath,
        destPath,
        container: destContainer || srcContainer,
      };
      if (srcContainer !== '' && destContainer !== '') throw new Error('copying between containers is not supported');
      if (srcContainer !== '') return copyFromContainer(env, config);
      if (destContainer !== '') return copyToContainer(env, config);
      throw new Error('must specify at least one container source');
    },
  });
}
