// The legacy builder through POST /build with the real image service, a MemoryRegistry and a
// FakeRuntime whose processes play a few shell commands: output lines, commits, history, the cache
// and errors as moby v28 gives them.

import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { InProcessClient } from '../../src/cli/client';
import { Daemon } from '../../src/engine/daemon';
import type { ImageService } from '../../src/engine/images/service';
import { TarWriter, readTar } from '../../src/go/tar';
import { MemoryRegistry } from '../../src/engine/registry/memory-registry';
import { MemoryStore } from '../../src/engine/store';
import { FakeRuntime, type FakeProgram } from '../helpers/fake-runtime';
import { tool } from '../helpers/requirements';
import { until } from '../helpers/wait';

const hasCompressors = [tool('bzip2', 'ADD of a .tar.bz2'), tool('xz', 'ADD of a .tar.xz')].every(Boolean);

const now = new Date('2026-03-01T10:00:00Z');

/** RUN commands the fake containers understand: echo, exit N, and "touch" (recorded as a layer change). */
const program: FakeProgram = async ({ spec, stdout, stderr, signals }) => {
  const [shell, flag, script = ''] = spec.args;
  if (shell !== '/bin/sh' || flag !== '-c') return 0;
  const exit = /^exit (\d+)$/.exec(script);
  if (exit) return Number(exit[1]);
  if (script.startsWith('echo ')) await stdout(`${script.slice(5)}\n`);
  if (script.startsWith('warn ')) await stderr(`${script.slice(5)}\n`);
  if (script === 'env') await stdout(`${spec.env.join('\n')}\n`);
  if (script === 'sleep') {
    await stdout('sleeping\n');
    for await (const signal of signals) if (signal === 9) return { exitCode: 137, signal };
  }
  return 0;
};

/** pack writes a layer with one file, as if the RUN had created it. */
class BuildRuntime extends FakeRuntime {
  override async pack(dir: string, tarPath: string, paths: string[], whiteouts: boolean): Promise<void> {
    await super.pack(dir, tarPath, paths, whiteouts);
    const tar = new TarWriter();
    tar.directory('./');
    tar.file('./ran', `${dir}\n`);
    await this.stageFile(tarPath.slice(tarPath.lastIndexOf('/') + 1), tar.finish());
  }
}

async function setup() {
  const registry = new MemoryRegistry();
  await registry.add('docker.io/library/busybox:latest', {
    files: { 'bin/': '', 'bin/sh': 'SH', 'etc/': '', 'etc/passwd': 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n', 'etc/group': 'root:x:0:\nstaff:x:50:\n' },
    config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
    metadataSteps: ['/bin/sh -c #(nop)  CMD ["sh"]'],
    created: '2025-05-01T00:00:00Z',
  });
  const runtime = new BuildRuntime(program);
  const store = new MemoryStore();
  const daemon = new Daemon({ store, runtime, registry, clock: () => now });
  const client = new InProcessClient((request) => daemon.router.handle(request));
  return { daemon, runtime, client, service: daemon.images as ImageService };
}

function contextTar(files: Record<string, string | Uint8Array>): Uint8Array {
  const tar = new TarWriter();
  for (const [name, content] of Object.entries(files)) {
    if (name.endsWith('/') && typeof content === 'string') tar.directory(name, 1700000000);
    else tar.file(name, content, 1700000000, name.endsWith('.sh') ? 0o755 : 0o644);
  }
  return tar.finish();
}

type Message = { stream?: string; aux?: { ID: string }; error?: string; errorDetail?: { code?: number; message: string }; status?: string; id?: string };

async function build(client: InProcessClient, files: Record<string, string | Uint8Array>, query: Record<string, string | string[]> = {}) {
  const response = await client.request('POST', '/build', { query: { dockerfile: 'Dockerfile', version: '1', ...query }, body: contextTar(files), headers: { 'Content-Type': 'application/x-tar' } });
  const text = await response.text();
  if (response.status !== 200) return { status: response.status, text, messages: [] as Message[], output: '' };
  const messages = text
    .split('\r\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Message);
  const output = messages.map((m) => m.stream ?? (m.status ? `${m.id ? `${m.id}: ` : ''}${m.status}\n` : '')).join('');
  return { status: response.status, text, messages, output };
}

const short = (id: string) => id.slice(7, 19);

describe('POST /build (legacy builder)', () => {
  it('runs every step and prints the legacy output, message by message', async () => {
    const { client, service } = await setup();
    await client.request('POST', '/images/create', { query: { fromImage: 'docker.io/library/busybox', tag: 'latest' } }).then((r) => r.text());
    const base = await service.images.resolve('busybox');
    const dockerfile = 'FROM busybox\nENV GREETING=hello\nRUN echo built $GREETING\nCMD ["sh"]\n';
    const result = await build(client, { Dockerfile: dockerfile }, { t: 'myimg' });
    expect(result.status).toBe(200);
    const streams = result.messages.filter((m) => m.stream !== undefined).map((m) => m.stream);
    expect(streams.slice(0, 3)).toEqual(['Step 1/4 : FROM busybox', '\n', ` ---> ${short(base.id)}\n`]);
    expect(streams[3]).toBe('Step 2/4 : ENV GREETING=hello');
    expect(streams[5]).toMatch(/^ ---> Running in [0-9a-f]{12}\n$/);
    expect(streams[6]).toBe(` ---> Removed intermediate container ${streams[5]?.slice(17, 29)}\n`);
    const lines = result.output.split('\n');
    const runStep = lines.indexOf('Step 3/4 : RUN echo built $GREETING');
    expect(lines[runStep + 1]).toMatch(/^ ---> Running in [0-9a-f]{12}$/);
    expect(lines[runStep + 2]).toBe('built $GREETING');
    expect(lines[runStep + 3]).toMatch(/^ ---> Removed intermediate container [0-9a-f]{12}$/);
    const aux = result.messages.find((m) => m.aux)?.aux?.ID ?? '';
    expect(aux).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(lines.slice(-3)).toEqual([`Successfully built ${short(aux)}`, 'Successfully tagged myimg:latest', '']);
    const image = await service.inspect('myimg');
    expect(image.Id).toBe(aux);
    const config = (image.Config ?? {}) as { Env: string[]; Cmd: string[] };
    expect(config.Env).toContain('GREETING=hello');
    expect(config.Cmd).toEqual(['sh']);
    const history = await service.history('myimg');
    expect(history.slice(0, 3).map((h) => h.CreatedBy)).toEqual([
      '/bin/sh -c #(nop)  CMD ["sh"]',
      '/bin/sh -c echo built $GREETING',
      '/bin/sh -c #(nop)  ENV GREETING=hello',
    ]);
    expect(history[0].Size).toBe(0);
    expect(history[1].Size).toBeGreaterThan(0);
  });

  it('pulls a missing base image with the pull progress, and reuses the cache on a second build', async () => {
    const { client, runtime } = await setup();
    const files = { Dockerfile: 'FROM busybox\nWORKDIR /app\nCOPY hello.txt .\nRUN echo step\nLABEL a=b\n', 'hello.txt': 'hi\n' };
    const first = await build(client, files, { t: 'cached' });
    expect(first.output).toContain('latest: Pulling from library/busybox\n');
    expect(first.output).toContain('Status: Downloaded newer image for busybox:latest\n');
    expect(first.output).not.toContain('Using cache');
    const creates = runtime.calls.filter((c) => c.op === 'start').length;
    const second = await build(client, files, { t: 'cached' });
    const cached = second.output.split('\n').filter((line) => line === ' ---> Using cache');
    expect(cached).toHaveLength(4);
    expect(second.output).not.toContain('Running in');
    expect(runtime.calls.filter((c) => c.op === 'start').length).toBe(creates);
    expect(second.messages.find((m) => m.aux)?.aux).toEqual(first.messages.find((m) => m.aux)?.aux);
    // A changed file misses from the COPY on; --no-cache misses everywhere.
    const changed = await build(client, { ...files, 'hello.txt': 'changed\n' });
    expect(changed.output.split('\n').filter((line) => line === ' ---> Using cache')).toHaveLength(1);
    const nocache = await build(client, files, { nocache: '1' });
    expect(nocache.output).not.toContain('Using cache');
  });

  it('writes COPY layers with the files, WORKDIR, --chown, globs and directories', async () => {
    const { client, service, daemon } = await setup();
    const files = {
      Dockerfile: 'FROM busybox\nWORKDIR /test\nWORKDIR demo\nCOPY --chown=app:staff hom* ./\nCOPY src /opt/src\nADD pack.tar /unpacked/\n',
      'home.txt': 'home\n',
      'homer.sh': 'echo doh\n',
      'other.txt': 'no\n',
      'src/': '',
      'src/a.txt': 'a\n',
      'pack.tar': new TextDecoder('latin1').decode(contextTar({ 'inner/x.txt': 'x\n' })),
    };
    const result = await build(client, files, { t: 'copied' });
    expect(result.status).toBe(200);
    expect(result.messages.find((m) => m.error)).toBeUndefined();
    const layers = await service.images.imageLayers((await service.images.resolve('copied')).id);
    const entries: Record<string, string> = {};
    for (const layer of layers.slice(1)) {
      for await (const entry of readTar([await daemon.store.blobs.get(layer.diffId)])) entries[entry.name] = `${entry.type} ${entry.uid}:${entry.gid} ${entry.mode.toString(8)}`;
    }
    expect(entries['test/']).toBe('5 0:0 755');
    expect(entries['test/demo/']).toBe('5 0:0 755');
    expect(entries['test/demo/home.txt']).toBe('0 1000:50 644');
    expect(entries['test/demo/homer.sh']).toBe('0 1000:50 755');
    expect(entries['test/demo/other.txt']).toBeUndefined();
    expect(entries['opt/src/a.txt']).toBe('0 0:0 644');
    expect(entries['unpacked/inner/x.txt']).toBe('0 0:0 644');
    const config = (await service.inspect('copied')).Config as { WorkingDir: string };
    expect(config.WorkingDir).toBe('/test/demo');
    const history = await service.history('copied');
    expect(history[2].CreatedBy).toMatch(/^\/bin\/sh -c #\(nop\) COPY --chown=app:staff multi:[0-9a-f]{64} in \/test\/demo\/ $/);
    expect(history[3].CreatedBy).toBe('/bin/sh -c #(nop) WORKDIR /test/demo');
    expect(history[4].CreatedBy).toBe('/bin/sh -c #(nop) WORKDIR /test');
  });

  it('fails with moby\'s texts: unknown instruction, COPY outside the context, RUN exit 3, no FROM', async () => {
    const { client, daemon } = await setup();
    const lable = await build(client, { Dockerfile: 'FROM busybox\nRUN echo hi\nLABLE a=b\n' });
    expect(lable.status).toBe(400);
    expect(JSON.parse(lable.text)).toEqual({ message: 'dockerfile parse error on line 3: unknown instruction: LABLE (did you mean LABEL?)' });

    const outside = await build(client, { Dockerfile: 'FROM busybox\nCOPY ../x /x\n' });
    expect(outside.messages.at(-1)).toEqual({
      errorDetail: { code: 1, message: 'COPY failed: forbidden path outside the build context: ../x ()' },
      error: 'COPY failed: forbidden path outside the build context: ../x ()',
    });
    const missing = await build(client, { Dockerfile: 'FROM busybox\nCOPY nothere /x\n' });
    expect(missing.messages.at(-1)?.error).toBe('COPY failed: file not found in build context or excluded by .dockerignore: stat nothere: file does not exist');
    const many = await build(client, { Dockerfile: 'FROM busybox\nCOPY a b /x\n', a: '', b: '' });
    expect(many.messages.at(-1)?.error).toBe('When using COPY with more than one source file, the destination must be a directory and end with a /');

    const exit3 = await build(client, { Dockerfile: 'FROM busybox\nRUN exit 3\n' });
    expect(exit3.messages.at(-1)).toEqual({
      errorDetail: { code: 3, message: "The command '/bin/sh -c exit 3' returned a non-zero code: 3" },
      error: "The command '/bin/sh -c exit 3' returned a non-zero code: 3",
    });
    // Without --force-rm the failed step's container stays, as docker leaves it.
    const list = await (await client.request('GET', '/containers/json', { query: { all: '1' } })).text();
    expect(JSON.parse(list)).toHaveLength(1);

    const noFrom = await build(client, { Dockerfile: 'RUN echo hi\n' });
    expect(noFrom.status).toBe(400);
    expect(JSON.parse(noFrom.text).message).toBe('no build stage in current context');
    const noFile = await build(client, { 'x.txt': '' });
    expect(JSON.parse(noFile.text).message).toBe('Cannot locate specified Dockerfile: Dockerfile');
    const pullDenied = await build(client, { Dockerfile: 'FROM nosuchimage\n' });
    expect(pullDenied.messages.at(-1)?.error).toMatch(/^pull access denied for nosuchimage/);
    const v2 = await client.request('POST', '/build', { query: { version: '2' }, body: contextTar({ Dockerfile: 'FROM busybox\n' }) });
    expect(v2.status).toBe(400);
    void daemon;
  });

  it('build args: expansion, RUN env and cache key, not in the runtime env, the unused warning', async () => {
    const { client, service } = await setup();
    const files = { Dockerfile: 'FROM busybox\nARG NAME=world\nRUN env\nENV SHOWN=$NAME\n' };
    const result = await build(client, files, { buildargs: JSON.stringify({ NAME: 'you', EXTRA: '1' }), t: 'args' });
    expect(result.output).toContain('NAME=you\n');
    expect(result.output).toContain('[Warning] One or more build-args [EXTRA] were not consumed\n');
    const config = (await service.inspect('args')).Config as { Env: string[] };
    expect(config.Env).toContain('SHOWN=you');
    expect(config.Env.some((e) => e.startsWith('NAME='))).toBe(false);
    const history = await service.history('args');
    expect(history[1].CreatedBy).toBe('|1 NAME=you /bin/sh -c env');
    expect(history[2].CreatedBy).toBe('/bin/sh -c #(nop)  ARG NAME=world');
  });

  it('metadata instructions, ONBUILD triggers, stderr in red, and -q', async () => {
    const { client, service } = await setup();
    const files = {
      Dockerfile: [
        'FROM busybox',
        'MAINTAINER someone',
        'EXPOSE 80 443/udp',
        'VOLUME ["/data"]',
        'USER 1000:1000',
        'STOPSIGNAL SIGTERM',
        'HEALTHCHECK --interval=5m --timeout=3s CMD curl -f http://localhost/ || exit 1',
        'SHELL ["/bin/sh", "-c"]',
        'ENTRYPOINT ["/bin/echo"]',
        'ONBUILD RUN echo triggered',
        'RUN warn oops',
      ].join('\n'),
    };
    const result = await build(client, files, { t: 'meta' });
    expect(result.messages.find((m) => m.error)).toBeUndefined();
    expect(result.messages.some((m) => m.stream === '\u001b[91moops\n\u001b[0m')).toBe(true);
    const inspect = await service.inspect('meta');
    expect(inspect.Author).toBe('someone');
    expect(inspect.Config).toMatchObject({
      ExposedPorts: { '80/tcp': {}, '443/udp': {} },
      Volumes: { '/data': {} },
      User: '1000:1000',
      StopSignal: 'SIGTERM',
      Entrypoint: ['/bin/echo'],
      Cmd: null,
      OnBuild: ['RUN echo triggered'],
      Healthcheck: { Test: ['CMD-SHELL', 'curl -f http://localhost/ || exit 1'], Interval: 300_000_000_000, Timeout: 3_000_000_000 },
    });
    const history = await service.history('meta');
    expect(history.map((h) => h.CreatedBy)).toContain('/bin/sh -c #(nop)  HEALTHCHECK &{["CMD-SHELL" "curl -f http://localhost/ || exit 1"] "5m0s" "3s" "0s" "0s" \'\\x00\'}');
    expect(history.map((h) => h.CreatedBy)).toContain('/bin/sh -c #(nop)  EXPOSE 443/udp 80');
    const verbose = await build(client, { Dockerfile: 'FROM meta\nLABEL x=z\n' });
    expect(verbose.output).toContain('# Executing 1 build trigger\n');
    expect(verbose.output).toContain('triggered\n');
    const child = await build(client, { Dockerfile: 'FROM meta\nLABEL x=y\n' }, { q: '1' });
    expect(child.messages).toHaveLength(1);
    expect(child.messages[0].stream).toMatch(/^sha256:[0-9a-f]{64}\n$/);
  });

  it('multi-stage builds: FROM … AS, COPY --from a stage and an image keeping owners; FROM scratch with ADD and CMD', async () => {
    const { client, service, daemon } = await setup();
    const files = {
      Dockerfile: [
        'FROM busybox AS builder',
        'RUN echo compiling',
        'FROM scratch',
        'ADD hello /',
        'COPY --from=builder /ran /from-stage',
        'COPY --from=busybox /etc/passwd /etc/',
        'CMD ["/hello"]',
      ].join('\n'),
      hello: 'ELF',
    };
    const result = await build(client, files, { t: 'diy' });
    expect(result.messages.find((m) => m.error)).toBeUndefined();
    expect(result.output).toContain('Step 3/7 : FROM scratch\n ---> \nStep 4/7 : ADD hello /\n');
    expect(result.messages.filter((m) => m.aux)).toHaveLength(2);
    const image = await service.images.resolve('diy');
    const layers = await service.images.imageLayers(image.id);
    expect(layers).toHaveLength(3);
    const names: string[] = [];
    for (const layer of layers) for await (const entry of readTar([await daemon.store.blobs.get(layer.diffId)])) names.push(`${entry.name} ${entry.uid}`);
    expect(names).toEqual(['hello 0', 'from-stage 0', 'etc/ 0', 'etc/passwd 0']);
    const config = (await service.inspect('diy')).Config as { Cmd: string[]; Env: string[] };
    expect(config.Cmd).toEqual(['/hello']);
    expect(config.Env).toEqual(['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin']);
    const ignored = await build(client, { Dockerfile: 'FROM busybox\nCOPY . /ctx/\n', '.dockerignore': 'Dockerfile\n.dockerignore\n', 'kept.txt': 'k' }, { t: 'ign' });
    expect(ignored.messages.find((m) => m.error)).toBeUndefined();
    const ctxNames: string[] = [];
    const ignLayers = await service.images.imageLayers((await service.images.resolve('ign')).id);
    for await (const entry of readTar([await daemon.store.blobs.get(ignLayers.at(-1)?.diffId ?? 'sha256:')])) ctxNames.push(entry.name);
    expect(ctxNames).toEqual(['ctx/', 'ctx/kept.txt']);
    const missing = await build(client, { Dockerfile: 'FROM busybox\nCOPY --from=busybox /nothere /x\n' });
    expect(missing.messages.at(-1)?.error).toBe('COPY failed: stat nothere: file does not exist');
  });

  it('--target stops at a stage; RUN containers get the network mode and resources of the build', async () => {
    const { client, service } = await setup();
    const files = { Dockerfile: 'FROM busybox AS first\nLABEL stage=first\nFROM first AS second\nLABEL stage=second\n' };
    const targeted = await build(client, files, { target: 'first', t: 'targeted' });
    expect(targeted.output).toContain('Step 2/2 : LABEL stage=first\n');
    expect(((await service.inspect('targeted')).Config as { Labels: Record<string, string> }).Labels).toEqual({ stage: 'first' });
    const missing = await build(client, files, { target: 'third' });
    expect(missing.status).toBe(400);
    expect(JSON.parse(missing.text).message).toBe('failed to reach build target third in Dockerfile');
    const failing = await build(client, { Dockerfile: 'FROM busybox\nRUN exit 1\n' }, { networkmode: 'none', memory: '67108864', extrahosts: 'db:10.0.0.5' });
    expect(failing.messages.at(-1)?.errorDetail?.code).toBe(1);
    const [kept] = JSON.parse(await (await client.request('GET', '/containers/json', { query: { all: '1' } })).text()) as { Id: string }[];
    const inspect = JSON.parse(await (await client.request('GET', `/containers/${kept.Id}/json`)).text()) as { HostConfig: { NetworkMode: string; Memory: number; ExtraHosts: string[] } };
    expect(inspect.HostConfig).toMatchObject({ NetworkMode: 'none', Memory: 67108864, ExtraHosts: ['db:10.0.0.5'] });
  });

  it('a client that hangs up cancels the build: the running RUN is killed and no later step runs', async () => {
    const { client, runtime } = await setup();
    const response = await client.request('POST', '/build', { query: { version: '1' }, body: contextTar({ Dockerfile: 'FROM busybox\nRUN sleep\nRUN echo never\n' }) });
    const decoder = new TextDecoder();
    let seen = '';
    for await (const chunk of response.stream()) {
      seen += decoder.decode(chunk);
      if (seen.includes('sleeping')) break;
    }
    const listed = async () => JSON.parse(await (await client.request('GET', '/containers/json', { query: { all: '1' } })).text()) as { State: string }[];
    await until(async () => (await listed())[0]?.State === 'exited', 'the RUN container to be killed');
    expect((await listed()).map((c) => c.State)).toEqual(['exited']);
    expect(runtime.calls.filter((c) => c.op === 'start')).toHaveLength(1);
  });

  it('ARG before FROM: a step of its own, expands FROM, and --build-arg overrides it', async () => {
    const { client } = await setup();
    const files = { Dockerfile: 'ARG TAG=nosuch\nFROM busybox:${TAG}\nARG TAG\nRUN env\n' };
    const result = await build(client, files, { buildargs: JSON.stringify({ TAG: 'latest' }) });
    expect(result.output.split('\n').slice(0, 3)).toEqual(['Step 1/4 : ARG TAG=nosuch', 'Step 2/4 : FROM busybox:${TAG}', 'latest: Pulling from library/busybox']);
    expect(result.output).toContain('\nTAG=latest\n');
    expect(result.output).not.toContain('[Warning]');
    const denied = await build(client, files);
    expect(denied.messages.at(-1)?.error).toMatch(/^pull access denied for busybox|manifest for busybox:nosuch not found/);
  });

  it.skipIf(!hasCompressors)('ADD extracts gzip, bzip2 and xz tars (found by their content), and copies other files as they are', async () => {
    const { client, service, daemon } = await setup();
    const inner = contextTar({ 'x.txt': 'x\n' });
    const bytes = (data: Buffer) => new Uint8Array(data);
    const files = {
      Dockerfile: 'FROM busybox\nADD a.tar.gz /gz/\nADD b.tar.bz2 /bz/\nADD plain.txt /p/\nADD c.bin /xz/\n',
      'c.bin': bytes(execFileSync('xz', ['-c'], { input: inner })),
      'a.tar.gz': bytes(execFileSync('gzip', ['-c'], { input: inner })),
      'b.tar.bz2': bytes(execFileSync('bzip2', ['-c'], { input: inner })),
      'plain.txt': 'plain\n',
    };
    const result = await build(client, files, { t: 'added' });
    expect(result.messages.find((m) => m.error)).toBeUndefined();
    const names: string[] = [];
    for (const layer of (await service.images.imageLayers((await service.images.resolve('added')).id)).slice(1)) {
      for await (const entry of readTar([await daemon.store.blobs.get(layer.diffId)])) names.push(entry.name);
    }
    expect(names).toEqual(['gz/', 'gz/x.txt', 'bz/', 'bz/x.txt', 'p/', 'p/plain.txt', 'xz/', 'xz/x.txt']);
  });
});
