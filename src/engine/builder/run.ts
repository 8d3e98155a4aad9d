// RUN: a container from the current config, its output streamed, its changes committed as a layer.

import type { Command } from './instructions';
import { BuildStepError } from './build-types';
import { containerLayer } from '../containers/layer';
import { CopySteps } from './copy';
import { copyConfig, envKey, shellOf } from './instruction-config';

/** RUN, over the COPY/ADD and cache-and-commit steps. */
export class RunSteps extends CopySteps {
  protected async run(c: Extract<Command, { kind: 'run' }>): Promise<void> {
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
      tar = await containerLayer(await runtime.readStagedFile(name));
    } finally {
      await runtime.removeStagedFile(name).catch(() => undefined);
    }
    await this.commitStep(probeConfig, tar);
  }

  // ---- WORKDIR ----

}
