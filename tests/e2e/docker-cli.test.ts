// The real docker CLI (v28.2.2, client only) against `dockside serve`: each command must succeed, and
// print what Dockside's own CLI prints for the same state (ids and times masked). Also the errors a
// raw HTTP client can provoke: bad versions, unknown paths, bad JSON, oversized headers, and a client
// that disconnects in the middle of a stream; the engine keeps working after each.
// Without /usr/local/bin/docker the suite is skipped with a message; under CI it fails instead.

import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, readlink, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InProcessClient } from '../../src/cli/client';
import { dockerCommand, runDocker } from '../../src/cli/docker';
import type { DockerEnv } from '../../src/cli/env';
import type { CommandDefinition } from '../../src/cli/flags';
import { nodeArchives } from '../../src/node/docker';
import { engineClientForDockerHost, parseDockerHost } from '../../src/node/net-connection';
import { startServe, type RunningServe } from '../../src/node/serve';
import { REAL_DOCKER, required } from '../helpers/requirements';

const DOCKER = REAL_DOCKER;
const present = required(existsSync(DOCKER), DOCKER, 'the real docker CLI tests');

interface Result {
  stdout: string;
  stderr: string;
  status: number;
}

let serve: RunningServe;
let home: string;
let sessionStart = 0;

/** The real docker CLI with DOCKER_HOST pointing at `dockside serve`. */
function real(args: string[], stdin?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(DOCKER, args, {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DOCKER_CONFIG: join(home, '.docker'), DOCKER_HOST: serve.dockerHost, TZ: 'UTC' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    // Only a guard against a hung client: each test's own timeout is the limit (180 s for export).
    const timer = setTimeout(() => child.kill('SIGKILL'), 170_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8'), status: code ?? (signal ? 128 : 1) });
    });
    child.stdin.end(stdin ?? '');
  });
}

const decoder = new TextDecoder();

function testEnv(client: DockerEnv['client']): { env: DockerEnv; out: () => string; err: () => string } {
  let stdout = '';
  let stderr = '';
  const env: DockerEnv = {
    client,
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    columns: 80,
    writeStdout: async (bytes) => void (stdout += decoder.decode(bytes)),
    stdin: undefined,
    stdinIsTerminal: false,
    stdoutIsTerminal: false,
    rows: 24,
    setRawMode: () => undefined,
    onResize: () => () => undefined,
    onSignal: () => () => undefined,
    environment: { HOME: home },
    readFile: async (path) => new Uint8Array(await readFile(path)),
    writeFile: (path, data) => writeFile(path, data),
    now: () => new Date(),
    cwd: process.cwd(),
    archives: nodeArchives(),
  };
  return { env, out: () => stdout, err: () => stderr };
}

/** Dockside's own CLI on the same daemon, in process. */
async function ours(args: string[]): Promise<Result> {
  const { env, out, err } = testEnv(new InProcessClient((request) => serve.daemon.router.handle(request)));
  const status = await runDocker(args, env);
  return { stdout: out(), stderr: err(), status };
}

/** Whether Dockside's CLI has the command (`["container", "prune"]`, `["ps"]`). */
function oursKnows(path: string[]): boolean {
  let node: CommandDefinition<DockerEnv> | undefined = dockerCommand();
  for (const name of path) {
    node = node?.subcommands.find((c) => c.use.split(' ')[0] === name || (c.spec as { aliases?: string[] }).aliases?.includes(name));
    if (!node) return false;
  }
  return true;
}

/** Ids, digests and times vary between two runs of the same command: mask them. */
function mask(text: string): string {
  return text
    .replace(/sha256:[0-9a-f]{64}/g, 'sha256:<digest>')
    .replace(/\b[0-9a-f]{64}\b/g, '<id>')
    .replace(/\b[0-9a-f]{12}\b/g, '<id12>')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)/g, '<time>')
    .replace(/\b(Less than a second|About an? (minute|hour)|\d+ (seconds?|minutes?|hours?|days?|weeks?|months?|years?))\b/g, '<duration>')
    .replace(/ +/g, ' ');
}

async function raw(request: string | Uint8Array): Promise<string> {
  const address = parseDockerHost(serve.dockerHost);
  if (address.kind !== 'tcp') throw new Error('tcp only');
  return new Promise((resolve, reject) => {
    const socket = connect({ host: address.host, port: address.port });
    const chunks: Buffer[] = [];
    socket.on('data', (d) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.end(request);
  });
}

function statusLine(response: string): string {
  return response.split('\r\n')[0];
}

function jsonBody(response: string): unknown {
  return JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4));
}

describe.skipIf(!present)('the real docker CLI against dockside serve', () => {
  beforeAll(async () => {
    home = await mkdtemp(join(tmpdir(), 'dockside-cli-'));
    sessionStart = Math.floor(Date.now() / 1000) - 1;
    serve = await startServe({ host: '127.0.0.1', port: 0, unsafeListenAny: false, mode: 'restore' });
  });

  afterAll(async () => {
    await serve?.close();
    if (home) await rm(home, { recursive: true, force: true });
  });

  /** Runs a command that changes nothing with both CLIs and compares. */
  async function same(args: string[], options: { normalize?: (s: string) => string } = {}): Promise<Result> {
    const theirs = await real(args);
    expect(theirs.status, theirs.stderr).toBe(0);
    const mine = await ours(args);
    const normalize = options.normalize ?? ((s: string) => s);
    expect({ stdout: normalize(mask(theirs.stdout)), stderr: mask(theirs.stderr), status: theirs.status }, `docker ${args.join(' ')}`).toEqual({
      stdout: normalize(mask(mine.stdout)),
      stderr: mask(mine.stderr),
      status: mine.status,
    });
    return theirs;
  }

  /** A command that changes state: the real CLI on one object, ours on its twin; outputs must match once masked. */
  async function twin(realArgs: string[], ourArgs: string[], options: { normalize?: (s: string) => string } = {}): Promise<[Result, Result]> {
    const theirs = await real(realArgs);
    expect(theirs.status, theirs.stderr).toBe(0);
    const mine = await ours(ourArgs);
    const normalize = options.normalize ?? ((s: string) => s);
    const what = `real: docker ${realArgs.join(' ')} / ours: docker ${ourArgs.join(' ')}`;
    expect(normalize(mask(theirs.stdout)), what).toBe(normalize(mask(mine.stdout)));
    expect(mask(theirs.stderr), what).toBe(mask(mine.stderr));
    expect(theirs.status, what).toBe(mine.status);
    return [theirs, mine];
  }

  const when = (path: string[]) => it.skipIf(!oursKnows(path));

  it('`dockside docker` (our CLI in Node) reaches the daemon through DOCKER_HOST, or says it cannot, like docker', async () => {
    const dockside = (host: string, args: string[]) =>
      new Promise<Result>((resolve, reject) => {
        const child = spawn(process.execPath, ['bin/dockside.mjs', 'docker', ...args], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DOCKER_HOST: host }, stdio: ['ignore', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (d: Buffer) => out.push(d));
        child.stderr.on('data', (d: Buffer) => err.push(d));
        child.on('error', reject);
        child.on('close', (status) => resolve({ stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), status: status ?? -1 }));
      });
    const version = await dockside(serve.dockerHost, ['version', '--format', '{{.Server.Version}} {{.Server.Os}}']);
    expect(version).toMatchObject({ stdout: '28.2.2 linux\n', status: 0 });
    const refused = await dockside('tcp://127.0.0.1:1', ['ps']);
    const theirs = await new Promise<Result>((resolve) => {
      const child = spawn(DOCKER, ['ps'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: home, DOCKER_HOST: 'tcp://127.0.0.1:1' } });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (status) => resolve({ stdout: '', stderr, status: status ?? -1 }));
    });
    expect(refused).toEqual(theirs);
  });

  it('docker version: server 28.2.2 on API 1.50, as docker 28.2.2 (nothing to downgrade)', async () => {
    const theirs = await real(['version']);
    expect(theirs.status, theirs.stderr).toBe(0);
    expect(theirs.stdout).toContain(' API version:       1.50\n');
    expect(theirs.stdout).toMatch(/Server: Docker Engine - Community\n Engine:\n  Version:          28\.2\.2\n  API version:      1\.50 \(minimum version 1\.24\)/);
    if (oursKnows(['version'])) {
      const mine = await ours(['version']);
      // The real client is an amd64 binary on this machine; ours is the guest's (linux/386).
      const plain = (s: string) =>
        mask(s)
          .replace(/^( OS\/Arch: +)linux\/\w+$/m, '$1linux/<client arch>');
      expect(plain(mine.stdout)).toBe(plain(theirs.stdout));
    }
  });

  when(['info'])('docker info', async () => {
    await same(['info']);
  });

  when(['pull'])('docker pull busybox', async () => {
    const [theirs] = await twin(['pull', 'busybox'], ['pull', 'hello-world'], { normalize: (s) => s.replace(/hello-world|busybox/g, '<name>') });
    expect(theirs.stdout).toContain('Status: Downloaded newer image for busybox:latest');
    await twin(['pull', 'busybox'], ['pull', 'busybox']);
  });

  it('docker images and docker ps', async () => {
    if (oursKnows(['images'])) await same(['images']);
    else expect((await real(['images'])).status).toBe(0);
    if (oursKnows(['ps'])) {
      await same(['ps']);
      await same(['ps', '-a']);
    } else expect((await real(['ps'])).status).toBe(0);
  });

  when(['run'])('docker run --rm busybox echo hi (and stdin, stderr, exit status)', async () => {
    const [theirs] = await twin(['run', '--rm', 'busybox', 'echo', 'hi'], ['run', '--rm', 'busybox', 'echo', 'hi']);
    expect(theirs.stdout).toBe('hi\n');
    // stdin through the hijacked connection, half-closed at its end.
    const piped = await real(['run', '--rm', '-i', 'busybox', 'sh', '-c', 'cat; echo done'], 'from stdin\n');
    expect(piped).toEqual({ stdout: 'from stdin\ndone\n', stderr: '', status: 0 });
    const failing = await real(['run', '--rm', 'busybox', 'sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(failing).toEqual({ stdout: 'out\n', stderr: 'err\n', status: 3 });
  });

  when(['run'])('docker run -d --name web nginx, then ps, logs, exec, top, inspect, diff, port', async () => {
    const started = await real(['run', '-d', '--name', 'web', 'nginx']);
    expect(started.status, started.stderr).toBe(0);
    expect(started.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    // Let nginx finish starting (its worker renames itself) so both CLIs see the same processes.
    if (oursKnows(['top'])) {
      const deadline = Date.now() + 30_000;
      while (!(await real(['top', 'web'])).stdout.includes('nginx: worker process') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    }
    await same(['ps']);
    if (oursKnows(['logs'])) await same(['logs', 'web']);
    if (oursKnows(['exec'])) await same(['exec', 'web', 'ls', '/']);
    if (oursKnows(['top'])) await same(['top', 'web'], { normalize: (s) => s.replace(/\d\d:\d\d:\d\d/g, '<t>') });
    if (oursKnows(['inspect'])) {
      await same(['inspect', 'web']);
      // Templates run on docker's typed structs first (Go field names), then on the raw JSON.
      for (const format of ['{{.ID}}', '{{.Id}}', '{{.HostConfig.CPUShares}} {{.HostConfig.NanoCPUs}}', '{{.HostConfig.CpuShares}}', '{{.State.Status}} {{.Config.ExposedPorts}}', '{{json .HostConfig.Dns}} {{json .NetworkSettings.Ports}}']) {
        await same(['inspect', '-f', format, 'web']);
      }
      await same(['image', 'inspect', '-f', '{{.ID}} {{.Os}} {{.RootFS.Type}} {{.Config.Cmd}}', 'nginx']);
      await same(['inspect', '--format', 'json', 'web']);
      for (const args of [['-f', '{{.Nope}}', 'web'], ['-f', '{{.ID}} {{.Id}}', 'web'], ['-f', '{{.Id}}', 'nosuch'], ['-f', '{{.Id}}', 'nosuch', 'web'], ['--format', 'json', 'nosuch']]) {
        const theirs = await real(['inspect', ...args]);
        expect(theirs.status).toBe(1);
        expect(mask(JSON.stringify(await ours(['inspect', ...args]))), args.join(' ')).toEqual(mask(JSON.stringify(theirs)));
      }
    }
    if (oursKnows(['diff'])) await same(['diff', 'web']);
    if (oursKnows(['port'])) await same(['port', 'web']);
  });

  when(['logs'])('docker logs -f streams until the container exits', async () => {
    const started = await real(['run', '-d', '--name', 'counter', 'busybox', 'sh', '-c', 'for i in 1 2 3; do echo $i; sleep 0.3; done; echo bye >&2']);
    expect(started.status, started.stderr).toBe(0);
    const followed = await real(['logs', '-f', 'counter']);
    expect(followed).toEqual({ stdout: '1\n2\n3\n', stderr: 'bye\n', status: 0 });
    await same(['logs', 'counter']);
    expect((await real(['rm', 'counter'])).status).toBe(0);
  });

  when(['cp'])('docker cp out of a container (GET archive with the path-stat header)', async () => {
    const a = join(home, 'hostname-a');
    const b = join(home, 'hostname-b');
    const theirs = await real(['cp', 'web:/etc/nginx/nginx.conf', a]);
    expect(theirs.status, theirs.stderr).toBe(0);
    const mine = await ours(['cp', 'web:/etc/nginx/nginx.conf', b]);
    expect(mask(mine.stderr.replace(b, a))).toBe(mask(theirs.stderr));
    expect(mine.stdout).toBe(theirs.stdout);
    expect(Buffer.compare(await readFile(a), await readFile(b))).toBe(0);
  });

  when(['cp'])('docker cp of directories into a container and back out leaves the trees docker leaves', async () => {
    /** A local tree as "path type mode [content]" lines, relative to its root. */
    const tree = async (root: string): Promise<string[]> => {
      const lines: string[] = [];
      const walk = async (path: string, rel: string): Promise<void> => {
        const stat = await lstat(path);
        const mode = (stat.mode & 0o7777).toString(8);
        if (stat.isDirectory()) {
          lines.push(`${rel}/ dir ${mode}`);
          for (const child of (await readdir(path)).sort()) await walk(join(path, child), `${rel}/${child}`);
        } else if (stat.isSymbolicLink()) lines.push(`${rel} link ${await readlink(path)}`);
        else lines.push(`${rel} file ${mode} ${JSON.stringify(await readFile(path, 'utf8'))}`);
      };
      await walk(root, '.');
      return lines;
    };
    const src = join(home, 'tree');
    await mkdir(join(src, 'sub'), { recursive: true });
    await mkdir(join(src, 'empty'));
    await writeFile(join(src, 'sub', 'nested.txt'), 'nested\n');
    await writeFile(join(src, 'top.txt'), 'top\n');
    await chmod(join(src, 'sub', 'nested.txt'), 0o600);
    await chmod(join(src, 'empty'), 0o700);
    await symlink('../top.txt', join(src, 'sub', 'link'));
    await writeFile(join(src, 'sub', 'l'.repeat(120)), 'a long name\n');
    expect((await real(['exec', 'web', 'mkdir', '-p', '/tmp/cp-real', '/tmp/cp-ours'])).status).toBe(0);

    // In: into an existing directory, to a new name, and a directory's contents (SRC/.) to a new name.
    await twin(['cp', src, 'web:/tmp/cp-real'], ['cp', src, 'web:/tmp/cp-ours']);
    await twin(['cp', src, 'web:/tmp/cp-real/renamed'], ['cp', src, 'web:/tmp/cp-ours/renamed']);
    await twin(['cp', `${src}/.`, 'web:/tmp/cp-real/contents'], ['cp', `${src}/.`, 'web:/tmp/cp-ours/contents']);
    const listing = async (root: string) => {
      const r = await real(['exec', 'web', 'sh', '-c', `cd ${root} && find . | sort | while read -r f; do if [ -d "$f" ]; then echo "$f/"; else echo "$f $(cat "$f")"; fi; done`]);
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    const inContainer = await listing('/tmp/cp-real');
    expect(inContainer).toContain('./tree/sub/nested.txt nested\n');
    expect(inContainer).toContain('./renamed/empty/\n');
    expect(inContainer).toContain('./contents/top.txt top\n');
    expect(await listing('/tmp/cp-ours')).toBe(inContainer);

    // Out: to a new name, into an existing directory, and a directory's contents (SRC/.).
    const realOut = join(home, 'out-real');
    const oursOut = join(home, 'out-ours');
    await mkdir(realOut);
    await mkdir(oursOut);
    await twin(['cp', 'web:/tmp/cp-real/tree', join(realOut, 'back')], ['cp', 'web:/tmp/cp-ours/tree', join(oursOut, 'back')]);
    await twin(['cp', 'web:/tmp/cp-real/renamed', realOut], ['cp', 'web:/tmp/cp-ours/renamed', oursOut]);
    await twin(['cp', 'web:/tmp/cp-real/contents/.', join(realOut, 'dot')], ['cp', 'web:/tmp/cp-ours/contents/.', join(oursOut, 'dot')]);
    await twin(['cp', 'web:/tmp/cp-real/tree/sub/nested.txt', `${realOut}/`], ['cp', 'web:/tmp/cp-ours/tree/sub/nested.txt', `${oursOut}/`]);
    const back = await tree(join(realOut, 'back'));
    expect(back).toEqual(await tree(src));
    expect(await tree(join(realOut, 'dot'))).toEqual(back);
    expect(await tree(oursOut)).toEqual(await tree(realOut));

    // The errors of both CLIs, word for word.
    const failures: string[][] = [
      ['cp', src, 'web:/tmp/cp-real/tree/top.txt'],
      ['cp', join(src, 'top.txt'), 'web:/tmp/cp-nodir/'],
      ['cp', 'web:/tmp/cp-real/tree', join(home, 'missing', 'x')],
      ['cp', 'web:/tmp/cp-real/tree', join(realOut, 'nested.txt')],
      ['cp', 'web:/tmp/cp-real/tree/top.txt', join(home, 'nodir') + '/'],
      ['cp', '/nope', 'web:/tmp'],
      ['cp', '/nope/x', 'web:/tmp'],
      ['cp', 'web:/nope', realOut],
    ];
    for (const args of failures) {
      const theirs = await real(args);
      expect(theirs.status, `docker ${args.join(' ')}`).toBe(1);
      // docker's tar goroutine may log that its pipe closed ("Can't add file ... to tar") when the copy
      // gives up early: a race, not part of what docker cp says.
      theirs.stderr = theirs.stderr.replace(/^time=".*" level=error msg=.*\n/gm, '');
      expect(await ours(args), `docker ${args.join(' ')}`).toEqual(theirs);
    }
  });

  it('docker cp into a container', async () => {
    if (!oursKnows(['cp'])) throw new Error('no cp');
    await writeFile(join(home, 'upload.txt'), 'uploaded by the real docker cp\n');
    const up = await real(['cp', join(home, 'upload.txt'), 'web:/tmp/']);
    expect(up.status, up.stderr).toBe(0);
    expect(await real(['exec', 'web', 'cat', '/tmp/upload.txt'])).toEqual({ stdout: 'uploaded by the real docker cp\n', stderr: '', status: 0 });
  });

  when(['stats'])('docker stats --no-stream', async () => {
    const numbers = (s: string) => s.replace(/\d+(\.\d+)?(%|[kMG]?i?B)?/g, '<n>');
    const theirs = await real(['stats', '--no-stream', 'web']);
    expect(theirs.status, theirs.stderr).toBe(0);
    const mine = await ours(['stats', '--no-stream', 'web']);
    expect(numbers(mask(theirs.stdout))).toBe(numbers(mask(mine.stdout)));
    // Without names the CLI follows /events, lists the containers, asks each for stats, then hangs up
    // on the events stream: a real client disconnecting mid-stream.
    const before = serve.connections;
    const all = await real(['stats', '--no-stream']);
    expect(all.status, all.stderr).toBe(0);
    const deadline = Date.now() + 5000;
    while (serve.connections > before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(serve.connections).toBe(before);
  });

  it('docker stats --no-stream of all containers prints what ours prints', async () => {
    if (!oursKnows(['stats'])) throw new Error('no stats');
    const numbers = (s: string) => s.replace(/\d+(\.\d+)?(%|[kMG]?i?B)?/g, '<n>');
    const all = await real(['stats', '--no-stream']);
    expect(all.status, all.stderr).toBe(0);
    expect(numbers(mask(all.stdout))).toBe(numbers(mask((await ours(['stats', '--no-stream'])).stdout)));
  });

  when(['stop'])('docker stop and start', async () => {
    const realStop = await real(['stop', 'web']);
    const ourStart = await ours(['start', 'web']);
    const ourStop = await ours(['stop', 'web']);
    const realStart = await real(['start', 'web']);
    expect([realStop, realStart]).toEqual([ourStop, ourStart]);
    expect(realStop).toEqual({ stdout: 'web\n', stderr: '', status: 0 });
  });

  when(['export'])('docker export', async () => {
    const a = join(home, 'a.tar');
    const b = join(home, 'b.tar');
    expect((await real(['export', '-o', a, 'web'])).status).toBe(0);
    expect((await ours(['export', '-o', b, 'web'])).status).toBe(0);
    expect((await readFile(a)).length).toBe((await readFile(b)).length);
  }, 180_000); // two exports of nginx's filesystem: seconds when the host is idle, over a minute when it is loaded

  when(['commit'])('docker commit and history', async () => {
    await twin(['commit', 'web', 'snap:one'], ['commit', 'web', 'snap:two']);
    if (oursKnows(['history'])) await same(['history', 'nginx']);
    if (oursKnows(['images'])) await same(['images']);
  });

  when(['save'])('docker save and load', async () => {
    const a = join(home, 'busybox-a.tar');
    const b = join(home, 'busybox-b.tar');
    await twin(['save', '-o', a, 'busybox'], ['save', '-o', b, 'busybox']);
    expect(Buffer.compare(await readFile(a), await readFile(b))).toBe(0);
    if (oursKnows(['load'])) await twin(['load', '-i', a], ['load', '-i', b]);
  });

  when(['rm'])('docker rm -f and rmi', async () => {
    for (const name of ['gone1', 'gone2']) expect((await real(['create', '--name', name, 'busybox'])).status).toBe(0);
    await twin(['rm', '-f', 'gone1'], ['rm', '-f', 'gone2'], { normalize: (s) => s.replace(/gone[12]/, 'gone') });
    if (oursKnows(['rmi'])) {
      // snap:one and snap:two are commits of the same unchanged container: one layer, shared. Removing the
      // first deletes only its image; the second takes the layer with it (docker lists its chain ID).
      const theirs = await real(['rmi', 'snap:one']);
      const mine = await ours(['rmi', 'snap:two']);
      expect(theirs, theirs.stderr).toMatchObject({ status: 0, stderr: '' });
      expect(mine, mine.stderr).toMatchObject({ status: 0, stderr: '' });
      expect(theirs.stdout).toMatch(/^Untagged: snap:one\nDeleted: sha256:[0-9a-f]{64}\n$/);
      expect(mine.stdout).toMatch(/^Untagged: snap:two\nDeleted: sha256:[0-9a-f]{64}\nDeleted: sha256:[0-9a-f]{64}\n$/);
    }
  });

  it('docker volume ls', async () => {
    await same(['volume', 'ls']);
    const created = await real(['volume', 'create', '--label', 'from=e2e', 'e2evol']);
    expect(created, created.stderr).toMatchObject({ status: 0, stdout: 'e2evol\n' });
    await same(['volume', 'ls']);
    await same(['volume', 'inspect', '-f', '{{.Name}} {{.Driver}} {{.Labels}} {{.Mountpoint}} {{.Scope}}', 'e2evol']);
    expect(await real(['volume', 'rm', 'e2evol'])).toMatchObject({ status: 0, stdout: 'e2evol\n' });
  });

  it('docker network ls', async () => {
    await same(['network', 'ls']);
    await same(['network', 'ls', '--no-trunc', '-f', 'driver=bridge']);
    await same(['network', 'inspect', 'bridge', 'host', 'none']);
    // Removing a predefined network: docker's error, then "exit status 1".
    const theirs = await real(['network', 'rm', 'bridge']);
    expect(theirs).toMatchObject({ status: 1, stdout: '', stderr: 'Error response from daemon: bridge is a pre-defined network and cannot be removed\nexit status 1\n' });
    const mine = await ours(['network', 'rm', 'bridge']);
    expect({ status: mine.status, stdout: mine.stdout, stderr: mine.stderr }).toEqual({ status: theirs.status, stdout: theirs.stdout, stderr: theirs.stderr });
  });

  it('docker network create, ls, inspect, connect, disconnect, rm and run -p: user networks and published ports', async () => {
    const created = await real(['network', 'create', '--subnet', '10.77.0.0/16', '--label', 'from=e2e', 'e2enet']);
    expect(created.status, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    await same(['network', 'ls']);
    await same(['network', 'ls', '--filter', 'label=from=e2e', '--format', '{{.Name}} {{.Driver}} {{.Labels}}']);
    await same(['network', 'inspect', 'e2enet']);
    expect((await real(['run', '-d', '--name', 'e2eweb', '--network', 'e2enet', '--ip', '10.77.0.9', '-p', '18766:80', 'busybox', 'sleep', '300'])).status).toBe(0);
    await same(['network', 'inspect', '-f', '{{range .Containers}}{{.Name}} {{.IPv4Address}}{{end}}', 'e2enet']);
    await same(['port', 'e2eweb']);
    expect((await real(['port', 'e2eweb'])).stdout).toBe('80/tcp -> 0.0.0.0:18766\n');
    await same(['ps', '--filter', 'name=e2eweb', '--format', '{{.Names}} {{.Ports}} {{.Networks}}']);
    const clash = await real(['run', '-d', '--name', 'e2eclash', '-p', '18766:80', 'busybox', 'sleep', '300']);
    expect(clash.status).toBe(125);
    expect(clash.stderr).toContain('Bind for 0.0.0.0:18766 failed: port is already allocated');
    expect(await real(['network', 'connect', 'bridge', 'e2eweb'])).toMatchObject({ status: 0, stdout: '', stderr: '' });
    await same(['inspect', '-f', '{{range $k, $v := .NetworkSettings.Networks}}{{$k}}={{$v.IPAddress}} {{end}}', 'e2eweb']);
    expect(await real(['network', 'disconnect', 'bridge', 'e2eweb'])).toMatchObject({ status: 0, stdout: '', stderr: '' });
    const busy = await real(['network', 'rm', 'e2enet']);
    expect(busy.stderr).toContain('has active endpoints');
    expect((await real(['rm', '-f', 'e2eweb', 'e2eclash'])).status).toBe(0);
    expect(await real(['network', 'rm', 'e2enet'])).toMatchObject({ status: 0, stdout: 'e2enet\n', stderr: '' });
  }, 300_000);

  when(['container', 'prune'])('docker container prune -f', async () => {
    expect((await real(['run', '--name', 'done1', 'busybox', 'true'])).status).toBe(0);
    const theirs = await real(['container', 'prune', '-f']);
    expect(theirs.status, theirs.stderr).toBe(0);
    expect(mask(theirs.stdout)).toMatch(/^Deleted Containers:\n(<id>\n)+\nTotal reclaimed space: /);
    expect((await real(['run', '--name', 'done2', 'busybox', 'true'])).status).toBe(0);
    const mine = await ours(['container', 'prune', '-f']);
    expect(mask(mine.stdout)).toBe(mask(theirs.stdout).replace(/(<id>\n)+/, '<id>\n'));
  });

  when(['events'])('docker events --since --until (a finished stream)', async () => {
    const until = String(Math.floor(Date.now() / 1000));
    const args = ['events', '--since', String(sessionStart), '--until', until];
    const theirs = await same(args);
    expect(theirs.stdout).toContain(' container start ');
  });

  it('the TypeScript CLI through DOCKER_HOST (HTTP client) prints what the in-process one does', async () => {
    const client = engineClientForDockerHost(serve.dockerHost);
    await client.negotiate();
    expect(client.version).toBe('1.50');
    for (const args of [['ps', '-a'], ['images']]) {
      if (!oursKnows([args[0]])) continue;
      const { env, out } = testEnv(client);
      expect(await runDocker(args, env)).toBe(0);
      expect(mask(out())).toBe(mask((await ours(args)).stdout));
    }
    if (oursKnows(['run'])) {
      const { env, out } = testEnv(client);
      expect(await runDocker(['run', '--rm', 'busybox', 'echo', 'over http'], env)).toBe(0);
      expect(out()).toBe('over http\n');
    }
  });

  describe('errors a raw client can provoke, and the engine keeps working', () => {
    it('a version outside 1.24 to 1.50', async () => {
      const tooNew = await raw('GET /v1.99/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(statusLine(tooNew)).toBe('HTTP/1.1 400 Bad Request');
      expect(jsonBody(tooNew)).toEqual({ message: 'client version 1.99 is too new. Maximum supported API version is 1.50' });
      const tooOld = await raw('GET /v1.11/version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(statusLine(tooOld)).toBe('HTTP/1.1 400 Bad Request');
      expect((await real(['version'])).status).toBe(0);
    });

    it('an unknown path', async () => {
      const response = await raw('GET /v1.47/no/such/thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(statusLine(response)).toBe('HTTP/1.1 404 Not Found');
      expect(response).toContain('Content-Type: application/json');
      expect(jsonBody(response)).toEqual({ message: 'page not found' });
    });

    it('a bad JSON body', async () => {
      const body = '{"Image": "busybox",';
      const response = await raw(`POST /v1.47/containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
      expect(statusLine(response)).toBe('HTTP/1.1 400 Bad Request');
      expect((jsonBody(response) as { message: string }).message).toMatch(/JSON|json/);
    });

    it('oversized headers: 431 and the connection closed', async () => {
      const response = await raw(`GET /v1.47/version HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat((1 << 20) + 8192)}\r\n\r\n`);
      expect(response).toBe('HTTP/1.1 431 Request Header Fields Too Large\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n431 Request Header Fields Too Large');
    });

    it('a malformed request: 400', async () => {
      const response = await raw('NOT HTTP\r\n\r\n');
      expect(statusLine(response)).toBe('HTTP/1.1 400 Bad Request');
    });

    it('a client that disconnects in the middle of a stream (events, wait) leaves the engine working', async () => {
      const address = parseDockerHost(serve.dockerHost);
      if (address.kind !== 'tcp') throw new Error('tcp only');
      const requests = ['GET /v1.47/events'];
      if (oursKnows(['run'])) {
        const sleeper = await real(['run', '-d', '--name', 'sleeper', 'busybox', 'sleep', '600']);
        expect(sleeper.status, sleeper.stderr).toBe(0);
        requests.push('POST /v1.47/containers/sleeper/wait?condition=not-running');
      }
      for (const request of requests) {
        const before = serve.connections;
        const socket = connect({ host: address.host, port: address.port });
        const received: Buffer[] = [];
        await new Promise<void>((resolve, reject) => {
          socket.on('error', reject);
          socket.on('data', (d) => {
            received.push(d);
            if (Buffer.concat(received).includes('\r\n\r\n')) resolve();
          });
          socket.write(`${request} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n`);
        });
        expect(Buffer.concat(received).toString('latin1'), request).toMatch(/^HTTP\/1\.1 200 OK\r\n[^]*Transfer-Encoding: chunked\r\n/);
        socket.destroy();
        const deadline = Date.now() + 5000;
        while (serve.connections > before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
        expect(serve.connections, request).toBe(before);
      }
      expect((await real(['version'])).status).toBe(0);
      if (oursKnows(['run'])) {
        expect((await real(['ps'])).stdout).toContain('sleeper');
        expect((await real(['rm', '-f', 'sleeper'])).status).toBe(0);
      }
    });
  });
});
