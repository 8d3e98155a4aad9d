// The builder's steps that every instruction ends with: the local build cache (an image with the same
// parent and config is reused), committing through an intermediate container, pulling base images,
// and the build's output and cancellation.

import type { CreateRequest } from '../containers/types';
import { shortId } from '../../go/digest';
import type { ContainerConfig } from '../oci/types';
import { ShellLex } from './shell';
import { BuildArgs } from './buildargs';
import { BuildContext } from './context';
import { type BuildMessage, type BuildOptions, BuildStepError, type BuilderDeps, type ImageFile, type State } from './build-types';
import { copyConfig, shellOf } from './instruction-config';

/** The builder's state and its cache-and-commit steps; the instruction steps build on it. */
export class BuildSteps {
  protected lex = new ShellLex('\\');
  protected readonly tmpContainers = new Set<string>();
  protected readonly fileIndex = new Map<string, Map<string, ImageFile>>();
  protected readonly buildArgs: BuildArgs;
  protected readonly stageImages = new Map<string, string | undefined>();
  protected state: State = { imageId: undefined, runConfig: {}, maintainer: '', cmdSet: false, stageName: '' };
  protected hasFrom = false;
  protected cancelled = false;
  protected running: string | undefined;

  constructor(
    protected readonly deps: BuilderDeps,
    protected readonly options: BuildOptions,
    protected readonly context: BuildContext,
    protected readonly emit: (message: BuildMessage) => void,
  ) {
    this.buildArgs = new BuildArgs(options.buildArgs);
  }

  /** The client went away: stop after the current step, and stop a RUN that is running (moby's build cancel). */
  cancel(): void {
    this.cancelled = true;
    if (this.running) void this.deps.containers.kill(this.running, 'KILL').catch(() => undefined);
  }

  protected checkCancelled(): void {
    if (!this.cancelled) return;
    this.out('Build cancelled\n');
    throw new BuildStepError('Build cancelled', 1);
  }

  protected out(text: string): void {
    this.emit({ stream: text });
  }

  protected err(text: string): void {
    this.emit({ stream: `\u001b[91m${text}\u001b[0m` });
  }

  /** Runs the build; resolves to the image id ("sha256:…"). */

  protected async pull(name: string): Promise<void> {
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


  protected async probeCache(containerConfig: ContainerConfig): Promise<boolean> {
    if (this.options.noCache) return false;
    const hit = await this.deps.images.buildCacheProbe(this.state.imageId, containerConfig);
    if (!hit) return false;
    this.out(' ---> Using cache\n');
    this.state.imageId = hit;
    return true;
  }

  protected withComment(comment: string, single = false): ContainerConfig {
    const config = copyConfig(this.state.runConfig);
    config.Cmd = single ? [...shellOf(config), `#(nop) ${comment}`] : [...shellOf(config), '#(nop) ', comment];
    return config;
  }

  /** A metadata step: moby's commit through an intermediate container (an empty layer). */
  protected async commit(comment: string): Promise<void> {
    if (!this.hasFrom) throw new BuildStepError('Please provide a source image with `from` prior to commit', 1);
    const containerConfig = this.withComment(comment);
    if (await this.probeCache(containerConfig)) return;
    if (this.state.imageId) await this.createContainer(containerConfig);
    await this.commitStep(containerConfig);
  }

  protected async commitStep(containerConfig: ContainerConfig, layerTar?: Uint8Array): Promise<void> {
    this.state.imageId = await this.deps.images.buildCommit({
      parentId: this.state.imageId,
      config: copyConfig(this.state.runConfig),
      containerConfig,
      createdBy: (containerConfig.Cmd ?? []).join(' '),
      author: this.state.maintainer,
      layerTar,
    });
  }

  protected async createContainer(config: ContainerConfig): Promise<string> {
    const body: CreateRequest = {
      ...copyConfig(config),
      Image: this.state.imageId,
      Entrypoint: config.Entrypoint ?? [],
      HostConfig: { ...this.options.hostConfig, NetworkMode: this.options.hostConfig?.NetworkMode || 'default' },
    };
    const created = await this.deps.containers.create('', body, { builder: true });
    for (const warning of created.Warnings) this.out(` ---> [Warning] ${warning}\n`);
    this.out(` ---> Running in ${shortId(created.Id)}\n`);
    this.tmpContainers.add(created.Id);
    return created.Id;
  }

  protected async removeTmpContainers(): Promise<void> {
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

}
