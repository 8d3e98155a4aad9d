// Unpacks an image layer (an OCI layer tar) into the 9p share, as docker's overlay2 driver unpacks one
// into /var/lib/docker/overlay2/<id>/diff: OCI whiteouts (.wh.NAME) become the 0/0 character devices
// overlayfs reads as deletions. What v86's 9p cannot hold (the opaque-directory xattr, a parent that is
// a symlink) is reported as UnsupportedLayer so the caller can unpack that layer in the guest instead.

import { cleanTarName, readTar, type TarEntry } from '../go/tar';
import { gunzipChunks, isGzip } from '../go/gzip';
import { S_IFBLK, S_IFCHR, S_IFIFO, ShareTree, type FileAttrs } from './share-tree';

/** The layer needs something the 9p share cannot represent; unpack it in the guest instead. */
export class UnsupportedLayer extends Error {}

/** The layer is not a valid tar, or would write outside its directory (docker refuses those too). */
export class InvalidLayer extends Error {}

const WHITEOUT_PREFIX = '.wh.';
const OPAQUE_WHITEOUT = '.wh..wh..opq';
/** Other aufs metadata (.wh..wh.plnk, .wh..wh.aufs): dropped, as docker's overlay2 driver does. */
const AUFS_METADATA_PREFIX = '.wh..wh.';

export interface LayerTreeStats {
  entries: number;
  bytes: number;
}

function attrsOf(entry: TarEntry): FileAttrs {
  return { mode: entry.mode & 0o7777, uid: entry.uid, gid: entry.gid, mtime: entry.mtime };
}

/** The path of an archive entry as names, refusing anything that climbs out of the layer. */
function namesOf(path: string): string[] {
  const names = cleanTarName(path)
    .split('/')
    .filter((name) => name !== '' && name !== '.');
  if (names.includes('..')) throw new InvalidLayer(`invalid path in layer: ${JSON.stringify(path)} is outside of the layer`);
  return names;
}

/**
 * Builds the tree of a layer tar (gzip or not) at `root` in the share, replacing anything there.
 * On any error the partial tree is removed.
 */
export async function unpackLayerTree(tree: ShareTree, root: string, tar: Uint8Array): Promise<LayerTreeStats> {
  tree.removePath(root);
  const rootId = tree.makeDirs(root);
  const rootParent = tree.makeDirs(root.slice(0, root.lastIndexOf('/')) || '/');
  const rootName = root.slice(root.lastIndexOf('/') + 1);
  const stats: LayerTreeStats = { entries: 0, bytes: 0 };

  /** The directory that holds `names`' last name, creating missing parents as docker does (0755). */
  const parentOf = (names: string[], path: string): number => {
    let id = rootId;
    for (const name of names.slice(0, -1)) {
      const next = tree.child(id, name);
      if (next === undefined) id = tree.makeDir(id, name, { mode: 0o755, uid: 0, gid: 0, mtime: 0 });
      else if (tree.isDirectory(next)) id = next;
      else throw new UnsupportedLayer(`${path}: a parent is not a directory in this layer`);
    }
    return id;
  };

  try {
    const chunks = isGzip(tar) ? gunzipChunks(tar) : [tar];
    for await (const entry of readTar(chunks, (_name, type) => type === '0' || type === '7')) {
      const names = namesOf(entry.name);
      stats.entries++;
      if (names.length === 0) {
        if (entry.type === '5') tree.makeDir(rootParent, rootName, attrsOf(entry));
        continue;
      }
      const base = names[names.length - 1];
      const parent = parentOf(names, entry.name);
      if (base === OPAQUE_WHITEOUT) throw new UnsupportedLayer(`${entry.name}: opaque directories need an xattr the 9p share cannot store`);
      if (base.startsWith(AUFS_METADATA_PREFIX)) continue;
      if (base.startsWith(WHITEOUT_PREFIX)) {
        tree.node(parent, base.slice(WHITEOUT_PREFIX.length), S_IFCHR, 0, 0, { ...attrsOf(entry), mode: 0 });
        continue;
      }
      switch (entry.type) {
        case '0':
        case '7':
          await tree.writeFile(parent, base, entry.data, attrsOf(entry));
          stats.bytes += entry.data.length;
          break;
        case '5':
          tree.makeDir(parent, base, attrsOf(entry));
          break;
        case '2':
          tree.symlink(parent, base, entry.linkName, attrsOf(entry));
          break;
        case '1': {
          const target = tree.lookup(`${root}/${namesOf(entry.linkName).join('/')}`);
          if (target === -1) throw new InvalidLayer(`${entry.name}: hard link to ${entry.linkName}, which is not in the layer`);
          tree.link(parent, base, target);
          break;
        }
        case '3':
          tree.node(parent, base, S_IFCHR, entry.devMajor, entry.devMinor, attrsOf(entry));
          break;
        case '4':
          tree.node(parent, base, S_IFBLK, entry.devMajor, entry.devMinor, attrsOf(entry));
          break;
        case '6':
          tree.node(parent, base, S_IFIFO, 0, 0, attrsOf(entry));
          break;
        default:
          throw new UnsupportedLayer(`${entry.name}: unhandled tar header type ${JSON.stringify(entry.type)}`);
      }
    }
  } catch (error) {
    tree.removePath(root);
    if (error instanceof UnsupportedLayer || error instanceof InvalidLayer) throw error;
    throw new InvalidLayer(`layer ${root}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return stats;
}
