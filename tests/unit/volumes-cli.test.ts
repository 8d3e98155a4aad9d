// docker volume create|ls|inspect|rm|prune and containers with volumes, through the CLI and an
// in-process daemon with fakes (MemoryStore, FakeRuntime, FakeImages).

import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { Daemon } from '../../src/engine/daemon';
import { MemoryStore } from '../../src/engine/store';
import { FakeRuntime, type FakeProgram } from '../helpers/fake-runtime';
import { FakeImages, docker } from '../helpers/fake-images';
import { REAL_DOCKER, realDocker28 } from '../helpers/requirements';

const encoder = new TextEncoder();

const program: FakeProgram = async ({ spec, signals }) => {
  const [cmd, ...args] = spec.args;
  if (cmd === 'exit') return Number(args[0]);
  if (cmd === 'sleep') {
    for await (const signal of signals) if (signal === 9 || signal === 15) return { exitCode: 128 + signal, signal };
  }
  return 0;
};

function setup(store = new MemoryStore()) {
  const runtime = new FakeRuntime(program);
  const images = new FakeImages();
  const daemon = new Daemon({ imageProvider: images, store, runtime, registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) }, clock: () => new Date('2026-01-02T03:04:05.678Z') });
  images.install(daemon);
  images.add('busybox');
  images.add('redis', { config: { Volumes: { '/data': {} }, Cmd: ['sleep'] }, layerDirs: ['/var/lib/docker/overlay2/top/diff', '/var/lib/docker/overlay2/base/diff'] });
  return { daemon, runtime, store };
}

async function* lines(...texts: string[]): AsyncIterable<Uint8Array> {
  for (const text of texts) yield encoder.encode(text);
}

describe('docker volume', () => {
  it('create, ls, inspect, rm', async () => {
    const { daemon, runtime } = setup();
    expect(await docker(daemon, ['volume', 'create', 'myvol'])).toMatchObject({ status: 0, stdout: 'myvol\n' });
    expect(runtime.calls.some((call) => call.op === 'writeFile' && String(call.args[0]).startsWith('/var/lib/docker/volumes/myvol/_data/'))).toBe(true);
    await docker(daemon, ['volume', 'create', '--label', 'tier=db', '-o', 'type=tmpfs', 'vol-10']);
    await docker(daemon, ['volume', 'create', 'vol-2']);
    const anonymous = (await docker(daemon, ['volume', 'create'])).stdout.trim();
    expect(anonymous).toMatch(/^[0-9a-f]{64}$/);
    const ls = await docker(daemon, ['volume', 'ls']);
    expect(ls.stdout).toBe(`DRIVER    VOLUME NAME\nlocal     ${anonymous}\nlocal     myvol\nlocal     vol-2\nlocal     vol-10\n`);
    expect((await docker(daemon, ['volume', 'ls', '-q', '-f', 'label=tier=db'])).stdout).toBe('vol-10\n');
    expect((await docker(daemon, ['volume', 'ls', '-q', '-f', 'name=vol-'])).stdout).toBe('vol-2\nvol-10\n');
    expect((await docker(daemon, ['volume', 'ls', '--format', '{{.Name}} {{.Driver}} {{.Labels}}', '-f', 'driver=local', '-f', 'name=vol-1'])).stdout).toBe('vol-10 local tier=db\n');
    const inspect = await docker(daemon, ['volume', 'inspect', 'vol-10']);
    expect(inspect.stdout).toBe(
      `[
    {
        "CreatedAt": "2026-01-02T03:04:05Z",
        "Driver": "local",
        "Labels": {
            "tier": "db"
        },
        "Mountpoint": "/var/lib/docker/volumes/vol-10/_data",
        "Name": "vol-10",
        "Options": {
            "type": "tmpfs"
        },
        "Scope": "local"
    }
]
`,
    );
    expect((await docker(daemon, ['volume', 'inspect', '-f', '{{.Mountpoint}}', 'myvol'])).stdout).toBe('/var/lib/docker/volumes/myvol/_data\n');
    const missing = await docker(daemon, ['volume', 'inspect', 'nope']);
    expect(missing).toMatchObject({ status: 1, stdout: '[]\n', stderr: 'Error response from daemon: get nope: no such volume\n' });
    expect(await docker(daemon, ['volume', 'rm', 'myvol', 'nope'])).toMatchObject({ status: 1, stdout: 'myvol\n', stderr: 'Error response from daemon: get nope: no such volume\n' });
    expect(runtime.removedPaths).toContain('/var/lib/docker/volumes/myvol');
    expect(await docker(daemon, ['volume', 'rm', '-f', 'nope'])).toMatchObject({ status: 0, stdout: 'nope\n' });
    expect((await docker(daemon, ['volume', 'create', 'bad/name'])).stderr).toBe(
      'Error response from daemon: create bad/name: "bad/name" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path\n',
    );
    expect(await docker(daemon, ['volume', 'create', 'a', 'b'])).toMatchObject({ status: 1 });
    expect((await docker(daemon, ['volume', 'ls', 'x'])).stderr).toBe("docker: 'docker volume ls' accepts no arguments\n\nUsage:  docker volume ls [OPTIONS]\n\nRun 'docker volume ls --help' for more information\n");
  });

  it('keeps volumes across a daemon restart', async () => {
    const store = new MemoryStore();
    const first = setup(store);
    await docker(first.daemon, ['volume', 'create', 'kept']);
    const second = setup(store);
    expect((await docker(second.daemon, ['volume', 'ls', '-q'])).stdout).toBe('kept\n');
  });

  it('prune asks, removes anonymous volumes only unless --all', async () => {
    const { daemon } = setup();
    await docker(daemon, ['volume', 'create', 'named']);
    await docker(daemon, ['create', '--name', 'c1', '-v', '/anon', 'busybox']);
    const anon = (await docker(daemon, ['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'c1'])).stdout.trim();
    expect(anon).toMatch(/^[0-9a-f]{64}$/);
    // in use: nothing to prune
    expect((await docker(daemon, ['volume', 'prune', '-f'])).stdout).toBe('Total reclaimed space: 0B\n');
    await docker(daemon, ['rm', 'c1']);
    const no = await docker(daemon, ['volume', 'prune'], { stdin: lines('n\n') });
    expect(no).toMatchObject({
      status: 0,
      stdout: 'WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] ',
    });
    const yes = await docker(daemon, ['volume', 'prune'], { stdin: lines('y\n') });
    expect(yes.stdout).toBe(
      `WARNING! This will remove anonymous local volumes not used by at least one container.\nAre you sure you want to continue? [y/N] Deleted Volumes:\n${anon}\n\nTotal reclaimed space: 0B\n`,
    );
    expect((await docker(daemon, ['volume', 'ls', '-q'])).stdout).toBe('named\n');
    expect((await docker(daemon, ['volume', 'prune', '-a', '-f'])).stdout).toBe('Deleted Volumes:\nnamed\n\nTotal reclaimed space: 0B\n');
  });
});

describe('containers with volumes', () => {
  it('-v name:/path[:ro] creates the volume, binds its _data and shows it in inspect', async () => {
    const { daemon, runtime } = setup();
    const run = await docker(daemon, ['run', '-d', '--name', 'web', '-v', 'data:/srv/data:ro', '--mount', 'type=volume,source=more,target=/more', 'busybox', 'sleep']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const spec = [...runtime.containers.values()][0].spec;
    expect(spec.mounts).toContainEqual({ destination: '/srv/data', type: 'bind', source: '/var/lib/docker/volumes/data/_data', options: ['rbind', 'ro', 'rprivate'] });
    expect(spec.mounts).toContainEqual({ destination: '/more', type: 'bind', source: '/var/lib/docker/volumes/more/_data', options: ['rbind', 'rw', 'rprivate'] });
    const mounts = JSON.parse((await docker(daemon, ['inspect', '-f', '{{json .Mounts}}', 'web'])).stdout) as unknown[];
    expect(mounts).toEqual([
      { Type: 'volume', Name: 'data', Source: '/var/lib/docker/volumes/data/_data', Destination: '/srv/data', Driver: 'local', Mode: 'ro', RW: false, Propagation: '' },
      { Type: 'volume', Name: 'more', Source: '/var/lib/docker/volumes/more/_data', Destination: '/more', Driver: 'local', Mode: '', RW: true, Propagation: '' },
    ]);
    expect((await docker(daemon, ['volume', 'ls', '-q', '-f', 'dangling=false'])).stdout).toBe('data\nmore\n');
    const id = (await docker(daemon, ['inspect', '-f', '{{.Id}}', 'web'])).stdout.trim();
    const rm = await docker(daemon, ['volume', 'rm', 'data']);
    expect(rm).toMatchObject({ status: 1, stderr: `Error response from daemon: remove data: volume is in use - [${id}]\n` });
    // force does not remove a volume in use either
    expect((await docker(daemon, ['volume', 'rm', '-f', 'data'])).stderr).toBe(`Error response from daemon: remove data: volume is in use - [${id}]\n`);
    await docker(daemon, ['rm', '-f', '-v', 'web']);
    // named volumes survive rm -v
    expect((await docker(daemon, ['volume', 'ls', '-q', '-f', 'dangling=true'])).stdout).toBe('data\nmore\n');
    expect(await docker(daemon, ['volume', 'rm', 'data'])).toMatchObject({ status: 0, stdout: 'data\n' });
  });

  it("the image's VOLUME becomes an anonymous volume, filled from the image, removed by rm -v", async () => {
    const { daemon, runtime } = setup();
    await docker(daemon, ['create', '--name', 'db', 'redis']);
    const [mount] = JSON.parse((await docker(daemon, ['inspect', '-f', '{{json .Mounts}}', 'db'])).stdout) as { Name: string; Type: string; Destination: string }[];
    expect(mount).toMatchObject({ Type: 'volume', Destination: '/data' });
    expect(mount.Name).toMatch(/^[0-9a-f]{64}$/);
    const [vol] = JSON.parse((await docker(daemon, ['volume', 'inspect', '-f', 'json', mount.Name])).stdout) as { Labels: Record<string, string> }[];
    expect(vol.Labels).toEqual({ 'com.docker.volume.anonymous': '' });
    // the image's /data, lowest layer first, unpacked into the new volume
    const packs = runtime.calls.filter((call) => call.op === 'pack').map((call) => call.args[0]);
    expect(packs).toEqual(['/var/lib/docker/overlay2/base/diff/data', '/var/lib/docker/overlay2/top/diff/data']);
    expect(runtime.calls.filter((call) => call.op === 'unpack').every((call) => call.args[1] === `/var/lib/docker/volumes/${mount.Name}/_data`)).toBe(true);
    // -v mydata:/data overrides the image's VOLUME
    await docker(daemon, ['create', '--name', 'db2', '-v', 'mydata:/data', 'redis']);
    expect((await docker(daemon, ['inspect', '-f', '{{range .Mounts}}{{.Name}}{{end}}', 'db2'])).stdout).toBe('mydata\n');
    // a volume created beforehand is filled on its first use only
    await docker(daemon, ['volume', 'create', 'pre']);
    const packsBefore = runtime.calls.filter((call) => call.op === 'pack').length;
    await docker(daemon, ['create', '-v', 'pre:/data', 'redis']);
    expect(runtime.calls.filter((call) => call.op === 'pack').length).toBe(packsBefore + 2);
    await docker(daemon, ['create', '-v', 'pre:/data', 'redis']);
    await docker(daemon, ['create', '--mount', 'type=volume,src=nocopy,dst=/data,volume-nocopy', 'redis']);
    expect(runtime.calls.filter((call) => call.op === 'pack').length).toBe(packsBefore + 2);
    await docker(daemon, ['rm', '-v', 'db']);
    expect((await docker(daemon, ['volume', 'ls', '-q'])).stdout).toBe('mydata\nnocopy\npre\n');
    expect(runtime.removedPaths).toContain(`/var/lib/docker/volumes/${mount.Name}`);
  });

  it('--volumes-from shares the volumes of another container', async () => {
    const { daemon, runtime } = setup();
    await docker(daemon, ['create', '--name', 'src', '-v', 'shared:/shared', 'busybox']);
    expect((await docker(daemon, ['run', '-d', '--name', 'user', '--volumes-from', 'src:ro', 'busybox', 'sleep'])).status).toBe(0);
    const spec = [...runtime.containers.values()][0].spec;
    expect(spec.mounts).toContainEqual({ destination: '/shared', type: 'bind', source: '/var/lib/docker/volumes/shared/_data', options: ['rbind', 'ro', 'rprivate'] });
    const points = JSON.parse((await docker(daemon, ['inspect', '-f', '{{json .Mounts}}', 'user'])).stdout) as unknown[];
    expect(points).toEqual([{ Type: 'volume', Name: 'shared', Source: '/var/lib/docker/volumes/shared/_data', Destination: '/shared', Driver: 'local', Mode: '', RW: false, Propagation: '' }]);
    await docker(daemon, ['rm', '-f', '-v', 'user']);
    expect((await docker(daemon, ['volume', 'ls', '-q'])).stdout).toBe('shared\n');
    // host binds come along too; the container's own -v wins at the same path
    await docker(daemon, ['create', '--name', 'src2', '-v', '/srv/host:/host', '-v', 'other:/shared', 'busybox']);
    await docker(daemon, ['create', '--name', 'user2', '--volumes-from', 'src2', '-v', 'mine:/shared', 'busybox']);
    expect((await docker(daemon, ['inspect', '-f', '{{range .Mounts}}{{.Type}} {{.Source}} {{.Destination}} {{.RW}};{{end}}', 'user2'])).stdout).toBe(
      'bind /srv/host /host true;volume /var/lib/docker/volumes/mine/_data /shared true;\n',
    );
    expect((await docker(daemon, ['create', '--volumes-from', 'ghost', 'busybox'])).stderr).toContain('Error response from daemon: No such container: ghost\n');
    expect((await docker(daemon, ['create', '--volumes-from', 'src2:z', 'busybox'])).stderr).toContain('invalid mode: z');
  });
});

const realDocker = REAL_DOCKER;

describe.skipIf(!realDocker28('docker volume help comparisons'))('docker volume help and argument errors match the real client', () => {
  const cases = [['volume', '--help'], ['volume', 'ls', '--help'], ['volume', 'inspect', '--help'], ['volume', 'rm', '--help'], ['volume', 'prune', '--help'], ['volume', 'rm'], ['volume', 'inspect'], ['volume', 'prune', 'x'], ['volume', 'create', '--label', 'a b']];
  for (const argv of cases) {
    it(argv.join(' '), async () => {
      let expected = '';
      let expectedStatus = 0;
      try {
        expected = execFileSync(realDocker, argv, { env: { DOCKER_HOST: 'tcp://127.0.0.1:1', HOME: '/tmp', PATH: process.env.PATH ?? '' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (error) {
        const failed = error as { stdout: string; stderr: string; status: number };
        expected = failed.stdout + failed.stderr;
        expectedStatus = failed.status;
      }
      const { daemon } = setup();
      const ours = await docker(daemon, argv);
      // The real client without a daemon shows swarm-only flags and commands; a daemon without swarm hides them.
      const strip = (text: string) => text.replace(/^ {6}--cluster .*\n( {20,}.*\n)*/m, '').replace(/^ {2}update .*\n/m, '');
      expect(ours.stdout + ours.stderr).toBe(strip(expected));
      expect(ours.status).toBe(expectedStatus);
    });
  }
});

describe('docker volume create --help', () => {
  it('hides the cluster flags, as docker does with a daemon that is not a swarm manager', async () => {
    const { daemon } = setup();
    expect((await docker(daemon, ['volume', 'create', '--help'])).stdout).toBe(`Usage:  docker volume create [OPTIONS] [VOLUME]

Create a volume

Options:
  -d, --driver string   Specify volume driver name (default "local")
      --label list      Set metadata for a volume
  -o, --opt map         Set driver specific options (default map[])
`);
  });
});
