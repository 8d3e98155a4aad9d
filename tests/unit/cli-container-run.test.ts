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
    const missing = await docker(daemon, ['stop', 'ghost']);
    expect(missing.stderr).toBe('Error response from daemon: No such container: ghost\n');
  });

  it('publishes ports: -p forms, -P from the ephemeral range, port, ps PORTS, conflicts, DNAT rules', async () => {
    const { daemon, images, runtime } = setup();
    images.add('busybox');
    const web = await docker(daemon, ['run', '-d', '--name', 'web', '-p', '8080:80', '-p', '127.0.0.1::5000', '-p', '5353:53/udp', '--expose', '7000', 'busybox', 'sleep', '99']);
    expect(web.stderr).toBe('');
    expect((await docker(daemon, ['port', 'web'])).stdout).toBe('53/udp -> 0.0.0.0:5353\n80/tcp -> 0.0.0.0:8080\n5000/tcp -> 127.0.0.1:32768\n');
    expect((await docker(daemon, ['port', 'web', '80'])).stdout).toBe('0.0.0.0:8080\n');
    expect((await docker(daemon, ['ps', '--format', '{{.Ports}}'])).stdout).toBe('7000/tcp, 0.0.0.0:5353->53/udp, 0.0.0.0:8080->80/tcp, 127.0.0.1:32768->5000/tcp\n');
    await docker(daemon, ['run', '-d', '--name', 'all', '-P', '--expose', '9000-9001', 'busybox', 'sleep', '99']);
    expect((await docker(daemon, ['port', 'all'])).stdout).toBe('9000/tcp -> 0.0.0.0:32769\n9001/tcp -> 0.0.0.0:32770\n');
    const clash = await docker(daemon, ['run', '-d', '--name', 'clash', '-p', '8080:80', 'busybox', 'sleep', '99']);
    expect(clash.status).toBe(125);
    expect(clash.stderr).toMatch(
      /^docker: Error response from daemon: failed to set up container networking: driver failed programming external connectivity on endpoint clash \([0-9a-f]{64}\): Bind for 0\.0\.0\.0:8080 failed: port is already allocated\n/,
    );
    expect((await docker(daemon, ['inspect', '-f', '{{.State.Status}} {{json .NetworkSettings.Ports}}', 'clash'])).stdout).toBe('created {}\n');
    const rules = runtime.shellScripts.filter((s) => s.script.includes('iptables-restore')).at(-1)?.script ?? '';
    expect(rules).toContain('-A DOCKER -p tcp -m tcp --dport 8080 -j DNAT --to-destination 172.17.0.2:80');
    expect(rules).toContain('-A DOCKER -d 127.0.0.1/32 -p tcp -m tcp --dport 32768 -j DNAT --to-destination 172.17.0.2:5000');
    expect(rules).toContain('-A DOCKER -d 172.17.0.2/32 ! -i docker0 -o docker0 -p udp -m udp --dport 53 -j ACCEPT');
    // A stopped container gives its ports back.
    await docker(daemon, ['stop', 'web']);
    expect((await docker(daemon, ['start', 'clash'])).status).toBe(0);
    expect((await docker(daemon, ['port', 'clash'])).stdout).toBe('80/tcp -> 0.0.0.0:8080\n');
  });

  it('--link on the default bridge: docker\'s /etc/hosts line and environment variables', async () => {
    const { daemon, images, runtime } = setup();
    images.add('busybox');
    expect((await docker(daemon, ['run', '-d', '--link', 'nosuch:db', 'busybox', 'sleep', '9'])).stderr).toBe(
      "docker: Error response from daemon: could not get container for nosuch: No such container: nosuch\n\nRun 'docker run --help' for more information\n",
    );
    await docker(daemon, ['run', '-d', '--name', 'db', '--expose', '5432', '-e', 'SECRET=x', 'busybox', 'sleep', '99']);
    const web = await docker(daemon, ['run', '-d', '--name', 'web', '--link', 'db:database', 'busybox', 'sleep', '99']);
    expect(web.stderr).toBe('');
    const dbId = (await docker(daemon, ['inspect', '-f', '{{.Id}}', 'db'])).stdout.trim();
    expect((await docker(daemon, ['inspect', '-f', '{{json .HostConfig.Links}}', 'web'])).stdout).toBe('["/db:/web/database"]\n');
    const hosts = [...runtime.files.entries()].find(([path, text]) => path.endsWith('/hosts') && text.includes('database'))?.[1];
    expect(hosts).toContain(`172.17.0.2\tdatabase ${dbId.slice(0, 12)} db\n172.17.0.3\t`);
    const spec = [...runtime.containers.values()].map((c) => c.spec).find((c) => c.process.env.some((e) => e.startsWith('DATABASE_')));
    expect(spec?.process.env).toEqual(
      expect.arrayContaining([
        'DATABASE_PORT=tcp://172.17.0.2:5432',
        'DATABASE_PORT_5432_TCP=tcp://172.17.0.2:5432',
        'DATABASE_PORT_5432_TCP_ADDR=172.17.0.2',
        'DATABASE_PORT_5432_TCP_PORT=5432',
        'DATABASE_PORT_5432_TCP_PROTO=tcp',
        'DATABASE_NAME=/web/database',
        'DATABASE_ENV_SECRET=x',
      ]),
    );
    await docker(daemon, ['stop', 'db']);
    await docker(daemon, ['stop', 'web']);
    expect((await docker(daemon, ['start', 'web'])).stderr).toBe('Error response from daemon: Cannot link to a non running container: /db AS /web/database\n');
  });

  it('--mount type=bind needs its source on the host', async () => {
    const { daemon, images, runtime } = setup();
    images.add('busybox');
    runtime.shellAnswer = (script, args) => ({ exitCode: script === '[ -e "$1" ]' && args[0] === '/does/not/exist' ? 1 : 0, stdout: '', stderr: '' });
    const result = await docker(daemon, ['run', '--mount', 'type=bind,source=/does/not/exist,target=/data', 'busybox', 'echo', 'hi']);
    expect(result.status).toBe(125);
    expect(result.stderr).toBe('docker: Error response from daemon: invalid mount config for type "bind": bind source path does not exist: /does/not/exist\n\nRun \'docker run --help\' for more information\n');
    expect((await docker(daemon, ['run', '--rm', '--mount', 'type=bind,source=/tmp,target=/data', 'busybox', 'echo', 'hi'])).stdout).toBe('hi\n');
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

describe('docker run --network ""', () => {
  // found by tests/fuzz/cli.fuzz.test.ts: this was "docker: Cannot read properties of undefined (reading 'replace')"
  it('takes the empty target as docker does: the default network once, "specified multiple times" twice', async () => {
    const { daemon } = setup();
    const once = await docker(daemon, ['run', '--rm', '--network', '', 'busybox', 'echo', 'hi']);
    expect([once.status, once.stdout]).toEqual([0, 'hi\n']);
    expect(once.stderr).not.toContain('Cannot read');
    const twice = await docker(daemon, ['create', '--network', '', '--network', '', 'busybox']);
    expect([twice.status, twice.stderr]).toEqual([125, 'docker: network "" is specified multiple times\n\nRun \'docker create --help\' for more information\n']);
  });
});

describe('docker run -w with a relative path', () => {
  // found by tests/fuzz/cli.fuzz.test.ts: Dockside took `-w x` and made the directory; moby refuses it
  it('is refused by the daemon before anything is created', async () => {
    const { daemon, images } = setup();
    images.add('busybox');
    const result = await docker(daemon, ['create', '-w', 'x', 'busybox']);
    expect([result.status, result.stderr]).toEqual([1, "Error response from daemon: the working directory 'x' is invalid, it needs to be an absolute path\n"]);
    const run = await docker(daemon, ['run', '-w', 'x', 'busybox']);
    expect([run.status, run.stderr]).toEqual([125, "docker: Error response from daemon: the working directory 'x' is invalid, it needs to be an absolute path\n\nRun 'docker run --help' for more information\n"]);
    expect((await docker(daemon, ['ps', '-a', '-q'])).stdout).toBe('');
  });
});
