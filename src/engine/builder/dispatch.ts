// The legacy builder (moby v28's builder/dockerfile): every instruction of the Dockerfile dispatched
// against real images and containers. RUN runs a container and commits its layer; COPY and ADD write
// a layer of the context's files; the other instructions commit their config through an intermediate
// container, with `#(nop) ` commands and history entries as docker writes them, and the local cache
// of previously built children. The output is the legacy builder's stream of messages.

import type { ContainerService } from '../containers/service';
import type { CreateRequest, HostConfig } from '../containers/types';
import { sha256Hex, shortId } from '../../go/digest';
import type { ContainerConfig, ImageConfig } from '../oci/types';
import type { Runtime } from '../runtime/types';
import { TarWriter, gunzip, isGzip, readTar } from '../images/tar';
import { bunzip2 } from '../images/bzip2';
import { unxz } from '../images/xz';
import { parseDockerfile, formatWarnings } from './parser';
import { parseInstruction, parseInstructions, expandCommand, type Command, type Stage, type HealthConfig as DockerfileHealth } from './instructions';
import { ShellLex, envFromList } from './shell';
import { BuildArgs } from './buildargs';
import { PatternMatcher, readDockerignore } from '../../go/dockerignore';
import { BuildContext, ContextPathError, ImageSourceFiles, type ContextFile, type SourceFiles } from './context';
import { cleanPath, containsWildcards } from '../../go/path';
import { concatBytes } from '../../go/bytes';
import { goQuoteList, goQuoteRune } from '../../go/strconv';
import { formatDuration } from '../../go/duration';

const encoder = new TextEncoder();
const defaultShell = ['/bin/sh', '-c'];
const defaultPath = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** A file of an image, as its layers stack up. */
export interface ImageFile {
  type: string;
  mode: number;
  uid: number;
  gid: number;
  data: Uint8Array;
  linkName: string;
  mtime: number;
}

/** What the builder needs of the image service. */
export interface BuildImages {
  /** The local image id of a reference or id, or undefined. */
  localId(reference: string): Promise<string | undefined>;
  config(imageId: string): Promise<ImageConfig>;
  /** docker pull's message stream (newline-delimited JSON). */
  pull(reference: string): Promise<AsyncIterable<Uint8Array>>;
  buildCommit(input: { parentId: string | undefined; config: ContainerConfig; containerConfig: ContainerConfig; createdBy: string; author: string; layerTar?: Uint8Array }): Promise<string>;
  buildCacheProbe(parentId: string | undefined, containerConfig: ContainerConfig): Promise<string | undefined>;
  /** `withData`: which files' contents to keep (by clean relative name); default /etc/passwd and /etc/group. */
  imageFiles(imageId: string, withData?: (name: string) => boolean): Promise<Map<string, ImageFile>>;
  /** Tags the image; returns the familiar name docker prints ("myimg:latest"). */
  tag(imageId: string, reference: string): Promise<string>;
  /** Checks a -t value up front (moby's sanitizeRepoAndTags); throws "invalid reference format". */
  checkTag(reference: string): void;
}

export interface BuildOptions {
  dockerfile: string;
  tags: string[];
  buildArgs: Record<string, string | null>;
  labels: Record<string, string>;
  noCache: boolean;
  remove: boolean;
  forceRemove: boolean;
  pull: boolean;
  /** --target: the last stage to build. */
  target?: string;
  /** What the RUN (and intermediate) containers get: network mode, resources, extra hosts (hostConfigFromOptions). */
  hostConfig?: HostConfig;
}

/** A message of the build's output stream. */
export type BuildMessage = { stream: string } | { aux: { ID: string } } | Record<string, unknown>;

/** A failed step with the exit code the CLI exits with (jsonmessage.JSONError). */
export class BuildStepError extends Error {
  constructor(
    message: string,
    readonly code: number,
  ) {
    super(message);
    this.name = 'BuildStepError';
  }
}

/** An error before anything ran (the Dockerfile cannot be read or parsed): HTTP 400. */
export class BuildRequestError extends Error {
  override name = 'BuildRequestError';
}

interface State {
  imageId: string | undefined;
  runConfig: ContainerConfig;
  maintainer: string;
  cmdSet: boolean;
  stageName: string;
}

function copyConfig(config: ContainerConfig): ContainerConfig {
  return JSON.parse(JSON.stringify(config)) as ContainerConfig;
}

function shellOf(config: ContainerConfig): string[] {
  return config.Shell && config.Shell.length > 0 ? [...config.Shell] : [...defaultShell];
}

function envKey(entry: string): string {
  return entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry;
}

/** Go's %v of a []string: [a b]. */
function goList(list: readonly string[]): string {
  return `[${list.join(' ')}]`;
}

const signalNames = new Set(
  'ABRT ALRM BUS CHLD CLD CONT FPE HUP ILL INT IO IOT KILL PIPE POLL PROF PWR QUIT SEGV STKFLT STOP SYS TERM TRAP TSTP TTIN TTOU URG USR1 USR2 VTALRM WINCH XCPU XFSZ'.split(' '),
);

/** moby's signal.ParseSignal, enough to refuse what docker refuses. */
function checkSignal(signal: string): void {
  if (/^\d+$/.test(signal)) {
    if (Number(signal) === 0) throw new BuildRequestError(`Invalid signal: ${signal}`);
    return;
  }
  const name = signal.toUpperCase().replace(/^SIG/, '');
  if (signalNames.has(name) || /^RTMIN(\+\d+)?$/.test(name) || /^RTMAX(-\d+)?$/.test(name)) return;
  throw new BuildRequestError(`Invalid signal: ${signal}`);
}

/** nat.ParsePortSpecs for EXPOSE: "80", "80/udp", "8000-8002/tcp" → port keys. */
function exposedPorts(ports: readonly string[]): string[] {
  const out: string[] = [];
  for (const spec of ports) {
    const [range, proto = 'tcp'] = spec.split('/');
    if (!['tcp', 'udp', 'sctp'].includes(proto.toLowerCase())) throw new Error(`invalid proto: ${proto}`);
    const match = /^(\d+)(?:-(\d+))?$/.exec(range);
    if (!match) throw new Error(`invalid containerPort: ${range}`);
    const start = Number(match[1]);
    const end = match[2] === undefined ? start : Number(match[2]);
    if (start > 65535 || end > 65535 || end < start) throw new Error(`invalid containerPort: ${range}`);
    for (let port = start; port <= end; port++) out.push(`${port}/${proto.toLowerCase()}`);
  }
  return out;
}

function healthConfig(health: DockerfileHealth): NonNullable<ContainerConfig['Healthcheck']> {
  return {
    Test: health.test,
    ...(health.interval ? { Interval: health.interval } : {}),
    ...(health.timeout ? { Timeout: health.timeout } : {}),
    ...(health.startPeriod ? { StartPeriod: health.startPeriod } : {}),
    ...(health.startInterval ? { StartInterval: health.startInterval } : {}),
    ...(health.retries ? { Retries: health.retries } : {}),
  };
}

/** A time.Duration held as a number of nanoseconds, as Go prints it. */
const goDuration = (nanoseconds = 0): string => formatDuration(BigInt(Math.trunc(nanoseconds)));

/** moby's HEALTHCHECK commit text: Go's %q of the *HealthConfig. */
function healthComment(health: NonNullable<ContainerConfig['Healthcheck']>): string {
  return `&{${goQuoteList(health.Test)} "${goDuration(health.Interval)}" "${goDuration(health.Timeout)}" "${goDuration(health.StartPeriod)}" "${goDuration(health.StartInterval)}" ${goQuoteRune(health.Retries ?? 0)}}`;
}

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
class LayerBuilder {
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

export interface BuilderDeps {
  images: BuildImages;
  containers: ContainerService;
  runtime: Runtime;
}

export class Builder {
  private lex = new ShellLex('\\');
  private readonly tmpContainers = new Set<string>();
  private readonly fileIndex = new Map<string, Map<string, ImageFile>>();
  private readonly buildArgs: BuildArgs;
  private readonly stageImages = new Map<string, string | undefined>();
  private state: State = { imageId: undefined, runConfig: {}, maintainer: '', cmdSet: false, stageName: '' };
  private hasFrom = false;
  private cancelled = false;
  private running: string | undefined;

  constructor(
    private readonly deps: BuilderDeps,
    private readonly options: BuildOptions,
    private readonly context: BuildContext,
    private readonly emit: (message: BuildMessage) => void,
  ) {
    this.buildArgs = new BuildArgs(options.buildArgs);
  }

  /** The client went away: stop after the current step, and stop a RUN that is running (moby's build cancel). */
  cancel(): void {
    this.cancelled = true;
    if (this.running) void this.deps.containers.kill(this.running, 'KILL').catch(() => undefined);
  }

  private checkCancelled(): void {
    if (!this.cancelled) return;
    this.out('Build cancelled\n');
    throw new BuildStepError('Build cancelled', 1);
  }

  private out(text: string): void {
    this.emit({ stream: text });
  }

  private err(text: string): void {
    this.emit({ stream: `\u001b[91m${text}\u001b[0m` });
  }

  /** Runs the build; resolves to the image id ("sha256:…"). */
  async build(): Promise<string> {
    for (const tag of this.options.tags) this.deps.images.checkTag(tag);
    const dockerfileName = cleanPath(this.options.dockerfile.replace(/^\/+/, '') || 'Dockerfile');
    const dockerfile = this.context.stat(dockerfileName);
    if (!dockerfile || dockerfile.type !== '0') throw new BuildRequestError(`Cannot locate specified Dockerfile: ${this.options.dockerfile || 'Dockerfile'}`);
    const text = new TextDecoder().decode(dockerfile.data);
    // moby's removeDockerfile: the client always sends the Dockerfile and .dockerignore, and the
    // daemon drops them from the context when .dockerignore excludes them (COPY . then leaves them out).
    const ignore = this.context.stat('.dockerignore');
    if (ignore && ignore.type === '0') {
      const matcher = new PatternMatcher(readDockerignore(new TextDecoder().decode(ignore.data)));
      for (const name of ['.dockerignore', dockerfileName]) if (matcher.matches(name)) this.context.files.delete(name);
    }
    let parsed: ReturnType<typeof parseDockerfile>;
    let instructions: ReturnType<typeof parseInstructions>;
    try {
      parsed = parseDockerfile(text);
      instructions = parseInstructions(parsed.ast);
    } catch (error) {
      throw new BuildRequestError(error instanceof Error ? error.message : String(error));
    }
    if (instructions.stages.length === 0) throw new BuildRequestError('dockerfile contains no stages to build');
    if (this.options.target) {
      const at = instructions.stages.findIndex((stage) => stage.name.toLowerCase() === this.options.target?.toLowerCase());
      if (at === -1) throw new BuildRequestError(`failed to reach build target ${this.options.target} in Dockerfile`);
      instructions.stages = instructions.stages.slice(0, at + 1);
    }
    this.lex = new ShellLex(parsed.escapeToken);
    // --label values become LABEL instructions of the last stage, sorted by key.
    const last = instructions.stages[instructions.stages.length - 1];
    for (const key of Object.keys(this.options.labels).sort()) {
      last.commands.push({ kind: 'label', name: 'LABEL', code: `LABEL ${key}=${this.options.labels[key]}`, startLine: 0, endLine: 0, labels: [{ key, value: this.options.labels[key], noDelim: false }], noExpand: true });
    }
    const warnings = formatWarnings(parsed.warnings);
    if (warnings) this.err(warnings);

    const total = instructions.metaArgs.length + instructions.stages.reduce((n, stage) => n + 1 + stage.commands.length, 0);
    let step = 1;
    const printStep = (code: string) => {
      this.out(`Step ${step}/${total} : ${code}`);
      this.out('\n');
      step++;
    };
    for (const meta of instructions.metaArgs) {
      printStep(meta.code);
      const env = envFromList([...this.buildArgs.allMeta()].map(([k, v]) => `${k}=${v}`));
      for (const arg of meta.args) {
        const key = this.expandWord(arg.key, env);
        const value = arg.value === undefined ? undefined : this.expandWord(arg.value, env);
        this.buildArgs.addMetaArg(key, value);
        this.buildArgs.addArg(key, value);
      }
    }
    for (const [index, stage] of instructions.stages.entries()) {
      if (stage.name && this.stageImages.has(stage.name.toLowerCase())) throw new BuildStepError(`duplicate name ${stage.name}`, 1);
      printStep(stage.sourceCode);
      await this.initializeStage(stage);
      this.out(` ---> ${this.state.imageId ? shortId(this.state.imageId) : ''}\n`);
      for (const command of stage.commands) {
        this.checkCancelled();
        printStep(command.code);
        await this.dispatch(command);
        this.out(` ---> ${this.state.imageId ? shortId(this.state.imageId) : ''}\n`);
      }
      if (this.state.imageId) this.emit({ aux: { ID: this.state.imageId } });
      this.stageImages.set(String(index), this.state.imageId);
      if (stage.name) this.stageImages.set(stage.name.toLowerCase(), this.state.imageId);
    }
    const warning = this.buildArgs.unusedWarning();
    if (warning) this.out(warning);
    const id = this.state.imageId;
    if (!id) throw new BuildStepError('No image was generated. Is your Dockerfile empty?', 1);
    this.out(`Successfully built ${shortId(id)}\n`);
    for (const tag of this.options.tags) {
      const name = await this.deps.images.tag(id, tag);
      this.out(`Successfully tagged ${name}\n`);
    }
    return id;
  }

  private expandWord(word: string, env: Map<string, string>): string {
    try {
      return this.lex.processWord(word, env);
    } catch (error) {
      throw new BuildStepError(error instanceof Error ? error.message : String(error), 1);
    }
  }

  // ---- FROM ----

  private async initializeStage(stage: Stage): Promise<void> {
    this.buildArgs.resetStage();
    const metaEnv = envFromList([...this.buildArgs.allMeta()].map(([k, v]) => `${k}=${v}`));
    const name = this.expandWord(stage.baseName, metaEnv);
    if (name === '') throw new BuildStepError(`base name (${stage.baseName}) should not be blank`, 1);
    let imageId: string | undefined;
    let config: ContainerConfig = {};
    if (!/^\d+$/.test(name) && this.stageImages.has(name.toLowerCase())) {
      imageId = this.stageImages.get(name.toLowerCase());
      if (imageId) config = (await this.deps.images.config(imageId)).config ?? {};
    } else if (name.toLowerCase() !== 'scratch') {
      imageId = this.options.pull ? undefined : await this.deps.images.localId(name);
      if (!imageId) {
        await this.pull(name);
        imageId = await this.deps.images.localId(name);
        if (!imageId) throw new BuildStepError(`No such image: ${name}`, 1);
      }
      config = (await this.deps.images.config(imageId)).config ?? {};
    }
    this.hasFrom = true;
    this.state = { imageId, runConfig: copyConfig(config), maintainer: '', cmdSet: false, stageName: stage.name };
    const env = this.state.runConfig.Env ?? [];
    if (!env.some((entry) => envKey(entry) === 'PATH')) this.state.runConfig.Env = [...env, defaultPath];
    const triggers = this.state.runConfig.OnBuild ?? [];
    if (triggers.length > 0) {
      this.state.runConfig.OnBuild = null;
      this.out(`# Executing ${triggers.length} build trigger`);
      if (triggers.length > 1) this.out('s');
      this.out('\n');
      for (const trigger of triggers) {
        const parsed = parseDockerfile(trigger);
        if (parsed.ast.children.length !== 1) throw new BuildStepError('onbuild trigger should be a single expression', 1);
        const command = parseInstruction(parsed.ast.children[0]);
        if (command.kind === 'stage') throw new BuildStepError('FROM is not allowed as an ONBUILD trigger', 1);
        await this.dispatch(command);
      }
    }
  }

  private async pull(name: string): Promise<void> {
    const stream = await this.deps.images.pull(name);
    const decoder = new TextDecoder();
    let pending = '';
    const handle = (line: string) => {
      if (line.trim() === '') return;
      const message = JSON.parse(line) as Record<string, unknown>;
      if (typeof message.error === 'string') throw new BuildStepError(message.error, 1);
      this.emit(message);
    };
    for await (const chunk of stream) {
      pending += decoder.decode(chunk, { stream: true });
      let at: number;
      while ((at = pending.indexOf('\n')) !== -1) {
        handle(pending.slice(0, at));
        pending = pending.slice(at + 1);
      }
    }
    handle(pending);
  }

  // ---- dispatch ----

  private async dispatch(original: Command): Promise<void> {
    const runEnv = this.state.runConfig.Env ?? [];
    const envList = [...runEnv, ...this.buildArgs.filterAllowed(runEnv)];
    const env = envFromList(envList);
    let command: Command;
    try {
      command = expandCommand(original, (word) => this.lex.processWord(word, env));
    } catch (error) {
      throw new BuildStepError(error instanceof Error ? error.message : String(error), 1);
    }
    let failed = true;
    try {
      await this.dispatchExpanded(command, env);
      failed = false;
    } finally {
      if (this.options.forceRemove || (this.options.remove && !failed)) await this.removeTmpContainers();
    }
  }

  private async dispatchExpanded(c: Command, env: Map<string, string>): Promise<void> {
    const config = this.state.runConfig;
    switch (c.kind) {
      case 'env': {
        let message = 'ENV';
        for (const pair of c.env) {
          const entry = `${pair.key}=${pair.value}`;
          message += ` ${entry}`;
          const list = config.Env ?? [];
          const at = list.findIndex((e) => envKey(e) === pair.key);
          if (at === -1) list.push(entry);
          else list[at] = entry;
          config.Env = list;
        }
        return this.commit(message);
      }
      case 'maintainer':
        this.state.maintainer = c.maintainer;
        return this.commit(`MAINTAINER ${c.maintainer}`);
      case 'label': {
        config.Labels = config.Labels ?? {};
        let message = 'LABEL';
        for (const pair of c.labels) {
          config.Labels[pair.key] = pair.value;
          message += ` ${pair.key}=${pair.value}`;
        }
        return this.commit(message);
      }
      case 'add':
      case 'copy':
        return this.copy(c);
      case 'onbuild':
        config.OnBuild = [...(config.OnBuild ?? []), c.expression];
        return this.commit(`ONBUILD ${c.expression}`);
      case 'workdir':
        return this.workdir(c.path);
      case 'run':
        return this.run(c);
      case 'cmd': {
        const cmd = c.prependShell ? [...shellOf(config), ...c.cmdLine] : [...c.cmdLine];
        config.Cmd = cmd;
        await this.commit(`CMD ${goQuoteList(cmd)}`);
        if (c.cmdLine.length > 0) this.state.cmdSet = true;
        return;
      }
      case 'entrypoint': {
        const entrypoint = c.prependShell ? [...shellOf(config), ...c.cmdLine] : [...c.cmdLine];
        config.Entrypoint = entrypoint;
        if (!this.state.cmdSet) config.Cmd = null;
        return this.commit(`ENTRYPOINT ${goQuoteList(entrypoint)}`);
      }
      case 'healthcheck': {
        const old = config.Healthcheck?.Test;
        if (old && old.length > 0 && old[0] !== 'NONE') this.out(`Note: overriding previous HEALTHCHECK: ${goList(old)}\n`);
        config.Healthcheck = healthConfig(c.health);
        return this.commit(`HEALTHCHECK ${healthComment(config.Healthcheck)}`);
      }
      case 'expose': {
        const ports: string[] = [];
        for (const port of c.ports) ports.push(...this.lex.processWords(port, env));
        let keys: string[];
        try {
          keys = exposedPorts(ports);
        } catch (error) {
          throw new BuildStepError(error instanceof Error ? error.message : String(error), 1);
        }
        config.ExposedPorts = { ...(config.ExposedPorts ?? {}), ...Object.fromEntries(keys.map((key) => [key, {}])) };
        return this.commit(`EXPOSE ${ports.join(' ')}`);
      }
      case 'user':
        config.User = c.user;
        return this.commit(`USER ${c.user}`);
      case 'volume': {
        config.Volumes = config.Volumes ?? {};
        for (const volume of c.volumes) {
          if (volume === '') throw new BuildStepError('VOLUME specified can not be an empty string', 1);
          config.Volumes[volume] = {};
        }
        return this.commit(`VOLUME ${goList(c.volumes)}`);
      }
      case 'stopsignal':
        try {
          checkSignal(c.signal);
        } catch (error) {
          throw new BuildStepError(error instanceof Error ? error.message : String(error), 1);
        }
        config.StopSignal = c.signal;
        return this.commit(`STOPSIGNAL ${c.signal}`);
      case 'arg': {
        const parts: string[] = [];
        for (const arg of c.args) {
          parts.push(arg.value === undefined ? arg.key : `${arg.key}=${arg.value}`);
          this.buildArgs.addArg(arg.key, arg.value);
        }
        return this.commit(`ARG ${parts.join(' ')}`);
      }
      case 'shell':
        config.Shell = [...c.shell];
        return this.commit(`SHELL ${goList(c.shell)}`);
    }
  }

  // ---- commits and the cache ----

  private async probeCache(containerConfig: ContainerConfig): Promise<boolean> {
    if (this.options.noCache) return false;
    const hit = await this.deps.images.buildCacheProbe(this.state.imageId, containerConfig);
    if (!hit) return false;
    this.out(' ---> Using cache\n');
    this.state.imageId = hit;
    return true;
  }

  private withComment(comment: string, single = false): ContainerConfig {
    const config = copyConfig(this.state.runConfig);
    config.Cmd = single ? [...shellOf(config), `#(nop) ${comment}`] : [...shellOf(config), '#(nop) ', comment];
    return config;
  }

  /** A metadata step: moby's commit through an intermediate container (an empty layer). */
  private async commit(comment: string): Promise<void> {
    if (!this.hasFrom) throw new BuildStepError('Please provide a source image with `from` prior to commit', 1);
    const containerConfig = this.withComment(comment);
    if (await this.probeCache(containerConfig)) return;
    if (this.state.imageId) await this.createContainer(containerConfig);
    await this.commitStep(containerConfig);
  }

  private async commitStep(containerConfig: ContainerConfig, layerTar?: Uint8Array): Promise<void> {
    this.state.imageId = await this.deps.images.buildCommit({
      parentId: this.state.imageId,
      config: copyConfig(this.state.runConfig),
      containerConfig,
      createdBy: (containerConfig.Cmd ?? []).join(' '),
      author: this.state.maintainer,
      layerTar,
    });
  }

  private async createContainer(config: ContainerConfig): Promise<string> {
    const body: CreateRequest = {
      ...copyConfig(config),
      Image: this.state.imageId,
      Entrypoint: config.Entrypoint ?? [],
      HostConfig: { ...this.options.hostConfig, NetworkMode: this.options.hostConfig?.NetworkMode || 'default' },
    };
    const created = await this.deps.containers.create('', body);
    for (const warning of created.Warnings) this.out(` ---> [Warning] ${warning}\n`);
    this.out(` ---> Running in ${shortId(created.Id)}\n`);
    this.tmpContainers.add(created.Id);
    return created.Id;
  }

  private async removeTmpContainers(): Promise<void> {
    for (const id of [...this.tmpContainers]) {
      try {
        await this.deps.containers.remove(id, { force: true, volumes: true });
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        if (!/No such container/.test(message)) {
          this.out(`Removing intermediate container ${shortId(id)}: ${message}\n`);
          continue;
        }
      }
      this.tmpContainers.delete(id);
      this.out(` ---> Removed intermediate container ${shortId(id)}\n`);
    }
  }

  // ---- RUN ----

  private async run(c: Extract<Command, { kind: 'run' }>): Promise<void> {
    if (c.flagsUsed.length > 0) {
      throw new BuildStepError(`the --${c.flagsUsed[0]} option requires BuildKit. Refer to https://docs.docker.com/go/buildkit/ to learn how to build images with BuildKit enabled`, 1);
    }
    if (c.files.length > 0) throw new BuildStepError('heredocs in RUN require BuildKit; the legacy builder runs the command line only', 1);
    if (!this.state.imageId) throw new BuildStepError('RUN needs a base image with a shell: FROM scratch has no /bin/sh', 1);
    const stateConfig = this.state.runConfig;
    const cmd = c.prependShell ? [...shellOf(stateConfig), ...c.cmdLine] : [...c.cmdLine];
    const args = this.buildArgs.filterAllowed(stateConfig.Env ?? []);
    let saveCmd = cmd;
    if (args.length > 0) {
      const kept = args.filter((entry) => this.buildArgs.isReferencedOrNotBuiltin(envKey(entry))).sort();
      saveCmd = [`|${kept.length}`, ...kept, ...cmd];
    }
    const probeConfig = copyConfig(stateConfig);
    probeConfig.Cmd = saveCmd;
    if (saveCmd.length > 0) probeConfig.Entrypoint = null;
    if (await this.probeCache(probeConfig)) return;

    const runConfig = copyConfig(stateConfig);
    runConfig.Cmd = cmd;
    runConfig.Env = [...(stateConfig.Env ?? []), ...args];
    runConfig.Entrypoint = [];
    runConfig.Healthcheck = { Test: ['NONE'] };
    const id = await this.createContainer(runConfig);
    const containers = this.deps.containers;
    const live = containers.get(id);
    const decoders = { 1: new TextDecoder(), 2: new TextDecoder() };
    const listener = (stream: 1 | 2, chunk: Uint8Array) => {
      const text = decoders[stream].decode(chunk, { stream: true });
      if (text === '') return;
      if (stream === 1) this.out(text);
      else this.err(text);
    };
    live.listeners.add(listener);
    const waiter = containers.wait(live, 'next-exit');
    let exitCode: number;
    this.running = id;
    try {
      await containers.start(id);
      exitCode = (await waiter.result).StatusCode;
      await live.exitHandled;
    } catch (error) {
      waiter.cancel();
      throw error;
    } finally {
      this.running = undefined;
      live.listeners.delete(listener);
    }
    this.checkCancelled();
    if (exitCode !== 0) {
      throw new BuildStepError(`The command '${cmd.join(' ')}' returned a non-zero code: ${exitCode}`, exitCode);
    }
    const runtime = this.deps.runtime;
    const name = `build-${id.slice(0, 12)}-${Date.now()}.tar`;
    let tar: Uint8Array;
    try {
      await runtime.pack(containers.upperDir(live), runtime.stagedPath(name), ['.'], true);
      tar = await runtime.readStagedFile(name);
    } finally {
      await runtime.removeStagedFile(name).catch(() => undefined);
    }
    await this.commitStep(probeConfig, tar);
  }

  // ---- WORKDIR ----

  private async workdir(path: string): Promise<void> {
    const config = this.state.runConfig;
    const joined = path.startsWith('/') ? path : `${config.WorkingDir || '/'}/${path}`;
    config.WorkingDir = cleanPath(joined.startsWith('/') ? joined : `/${joined}`);
    const containerConfig = this.withComment(`WORKDIR ${config.WorkingDir}`, true);
    if (await this.probeCache(containerConfig)) return;
    if (this.state.imageId) await this.createContainer(containerConfig);
    const layer = new LayerBuilder();
    const files = await this.imageFiles();
    const resolved = this.resolveInImage(files, config.WorkingDir);
    await this.addMissingDirs(layer, files, `${resolved}/x`, 0, 0);
    await this.commitStep(containerConfig, layer.entries.size > 0 ? layer.tar() : undefined);
    this.rememberFiles(files, layer);
  }

  // ---- COPY and ADD ----

  private async imageFiles(): Promise<Map<string, ImageFile>> {
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
  private rememberFiles(files: Map<string, ImageFile>, layer: LayerBuilder): void {
    if (!this.state.imageId || this.fileIndex.has(this.state.imageId)) return;
    const next = new Map(files);
    for (const [name, entry] of layer.entries) next.set(name, { type: entry.type, mode: entry.mode, uid: entry.uid, gid: entry.gid, data: new Uint8Array(0), linkName: entry.linkName, mtime: entry.mtime });
    this.fileIndex.set(this.state.imageId, next);
  }

  /** Follows symlinks of the image in every component of an absolute path (FollowSymlinkInScope). */
  private resolveInImage(files: Map<string, ImageFile>, path: string): string {
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
  private async addMissingDirs(layer: LayerBuilder, files: Map<string, ImageFile>, path: string, uid: number, gid: number): Promise<void> {
    const parts = cleanPath(path).split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      if (files.has(dir) || layer.has(dir)) continue;
      layer.add(dir, { type: '5', mode: 0o755, mtime: Math.floor(Date.now() / 1000), uid, gid });
    }
  }

  private async chownIds(chown: string, files: Map<string, ImageFile>): Promise<{ uid: number; gid: number }> {
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

  private async sources(cmdName: string, paths: readonly string[], allowUrls: boolean, from: SourceFiles = this.context, fromImage = false): Promise<CopySource[]> {
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

  private async copy(c: Extract<Command, { kind: 'add' | 'copy' }>): Promise<void> {
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
  private async fromSource(name: string): Promise<SourceFiles> {
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
  private async archiveEntries(data: Uint8Array): Promise<{ name: string; type: string; mode: number; mtime: number; uid: number; gid: number; data: Uint8Array; linkName: string }[] | undefined> {
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

