// A container's own layer as docker commits it: the overlay upper directory, without what the daemon
// itself put there. moby keeps the mount points of its files (/etc/hosts, /etc/hostname,
// /etc/resolv.conf, /.dockerenv) and of /proc, /sys and /dev in the container's -init layer, below the
// one it commits; Dockside's agent creates them in the upper directory, so they leave the tar here.

import { TarWriter, readTarEntries } from '../../go/tar';

const DAEMON_FILES = new Set(['etc/hosts', 'etc/hostname', 'etc/resolv.conf', '.dockerenv']);
const MOUNTED_DIRS = ['proc', 'sys', 'dev'];
/** Directories the agent copies up (or makes) only to hold the daemon's files. */
const HOLDERS = new Set(['etc']);

const normalize = (name: string) => name.replace(/^(\.\/)+/, '').replace(/\/+$/, '');

function daemonOwned(path: string): boolean {
  return DAEMON_FILES.has(path) || MOUNTED_DIRS.some((dir) => path === dir || path.startsWith(`${dir}/`));
}

/** The layer tar (packed from the upper directory) without the daemon's mount points. */
export async function containerLayer(tar: Uint8Array): Promise<Uint8Array> {
  const entries = await readTarEntries(tar);
  const paths = entries.map((entry) => normalize(entry.name));
  const kept = entries.filter((_, i) => {
    const path = paths[i];
    if (daemonOwned(path)) return false;
    // etc/ stays when the container changed something in it (a file, a whiteout).
    if (HOLDERS.has(path)) return paths.some((other) => other.startsWith(`${path}/`) && !daemonOwned(other));
    return true;
  });
  if (kept.length === entries.length) return tar;
  const out = new TarWriter();
  for (const entry of kept) {
    out.entry(entry.name, entry.type, {
      data: entry.data,
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
