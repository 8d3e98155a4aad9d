// Mounts of a container other than its rootfs: bind mounts of the guest host's paths (-v /host:/ctr,
// --mount type=bind) and tmpfs mounts (--tmpfs, --mount type=tmpfs). Named and anonymous volumes belong
// to the volume service, which does not exist yet: they are refused with a plain message.

import { invalidParameter } from '../api/types';
import type { Mount } from '../runtime/types';
import type { HostConfig } from './types';

export interface MountPoint {
  Type: 'bind' | 'tmpfs';
  Source: string;
  Destination: string;
  Mode: string;
  RW: boolean;
  Propagation: string;
}

const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'];

function cleanPath(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Parses HostConfig.Binds, Mounts and Tmpfs into runtime mounts and the inspect view. */
export function containerMounts(hostConfig: HostConfig, anonymousVolumes: string[]): { mounts: Mount[]; points: MountPoint[] } {
  const mounts: Mount[] = [];
  const points: MountPoint[] = [];
  const seen = new Set<string>();
  const add = (mount: Mount, point: MountPoint) => {
    if (seen.has(point.Destination)) throw invalidParameter(`Duplicate mount point: ${point.Destination}`);
    seen.add(point.Destination);
    mounts.push(mount);
    points.push(point);
  };
  if (anonymousVolumes.length > 0) throw invalidParameter(`volumes (${anonymousVolumes.join(', ')}) are not available yet in Dockside; use a bind mount of a host directory (-v /host/dir:/path)`);
  if ((hostConfig.VolumesFrom ?? []).length > 0) throw invalidParameter('--volumes-from is not available yet in Dockside');
  for (const bind of hostConfig.Binds ?? []) {
    const parts = bind.split(':');
    if (parts.length < 2 || parts.length > 3) throw invalidParameter(`invalid volume specification: '${bind}'`);
    const [source, destination, modeText = ''] = parts;
    if (!source.startsWith('/')) throw invalidParameter(`named volumes (${source}) are not available yet in Dockside; use a bind mount of a host directory (-v /host/dir:${destination})`);
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
    if (mount.Type === 'bind') {
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
  return { mounts, points };
}
