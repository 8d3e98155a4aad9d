// Mounts of a container other than its rootfs: bind mounts of the guest host's paths (-v /host:/ctr,
// --mount type=bind), tmpfs mounts (--tmpfs, --mount type=tmpfs) and volumes (-v name:/ctr, -v /ctr,
// --mount type=volume, the image's VOLUME, --volumes-from). Volumes are chosen once, at create, into the
// record's volumeMounts (volumeRequests); each is then a bind mount of the volume's _data directory.

import { invalidParameter } from '../errors';
import type { Mount } from '../runtime/types';
import type { HostConfig } from './types';

export interface MountPoint {
  Type: 'bind' | 'tmpfs' | 'volume';
  Name?: string;
  Source: string;
  Destination: string;
  Driver?: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

/** A volume a container uses, as kept in its record. */
export interface VolumeMount {
  /** The volume's name; '' in a request means a new anonymous volume. */
  name: string;
  destination: string;
  rw: boolean;
  /** The mode text as given (-v name:/p:ro gives "ro"; --mount gives ""; anonymous "" too). */
  mode: string;
  /** Created for this container (anonymous): `docker rm -v` removes it. */
  anonymous: boolean;
  /** --mount volume-nocopy / -v name:/p:nocopy: do not copy the image's content into a new volume. */
  noCopy?: boolean;
  /** A host path bind mount shared by --volumes-from (name is then ''). */
  bindSource?: string;
  propagation?: string;
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];
/** moby's volume name rule for the local driver. */
const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export function cleanPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Parses HostConfig.Binds, Mounts and Tmpfs into runtime mounts and the inspect view. */
export function containerMounts(hostConfig: HostConfig, volumes: readonly VolumeMount[] = []): { mounts: Mount[]; points: MountPoint[] } {
  const mounts: Mount[] = [];
  const points: MountPoint[] = [];
  const seen = new Set<string>();
  const add = (mount: Mount, point: MountPoint) => {
    if (seen.has(point.Destination)) throw invalidParameter(`Duplicate mount point: ${point.Destination}`);
    seen.add(point.Destination);
    mounts.push(mount);
    points.push(point);
  };
  // Volume destinations: checked here when validating (no volumes given yet), added below otherwise.
  const reserve = (destination: string) => {
    if (volumes.length > 0) return;
    if (seen.has(destination)) throw invalidParameter(`Duplicate mount point: ${destination}`);
    seen.add(destination);
  };
  for (const bind of hostConfig.Binds ?? []) {
    const parts = bind.split(':');
    if (parts.length < 2 || parts.length > 3) throw invalidParameter(`invalid volume specification: '${bind}'`);
    const [source, destination, modeText = ''] = parts;
    if (!source.startsWith('/')) {
      checkVolumeBind(bind, source, destination, modeText);
      reserve(cleanPath(destination));
      continue;
    }
    if (!destination.startsWith('/')) throw invalidParameter(`invalid mount config for type "bind": invalid mount path: '${destination}' mount path must be absolute`);
    const modes = modeText === '' ? [] : modeText.split(',');
    for (const mode of modes) {
      if (!['ro', 'rw', 'z', 'Z', 'nocopy', ...PROPAGATIONS].includes(mode)) throw invalidParameter(`invalid mode: ${mode}`);
    }
    const readOnly = modes.includes('ro');
    const propagation = modes.find((mode) => PROPAGATIONS.includes(mode)) ?? 'rprivate';
    add(
      { destination: cleanPath(destination), type: 'bind', source: cleanPath(source), options: ['rbind', readOnly ? 'ro' : 'rw', propagation] },
      { Type: 'bind', Source: cleanPath(source), Destination: cleanPath(destination), Mode: modeText, RW: !readOnly, Propagation: propagation },
    );
  }
  for (const mount of hostConfig.Mounts ?? []) {
    const destination = mount.Target;
    if (!destination || !destination.startsWith('/')) throw invalidParameter(`invalid mount config for type "${mount.Type}": invalid mount path: '${destination ?? ''}' mount path must be absolute`);
    if (mount.Type === 'volume') {
      if (mount.Source && !VOLUME_NAME.test(mount.Source)) {
        throw invalidParameter(`create ${mount.Source}: "${mount.Source}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
      }
      reserve(cleanPath(destination));
    } else if (mount.Type === 'bind') {
      if (!mount.Source) throw invalidParameter('invalid mount config for type "bind": field Source must not be empty');
      add(
        { destination: cleanPath(destination), type: 'bind', source: cleanPath(mount.Source), options: ['rbind', mount.ReadOnly ? 'ro' : 'rw', 'rprivate'] },
        { Type: 'bind', Source: cleanPath(mount.Source), Destination: cleanPath(destination), Mode: '', RW: !mount.ReadOnly, Propagation: 'rprivate' },
      );
    } else if (mount.Type === 'tmpfs') {
      const options = ['nosuid', 'nodev', 'noexec'];
      const tmpfs = (mount as { TmpfsOptions?: { SizeBytes?: number; Mode?: number } }).TmpfsOptions;
      if (tmpfs?.SizeBytes) options.push(`size=${Math.floor(tmpfs.SizeBytes / 1024)}k`);
      if (tmpfs?.Mode) options.push(`mode=${tmpfs.Mode.toString(8)}`);
      if (mount.ReadOnly) options.push('ro');
      add({ destination: cleanPath(destination), type: 'tmpfs', source: 'tmpfs', options }, { Type: 'tmpfs', Source: '', Destination: cleanPath(destination), Mode: '', RW: !mount.ReadOnly, Propagation: '' });
    } else {
      throw invalidParameter(`mounts of type ${mount.Type} are not available yet in Dockside`);
    }
  }
  for (const [destination, optionText] of Object.entries(hostConfig.Tmpfs ?? {})) {
    const options = ['nosuid', 'nodev', 'noexec'];
    for (const option of optionText.split(',').filter((o) => o !== '')) {
      if (option === 'exec') options.splice(options.indexOf('noexec'), 1);
      else if (option === 'suid') options.splice(options.indexOf('nosuid'), 1);
      else if (option === 'dev') options.splice(options.indexOf('nodev'), 1);
      else options.push(option);
    }
    add({ destination: cleanPath(destination), type: 'tmpfs', source: 'tmpfs', options }, { Type: 'tmpfs', Source: '', Destination: cleanPath(destination), Mode: optionText, RW: !options.includes('ro'), Propagation: '' });
  }
  for (const volume of volumes) {
    if (volume.bindSource !== undefined) {
      const propagation = volume.propagation || 'rprivate';
      add(
        { destination: volume.destination, type: 'bind', source: volume.bindSource, options: ['rbind', volume.rw ? 'rw' : 'ro', propagation] },
        { Type: 'bind', Source: volume.bindSource, Destination: volume.destination, Mode: volume.mode, RW: volume.rw, Propagation: propagation },
      );
      continue;
    }
    if (volume.name === '') continue;
    const source = `${VOLUME_DATA_ROOT}/${volume.name}/_data`;
    add(
      { destination: volume.destination, type: 'bind', source, options: ['rbind', volume.rw ? 'rw' : 'ro', 'rprivate'] },
      { Type: 'volume', Name: volume.name, Source: source, Destination: volume.destination, Driver: 'local', Mode: volume.mode, RW: volume.rw, Propagation: '' },
    );
  }
  return { mounts, points };
}

const VOLUME_DATA_ROOT = '/var/lib/docker/volumes';

function checkVolumeBind(bind: string, source: string, destination: string, modeText: string): void {
  if (source === '' || destination === '') throw invalidParameter(`invalid spec: ${bind}: empty section between colons`);
  if (!VOLUME_NAME.test(source)) {
    throw invalidParameter(`create ${source}: "${source}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
  }
  if (!destination.startsWith('/')) throw invalidParameter(`invalid mount config for type "volume": invalid mount path: '${destination}' mount path must be absolute`);
  for (const mode of modeText === '' ? [] : modeText.split(',')) {
    if (!['ro', 'rw', 'z', 'Z', 'nocopy', ...PROPAGATIONS].includes(mode)) throw invalidParameter(`invalid mode: ${mode}`);
  }
}

/**
 * The volumes a new container asks for, in docker's order: -v name:/p, --mount type=volume, then the
 * anonymous ones (-v /p in Config.Volumes and the image's VOLUME) whose path no other mount covers.
 * `taken` are destinations already served by --volumes-from.
 */
export function volumeRequests(hostConfig: HostConfig, configVolumes: readonly string[], taken: ReadonlySet<string> = new Set()): VolumeMount[] {
  const requests: VolumeMount[] = [];
  const covered = new Set<string>(taken);
  for (const bind of hostConfig.Binds ?? []) {
    const parts = bind.split(':');
    if (parts.length < 2 || parts.length > 3) continue;
    const [source, destination, modeText = ''] = parts;
    covered.add(cleanPath(destination));
    if (source.startsWith('/')) continue;
    const modes = modeText === '' ? [] : modeText.split(',');
    requests.push({ name: source, destination: cleanPath(destination), rw: !modes.includes('ro'), mode: modeText === '' ? 'z' : modeText, anonymous: false, noCopy: modes.includes('nocopy') });
  }
  for (const mount of hostConfig.Mounts ?? []) {
    if (!mount.Target) continue;
    covered.add(cleanPath(mount.Target));
    if (mount.Type !== 'volume') continue;
    const options = (mount as { VolumeOptions?: { NoCopy?: boolean } }).VolumeOptions;
    const source = mount.Source ?? '';
    requests.push({ name: source, destination: cleanPath(mount.Target), rw: !mount.ReadOnly, mode: '', anonymous: source === '', noCopy: options?.NoCopy ?? false });
  }
  for (const destination of Object.keys(hostConfig.Tmpfs ?? {})) covered.add(cleanPath(destination));
  for (const path of configVolumes) {
    const destination = cleanPath(path);
    if (covered.has(destination)) continue;
    covered.add(destination);
    requests.push({ name: '', destination, rw: true, mode: '', anonymous: true });
  }
  return requests;
}
