// A small ImageProvider for container tests: images by name with a config and layer directories, and
// the image endpoints the CLI calls around `run` (POST /images/create pulls a known image). The real
// image service is tested on its own.

import { jsonResponse, type ApiRequest, type ApiResponse } from '../../src/engine/api/types';
import { notFound } from '../../src/engine/errors';
import { standardHeaders } from '../../src/engine/api/router';
import type { Daemon } from '../../src/engine/daemon';
import type { ImageProvider, RunnableImage } from '../../src/engine/images/types';
import type { ContainerConfig, ImageConfig } from '../../src/engine/oci/types';

export interface FakeImage {
  config?: ContainerConfig;
  layerDirs?: string[];
  size?: number;
}

const encoder = new TextEncoder();

export class FakeImages implements ImageProvider {
  /** Images "pulled" already, by reference (busybox:latest) */
  readonly local = new Map<string, RunnableImage>();
  readonly commits: Parameters<ImageProvider['commit']>[0][] = [];

  constructor(readonly registry: Record<string, FakeImage> = {}) {}

  static normalize(reference: string): string {
    return reference.includes(':') || reference.includes('@') ? reference : `${reference}:latest`;
  }

  private make(reference: string, image: FakeImage): RunnableImage {
    const hex = [...reference].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16).padStart(8, '0');
    const config: ImageConfig = {
      architecture: '386',
      os: 'linux',
      config: { Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'], Cmd: ['sh'], ...image.config },
      rootfs: { type: 'layers', diff_ids: [] },
    };
    return { id: `sha256:${hex.repeat(8)}`, config, layerDirs: image.layerDirs ?? ['/var/lib/docker/overlay2/fake/diff'], layers: [], displayName: reference.replace(/:latest$/, ''), size: image.size ?? 0 };
  }

  /** Makes an image local (as if pulled). */
  add(reference: string, image: FakeImage = {}): RunnableImage {
    const normalized = FakeImages.normalize(reference);
    const runnable = this.make(normalized, image);
    this.local.set(normalized, runnable);
    return runnable;
  }

  pull(reference: string): boolean {
    const normalized = FakeImages.normalize(reference);
    const image = this.registry[normalized];
    if (!image) return false;
    this.add(normalized, image);
    return true;
  }

  async resolveId(referenceOrId: string): Promise<string | undefined> {
    return (await this.prepareForRun(referenceOrId).catch(() => undefined))?.id;
  }

  async prepareForRun(referenceOrId: string): Promise<RunnableImage> {
    const normalized = FakeImages.normalize(referenceOrId);
    const found = this.local.get(normalized) ?? [...this.local.values()].find((image) => image.id === referenceOrId || image.id.slice(7).startsWith(referenceOrId));
    if (!found) throw notFound(`No such image: ${normalized}`);
    return found;
  }

  async commit(input: Parameters<ImageProvider['commit']>[0]): Promise<string> {
    this.commits.push(input);
    const id = `sha256:${'c'.repeat(60)}${String(this.commits.length).padStart(4, '0')}`;
    if (input.reference) this.local.set(FakeImages.normalize(input.reference), { ...input.parent, id, config: { ...input.parent.config, config: input.config } });
    return id;
  }

  /**
   * Answers POST /images/create of a daemon made with this provider (`new Daemon({ imageProvider })`),
   * in place of the image service's real endpoint.
   */
  install(daemon: Daemon): this {
    // The real image routes are registered first: answer POST /images/create before them.
    const handle = daemon.router.handle.bind(daemon.router);
    daemon.router.handle = async (request) => {
      if (request.method === 'POST' && /^(\/v[\d.]+)?\/images\/create$/.test(request.path)) {
        const response = await pullRoute(request);
        return { ...response, headers: { ...standardHeaders(), ...response.headers } };
      }
      return handle(request);
    };
    const pullRoute = async (request: ApiRequest): Promise<ApiResponse> => {
      const from = request.query.get('fromImage') ?? '';
      const tag = request.query.get('tag') ?? 'latest';
      const name = from.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
      const reference = `${name}:${tag}`;
      if (!this.pull(reference)) {
        return jsonResponse(404, { message: `pull access denied for ${name}, repository does not exist or may require 'docker login'` });
      }
      const lines = [
        { status: `Pulling from library/${name}`, id: tag },
        { status: 'Pulling fs layer', progressDetail: {}, id: 'aaaaaaaaaaaa' },
        { status: 'Pull complete', progressDetail: {}, id: 'aaaaaaaaaaaa' },
        { status: 'Digest: sha256:' + 'd'.repeat(64) },
        { status: `Status: Downloaded newer image for ${name}:${tag}` },
      ];
      return { status: 200, headers: { 'content-type': 'application/json' }, body: encoder.encode(lines.map((line) => JSON.stringify(line)).join('\r\n') + '\r\n') };
    };
    return this;
  }
}

// ---- a DockerEnv for CLI tests: in-process client, captured output ----

import { InProcessClient } from '../../src/cli/client';
import type { DockerEnv } from '../../src/cli/env';
import { runDocker } from '../../src/cli/docker';

export interface CliResult {
  status: number;
  stdout: string;
  stderr: string;
  bytes: Uint8Array;
}

export interface CliOptions {
  stdin?: AsyncIterable<Uint8Array>;
  stdinIsTerminal?: boolean;
  stdoutIsTerminal?: boolean;
  now?: () => Date;
  files?: Map<string, Uint8Array>;
  environment?: Record<string, string>;
}

export function cliEnv(daemon: Daemon, options: CliOptions = {}): { env: DockerEnv; out: () => CliResult } {
  let stdout = '';
  let stderr = '';
  const raw: Uint8Array[] = [];
  const textDecoder = new TextDecoder();
  const files = options.files ?? new Map<string, Uint8Array>();
  const env: DockerEnv = {
    client: new InProcessClient((request) => daemon.router.handle(request)),
    stdout: (text) => {
      stdout += text;
      raw.push(encoder.encode(text));
    },
    stderr: (text) => void (stderr += text),
    columns: 80,
    writeStdout: async (bytes) => {
      stdout += textDecoder.decode(bytes, { stream: true });
      raw.push(bytes.slice());
    },
    stdin: options.stdin,
    stdinIsTerminal: options.stdinIsTerminal ?? false,
    stdoutIsTerminal: options.stdoutIsTerminal ?? false,
    rows: 24,
    setRawMode: () => undefined,
    onResize: () => () => undefined,
    onSignal: () => () => undefined,
    environment: options.environment ?? { PWD: '/root', HOME: '/root' },
    readFile: async (path) => {
      const data = files.get(path);
      if (!data) throw new Error(`open ${path}: no such file or directory`);
      return data;
    },
    writeFile: async (path, data) => void files.set(path, data.slice()),
    now: options.now ?? (() => daemon.clock()),
  };
  return {
    env,
    out: () => {
      const all = new Uint8Array(raw.reduce((n, c) => n + c.length, 0));
      let at = 0;
      for (const chunk of raw) {
        all.set(chunk, at);
        at += chunk.length;
      }
      return { status: 0, stdout, stderr, bytes: all };
    },
  };
}

export async function docker(daemon: Daemon, argv: string[], options: CliOptions = {}): Promise<CliResult> {
  const { env, out } = cliEnv(daemon, options);
  const status = await runDocker(argv, env);
  return { ...out(), status };
}
