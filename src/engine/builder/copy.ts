// COPY and ADD: sources from the context, a stage or an image (globs, URLs refused offline, archives
// extracted by ADD), the files of the image being built, and the layer they make.

import { sha256Hex } from '../../go/digest';
import { TarWriter, readTar } from '../../go/tar';
import { gunzip, isGzip } from '../../go/gzip';
import { bunzip2 } from '../images/bzip2';
import { unxz } from '../images/xz';
import type { Command } from './instructions';
import { ContextPathError, ImageSourceFiles, type ContextFile, type SourceFiles } from './context';
import { cleanPath, containsWildcards } from '../../go/path';
import { concatBytes } from '../../go/bytes';
import { BuildStepError, type ImageFile } from './build-types';
import { BuildSteps } from './cache';

const encoder = new TextEncoder();

function isTar(bytes: Uint8Array): boolean {
  if (bytes.length < 512) return false;
  const magic = new TextDecoder().decode(bytes.subarray(257, 262));
  return magic === 'ustar';
}

function compressionOf(bytes: Uint8Array): 'gzip' | 'bzip2' | 'xz' | undefined {
  if (isGzip(bytes)) return 'gzip';
  if (bytes[0] === 0x42 && bytes[1] === 0x5a && bytes[2] === 0x68) return 'bzip2';
  if (bytes[0] === 0xfd && bytes[1] === 0x37 && bytes[2] === 0x7a && bytes[3] === 0x58 && bytes[4] === 0x5a && bytes[5] === 0x00) return 'xz';
  return undefined;
}

/** One thing COPY/ADD writes: a context path (file or directory) or an archive to extract. */
interface CopySource {
  path: string;
  file: ContextFile;
  hash: string;
}

/** A layer being written: entries by path, so later sources replace earlier ones. */
export class LayerBuilder {
  readonly entries = new Map<string, { type: string; mode: number; mtime: number; uid: number; gid: number; data: Uint8Array; linkName: string }>();

  add(path: string, entry: { type: string; mode: number; mtime: number; uid: number; gid: number; data?: Uint8Array; linkName?: string }): void {
    const name = path.replace(/^\/+/, '');
    if (name === '') return;
    this.entries.set(name, { data: new Uint8Array(0), linkName: '', ...entry });
  }

  has(path: string): boolean {
    return this.entries.has(path.replace(/^\/+/, ''));
  }

  tar(): Uint8Array {
    const writer = new TarWriter();
    const names = [...this.entries.keys()].sort((a, b) => {
      const depth = a.split('/').length - b.split('/').length;
      return depth !== 0 ? depth : a < b ? -1 : a > b ? 1 : 0;
    });
    for (const name of names) {
      const entry = this.entries.get(name);
      if (!entry) continue;
      writer.entry(entry.type === '5' ? `${name}/` : name, entry.type, {
        mode: entry.mode,
        mtime: entry.mtime,
        uid: entry.uid,
        gid: entry.gid,
        data: entry.type === '0' ? entry.data : undefined,
        linkName: entry.linkName,
      });
    }
    return writer.finish();
  }
}


/** COPY and ADD, over the cache-and-commit steps. */
export class CopySteps extends BuildSteps {
  protected async imageFiles(): Promise<Map<string, ImageFile>> {
    const id = this.state.imageId;
    if (!id) return new Map();
    let files = this.fileIndex.get(id);
    if (!files) {
      files = await this.deps.images.imageFiles(id);
      this.fileIndex.set(id, files);
    }
    return files;
  }

  /** The new image's files are the old ones plus the layer just written (no need to read it back). */
  protected rememberFiles(files: Map<string, ImageFile>, layer: LayerBuilder): void {
    if (!this.state.imageId || this.fileIndex.has(this.state.imageId)) return;
    const next = new Map(files);
    for (const [name, entry] of layer.entries) next.set(name, { type: entry.type, mode: entry.mode, uid: entry.uid, gid: entry.gid, data: new Uint8Array(0), linkName: entry.linkName, mtime: entry.mtime });
    this.fileIndex.set(this.state.imageId, next);
  }

  /** Follows symlinks of the image in every component of an absolute path (FollowSymlinkInScope). */
  protected resolveInImage(files: Map<string, ImageFile>, path: string): string {
    const parts = cleanPath(path).split('/').filter(Boolean);
    let resolved: string[] = [];
    let hops = 0;
    while (parts.length > 0) {
      const part = parts.shift() as string;
      const candidate = [...resolved, part].join('/');
      const entry = files.get(candidate);
      if (entry && entry.type === '2' && hops++ < 40) {
        const target = entry.linkName.startsWith('/') ? entry.linkName : `/${resolved.join('/')}/${entry.linkName}`;
        const clean = cleanPath(target).split('/').filter(Boolean);
        resolved = [];
        parts.unshift(...clean);
        continue;
      }
      resolved.push(part);
    }
    return `/${resolved.join('/')}`;
  }

  /** Directory entries for the parents of `path` that the image does not have (MkdirAllAndChownNew). */
  protected async addMissingDirs(layer: LayerBuilder, files: Map<string, ImageFile>, path: string, uid: number, gid: number): Promise<void> {
    const parts = cleanPath(path).split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (files.has(dir) || layer.has(dir)) continue;
      layer.add(dir, { type: '5', mode: 0o755, mtime: Math.floor(Date.now() / 1000), uid, gid });
    }
  }

  protected async chownIds(chown: string, files: Map<string, ImageFile>): Promise<{ uid: number; gid: number }> {
    const parts = chown.split(':');
    if (parts.length > 2) throw new BuildStepError(`invalid chown string format: ${chown}`, 1);
    const [userText, groupText = userText] = parts;
    const decoder = new TextDecoder();
    const table = (path: string) => {
      const entry = files.get(path);
      return entry ? decoder.decode(entry.data).split('\n').map((line) => line.split(':')) : [];
    };
    const lookup = (text: string, path: string, what: string, column: number): number => {
      if (/^\d+$/.test(text)) return Number(text);
      const rows = table(path);
      if (rows.length === 0) throw new BuildStepError(`can't find ${what === 'user' ? 'uid' : 'gid'} for ${what} ${text}: no such file or directory`, 1);
      const row = rows.find((fields) => fields[0] === text);
      if (!row) throw new BuildStepError(`can't find ${what === 'user' ? 'uid' : 'gid'} for ${what} ${text}: no such ${what}: ${text}`, 1);
      return Number(row[column]);
    };
    return { uid: lookup(userText, 'etc/passwd', 'user', 2), gid: lookup(groupText, 'etc/group', 'group', 2) };
  }

  protected async sources(cmdName: string, paths: readonly string[], allowUrls: boolean, from: SourceFiles = this.context, fromImage = false): Promise<CopySource[]> {
    const out: CopySource[] = [];
    for (const original of paths) {
      if (/^https?:\/\//.test(original)) {
        if (!allowUrls) throw new BuildStepError(`${cmdName} failed: source can't be a URL for COPY`, 1);
        throw new BuildStepError(`${cmdName} failed: downloading ${original} is not available: Dockside's builder has no network access to fetch URLs`, 1);
      }
      let path: string;
      try {
        path = from.resolve(original);
      } catch (error) {
        if (error instanceof ContextPathError) throw new BuildStepError(`${cmdName} failed: ${error.message}`, 1);
        throw error;
      }
      const matches = containsWildcards(path) ? from.glob(path) : [path];
      for (const match of matches) {
        const file = from.stat(match);
        if (!file) {
          if (fromImage) throw new BuildStepError(`${cmdName} failed: stat ${match}: file does not exist`, 1);
          throw new BuildStepError(`${cmdName} failed: file not found in build context or excluded by .dockerignore: stat ${match}: file does not exist`, 1);
        }
        let hash: string;
        if (file.type === '5') {
          const listing = from
            .below(match)
            .map(([name, entry]) => `${name}:${entry.type}:${entry.mode.toString(8)}:${entry.linkName}:${entry.data.length}`)
            .join('\n');
          const contents = await Promise.all(from.below(match).map(async ([, entry]) => (entry.type === '0' ? sha256Hex(entry.data) : '')));
          hash = `dir:${await sha256Hex(encoder.encode(`${listing}\n${contents.join(',')}`))}`;
        } else {
          hash = `file:${await sha256Hex(concatBytes([encoder.encode(`${file.mode.toString(8)}:${file.linkName}:`), file.data]))}`;
        }
        out.push({ path: match, file, hash });
      }
    }
    if (out.length === 0) throw new BuildStepError(`${cmdName} failed: no source files were specified`, 1);
    return out;
  }

  protected async copy(c: Extract<Command, { kind: 'add' | 'copy' }>): Promise<void> {
    const cmdName = c.kind === 'add' ? 'ADD' : 'COPY';
    if (c.chmod !== '') {
      throw new BuildStepError('the --chmod option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled', 1);
    }
    if (c.sourceContents.length > 0) throw new BuildStepError(`${cmdName} with a heredoc requires BuildKit`, 1);
    const config = this.state.runConfig;
    const requested = c.destPath;
    let dest = requested;
    if (!requested.startsWith('/')) {
      dest = cleanPath(`/${config.WorkingDir || ''}/${requested}`);
      if (requested.endsWith('/') && !dest.endsWith('/')) dest += '/';
    }
    const fromName = c.kind === 'copy' ? c.from : '';
    const from = fromName ? await this.fromSource(fromName) : undefined;
    const sources = await this.sources(cmdName, c.sourcePaths, c.kind === 'add', from ?? this.context, from !== undefined);
    // COPY --from keeps the owners of the image's files unless --chown says otherwise.
    const owner = (file: ContextFile) => (from && !c.chown ? { uid: file.uid ?? 0, gid: file.gid ?? 0 } : ids);
    if (sources.length > 1 && !dest.endsWith('/')) {
      throw new BuildStepError(`When using ${cmdName} with more than one source file, the destination must be a directory and end with a /`, 1);
    }
    const srcHash =
      sources.length === 1 ? sources[0].hash : `multi:${await sha256Hex(encoder.encode(sources.map((source) => source.hash).join(',')))}`;
    const chownComment = c.chown ? `--chown=${c.chown} ` : '';
    const containerConfig = this.withComment(`${cmdName} ${chownComment}${srcHash} in ${dest} `, true);
    if (await this.probeCache(containerConfig)) return;

    const files = await this.imageFiles();
    const ids = c.chown ? await this.chownIds(c.chown, files) : { uid: 0, gid: 0 };
    const layer = new LayerBuilder();
    const destIsDir = (path: string) => {
      if (path.endsWith('/') || cleanPath(path) === '/') return true;
      const resolved = this.resolveInImage(files, path).replace(/^\/+/, '');
      return files.get(resolved)?.type === '5' || layer.entries.get(resolved)?.type === '5';
    };
    for (const source of sources) {
      const { file } = source;
      if (file.type === '5') {
        const target = this.resolveInImage(files, dest);
        await this.addMissingDirs(layer, files, `${target}/x`, ids.uid, ids.gid);
        for (const [name, entry] of (from ?? this.context).below(source.path)) {
          layer.add(`${target}/${name}`, { ...entry, ...owner(entry) });
        }
        continue;
      }
      if (c.kind === 'add' && file.type === '0') {
        const archive = await this.archiveEntries(file.data);
        if (archive) {
          const target = this.resolveInImage(files, dest);
          await this.addMissingDirs(layer, files, `${target}/x`, ids.uid, ids.gid);
          for (const entry of archive) {
            layer.add(`${target}/${entry.name}`, c.chown ? { ...entry, uid: ids.uid, gid: ids.gid } : entry);
          }
          continue;
        }
      }
      const base = source.path.slice(source.path.lastIndexOf('/') + 1);
      const target = destIsDir(dest) ? `${this.resolveInImage(files, dest)}/${base}` : `${this.resolveInImage(files, dest.replace(/\/[^/]*$/, '') || '/')}/${dest.slice(dest.lastIndexOf('/') + 1)}`;
      await this.addMissingDirs(layer, files, target, ids.uid, ids.gid);
      layer.add(target, { ...file, ...owner(file) });
    }
    await this.commitStep(containerConfig, layer.tar());
    this.rememberFiles(files, layer);
  }

  /** COPY --from: a stage by name or index, or an image (pulled if missing), as a file tree. */
  protected async fromSource(name: string): Promise<SourceFiles> {
    let imageId: string | undefined;
    const key = name.toLowerCase();
    if (this.stageImages.has(key)) imageId = this.stageImages.get(key);
    else if (/^\d+$/.test(name)) throw new BuildStepError(`invalid from flag value ${name}: refers to a stage that does not exist before this one`, 1);
    else {
      imageId = await this.deps.images.localId(name);
      if (!imageId) {
        await this.pull(name);
        imageId = await this.deps.images.localId(name);
      }
      if (!imageId) throw new BuildStepError(`invalid from flag value ${name}: No such image: ${name}`, 1);
    }
    if (!imageId) return new ImageSourceFiles(new Map());
    const files = await this.deps.images.imageFiles(imageId, () => true);
    return new ImageSourceFiles(new Map([...files].map(([path, file]) => [path, { ...file, mode: file.mode & 0o7777 }])));
  }

  /** The entries of a local tar archive ADD extracts (plain, gzip, bzip2 or xz); undefined for other files. */
  protected async archiveEntries(data: Uint8Array): Promise<{ name: string; type: string; mode: number; mtime: number; uid: number; gid: number; data: Uint8Array; linkName: string }[] | undefined> {
    const compression = compressionOf(data);
    let bytes = data;
    try {
      if (compression === 'gzip') bytes = await gunzip(data);
      if (compression === 'bzip2') bytes = bunzip2(data);
      if (compression === 'xz') bytes = unxz(data);
    } catch {
      // Not really compressed data: ADD copies the file as it is.
      return undefined;
    }
    if (!isTar(bytes)) return undefined;
    const out = [];
    for await (const entry of readTar([bytes])) {
      const name = cleanPath(entry.name.replace(/^\/+/, ''));
      if (name === '.' || name.startsWith('..')) continue;
      out.push({ name, type: entry.type, mode: entry.mode & 0o7777, mtime: entry.mtime, uid: entry.uid, gid: entry.gid, data: entry.data, linkName: entry.linkName });
    }
    return out;
  }
}
