// A container's files (moby's daemon/archive.go and changes): its merged root filesystem, mounted for
// the time of a copy even when the container is stopped; docker cp both ways, export, diff and sizes.

import { EngineError, forbidden, invalidParameter, notFound } from '../errors';
import { TarWriter, readTar, readTarEntries } from '../../go/tar';
import type { ContainerContext } from './context';
import type { LiveContainer } from './live';
import { DOCKER_ROOT, containerSpec } from './spec';
import { containerMounts } from './mounts';

/** What docker cp reports about a path (the X-Docker-Container-Path-Stat header, before base64). */
export interface PathStat {
  name: string;
  size: number;
  mode: number;
  mtime: string;
  linkTarget: string;
}

/** Files docker diff does not show: the ones the daemon itself puts in every container. */
const HIDDEN_CHANGES = new Set(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/dev', '/proc', '/sys', '/.dockerenv']);

export class ContainerFiles {
  constructor(private readonly context: ContainerContext) {}

  /** The container's own layer (overlay upper directory) in the guest. */
  upperDir(live: LiveContainer): string {
    return `${DOCKER_ROOT}/overlay2/${live.id}/diff`;
  }

  /** Runs `use` with the container's merged rootfs mounted (a stopped container gets a throw-away mount). */
  async withRootfs<T>(live: LiveContainer, use: (merged: string) => Promise<T>): Promise<T> {
    const runtime = this.context.runtime;
    const merged = `${DOCKER_ROOT}/overlay2/${live.id}/merged`;
    if (live.process) return use(merged);
    const spec = containerSpec({
      id: live.id,
      hostname: live.record.config.Hostname ?? live.id.slice(0, 12),
      layers: live.record.layerDirs,
      process: { args: ['/nonexistent'], env: [], cwd: '/', user: { uid: 0, gid: 0, groups: [] }, terminal: false },
      netNamespace: 'none',
    });
    const placeholder = await runtime.create(spec, { stdin: false });
    try {
      return await use(merged);
    } finally {
      await runtime.delete(live.id).catch(() => undefined);
      // The agent keeps a process's name until its exit is waited for; the next use needs it again.
      await placeholder.wait().catch(() => undefined);
    }
  }

  /**
   * docker's SizeRw (the bytes of the container's own layer) and SizeRootFs (its image's layers plus
   * that), for `ps -s` and `inspect -s`. A layer that cannot be measured counts as empty.
   */
  async sizes(live: LiveContainer): Promise<{ rw: number; rootfs: number }> {
    const rw = await this.context.runtime.directorySize(this.upperDir(live)).catch(() => 0);
    return { rw, rootfs: (live.record.imageSize ?? 0) + rw };
  }

  /** docker diff: what changed in the container's layer (null when nothing did). */
  async changes(live: LiveContainer): Promise<{ Path: string; Kind: number }[] | null> {
    const changes = await this.context.runtime.changes(this.upperDir(live), live.record.layerDirs);
    const hidden = (path: string): boolean => HIDDEN_CHANGES.has(path) || path.startsWith('/dev/') || path.startsWith('/proc/') || path.startsWith('/sys/');
    // A directory copied up only for the daemon's own files (/etc for /etc/hosts) is no change either:
    // moby keeps those files in the container's -init layer, below the layer diff reads.
    const onlyHiddenBelow = (dir: string): boolean => {
      const below = changes.filter((change) => change.path.startsWith(`${dir}/`));
      return below.length > 0 && below.every((change) => hidden(change.path));
    };
    const visible = changes.filter((change) => !hidden(change.path) && !(change.kind === 0 && onlyHiddenBelow(change.path)));
    return visible.length > 0 ? visible.map((c) => ({ Path: c.path, Kind: c.kind })) : null;
  }

  /**
   * The daemon's /etc files are bind mounts in the container's mount namespace: the merged directory
   * the tar was made from holds only their empty mount points. docker cp copies what the container
   * sees, so those entries get the files' content (the tar's names are relative to `parent`).
   */
  private async withDaemonFiles(live: LiveContainer, tar: Uint8Array, parent: string): Promise<Uint8Array> {
    const { record } = live;
    const sources = new Map([
      ['/etc/hosts', record.hostsPath],
      ['/etc/hostname', record.hostnamePath],
      ['/etc/resolv.conf', record.resolvConfPath],
    ]);
    const entries = await readTarEntries(tar);
    const pathOf = (name: string) => `${parent === '/' ? '' : parent}/${name.replace(/^(\.\/)+/, '').replace(/\/+$/, '')}`;
    const wanted = entries.filter((entry) => entry.type === '0' && sources.has(pathOf(entry.name)));
    if (wanted.length === 0) return tar;
    const files = await this.context.runtime.readFiles(wanted.map((entry) => sources.get(pathOf(entry.name)) ?? ''));
    const out = new TarWriter();
    for (const entry of entries) {
      const source = entry.type === '0' ? sources.get(pathOf(entry.name)) : undefined;
      const content = source !== undefined ? files[source] : undefined;
      out.entry(entry.name, entry.type, {
        data: content !== undefined && content !== null ? new TextEncoder().encode(content) : entry.data,
        mode: entry.mode,
        mtime: entry.mtime,
        uid: entry.uid,
        gid: entry.gid,
        devMajor: entry.devMajor,
        devMinor: entry.devMinor,
        linkName: entry.linkName,
        xattrs: entry.xattrs,
      });
    }
    return out.finish();
  }

  /** docker export: the container's root filesystem as a tar. */
  async export(live: LiveContainer): Promise<Uint8Array> {
    const runtime = this.context.runtime;
    const name = `export-${live.id.slice(0, 12)}-${Date.now()}.tar`;
    const tar = await this.withRootfs(live, async (merged) => {
      await runtime.pack(merged, runtime.stagedPath(name), ['.'], false);
      return runtime.readStagedFile(name);
    });
    await runtime.removeStagedFile(name).catch(() => undefined);
    this.context.emit(live, 'export');
    return tar;
  }

  /**
   * docker cp from a container (GET/HEAD /containers/{id}/archive): the tar of a path and its stat.
   * `ref` is the container as the client named it (docker's not-found message repeats it).
   */
  async archive(live: LiveContainer, ref: string, pathQuery: string | null): Promise<{ tar: Uint8Array; stat: PathStat }> {
    const runtime = this.context.runtime;
    const path = archivePath(pathQuery);
    const name = `archive-${live.id.slice(0, 12)}-${Date.now()}.tar`;
    // A path ending in '/.' is the directory's contents: docker's daemon archives the directory as '.'
    // (TarResourceRebase with the base of the path, '.'), so the entries are './', './sub/'...
    const trimmed = path.replace(/\/+$/, '');
    const contents = trimmed.endsWith('/.');
    const clean = trimmed.replace(/(\/\.)+$/, '').replace(/\/+$/, '') || '/';
    const parent = clean.slice(0, clean.lastIndexOf('/')) || '/';
    const base = clean.slice(clean.lastIndexOf('/') + 1) || '.';
    let tar: Uint8Array;
    // Under a volume or a bind mount the path is in the mount's source on the host, not in the rootfs.
    const mounted = mountedPath(live, clean);
    try {
      if (mounted) {
        const dir = mounted.slice(0, mounted.lastIndexOf('/')) || '/';
        const entry = mounted.slice(mounted.lastIndexOf('/') + 1);
        await runtime.pack(dir, runtime.stagedPath(name), [entry], false);
        tar = await runtime.readStagedFile(name);
        // The mount point itself: its source's name (a volume's _data) becomes the path's.
        if (entry !== base) tar = await renameFirstElement(tar, entry, base);
      } else {
        tar = await this.withRootfs(live, async (merged) => {
          await runtime.pack(`${merged}${parent === '/' ? '' : parent}`, runtime.stagedPath(name), [base], false);
          return runtime.readStagedFile(name);
        });
      }
    } catch (error) {
      if (error instanceof EngineError) throw error;
      throw notFound(`Could not find the file ${path} in container ${ref}`);
    } finally {
      await runtime.removeStagedFile(name).catch(() => undefined);
    }
    tar = await this.withDaemonFiles(live, tar, parent);
    if (contents && base !== '.') tar = await renameFirstElementToDot(tar, base);
    // The root ('/' packs '.'): the agent's tar lists its children only, so its stat is the directory's.
    const first = tarStat(tar);
    const stat = base === '.' && first ? { ...first, size: 4096, mode: 2 ** 31 + 0o755, linkTarget: '' } : first;
    // 'x/.' of a file: docker's lstat says it is not a directory.
    if (!stat || (contents && stat.mode < 2 ** 31)) throw notFound(`Could not find the file ${path} in container ${ref}`);
    return { tar, stat: { ...stat, name: contents ? '.' : base === '.' ? '/' : base } };
  }

  /** docker cp into a container (PUT /containers/{id}/archive): a tar unpacked at a path. */
  async extract(live: LiveContainer, ref: string, pathQuery: string | null, body: Uint8Array): Promise<void> {
    const runtime = this.context.runtime;
    const path = archivePath(pathQuery);
    if (live.record.hostConfig.ReadonlyRootfs) throw forbidden('container rootfs is marked read-only');
    const name = `put-${live.id.slice(0, 12)}-${Date.now()}.tar`;
    const staged = await runtime.stageFile(name, body);
    const clean = path.replace(/\/+$/, '') || '/';
    const mounted = mountedPath(live, clean);
    try {
      if (mounted) await runtime.unpack(staged, mounted, false);
      else await this.withRootfs(live, (merged) => runtime.unpack(staged, `${merged}${path === '/' ? '' : path}`, false));
    } catch (error) {
      if (error instanceof EngineError) throw error;
      throw notFound(`Could not find the file ${path} in container ${ref}`);
    } finally {
      await runtime.removeStagedFile(name).catch(() => undefined);
    }
  }
}

function archivePath(path: string | null): string {
  if (!path) throw invalidParameter('path is required');
  return path.startsWith('/') ? path : `/${path}`;
}

/**
 * Where a container path lies on the host when one of its volumes or bind mounts holds it (the deepest
 * such mount), undefined when it is in the container's own filesystem.
 */
function mountedPath(live: LiveContainer, path: string): string | undefined {
  let best: { destination: string; source: string } | undefined;
  for (const mount of containerMounts(live.record.hostConfig, live.record.volumeMounts ?? []).mounts) {
    if (mount.type !== 'bind') continue;
    const destination = mount.destination.replace(/\/+$/, '') || '/';
    if (path !== destination && !path.startsWith(`${destination}/`)) continue;
    if (!best || destination.length > best.destination.length) best = { destination, source: mount.source };
  }
  return best ? `${best.source}${path.slice(best.destination.length)}` : undefined;
}

/**
 * The tar of `base` as the tar of '.': every entry named `base` or `base/...` (and hard link targets)
 * renamed to '.' or './...', as docker's daemon names the contents of a 'dir/.' path.
 */
function renameFirstElementToDot(tar: Uint8Array, base: string): Promise<Uint8Array> {
  return renameFirstElement(tar, base, '.');
}

/** The tar with its first path element `from` renamed to `to` (in hard link targets too). */
async function renameFirstElement(tar: Uint8Array, from: string, to: string): Promise<Uint8Array> {
  const rename = (name: string): string => (name === from || name.startsWith(`${from}/`) ? `${to}${name.slice(from.length)}` : name);
  const out = new TarWriter();
  for await (const entry of readTar([tar])) {
    out.entry(rename(entry.name), entry.type, {
      data: entry.data,
      mode: entry.mode,
      mtime: entry.mtime,
      uid: entry.uid,
      gid: entry.gid,
      devMajor: entry.devMajor,
      devMinor: entry.devMinor,
      linkName: entry.type === '1' ? rename(entry.linkName) : entry.linkName,
    });
  }
  return out.finish();
}

/** The stat of a tar's first entry, as Go's os.FileInfo of it. */
function tarStat(tar: Uint8Array): Omit<PathStat, 'name'> | undefined {
  if (tar.length < 512) return undefined;
  const text = (start: number, length: number) => {
    let end = start;
    while (end < start + length && tar[end] !== 0) end++;
    return new TextDecoder().decode(tar.subarray(start, end));
  };
  const name = text(0, 100);
  if (name === '') return undefined;
  const octal = (start: number, length: number) => parseInt(text(start, length).trim() || '0', 8);
  const type = String.fromCharCode(tar[156] || 48);
  // Go's os.FileMode, unsigned: permission bits, then setuid/setgid/sticky and the type in high bits.
  const posix = octal(100, 8);
  let mode = posix & 0o777;
  if (posix & 0o4000) mode += 1 << 23; // os.ModeSetuid
  if (posix & 0o2000) mode += 1 << 22; // os.ModeSetgid
  if (posix & 0o1000) mode += 1 << 20; // os.ModeSticky
  if (type === '5') mode += 2 ** 31; // os.ModeDir
  if (type === '2') mode += 1 << 27; // os.ModeSymlink
  if (type === '3') mode += (1 << 26) + (1 << 21); // os.ModeDevice | os.ModeCharDevice
  if (type === '4') mode += 1 << 26; // os.ModeDevice
  if (type === '6') mode += 1 << 25; // os.ModeNamedPipe
  const mtime = new Date(octal(136, 12) * 1000).toISOString().replace('.000Z', 'Z');
  return { size: octal(124, 12), mode, mtime, linkTarget: text(157, 100) };
}
