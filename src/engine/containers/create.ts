// docker create: a container's record from the request and its image (moby's daemon/create.go), the
// checks of its host config, and the volumes it needs (--volumes-from, -v, the image's VOLUMEs),
// filled with the image's content the first time, as docker does.

import { verifyPlatformResources } from './platform-resources';
import { conflict, invalidParameter, systemError } from '../errors';
import type { RunnableImage } from '../images/types';
import type { ContainerContext } from './context';
import { LiveContainer } from './live';
import { ContainerFiles } from './archive';
import { containerPath, containerMounts, volumeRequests, type VolumeMount } from './mounts';
import { networksAtCreate } from './endpoints';
import { registerLinks } from './links';
import { validatePortBindings } from './ports';
import { generateName, VALID_NAME } from './names';
import { parseSecurityOpt } from './security-opt';
import { DOCKER_ROOT, capabilitiesFor } from './spec';
import { ZERO_TIME, type ContainerRecord, type CreateRequest, type HostConfig } from './types';

const MIN_MEMORY = 6 * 1024 * 1024;

export class ContainerCreator {
  constructor(private readonly context: ContainerContext) {}

  /** Creates a container (the platform is always the guest's, linux/386). */
  async create(name: string, body: CreateRequest, options: { builder?: boolean } = {}): Promise<{ Id: string; Warnings: string[] }> {
    if (!body.Image) throw invalidParameter('config cannot be empty in order to create a container');
    // moby's translateWorkingDir, in verifyContainerSettings before anything is made
    if (body.WorkingDir && !body.WorkingDir.startsWith('/')) throw invalidParameter(`the working directory '${body.WorkingDir}' is invalid, it needs to be an absolute path`);
    const hostConfig: HostConfig = body.HostConfig ?? {};
    validateHostConfig(hostConfig, this.context.deps.host.cpus);
    if (name !== '') {
      if (!VALID_NAME.test(name)) throw invalidParameter(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
      const existing = this.context.find(name.replace(/^\//, ''));
      if (existing && existing.record.name === `/${name.replace(/^\//, '')}`) {
        throw conflict(
          `Conflict. The container name "/${name.replace(/^\//, '')}" is already in use by container "${existing.id}". You have to remove (or rename) that container to be able to reuse that name.`,
        );
      }
    }
    await this.context.deps.networks.ready();
    const attached = networksAtCreate(this.context, hostConfig, body.NetworkingConfig?.EndpointsConfig);
    containerMounts(hostConfig);
    await this.checkBindSources(hostConfig);
    // --volumes-from first; the container's own -v and --mount win at the same path (as in moby).
    const own = new Set([...containerMounts(hostConfig).points, ...volumeRequests(hostConfig, [])].map((m) => ('Destination' in m ? m.Destination : m.destination)));
    const fromVolumes = this.volumesFrom(hostConfig).filter((mount) => !own.has(mount.destination));
    const warnings: string[] = verifyPlatformResources(hostConfig, this.context.deps.host.cpus);
    const image = await this.context.deps.images.prepareForRun(body.Image);
    const published = Object.values(hostConfig.PortBindings ?? {}).some((bindings) => (bindings ?? []).length > 0) || hostConfig.PublishAllPorts;
    if (published && hostConfig.NetworkMode === 'host') warnings.push('Published ports are discarded when using host network mode');
    const id = this.context.newId();
    const finalName = name !== '' ? `/${name.replace(/^\//, '')}` : `/${this.uniqueName()}`;
    const links = registerLinks(this.context, hostConfig, finalName);
    const { HostConfig: _h, NetworkingConfig: _n, ...configPart } = body;
    void _h;
    void _n;
    const config = mergeImageConfig(configPart, image);
    config.Hostname = config.Hostname || id.slice(0, 12);
    const entrypoint = config.Entrypoint ?? [];
    const cmd = config.Cmd ?? [];
    const argv = [...entrypoint, ...cmd];
    if (argv.length === 0) throw invalidParameter('no command specified');
    const volumeMounts = await this.createVolumes(
      [...fromVolumes, ...volumeRequests(hostConfig, Object.keys(config.Volumes ?? {}), new Set(fromVolumes.map((mount) => mount.destination)))],
      image.layerDirs,
    );
    const dir = `${DOCKER_ROOT}/containers/${id}`;
    const record: ContainerRecord = {
      id,
      name: finalName,
      created: this.context.createdStamp(),
      path: argv[0],
      args: argv.slice(1),
      config,
      hostConfig: { ...normalizeHostConfig(hostConfig), Links: links },
      image: image.id,
      imageSize: image.size,
      layerDirs: image.layerDirs,
      state: { status: 'created', pid: 0, exitCode: 0, error: '', oomKilled: false, startedAt: ZERO_TIME, finishedAt: ZERO_TIME },
      restartCount: 0,
      manuallyStopped: false,
      hostnamePath: `${dir}/hostname`,
      hostsPath: `${dir}/hosts`,
      resolvConfPath: `${dir}/resolv.conf`,
    };
    if (volumeMounts.length > 0) record.volumeMounts = volumeMounts;
    record.networks = attached.networks;
    if (attached.primary) record.primaryNetwork = attached.primary;
    const live = new LiveContainer(record, this.context.deps.clock);
    this.context.containers.set(id, live);
    const workingDir = configPart.WorkingDir ?? '';
    // The image's own WORKDIR exists, and a build step's is the builder's to make: only a -w elsewhere
    // costs a look into the rootfs.
    if (!options.builder && workingDir !== '' && workingDir !== '/' && workingDir !== (image.config.config?.WorkingDir ?? '')) await this.setupWorkingDirectory(live, workingDir);
    await this.context.persist(live);
    this.context.emit(live, 'create');
    return { Id: id, Warnings: warnings };
  }

  /**
   * -w DIR that the image lacks: moby's SetupWorkingDirectory makes it in the container's filesystem at
   * create (docker diff shows it added). mkdir runs chrooted in the rootfs so that symlinks resolve inside
   * it; an image without mkdir (scratch) gets it from the host's mkdir when no part of the path is a link.
   */
  private async setupWorkingDirectory(live: LiveContainer, dir: string): Promise<void> {
    const script = [
      'root=$1; dir=$2',
      '[ -d "$root$dir" ] && [ ! -L "$root$dir" ] && exit 0',
      'if [ -e "$root/bin/mkdir" ] || [ -L "$root/bin/mkdir" ]; then chroot "$root" mkdir -p "$dir" 2>/dev/null && exit 0',
      'else p=$root; ok=1; set -f; IFS=/; for c in $dir; do [ -n "$c" ] || continue; p=$p/$c; [ -L "$p" ] && ok=0; done',
      '  [ $ok = 1 ] && mkdir -p "$root$dir" && exit 0; fi',
      '[ -e "$root$dir" ] && [ ! -d "$root$dir" ] && exit 3',
      'exit 1',
    ].join('\n');
    const result = await new ContainerFiles(this.context)
      .withRootfs(live, (merged) => this.context.deps.runtime.hostShell(script, [merged, dir]))
      .catch(() => undefined);
    if (result?.exitCode === 3) {
      this.context.containers.delete(live.id);
      throw systemError(`Cannot mkdir: ${dir} is not a directory`);
    }
  }

  /** moby's validateBindSourceExists: a --mount type=bind source must exist on the host (-v makes it). */
  private async checkBindSources(hostConfig: HostConfig): Promise<void> {
    for (const mount of hostConfig.Mounts ?? []) {
      if (mount.Type !== 'bind' || !mount.Source) continue;
      const result = await this.context.deps.runtime.hostShell('[ -e "$1" ]', [mount.Source]);
      if (result.exitCode !== 0) throw invalidParameter(`invalid mount config for type "bind": bind source path does not exist: ${mount.Source}`);
    }
  }

  /** --volumes-from container[:ro|:rw]: the other container's volumes and binds, at the same paths (moby's registerMountPoints). */
  private volumesFrom(hostConfig: HostConfig): VolumeMount[] {
    const out: VolumeMount[] = [];
    for (const spec of hostConfig.VolumesFrom ?? []) {
      if (spec === '') throw invalidParameter('volumes-from specification cannot be an empty string');
      const colon = spec.indexOf(':');
      const ref = colon === -1 ? spec : spec.slice(0, colon);
      const mode = colon === -1 ? 'rw' : spec.slice(colon + 1);
      if (!['ro', 'rw'].includes(mode)) throw invalidParameter(`invalid mode: ${mode}`);
      const other = this.context.find(ref);
      if (!other) throw invalidParameter(`No such container: ${ref}`);
      for (const mount of other.record.volumeMounts ?? []) {
        out.push({ ...mount, rw: mount.rw && mode === 'rw', mode: '', anonymous: false, noCopy: true });
      }
      for (const point of containerMounts(other.record.hostConfig).points) {
        if (point.Type !== 'bind') continue;
        out.push({ name: '', bindSource: point.Source, propagation: point.Propagation, destination: point.Destination, rw: point.RW && mode === 'rw', mode: '', anonymous: false, noCopy: true });
      }
    }
    return out;
  }

  /** Creates the volumes a new container needs; a new empty volume gets the image's content at its path. */
  private async createVolumes(requests: VolumeMount[], layerDirs: readonly string[]): Promise<VolumeMount[]> {
    if (requests.length === 0) return [];
    if (requests.every((request) => request.bindSource !== undefined)) return requests;
    const volumes = this.context.deps.volumes;
    await volumes.ready();
    const out: VolumeMount[] = [];
    for (const request of requests) {
      if (request.bindSource !== undefined) {
        out.push(request);
        continue;
      }
      const record = request.name !== '' && volumes.find(request.name) ? await volumes.get(request.name) : await volumes.create({ name: request.name, anonymous: request.name === '' });
      out.push({ ...request, name: record.name });
      // Like docker, a volume that no container used yet (so still empty) gets the image's content.
      const fresh = await volumes.claim(record.name);
      if (fresh && !request.noCopy) await this.copyImageContent(layerDirs, request.destination, record.name);
    }
    return out;
  }

  /**
   * docker copies what the image has at a volume's path into a new volume. Dockside packs that path of
   * each layer, lowest first, and unpacks it into the volume (whiteouts of upper layers are not applied).
   */
  private async copyImageContent(layerDirs: readonly string[], destination: string, volume: string): Promise<void> {
    const runtime = this.context.deps.runtime;
    const root = `/var/lib/docker/volumes/${volume}`;
    const tar = `${root}/.copy.tar`;
    for (const layer of [...layerDirs].reverse()) {
      try {
        await runtime.pack(`${layer}${containerPath(destination)}`, tar, ['.'], false);
      } catch {
        continue; // this layer has nothing at that path
      }
      try {
        await runtime.unpack(tar, `${root}/_data`, false);
      } finally {
        await runtime.removePath(tar).catch(() => undefined);
      }
    }
  }

  private uniqueName(): string {
    for (let retry = 0; ; retry++) {
      const name = generateName(this.context.random, retry > 5 ? retry : 0);
      if (!this.context.find(name)) return name;
    }
  }
}

/** moby's verifyContainerSettings: what create (and update) refuse, with docker's messages. */
export function validateHostConfig(hostConfig: HostConfig, cpus: number): void {
  const memory = hostConfig.Memory ?? 0;
  if (memory > 0 && memory < MIN_MEMORY) throw invalidParameter('Minimum memory limit allowed is 6MB');
  if (hostConfig.MemorySwap && hostConfig.MemorySwap > 0 && memory > 0 && hostConfig.MemorySwap < memory) {
    throw invalidParameter('Minimum memoryswap limit should be larger than memory limit, see usage');
  }
  if (hostConfig.NanoCpus && hostConfig.NanoCpus > 0) {
    if (hostConfig.NanoCpus < 1e7 || hostConfig.NanoCpus > cpus * 1e9) {
      throw invalidParameter(`range of CPUs is from 0.01 to ${cpus}.00, as there are only ${cpus} CPUs available`);
    }
    if ((hostConfig.CpuQuota ?? 0) > 0 || (hostConfig.CpuPeriod ?? 0) > 0) {
      throw invalidParameter('Conflicting options: Nano CPUs and CPU Period cannot both be set');
    }
  }
  for (const [field, list] of [['CapAdd', hostConfig.CapAdd], ['CapDrop', hostConfig.CapDrop]] as const) {
    try {
      capabilitiesFor({ capAdd: list });
    } catch (error) {
      throw invalidParameter(`invalid ${field}: ${(error as Error).message}`);
    }
  }
  try {
    parseSecurityOpt(hostConfig.SecurityOpt ?? []);
  } catch (error) {
    throw systemError((error as Error).message); // moby's setSecurityOptions: a plain error
  }
  const policy = hostConfig.RestartPolicy;
  if (policy && policy.Name !== '' && policy.Name !== 'no' && hostConfig.AutoRemove) {
    throw invalidParameter('can\'t create \'AutoRemove\' container with restart policy');
  }
  if (policy) {
    if (!['', 'no', 'always', 'on-failure', 'unless-stopped'].includes(policy.Name)) {
      throw invalidParameter(`invalid restart policy: unknown policy '${policy.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'`);
    }
    if (policy.Name !== 'on-failure' && (policy.MaximumRetryCount ?? 0) !== 0) {
      throw invalidParameter("invalid restart policy: maximum retry count can only be used with 'on-failure'");
    }
  }
  const mode = hostConfig.NetworkMode ?? 'default';
  if (mode.startsWith('container:') && mode.length === 'container:'.length) throw invalidParameter('invalid container format container:<name|id>');
  validatePortBindings(hostConfig.PortBindings);
}

/** The container's config: what the request says, the image's config for what it leaves out. */
export function mergeImageConfig(config: CreateRequest, image: RunnableImage): ContainerRecord['config'] {
  const imageConfig = image.config.config ?? {};
  const merged: ContainerRecord['config'] = { ...config };
  merged.Image = config.Image;
  const userEnv = config.Env ?? [];
  const env = [...(imageConfig.Env ?? [])];
  for (const entry of userEnv) {
    const key = entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry;
    const at = env.findIndex((e) => (e.includes('=') ? e.slice(0, e.indexOf('=')) : e) === key);
    if (at === -1) env.push(entry);
    else env[at] = entry;
  }
  merged.Env = env;
  // moby's merge: without an entrypoint the image's Cmd fills an empty one, and a nil entrypoint
  // (not an empty list) is the image's
  if (!config.Entrypoint || config.Entrypoint.length === 0) {
    if (!config.Cmd || config.Cmd.length === 0) merged.Cmd = imageConfig.Cmd ?? null;
    if (!config.Entrypoint) merged.Entrypoint = imageConfig.Entrypoint ?? null;
  } else if (!config.Cmd) {
    merged.Cmd = null;
  }
  // mergeAndVerifyConfig: --entrypoint "" (sent as [""]) resets the entrypoint, after the merge
  if (merged.Entrypoint?.length === 1 && merged.Entrypoint[0] === '') merged.Entrypoint = null;
  if (!merged.Cmd || merged.Cmd.length === 0) merged.Cmd = merged.Cmd ?? null;
  if (!config.WorkingDir) merged.WorkingDir = imageConfig.WorkingDir ?? '';
  if (!config.User) merged.User = imageConfig.User ?? '';
  merged.Labels = { ...(imageConfig.Labels ?? {}), ...(config.Labels ?? {}) };
  const exposed = { ...(imageConfig.ExposedPorts ?? {}), ...(config.ExposedPorts ?? {}) };
  merged.ExposedPorts = Object.keys(exposed).length > 0 ? exposed : undefined;
  const volumes = { ...(imageConfig.Volumes ?? {}), ...(config.Volumes ?? {}) };
  merged.Volumes = Object.keys(volumes).length > 0 ? volumes : null;
  if (!config.StopSignal && imageConfig.StopSignal) merged.StopSignal = imageConfig.StopSignal;
  const health = config.Healthcheck;
  const imageHealth = imageConfig.Healthcheck;
  if (health?.Test && health.Test.length > 0) {
    merged.Healthcheck = { ...imageHealth, ...health };
    if (health.Test[0] === 'NONE') merged.Healthcheck = { Test: ['NONE'] };
  } else if (imageHealth?.Test && imageHealth.Test.length > 0) {
    merged.Healthcheck = { ...imageHealth, ...Object.fromEntries(Object.entries(health ?? {}).filter(([, v]) => v)) };
  }
  if (imageConfig.OnBuild) merged.OnBuild = imageConfig.OnBuild;
  if (imageConfig.Shell && !config.Shell) merged.Shell = imageConfig.Shell;
  return merged;
}

function normalizeHostConfig(hostConfig: HostConfig): HostConfig {
  return {
    ...hostConfig,
    NetworkMode: hostConfig.NetworkMode || 'bridge',
    RestartPolicy: hostConfig.RestartPolicy ?? { Name: 'no', MaximumRetryCount: 0 },
    LogConfig: hostConfig.LogConfig && hostConfig.LogConfig.Type ? hostConfig.LogConfig : { Type: 'json-file', Config: {} },
    MemorySwap: hostConfig.Memory && hostConfig.Memory > 0 && !hostConfig.MemorySwap ? hostConfig.Memory * 2 : (hostConfig.MemorySwap ?? 0),
  };
}
