// docker build (cli/command/image/build.go) with the legacy builder, which is what docker 28 uses
// when the buildx plugin is absent: the context directory read through the client's files and
// filtered by .dockerignore, "Sending build context to Docker daemon", POST /build?version=1 and the
// daemon's stream of messages; the exit status of a failed RUN is the CLI's.

import { readTarEntries, writeTarEntries, type TarEntry, type TarEntryInput } from '../../../go/tar';
import type { DockerEnv } from '../../env';
import { defineCommand, exactArgs, type BoolValue, type BytesValue, type CommandDefinition, type CustomValue, type IntValue, type ListValue, type StringValue } from '../../flags';
import { StatusError } from '../../flags/command';
import { humanSize } from '../../formatter';
import { convertKVStringsToMap, parseUlimit, validateEnv, validateLabel } from '../../opts';
import { checkResponse, displayJsonMessages, parseReference, readAll } from './common';
import { PatternMatcher, keepBuildFiles, readDockerignore } from '../../../go/dockerignore';
import { cleanPath } from '../../../go/path';

const buildxMissingWarning = `DEPRECATED: The legacy builder is deprecated and will be removed in a future release.
            Install the buildx component to build images with BuildKit:
            https://docs.docker.com/go/buildx/`;

const buildkitDisabledWarning = `DEPRECATED: The legacy builder is deprecated and will be removed in a future release.
            BuildKit is currently disabled; enable it by removing the DOCKER_BUILDKIT=0
            environment-variable.`;

const buildxMissingError = `ERROR: BuildKit is enabled but the buildx component is missing or broken.
       Install the buildx component to build images with BuildKit:
       https://docs.docker.com/go/buildx/`;

/** strconv.ParseBool. */
function parseGoBool(text: string): boolean | undefined {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(text)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(text)) return false;
  return undefined;
}

/**
 * cmd/docker's processBuilder for `docker build`, `docker image build` and `docker builder …` without the buildx plugin:
 * the legacy builder's deprecation notice on stderr (before flags are even parsed), or the error when
 * DOCKER_BUILDKIT asks for BuildKit. Returns false when the command must stop with status 1.
 */
export function legacyBuilderNotice(argv: readonly string[], env: DockerEnv): boolean {
  let at = 0;
  while (at < argv.length && argv[at].startsWith('-')) at++;
  const isBuild = argv[at] === 'build' || argv[at] === 'builder' || (argv[at] === 'image' && argv[at + 1] === 'build');
  if (!isBuild) return true;
  const setting = env.environment.DOCKER_BUILDKIT ?? '';
  if (setting !== '') {
    const enabled = parseGoBool(setting);
    if (enabled === undefined) {
      env.stderr(`DOCKER_BUILDKIT environment variable expects boolean value: strconv.ParseBool: parsing ${JSON.stringify(setting)}: invalid syntax\n`);
      return false;
    }
    if (enabled) {
      env.stderr(`${buildxMissingError}\n`);
      return false;
    }
    env.stderr(`${buildkitDisabledWarning}\n\n`);
    return true;
  }
  env.stderr(`${buildxMissingWarning}\n\n`);
  return true;
}

// ---- paths ----

function absolute(cwd: string, path: string): string {
  return cleanPath(path.startsWith('/') ? path : `${cwd}/${path}`);
}

/** filepath.Rel for clean absolute paths. */
function relative(base: string, target: string): string {
  const b = base.split('/').filter(Boolean);
  const t = target.split('/').filter(Boolean);
  let common = 0;
  while (common < b.length && common < t.length && b[common] === t[common]) common++;
  const up = b.slice(common).map(() => '..');
  return [...up, ...t.slice(common)].join('/') || '.';
}

function randomHex(length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) out += Math.floor(Math.random() * 16).toString(16);
  return out;
}

async function gzipBytes(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function isTarArchive(bytes: Uint8Array): boolean {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) return true;
  return bytes.length >= 262 && new TextDecoder().decode(bytes.subarray(257, 262)) === 'ustar';
}

interface BuildOptions {
  tags: ListValue;
  buildArgs: ListValue;
  file: StringValue;
  labels: ListValue;
  noCache: BoolValue;
  rm: BoolValue;
  forceRm: BoolValue;
  quiet: BoolValue;
  pull: BoolValue;
  network: StringValue;
  iidfile: StringValue;
  target: StringValue;
  compress: BoolValue;
  platform: StringValue;
  squash: BoolValue;
  ulimits: CustomValue<string[]>;
  memory: BytesValue;
  memorySwap: BytesValue;
  shmSize: BytesValue;
  cpuShares: IntValue;
  cpuPeriod: IntValue;
  cpuQuota: IntValue;
  cpusetCpus: StringValue;
  cpusetMems: StringValue;
  cgroupParent: StringValue;
  addHost: ListValue;
}

/** The context as a tar: the directory's files less .dockerignore's, owned by root (TarWithOptions with ChownOpts 0:0). */
async function contextTar(env: DockerEnv, contextDir: string, relDockerfile: string): Promise<Uint8Array> {
  const fs = env.archives;
  if (!fs) throw new Error('unable to prepare context: this client has no access to local files');
  let excludes: string[] = [];
  try {
    excludes = readDockerignore(new TextDecoder().decode(await env.readFile(`${contextDir === '/' ? '' : contextDir}/.dockerignore`)));
  } catch {
    excludes = [];
  }
  excludes = keepBuildFiles(excludes, relDockerfile);
  const matcher = new PatternMatcher(excludes);
  const packed = await fs.pack(contextDir, '.');
  const kept: TarEntry[] = [];
  for (const entry of await readTarEntries(packed)) {
    const name = cleanPath(entry.name.replace(/^\/+/, ''));
    if (name === '.' || name.startsWith('..')) continue;
    if (excludes.length > 0 && matcher.matches(name)) continue;
    // The context goes without owners, as docker's client sends it.
    kept.push({ ...entry, name: entry.type === '5' ? `${name}/` : name, uid: 0, gid: 0 });
  }
  return writeTarEntries(kept);
}

export function buildCommand(): CommandDefinition<DockerEnv> {
  return defineCommand<BuildOptions, DockerEnv>({
    use: 'build [OPTIONS] PATH | URL | -',
    short: 'Build an image from a Dockerfile',
    aliasesText: 'docker image build, docker build, docker builder build',
    categoryTop: 4,
    args: exactArgs(1),
    flags: (f) => {
      const tags = f.list('tag', 't', 'Name and optionally a tag in the "name:tag" format', (raw) => {
        parseReference(raw);
        return raw;
      });
      const buildArgs = f.list('build-arg', '', 'Set build-time variables');
      const ulimits = f.custom<string[]>('ulimit', '', 'ulimit', [], 'Ulimit options', (raw, current) => {
        parseUlimit(raw);
        return [...current, raw];
      }, (v) => `[${v.join(' ')}]`);
      const file = f.string('file', 'f', '', 'Name of the Dockerfile (Default is "PATH/Dockerfile")');
      const memory = f.bytes('memory', 'm', 0, 'Memory limit');
      const memorySwap = f.bytes('memory-swap', '', 0, 'Swap limit equal to memory plus swap: -1 to enable unlimited swap');
      const shmSize = f.bytes('shm-size', '', 0, 'Size of "/dev/shm"');
      const cpuShares = f.int64('cpu-shares', 'c', 0, 'CPU shares (relative weight)');
      const cpuPeriod = f.int64('cpu-period', '', 0, 'Limit the CPU CFS (Completely Fair Scheduler) period');
      const cpuQuota = f.int64('cpu-quota', '', 0, 'Limit the CPU CFS (Completely Fair Scheduler) quota');
      const cpusetCpus = f.string('cpuset-cpus', '', '', 'CPUs in which to allow execution (0-3, 0,1)');
      const cpusetMems = f.string('cpuset-mems', '', '', 'MEMs in which to allow execution (0-3, 0,1)');
      const cgroupParent = f.string('cgroup-parent', '', '', 'Set the parent cgroup for the "RUN" instructions during build');
      f.string('isolation', '', '', 'Container isolation technology');
      const labels = f.list('label', '', 'Set metadata for an image', validateLabel);
      const noCache = f.bool('no-cache', '', false, 'Do not use cache when building the image');
      const rm = f.bool('rm', '', true, 'Remove intermediate containers after a successful build');
      const forceRm = f.bool('force-rm', '', false, 'Always remove intermediate containers');
      const quiet = f.bool('quiet', 'q', false, 'Suppress the build output and print image ID on success');
      const pull = f.bool('pull', '', false, 'Always attempt to pull a newer version of the image');
      f.stringSlice('cache-from', '', [], 'Images to consider as cache sources');
      const compress = f.bool('compress', '', false, 'Compress the build context using gzip');
      f.stringSlice('security-opt', '', [], 'Security options');
      const network = f.string('network', '', 'default', 'Set the networking mode for the RUN instructions during build');
      f.setAnnotation('network', 'version', ['1.25']);
      const addHost = f.list('add-host', '', 'Add a custom host-to-IP mapping ("host:ip")');
      const target = f.string('target', '', '', 'Set the target build stage to build.');
      const iidfile = f.string('iidfile', '', '', 'Write the image ID to the file');
      f.bool('disable-content-trust', '', true, 'Skip image verification');
      const platform = f.string('platform', '', '', 'Set platform if server is multi-platform capable');
      f.setAnnotation('platform', 'version', ['1.38']);
      const squash = f.bool('squash', '', false, 'Squash newly built layers into a single new layer');
      f.setAnnotation('squash', 'experimental', []);
      f.setAnnotation('squash', 'version', ['1.25']);
      return {
        tags, buildArgs, file, labels, noCache, rm, forceRm, quiet, pull, network, iidfile, target, compress, platform, squash,
        ulimits, memory, memorySwap, shmSize, cpuShares, cpuPeriod, cpuQuota, cpusetCpus, cpusetMems, cgroupParent, addHost,
      };
    },
    run: async ({ args, options, env }) => {
      const [specified] = args;
      const cwd = env.cwd ?? '/';
      if (options.squash.value) throw new Error('Error response from daemon: squash is only supported with experimental mode');
      const dockerfileFromStdin = options.file.value === '-';
      let body: Uint8Array;
      let relDockerfile: string;
      if (specified === '-') {
        if (dockerfileFromStdin) throw new Error("invalid argument: can't use stdin for both build context and dockerfile");
        const input = await readAll(env.stdin);
        if (isTarArchive(input)) {
          body = input;
          relDockerfile = options.file.value || 'Dockerfile';
        } else {
          // A plain Dockerfile on stdin: the context is just that file.
          relDockerfile = 'Dockerfile';
          body = writeTarEntries([{ name: 'Dockerfile', type: '0', data: input, mode: 0o600, mtime: unixSeconds(env.now()) }]);
        }
      } else if (/^(https?:\/\/|git@|github\.com\/)/.test(specified)) {
        throw new Error(`unable to prepare context: downloading ${specified} is not available: Dockside works offline`);
      } else {
        const fs = env.archives;
        if (!fs) throw new Error('unable to prepare context: this client has no access to local files');
        const contextDir = absolute(cwd, specified);
        const stat = await fs.lstat(contextDir);
        if (!stat) throw new Error(`unable to prepare context: path ${JSON.stringify(specified)} not found`);
        if (!stat.isDir) throw new Error(`unable to prepare context: context must be a directory: ${contextDir}`);
        let dockerfilePath: string;
        if (options.file.value !== '' && !dockerfileFromStdin) {
          dockerfilePath = absolute(cwd, options.file.value);
        } else {
          dockerfilePath = `${contextDir === '/' ? '' : contextDir}/Dockerfile`;
          if (!dockerfileFromStdin && !(await fs.lstat(dockerfilePath)) && (await fs.lstat(`${contextDir === '/' ? '' : contextDir}/dockerfile`))) {
            dockerfilePath = `${contextDir === '/' ? '' : contextDir}/dockerfile`;
          }
        }
        if (!dockerfileFromStdin && !(await fs.lstat(dockerfilePath))) {
          throw new Error(`unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat ${dockerfilePath}: no such file or directory`);
        }
        relDockerfile = relative(contextDir, dockerfilePath);
        let extraDockerfile: Uint8Array | undefined;
        if (dockerfileFromStdin) extraDockerfile = await readAll(env.stdin);
        else if (relDockerfile.startsWith('../')) extraDockerfile = await env.readFile(dockerfilePath);
        if (extraDockerfile) relDockerfile = `.dockerfile.${randomHex(20)}`;
        body = await contextTar(env, contextDir, relDockerfile);
        if (extraDockerfile) {
          const entries: TarEntryInput[] = await readTarEntries(body);
          entries.push({ name: relDockerfile, type: '0', data: new Uint8Array(extraDockerfile), mode: 0o600, mtime: unixSeconds(env.now()) });
          body = writeTarEntries(entries);
        }
      }
      // --compress: the context goes gzipped (the daemon detects it).
      if (options.compress.value) body = await gzipBytes(body);
      const quiet = options.quiet.value;
      const progress = `Sending build context to Docker daemon ${humanSize(body.length).padStart(8)}\r\r\n`;
      if (!quiet) env.stdout(progress);

      const lookup = (name: string) => env.environment[name];
      const buildArgs: Record<string, string | null> = {};
      for (const raw of options.buildArgs.value) {
        const value = validateEnv(raw, lookup);
        const equals = value.indexOf('=');
        if (equals === -1) buildArgs[value] = null;
        else buildArgs[value.slice(0, equals)] = value.slice(equals + 1);
      }
      // client.imageBuildOptionsToQuery: only what differs from the defaults.
      const query: Record<string, string | string[] | undefined> = {
        t: options.tags.value.length > 0 ? options.tags.value : undefined,
        q: quiet ? '1' : undefined,
        nocache: options.noCache.value ? '1' : undefined,
        rm: options.rm.value ? undefined : '0',
        forcerm: options.forceRm.value ? '1' : undefined,
        pull: options.pull.value ? '1' : undefined,
        networkmode: options.network.value !== '' && options.network.value !== 'default' ? options.network.value : undefined,
        cpusetcpus: options.cpusetCpus.value || undefined,
        cpusetmems: options.cpusetMems.value || undefined,
        cpushares: options.cpuShares.value ? String(options.cpuShares.value) : undefined,
        cpuquota: options.cpuQuota.value ? String(options.cpuQuota.value) : undefined,
        cpuperiod: options.cpuPeriod.value ? String(options.cpuPeriod.value) : undefined,
        memory: options.memory.value ? String(options.memory.value) : undefined,
        memswap: options.memorySwap.value ? String(options.memorySwap.value) : undefined,
        cgroupparent: options.cgroupParent.value || undefined,
        shmsize: options.shmSize.value ? String(options.shmSize.value) : undefined,
        dockerfile: relDockerfile,
        target: options.target.value || undefined,
        ulimits: options.ulimits.value.length > 0 ? JSON.stringify(options.ulimits.value.map(parseUlimit)) : undefined,
        extrahosts: options.addHost.value.length > 0 ? options.addHost.value : undefined,
        buildargs: Object.keys(buildArgs).length > 0 ? JSON.stringify(buildArgs) : undefined,
        labels: options.labels.value.length > 0 ? JSON.stringify(convertKVStringsToMap(options.labels.value)) : undefined,
        version: '1',
      };
      let response: Awaited<ReturnType<typeof checkResponse>>;
      try {
        response = await checkResponse(
          await env.client.request('POST', '/build', { query, body: (async function* () { yield body; })(), headers: { 'Content-Type': 'application/x-tar' } }),
        );
      } catch (error) {
        // -q: what was held back (the upload's progress) goes to stderr before the error.
        if (quiet) env.stderr(progress);
        throw error;
      }
      let imageId = '';
      let quietOutput = '';
      // Ctrl-C cancels the request (the daemon then cancels the build) and docker exits with 128+signal, silently.
      const source = response.stream()[Symbol.asyncIterator]();
      let interrupted = 0;
      const signalNumbers: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 };
      const offSignal = env.onSignal((signal) => {
        interrupted = signalNumbers[signal] ?? 2;
        void source.return?.();
      });
      try {
        await displayJsonMessages({ [Symbol.asyncIterator]: () => source }, (text) => (quiet ? (quietOutput += text) : env.stdout(text)), {
          terminal: env.stdoutIsTerminal,
          columns: env.columns,
          onAux: (aux) => {
            const id = (aux as { ID?: unknown }).ID;
            if (typeof id === 'string') imageId = id;
          },
        });
      } catch (error) {
        if (error instanceof StatusError && quiet) env.stderr(`${progress}${quietOutput}`);
        throw error;
      } finally {
        offSignal();
      }
      if (interrupted) throw new StatusError('', 128 + interrupted);
      if (quiet) {
        imageId = quietOutput;
        env.stdout(imageId);
      }
      if (options.iidfile.value !== '') {
        if (imageId === '') throw new Error(`Server did not provide an image ID. Cannot write ${options.iidfile.value}`);
        await env.writeFile(absolute(cwd, options.iidfile.value), new TextEncoder().encode(imageId));
      }
      void options.platform; // one platform here: linux/386
    },
  });
}

function unixSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}
