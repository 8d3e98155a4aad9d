// Files made directly in v86's 9p filesystem (the guest's /run/dockside/host), without the guest doing
// any work: the page's side builds a whole directory tree in memory and the guest reads it over 9p.
// Image layers use it: an unpacked Debian is ~90 MB, which would crowd guest RAM if unpacked there,
// and unpacking in JavaScript takes a fraction of the emulated machine's time (see bench/images.ts).
// v86 has no API for this beyond create_file, so this wraps the few FS internals it needs (their names
// survive v86's minified build).

/** The parts of v86's lib/filesystem.js Inode that a tree needs. */
interface V86Inode {
  mode: number;
  uid: number;
  gid: number;
  mtime: number;
  ctime: number;
  atime: number;
  size: number;
  major: number;
  minor: number;
  nlinks: number;
  qid: { type: number };
}

/** The parts of v86's lib/filesystem.js FS that a tree needs. */
export interface V86FileSystem {
  inodes: V86Inode[];
  Search(parentId: number, name: string): number;
  CreateDirectory(name: string, parentId: number): number;
  CreateFile(name: string, parentId: number): number;
  CreateSymlink(name: string, parentId: number, target: string): number;
  CreateNode(name: string, parentId: number, major: number, minor: number): number;
  Link(parentId: number, targetId: number, name: string): number;
  Unlink(parentId: number, name: string): number;
  IsDirectory(id: number): boolean;
  set_data(id: number, data: Uint8Array): Promise<void>;
  DeleteData(id: number): Promise<void>;
  GetInode(id: number): V86Inode;
}

export const S_IFMT = 0o170000;
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

/** 9p qid types (the high byte of the mode, as v86 keeps them). */
const QID_DIR = 0x80;
const QID_SYMLINK = 0x02;
const QID_FILE = 0;

export interface FileAttrs {
  /** Permission bits (setuid, setgid and sticky included); the type comes from the call. */
  mode: number;
  uid: number;
  gid: number;
  /** Seconds since the epoch. */
  mtime: number;
}

const ROOT_ATTRS: FileAttrs = { mode: 0o755, uid: 0, gid: 0, mtime: 0 };

export class ShareTreeError extends Error {}

/** A directory tree inside the 9p filesystem, addressed by inode ids and names. */
export class ShareTree {
  constructor(private readonly fs: V86FileSystem) {}

  /** The inode of an absolute path in the share, or -1. Does not follow symlinks. */
  lookup(path: string): number {
    let id = 0;
    for (const name of path.split('/')) {
      if (name === '' || name === '.') continue;
      if (name === '..') throw new ShareTreeError(`${path}: '..' is not allowed`);
      if (!this.isDirectory(id)) return -1;
      id = this.fs.Search(id, name);
      if (id === -1) return -1;
    }
    return id;
  }

  isDirectory(id: number): boolean {
    return (this.fs.GetInode(id).mode & S_IFMT) === S_IFDIR;
  }

  /** `mkdir -p` of an absolute path in the share; the inode of the last directory. */
  makeDirs(path: string): number {
    let id = 0;
    for (const name of path.split('/')) {
      if (name === '' || name === '.') continue;
      id = this.child(id, name) ?? this.makeDir(id, name, ROOT_ATTRS);
      if (!this.isDirectory(id)) throw new ShareTreeError(`${path}: ${name} is not a directory`);
    }
    return id;
  }

  /** The child of a directory, or undefined. */
  child(parent: number, name: string): number | undefined {
    const id = this.fs.Search(parent, name);
    return id === -1 ? undefined : id;
  }

  /** A directory; an existing one keeps its contents and takes the new attributes. */
  makeDir(parent: number, name: string, attrs: FileAttrs): number {
    const existing = this.child(parent, name);
    if (existing !== undefined && !this.isDirectory(existing)) this.remove(parent, name);
    const id = existing !== undefined && this.isDirectory(existing) ? existing : this.fs.CreateDirectory(name, parent);
    this.setAttrs(id, S_IFDIR, attrs, QID_DIR);
    return id;
  }

  /** A regular file holding `data` (kept, not copied: the caller must not reuse the buffer). */
  async writeFile(parent: number, name: string, data: Uint8Array, attrs: FileAttrs): Promise<number> {
    this.replace(parent, name);
    const id = this.fs.CreateFile(name, parent);
    await this.fs.set_data(id, data);
    this.fs.GetInode(id).size = data.length;
    this.setAttrs(id, S_IFREG, attrs, QID_FILE);
    return id;
  }

  symlink(parent: number, name: string, target: string, attrs: FileAttrs): number {
    this.replace(parent, name);
    const id = this.fs.CreateSymlink(name, parent, target);
    this.fs.GetInode(id).size = new TextEncoder().encode(target).length;
    this.setAttrs(id, S_IFLNK, { ...attrs, mode: 0o777 }, QID_SYMLINK);
    return id;
  }

  /** A character or block device or a FIFO (type S_IFCHR, S_IFBLK or S_IFIFO). */
  node(parent: number, name: string, type: number, major: number, minor: number, attrs: FileAttrs): number {
    this.replace(parent, name);
    const id = this.fs.CreateNode(name, parent, major, minor);
    this.setAttrs(id, type, attrs, QID_FILE);
    return id;
  }

  /** A hard link to an existing file. */
  link(parent: number, name: string, target: number): void {
    if (this.isDirectory(target)) throw new ShareTreeError(`${name}: hard link to a directory`);
    this.replace(parent, name);
    const status = this.fs.Link(parent, target, name);
    if (status < 0) throw new ShareTreeError(`${name}: link failed (${status})`);
  }

  /** Removes an entry and everything under it, and frees the bytes of files no name points to any more. */
  remove(parent: number, name: string): void {
    const id = this.child(parent, name);
    if (id === undefined) return;
    if (this.isDirectory(id)) {
      for (const childName of this.names(id)) this.remove(id, childName);
    }
    const status = this.fs.Unlink(parent, name);
    if (status < 0) throw new ShareTreeError(`${name}: unlink failed (${status})`);
    // A file still open in the guest keeps reading its bytes until v86 drops them: only unlinked
    // regular files without other names are freed, which is what an rm of a layer is about.
    if (!this.isDirectory(id) && this.fs.GetInode(id).nlinks === 0) void this.fs.DeleteData(id);
  }

  /** `rm -rf` of an absolute path in the share. */
  removePath(path: string): void {
    const cut = path.replace(/\/+$/, '').lastIndexOf('/');
    const parent = this.lookup(path.slice(0, cut) || '/');
    if (parent === -1 || !this.isDirectory(parent)) return;
    this.remove(parent, path.slice(cut + 1).replace(/\/+$/, ''));
  }

  /** The names in a directory, without . and .. */
  names(dir: number): string[] {
    const entries = (this.fs.GetInode(dir) as V86Inode & { direntries: Map<string, number> }).direntries;
    return [...entries.keys()].filter((name) => name !== '.' && name !== '..');
  }

  /** The attributes of an inode (for tests and the inspector). */
  stat(id: number): FileAttrs & { type: number; size: number; major: number; minor: number; nlinks: number } {
    const inode = this.fs.GetInode(id);
    return {
      type: inode.mode & S_IFMT,
      mode: inode.mode & 0o7777,
      uid: inode.uid,
      gid: inode.gid,
      mtime: inode.mtime,
      size: inode.size,
      major: inode.major,
      minor: inode.minor,
      nlinks: inode.nlinks,
    };
  }

  private replace(parent: number, name: string): void {
    if (this.child(parent, name) !== undefined) this.remove(parent, name);
  }

  private setAttrs(id: number, type: number, attrs: FileAttrs, qidType: number): void {
    const inode = this.fs.GetInode(id);
    inode.mode = type | (attrs.mode & 0o7777);
    inode.uid = attrs.uid;
    inode.gid = attrs.gid;
    inode.mtime = inode.ctime = inode.atime = attrs.mtime;
    inode.qid.type = qidType;
  }
}
