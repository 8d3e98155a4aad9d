// The build context as the legacy builder sees it: the tar the client sent, read into memory, with
// moby's path rules (a path may not leave the context) and Go's filepath.Match for COPY/ADD globs.

import { cleanTarName, readTar } from '../../go/tar';
import { gunzip, isGzip } from '../../go/gzip';
import { cleanPath, matchPath } from '../../go/path';

export interface ContextFile {
  /** '0' file, '5' directory, '2' symlink, '1' hard link. */
  type: string;
  mode: number;
  mtime: number;
  data: Uint8Array;
  linkName: string;
  /** Owners, for COPY --from (which keeps them); the context's files are copied as root. */
  uid?: number;
  gid?: number;
}

/** Where COPY takes its sources: the build context, or an image or stage (COPY --from). */
export interface SourceFiles {
  stat(name: string): ContextFile | undefined;
  below(dir: string): [string, ContextFile][];
  resolve(source: string): string;
  glob(pattern: string): string[];
}

/** A COPY/ADD source that cannot be used, with moby's wording (the caller adds "COPY failed: "). */
export class ContextPathError extends Error {}

export class BuildContext implements SourceFiles {
  /** Clean relative names ("a/b") → entries; directories that only appear as parents are added. */
  readonly files = new Map<string, ContextFile>();

  static async fromTar(body: Uint8Array): Promise<BuildContext> {
    const context = new BuildContext();
    const bytes = isGzip(body) ? await gunzip(body) : body;
    if (bytes.length === 0) return context;
    for await (const entry of readTar([bytes])) {
      const name = cleanPath(cleanTarName(entry.name));
      if (name === '.' || name.startsWith('..')) continue;
      context.add(name, { type: entry.type === '7' ? '0' : entry.type, mode: entry.mode & 0o7777, mtime: entry.mtime, data: entry.data, linkName: entry.linkName });
    }
    return context;
  }

  add(name: string, file: ContextFile): void {
    const parts = name.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (!this.files.has(dir)) this.files.set(dir, { type: '5', mode: 0o755, mtime: 0, data: new Uint8Array(0), linkName: '' });
    }
    this.files.set(name, file);
  }

  /** The entry at a clean relative path ('.' is the root directory). */
  stat(name: string): ContextFile | undefined {
    if (name === '.') return { type: '5', mode: 0o755, mtime: 0, data: new Uint8Array(0), linkName: '' };
    return this.files.get(name);
  }

  /** Everything below a directory, sorted, as [relative name, entry]. */
  below(dir: string): [string, ContextFile][] {
    const prefix = dir === '.' ? '' : `${dir}/`;
    return [...this.files.entries()]
      .filter(([name]) => name.startsWith(prefix) && name !== dir)
      .map(([name, file]): [string, ContextFile] => [name.slice(prefix.length), file])
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }

  /**
   * A source as COPY names it → clean relative path, or moby's error for a path that leaves the
   * context: "forbidden path outside the build context: ../x ()".
   */
  resolve(source: string): string {
    let path = source.replace(/^\/+/, '').replace(/^\.\//, '');
    const clean = cleanPath(path === '' ? '.' : path);
    if (clean === '..' || clean.startsWith('../')) throw new ContextPathError(`forbidden path outside the build context: ${source} ()`);
    path = clean;
    return path;
  }

  /** The names a wildcard source matches, in walk order (moby's copyWithWildcards). */
  glob(pattern: string): string[] {
    return [...this.files.keys()].filter((name) => matchPath(pattern, name)).sort();
  }
}

/** An image's files as COPY --from sees them (paths from its root; `..` cannot leave it). */
export class ImageSourceFiles extends BuildContext {
  constructor(files: Map<string, ContextFile>) {
    super();
    for (const [name, file] of files) this.add(name, file);
  }

  override resolve(source: string): string {
    return cleanPath(`/${source}`).replace(/^\/+/, '') || '.';
  }
}
