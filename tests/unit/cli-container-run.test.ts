// docker run, ps, exec, stop, rm, logs, inspect through the CLI and an in-process daemon with a fake
// runtime and fake images: the request sequences, outputs and exit codes of docker v28.

import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/engine/daemon';
import { MemoryStore } from '../../src/engine/store';
import { FakeRuntime, type FakeProgram } from '../helpers/fake-runtime';
import { FakeImages, docker } from '../helpers/fake-images';

const program: FakeProgram = async ({ spec, stdout, stderr, signals, stdin }) => {
  const [cmd, ...args] = spec.args;
  if (cmd === 'echo') {
    await stdout(`${args.join(' ')}\n`);
    return 0;
  }
  if (cmd === 'fail') {
    await stderr('oops\n');
    return Number(args[0] ?? 1);
  }
  if (cmd === 'cat') {
    const input = await stdin();
    await stdout(new TextDecoder().decode(input));
    return 0;
  }
  if (cmd === 'sleep' || cmd === 'sh') {
    for await (const signal of signals) {
      if (signal === 9 || signal === 15) return { exitCode: 128 + signal, signal };
    }
  }
  return 0;
};

function setup(clock?: () => Date) {
  const runtime = new FakeRuntime(program);
  const images = new FakeImages({ 'busybox:latest': {} });
  const daemon = new Daemon({ imageProvider: images, store: new MemoryStore(), runtime, registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) }, clock });
  images.install(daemon);
  return { daemon, runtime, images };
}

describe('docker run', () => {
  it('pulls a missing image, runs, prints the output and removes with --rm', async () => {
    const { daemon } = setup();
    const result = await docker(daemon, ['run', '--rm', 'busybox', 'echo', 'hi']);
    expect(result.stderr).toContain("Unable to find image 'busybox:latest' locally\n");
    expect(result.stdout).toBe('hi\n');
    expect(result.status).toBe(0);
    const ps = await docker(daemon, ['ps', '-a', '-q']);
    expect(ps.stdout).toBe('');
  });

  it('returns the container exit code and keeps stderr apart', async () => {
    const { daemon, images } = setup();
    images.add('busybox');
    const result = await docker(daemon, ['run', 'busybox', 'fail', '3']);
    expect(result.status).toBe(3);
    expect(result.stderr).toBe('oops\n');
    const ps = await docker(daemon, ['ps', '-a', '--format', '{{.Status}} {{.Command}}']);
    expect(ps.stdout).toMatch(/^Exited \(3\) (Less than a second|\d+ seconds) ago "fail 3"\n$/);
  });

  it('runs detached, lists, execs, stops with SIGTERM and removes', async () => {
    const { daemon, images, runtime } = setup();
    images.add('busybox');
    const run = await docker(daemon, ['run', '-d', '--name', 'web', 'busybox', 'sleep', '1000']);
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^[0-9a-f]{64}\n$/);
    const ps = await docker(daemon, ['ps']);
    expect(ps.stdout.split('\n')[0]).toBe('CONTAINER ID   IMAGE     COMMAND        CREATED                  STATUS                  PORTS     NAMES');
    expect(ps.stdout).toContain('busybox   "sleep 1000"');
    const exec = await docker(daemon, ['exec', 'web', 'echo', 'inside']);
    expect(exec).toMatchObject({ status: 0, stdout: 'inside\n' });
    const failing = await docker(daemon, ['exec', 'web', 'fail', '4']);
    expect(failing.status).toBe(4);
    const rmRunning = await docker(daemon, ['rm', 'web']);
    expect(rmRunning.status).toBe(1);
    expect(rmRunning.stderr).toBe(
      'Error response from daemon: cannot remove container "/web": container is running: stop the container before removing or force remove\n',
    );
    const stop = await docker(daemon, ['stop', 'web']);
    expect(stop).toMatchObject({ status: 0, stdout: 'web\n' });
    const inspect = await docker(daemon, ['inspect', '--format', '{{.State.Status}} {{.State.ExitCode}}', 'web']);
    expect(inspect.stdout).toBe('exited 143\n');
    expect(runtime.calls.some((c) => c.op === 'delete')).toBe(true);
    expect((await docker(daemon, ['rm', 'web'])).stdout).toBe('web\n');
    expect((await docker(daemon, ['ps', '-aq'])).stdout).toBe('');
  });

  it('gives docker errors and exit codes', async () => {
    const { daemon, images } = setup();
    images.add('busybox');
    const unknown = await docker(daemon, ['run', '--lxc-conf', 'x', 'busybox']);
    expect(unknown.status).toBe(125);
    expect(unknown.stderr).toBe("unknown flag: --lxc-conf\n\nUsage:  docker run [OPTIONS] IMAGE [COMMAND] [ARG...]\n\nRun 'docker run --help' for more information\n");
    const noImage = await docker(daemon, ['run', 'nosuch']);
    expect(noImage.status).toBe(125);
    expect(noImage.stderr).toContain("Unable to find image 'nosuch:latest' locally\n");
    expect(noImage.stderr).toContain("docker: Error response from daemon: pull access denied for nosuch, repository does not exist or may require 'docker login'\n\nRun 'docker run --help' for more information\n");
    const conflict = await docker(daemon, ['run', '--rm', '--restart', 'always', 'busybox']);
    expect(conflict.status).toBe(125);
    expect(conflict.stderr).toBe("docker: conflicting options: cannot specify both --restart and --rm\n\nRun 'docker run --help' for more information\n");
    await docker(daemon, ['create', '--name', 'xx', 'busybox']);
    const dup = await docker(daemon, ['create', '--name', 'xx', 'busybox']);
    expect(dup.stderr).toMatch(/^Error response from daemon: Conflict\. The container name "\/xx" is already in use by container "[0-9a-f]{64}"\. You have to remove \(or rename\) that container to be able to reuse that name\.\n$/);
    const ports = await docker(daemon, ['run', '-p', '80:80', 'busybox']);
    expect(ports.status).toBe(125);
    expect(ports.stderr).toContain('not available yet');
    const missing = await docker(daemon, ['stop', 'ghost']);
    expect(missing.stderr).toBe('Error response from daemon: No such container: ghost\n');
  });

  it('keeps logs with timestamps and tail', async () => {
    const { daemon, images } = setup(() => new Date(Date.UTC(2025, 0, 2, 3, 4, 5)));
    images.add('busybox');
    await docker(daemon, ['run', '--name', 'job', 'busybox', 'echo', 'line']);
    expect((await docker(daemon, ['logs', 'job'])).stdout).toBe('line\n');
    expect((await docker(daemon, ['logs', '-t', 'job'])).stdout).toBe('2025-01-02T03:04:05.000000000Z line\n');
    expect((await docker(daemon, ['logs', '--tail', '0', 'job'])).stdout).toBe('');
  });

  it('pipes stdin with -i', async () => {
    const { daemon, images } = setup();
    images.add('busybox');
    async function* input() {
      yield new TextEncoder().encode('from stdin\n');
    }
    const result = await docker(daemon, ['run', '-i', '--rm', 'busybox', 'cat'], { stdin: input() });
    expect(result).toMatchObject({ status: 0, stdout: 'from stdin\n' });
  });

  it('sends the request sequence of the real CLI', async () => {
    const { daemon } = setup();
    const seen: string[] = [];
    const handle = daemon.router.handle.bind(daemon.router);
    daemon.router.handle = async (request) => {
      const query = request.query.toString();
      const response = await handle(request);
      seen.push(`${request.method} ${request.path.replace(/^\/v1\.50/, '')}${query ? `?${query}` : ''} ${response.status}`);
      return response;
    };
    await docker(daemon, ['run', '--rm', 'busybox', 'echo', 'hi']);
    const id = seen[4].split(' ')[1].split('/')[2];
    expect(seen).toEqual([
      'POST /containers/create 404',
      'POST /images/create?fromImage=docker.io%2Flibrary%2Fbusybox&tag=latest 200',
      'POST /containers/create 201',
      `POST /containers/${id}/attach?stderr=1&stdout=1&stream=1 101`,
      `POST /containers/${id}/wait?condition=removed 200`,
      `POST /containers/${id}/start 204`,
    ]);
    seen.length = 0;
    await docker(daemon, ['ps', '-a', '-n', '2', '--filter', 'status=exited', '--filter', 'name=old']);
    expect(seen).toEqual(['GET /containers/json?all=1&filters=%7B%22name%22%3A%7B%22old%22%3Atrue%7D%2C%22status%22%3A%7B%22exited%22%3Atrue%7D%7D&limit=2 200']);
  });
});


describe('docker run --security-opt seccomp=<file>', () => {
  it('sends the profile compacted, refuses a file that is not JSON, and inspect keeps what docker stores', async () => {
    const { daemon } = setup();
    const profile = '{\n  "defaultAction": "SCMP_ACT_ALLOW",\n  "syscalls": [ { "names": ["mkdir"], "action": "SCMP_ACT_ERRNO", "comment": "a  b" } ]\n}\n';
    const files = new Map([
      ['/p.json', new TextEncoder().encode(profile)],
      ['/bad.json', new TextEncoder().encode('{"defaultAction": "SCMP_ACT_ALLOW",}')],
    ]);
    expect((await docker(daemon, ['create', '--name', 'sc', '--security-opt', 'seccomp=/p.json', 'busybox'], { files })).status).toBe(0);
    const stored = await docker(daemon, ['inspect', '-f', '{{json .HostConfig.SecurityOpt}}', 'sc']);
    expect(JSON.parse(stored.stdout)).toEqual(['seccomp={"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","comment":"a  b"}]}']);
    const bad = await docker(daemon, ['run', '--security-opt', 'seccomp=/bad.json', 'busybox'], { files });
    expect(bad.stderr).toBe("docker: compacting json for seccomp profile (/bad.json) failed: invalid character '}' looking for beginning of object key string\n\nRun 'docker run --help' for more information\n");
    expect(bad.status).toBe(125);
    const unknown = await docker(daemon, ['run', '--rm', '--security-opt', 'seccomp=unconfined', '--security-opt', 'apparmor=x', '--security-opt', 'foo=bar', 'busybox'], { files });
    expect(unknown.stderr).toContain('Error response from daemon: invalid --security-opt 2: "foo=bar"');
  });
});
