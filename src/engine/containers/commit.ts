// docker commit (moby's daemon/commit.go): a new image from a container's layer, with its config, the
// overrides of the request and --change instructions.

import { invalidParameter } from '../errors';
import type { ImageProvider } from '../images/types';
import type { ImageConfig } from '../oci/types';
import type { ContainerContext } from './context';
import type { ContainerFiles } from './archive';
import type { LiveContainer } from './live';
import { containerLayer } from './layer';

export interface CommitOptions {
  repo: string;
  tag: string;
  author: string;
  comment: string;
  /** Pause the container while its layer is packed (docker's default). */
  pause: boolean;
  /** Dockerfile instructions (--change). */
  changes: string[];
  /** Config fields that replace the container's (the request body). */
  overrides: Record<string, unknown>;
}

export async function commitContainer(context: ContainerContext, files: ContainerFiles, images: ImageProvider, live: LiveContainer, options: CommitOptions): Promise<string> {
  const runtime = context.runtime;
  const parent = await images.prepareForRun(live.record.image);
  const name = `commit-${live.id.slice(0, 12)}-${Date.now()}.tar`;
  const paused = options.pause && live.status === 'running';
  if (paused) await runtime.pause(live.cgroupPath);
  try {
    await runtime.pack(files.upperDir(live), runtime.stagedPath(name), ['.'], true);
  } finally {
    if (paused) await runtime.resume(live.cgroupPath).catch(() => undefined);
  }
  const packed = await runtime.readStagedFile(name);
  const layer = await containerLayer(packed);
  if (layer !== packed) await runtime.stageFile(name, layer);
  const config = commitConfig(live, parent.config.config ?? {}, options.overrides, options.changes);
  const { repo, tag } = options;
  const id = await images.commit({
    parent,
    layerTarPath: runtime.stagedPath(name),
    config,
    author: options.author,
    comment: options.comment,
    // moby's NewChildImage: the history line is the container's Cmd, joined with spaces
    createdBy: (live.record.config.Cmd ?? []).join(' '),
    reference: repo !== '' ? `${repo}${tag !== '' ? `:${tag}` : ''}` : undefined,
  });
  await runtime.removeStagedFile(name).catch(() => undefined);
  context.emit(live, 'commit', { comment: options.comment, imageID: id, imageRef: repo });
  return id;
}

function commitConfig(live: LiveContainer, imageConfig: NonNullable<ImageConfig['config']>, overrides: Record<string, unknown>, changes: string[]): NonNullable<ImageConfig['config']> {
  const c = live.record.config;
  const config: NonNullable<ImageConfig['config']> = {
    Hostname: c.Hostname,
    Domainname: c.Domainname ?? '',
    User: c.User ?? '',
    ExposedPorts: c.ExposedPorts,
    Env: c.Env ?? null,
    Cmd: c.Cmd ?? null,
    Volumes: c.Volumes ?? null,
    WorkingDir: c.WorkingDir ?? '',
    Entrypoint: c.Entrypoint ?? null,
    OnBuild: c.OnBuild ?? null,
    Labels: c.Labels ?? null,
    ...(c.StopSignal ? { StopSignal: c.StopSignal } : {}),
    ...(imageConfig.Healthcheck ? { Healthcheck: imageConfig.Healthcheck } : {}),
  };
  Object.assign(config, overrides);
  for (const change of changes) {
    for (const line of change.split('\n')) {
      const match = /^\s*(\w+)\s+(.*)$/.exec(line);
      if (!match) continue;
      const instruction = match[1].toUpperCase();
      const value = match[2].trim();
      const json = (): string[] => {
        try {
          const parsed = JSON.parse(value) as unknown;
          if (Array.isArray(parsed)) return parsed.map(String);
        } catch {
          // shell form
        }
        return ['/bin/sh', '-c', value];
      };
      switch (instruction) {
        case 'CMD':
          config.Cmd = json();
          break;
        case 'ENTRYPOINT':
          config.Entrypoint = json();
          break;
        case 'ENV': {
          const eq = value.indexOf('=');
          const entry = eq === -1 ? value.replace(/\s+/, '=') : value;
          const key = entry.slice(0, entry.indexOf('='));
          config.Env = [...(config.Env ?? []).filter((e) => !e.startsWith(`${key}=`)), entry];
          break;
        }
        case 'WORKDIR':
          config.WorkingDir = value;
          break;
        case 'USER':
          config.User = value;
          break;
        case 'EXPOSE':
          config.ExposedPorts = { ...(config.ExposedPorts ?? {}), ...Object.fromEntries(value.split(/\s+/).map((p) => [p.includes('/') ? p : `${p}/tcp`, {}])) };
          break;
        case 'LABEL': {
          const eq = value.indexOf('=');
          if (eq !== -1) config.Labels = { ...(config.Labels ?? {}), [value.slice(0, eq)]: value.slice(eq + 1).replace(/^"|"$/g, '') };
          break;
        }
        case 'VOLUME':
          config.Volumes = { ...(config.Volumes ?? {}), ...Object.fromEntries(json().filter((v) => v !== '/bin/sh' && v !== '-c').map((v) => [v, {}])) };
          break;
        case 'STOPSIGNAL':
          config.StopSignal = value;
          break;
        default:
          throw invalidParameter(`${instruction} is not a valid change command`);
      }
    }
  }
  return config;
}
