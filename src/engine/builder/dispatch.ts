// The legacy builder (moby v28's builder/dockerfile): every instruction of the Dockerfile dispatched
// against real images and containers. RUN runs a container and commits its layer; COPY and ADD write
// a layer of the context's files; the other instructions commit their config through an intermediate
// container, with `#(nop) ` commands and history entries as docker writes them, and the local cache
// of previously built children. The output is the legacy builder's stream of messages.

import { shortId } from '../../go/digest';
import type { ContainerConfig } from '../oci/types';
import { parseDockerfile, formatWarnings } from './parser';
import { parseInstruction, parseInstructions, expandCommand, type Command, type Stage } from './instructions';
import { ShellLex, envFromList } from './shell';
import { PatternMatcher, readDockerignore } from '../../go/dockerignore';
import { cleanPath } from '../../go/path';
import { goQuoteList } from '../../go/strconv';
import { BuildRequestError, BuildStepError } from './build-types';
import { LayerBuilder } from './copy';
import { checkSignal, copyConfig, defaultPath, envKey, exposedPorts, goList, healthComment, healthConfig, shellOf } from './instruction-config';
import { RunSteps } from './run';

/** One build: the stages of a Dockerfile, each instruction dispatched in order. */
export class Builder extends RunSteps {
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

  protected expandWord(word: string, env: Map<string, string>): string {
    try {
      return this.lex.processWord(word, env);
    } catch (error) {
      throw new BuildStepError(error instanceof Error ? error.message : String(error), 1);
    }
  }

  // ---- FROM ----

  protected async initializeStage(stage: Stage): Promise<void> {
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


  protected async dispatch(original: Command): Promise<void> {
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

  protected async dispatchExpanded(c: Command, env: Map<string, string>): Promise<void> {
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


  protected async workdir(path: string): Promise<void> {
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

}

export { BuildRequestError, BuildStepError, type BuildImages, type BuildMessage, type BuildOptions, type ImageFile, type BuilderDeps } from './build-types';
