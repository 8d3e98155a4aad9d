// The other container and system commands through the CLI and an in-process daemon with fakes: ps
// filters and formats, inspect's fallbacks, run -it, attach and detach keys, logs -f, top, wait,
// rename, prune, events, info and version, and containers surviving a daemon restart.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { Daemon } from '../../src/engine/daemon';
import { MemoryStore } from '../../src/engine/store';
import { FakeRuntime, type FakeProgram } from '../helpers/fake-runtime';
import { FakeImages, cliEnv, docker } from '../helpers/fake-images';
import { runDocker } from '../../src/cli/docker';
import { redraw } from '../../src/cli/commands/container/stats';
import { ByteQueue } from '../../src/cli/client';
import { until } from '../helpers/wait';

const encoder = new TextEncoder();

const program: FakeProgram = async ({ spec, stdout, signals, stdin }) => {
  const [cmd, ...args] = spec.args;
  if (cmd === 'echo') {
    await stdout(`${args.join(' ')}\n`);
    return 0;
  }
  if (cmd === 'exit') return Number(args[0]);
  if (cmd === 'ticker') {
    for (let i = 0; i < 3; i++) {
      await stdout(`tick ${i}\n`);
      await new Promise((r) => setTimeout(r, 20));
    }
    return 0;
  }
  if (cmd === 'cat') {
    await stdout(new TextDecoder().decode(await stdin()));
    return 0;
  }
  if (cmd === 'sleep' || cmd === 'sh') {
    for await (const signal of signals) if (signal === 9 || signal === 15) return { exitCode: 128 + signal, signal };
  }
  return 0;
};

function setup(store = new MemoryStore(), clock?: () => Date) {
  const runtime = new FakeRuntime(program);
  const images = new FakeImages();
  const daemon = new Daemon({ imageProvider: images, store, runtime, registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) }, clock });
  images.install(daemon);
  images.add('busybox');
  images.add('alpine:3.20');
  return { daemon, runtime, images, store };
}

describe('docker ps', () => {
  it('filters, -n, -l, -q, --no-trunc and --format', async () => {
    // A clock that moves a millisecond per reading: "Less than a second ago" must not depend on load.
    let tick = Date.parse('2026-03-01T10:00:00Z');
    const { daemon } = setup(new MemoryStore(), () => new Date(tick++));
    await docker(daemon, ['run', '--name', 'done', 'busybox', 'exit', '3']);
    await docker(daemon, ['run', '-d', '--name', 'up', '--label', 'tier=web', 'busybox', 'sleep', '9']);
    await docker(daemon, ['create', '--name', 'fresh', 'alpine:3.20']);
    const names = async (...args: string[]) => (await docker(daemon, ['ps', ...args, '--format', '{{.Names}}'])).stdout;
    expect(await names()).toBe('up\n');
    expect(await names('-a')).toBe('fresh\nup\ndone\n');
    expect(await names('-n', '2')).toBe('fresh\nup\n');
    expect(await names('-l')).toBe('fresh\n');
    expect(await names('-a', '-f', 'status=exited')).toBe('done\n');
    expect(await names('-a', '-f', 'exited=3')).toBe('done\n');
    expect(await names('-a', '-f', 'name=fr')).toBe('fresh\n');
    expect(await names('-a', '-f', 'label=tier=web')).toBe('up\n');
    expect(await names('-a', '-f', 'ancestor=alpine:3.20')).toBe('fresh\n');
    expect(await names('-a', '-f', 'status=created', '-f', 'status=running')).toBe('fresh\nup\n');
    const quiet = (await docker(daemon, ['ps', '-aq'])).stdout.split('\n').filter(Boolean);
    expect(quiet.every((id) => /^[0-9a-f]{12}$/.test(id))).toBe(true);
    const full = (await docker(daemon, ['ps', '-a', '--no-trunc', '--format', '{{.ID}}'])).stdout.split('\n').filter(Boolean);
    expect(full.every((id) => /^[0-9a-f]{64}$/.test(id))).toBe(true);
    const table = (await docker(daemon, ['ps', '-a'])).stdout.split('\n');
    expect(table[1]).toMatch(/^[0-9a-f]{12}   alpine:3.20   "sh"\s+Less than a second ago\s+Created\s+fresh$/);
    expect(table[3]).toMatch(/Exited \(3\) Less than a second ago\s+done$/);
    const bad = await docker(daemon, ['ps', '-f', 'status=bogus']);
    expect(bad.stderr).toBe("Error response from daemon: invalid filter 'status=bogus'\n");
    const json = JSON.parse((await docker(daemon, ['ps', '--format', 'json'])).stdout) as Record<string, string>;
    expect(json).toMatchObject({ Names: 'up', Image: 'busybox', State: 'running', Labels: 'tier=web' });
  });
});

describe('inspect, top, wait, rename, prune', () => {
  it('docker inspect falls back to images and says No such object', async () => {
    const { daemon } = setup();
    await docker(daemon, ['create', '--name', 'c1', 'busybox']);
    const container = JSON.parse((await docker(daemon, ['inspect', 'c1'])).stdout) as { Name: string; Config: { Image: string } }[];
    expect(container[0]).toMatchObject({ Name: '/c1', Config: { Image: 'busybox' } });
    const missing = await docker(daemon, ['inspect', 'ghost']);
    expect(missing).toMatchObject({ status: 1, stdout: '[]\n', stderr: 'Error: No such object: ghost\n' });
    const containerOnly = await docker(daemon, ['container', 'inspect', 'ghost']);
    expect(containerOnly).toMatchObject({ status: 1, stdout: '[]\n', stderr: 'Error: No such container: ghost\n' });
    expect((await docker(daemon, ['inspect', '-f', '{{.State.Status}}', 'c1'])).stdout).toBe('created\n');
  });

  it('top prints the daemon table with width 20 columns; wait prints the exit code', async () => {
    const { daemon, runtime } = setup();
    await docker(daemon, ['run', '-d', '--name', 'tp', 'busybox', 'sleep', '9']);
    const cgroup = [...runtime.containers.values()][0].spec.cgroup.path;
    runtime.files.set(`${cgroup}/cgroup.procs`, '100\n');
    runtime.files.set('/proc/stat', 'btime 0\n');
    runtime.files.set('/proc/100/stat', '100 (sleep) S 1 100 100 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 0 100 1');
    runtime.files.set('/proc/100/cmdline', 'sleep\u00009\u0000');
    runtime.files.set('/proc/100/status', 'Uid:\t0\t0\t0\t0\n');
    const top = await docker(daemon, ['top', 'tp']);
    expect(top.stdout).toBe(
      'UID                 PID                 PPID                C                   STIME               TTY                 TIME                CMD\n' +
        'root                100                 1                   0                   00:00               ?                   00:00:00            sleep 9\n',
    );
    await docker(daemon, ['run', '--name', 'ex', 'busybox', 'exit', '7']);
    expect((await docker(daemon, ['wait', 'ex'])).stdout).toBe('7\n');
    const stopped = await docker(daemon, ['top', 'ex']);
    expect(stopped.stderr).toMatch(/^Error response from daemon: container [0-9a-f]{64} is not running\n$/);
  });

  it('rename and prune', async () => {
    const { daemon } = setup();
    await docker(daemon, ['create', '--name', 'old', 'busybox']);
    await docker(daemon, ['create', '--name', 'other', 'busybox']);
    expect((await docker(daemon, ['rename', 'old', 'new'])).status).toBe(0);
    const clash = await docker(daemon, ['rename', 'new', 'other']);
    expect(clash.status).toBe(1);
    expect(clash.stderr).toMatch(/^Error response from daemon: Error when allocating new name: Conflict\. .*\nError: failed to rename container named new\n$/);
    await docker(daemon, ['run', '-d', '--name', 'keep', 'busybox', 'sleep', '9']);
    async function* yes() {
      yield encoder.encode('y\n');
    }
    const prune = await docker(daemon, ['container', 'prune'], { stdin: yes() });
    expect(prune.stdout).toMatch(/^WARNING! This will remove all stopped containers\.\nAre you sure you want to continue\? \[y\/N\] Deleted Containers:\n[0-9a-f]{64}\n[0-9a-f]{64}\n\nTotal reclaimed space: 0B\n$/);
    expect((await docker(daemon, ['ps', '-a', '--format', '{{.Names}}'])).stdout).toBe('keep\n');
  });
});

describe('streams', () => {
  it('run -it: a raw TTY stream, the console size, and Ctrl-P Ctrl-Q detaches', async () => {
    const { daemon, runtime } = setup();
    const input = new ByteQueue();
    const running = docker(daemon, ['run', '-it', '--name', 'tty', 'busybox', 'sh'], { stdin: input, stdinIsTerminal: true, stdoutIsTerminal: true });
    await until(() => runtime.containers.size > 0, 'the container to be created');
    const spec = [...runtime.containers.values()][0].spec;
    expect(spec.process).toMatchObject({ terminal: true, rows: 24, cols: 80 });
    expect(spec.process.env).toContain('TERM=xterm');
    input.push(Uint8Array.from([0x10, 0x11]));
    const result = await running;
    expect(result.status).toBe(0);
    expect((await docker(daemon, ['ps', '--format', '{{.Names}} {{.State}}'])).stdout).toBe('tty running\n');
    const noTty = await docker(daemon, ['run', '-it', 'busybox', 'sh']);
    expect(noTty).toMatchObject({ status: 1, stderr: 'the input device is not a TTY\n' });
  });

  it("attach: resizes to one more row and column then back (the prompt redraws), and Ctrl-P Ctrl-Q ends it with docker's 'read escape sequence' and 1", async () => {
    const { daemon, runtime } = setup();
    expect((await docker(daemon, ['run', '-dit', '--name', 'sh1', 'busybox', 'sh'])).status).toBe(0);
    const init = [...runtime.containers.values()][0].init;
    const input = new ByteQueue();
    const attach = docker(daemon, ['attach', 'sh1'], { stdin: input, stdinIsTerminal: true, stdoutIsTerminal: true });
    await until(() => init.sizes.length >= 2, 'the two resizes');
    expect(init.sizes).toEqual([[25, 81], [24, 80]]);
    input.push(Uint8Array.from([0x10, 0x11]));
    expect(await attach).toMatchObject({ status: 1, stderr: 'read escape sequence\n' });
    expect((await docker(daemon, ['ps', '--format', '{{.Names}} {{.State}}'])).stdout).toBe('sh1 running\n');
  });

  it('logs -f follows until the container exits', async () => {
    const { daemon } = setup();
    await docker(daemon, ['run', '-d', '--name', 'tk', 'busybox', 'ticker']);
    const logs = await docker(daemon, ['logs', '-f', 'tk']);
    expect(logs).toMatchObject({ status: 0, stdout: 'tick 0\ntick 1\ntick 2\n' });
    expect((await docker(daemon, ['inspect', '-f', '{{.State.Status}}', 'tk'])).stdout).toBe('exited\n');
    expect((await docker(daemon, ['logs', '--tail', '1', 'tk'])).stdout).toBe('tick 2\n');
  });

  it('start -a attaches and returns the exit code; exec -i feeds stdin', async () => {
    const { daemon } = setup();
    await docker(daemon, ['create', '--name', 'sa', 'busybox', 'echo', 'attached']);
    expect(await docker(daemon, ['start', '-a', 'sa'])).toMatchObject({ status: 0, stdout: 'attached\n' });
    await docker(daemon, ['run', '-d', '--name', 'bg', 'busybox', 'sleep', '9']);
    async function* text() {
      yield encoder.encode('piped\n');
    }
    expect(await docker(daemon, ['exec', '-i', 'bg', 'cat'], { stdin: text() })).toMatchObject({ status: 0, stdout: 'piped\n' });
    const notRunning = await docker(daemon, ['exec', 'sa', 'echo']);
    expect(notRunning.stderr).toMatch(/^Error response from daemon: container [0-9a-f]{64} is not running\n$/);
  });
});

describe('system commands', () => {
  it('events --since/--until print docker\'s lines', async () => {
    const clock = () => new Date(Date.UTC(2025, 0, 1, 0, 0, 0));
    const { daemon } = setup(new MemoryStore(), clock);
    await docker(daemon, ['run', '--rm', '--name', 'ev', 'busybox', 'echo', 'x']);
    const events = await docker(daemon, ['events', '--since', '1735689500', '--until', '1735689600', '--filter', 'type=container'], { now: () => new Date(Date.UTC(2025, 0, 1, 0, 1)) });
    const actions = events.stdout.split('\n').filter(Boolean).map((line) => line.split(' ')[2]);
    expect(actions).toEqual(['create', 'attach', 'start', 'die', 'destroy']);
    expect(events.stdout.split('\n')[0]).toMatch(/^2025-01-01T00:00:00\.000000000Z container create [0-9a-f]{64} \(image=busybox, name=ev\)$/);
  });

  it('events: exact nanosecond times, templates on events.Message, bad templates fail first with 64', async () => {
    // 1764920600506 ms: as a double, its nanoseconds (1764920600506000000) read back as ...505999872
    const clock = () => new Date(1764920600506);
    const { daemon } = setup(new MemoryStore(), clock);
    await docker(daemon, ['create', '--name', 'ev', 'busybox']);
    const range = ['--since', '1764920600', '--until', '1764920601'];
    const plain = await docker(daemon, ['events', ...range], { now: () => new Date(1764920700000) });
    expect(plain.stdout).toMatch(/^2025-12-05T07:43:20\.506000000Z container create [0-9a-f]{64} \(image=busybox, name=ev\)\n$/);
    const templated = await docker(daemon, ['events', ...range, '--format', '{{.Actor.Attributes.name}} {{.TimeNano}} {{.Time}} {{.Status}} {{.Scope}} {{index .Actor.Attributes "image"}}'], { now: () => new Date(1764920700000) });
    expect(templated.stdout).toBe('ev 1764920600506000000 1764920600 create local busybox\n');
    const json = await docker(daemon, ['events', ...range, '--format', '{{json .}}'], { now: () => new Date(1764920700000) });
    expect(json.stdout).toMatch(/^\{"status":"create","id":"[0-9a-f]{64}","from":"busybox","Type":"container","Action":"create","Actor":\{"ID":"[0-9a-f]{64}","Attributes":\{"image":"busybox","name":"ev"\}\},"scope":"local","time":1764920600,"timeNano":1764920600506000000\}\n$/);
    const bad = await docker(daemon, ['events', ...range, '--format', '{{.Nope}}']);
    expect(bad).toMatchObject({ status: 64, stdout: '', stderr: 'Error parsing format: template: :1:2: executing "" at <.Nope>: can\'t evaluate field Nope in type *events.Message\n' });
  });

  it('info and version', async () => {
    const { daemon } = setup();
    await docker(daemon, ['run', '-d', 'busybox', 'sleep', '9']);
    await docker(daemon, ['create', 'busybox']);
    const info = await docker(daemon, ['info']);
    expect(info.stdout).toContain('Client:\n Version:    28.2.2\n Context:    default\n Debug Mode: false\n\nServer:\n Containers: 2\n  Running: 1\n  Paused: 0\n  Stopped: 1\n');
    expect(info.stdout).toContain(' Storage Driver: overlay2\n');
    expect(info.stdout).toContain(' Cgroup Version: 2\n');
    // every container gets docker's built-in seccomp profile (v28's SecurityOptions and CLI output)
    expect(info.stdout).toContain(' Security Options:\n  seccomp\n   Profile: builtin\n  cgroupns\n Kernel Version:');
    expect(info.stdout).toContain(' Total Memory: 256MiB\n');
    const version = await docker(daemon, ['version']);
    expect(version.stdout).toBe(
      'Client:\n Version:           28.2.2\n API version:       1.50\n Go version:        go1.24.3\n Git commit:        e6534b4\n Built:             Fri May 30 12:07:14 2025\n OS/Arch:           linux/386\n Context:           default\n\n' +
        'Server: Docker Engine - Community\n Engine:\n  Version:          28.2.2\n  API version:      1.50 (minimum version 1.24)\n  Go version:       go1.24.3\n  Git commit:       dockside\n  Built:            Fri May 30 12:00:00 2025\n  OS/Arch:          linux/386\n  Experimental:     false\n',
    );
  });

  it('version and info templates see Go field names, as docker 28.2.2 does', async () => {
    const { daemon } = setup();
    const version = await docker(daemon, ['version', '--format', '{{.Server.APIVersion}} {{.Server.MinAPIVersion}} {{.Client.APIVersion}} {{.Server.Experimental}} {{.Server.Platform.Name}}']);
    expect(version).toMatchObject({ stdout: '1.50 1.24 1.50 false Docker Engine - Community\n', status: 0 });
    const jsonKey = await docker(daemon, ['version', '--format', '{{.Server.ApiVersion}}']);
    expect(jsonKey.stderr).toBe('template: version:1:9: executing "version" at <.Server.ApiVersion>: can\'t evaluate field ApiVersion in type *types.Version\n');
    // the JSON keeps the JSON keys; the engine's build time as docker prints it
    const json = await docker(daemon, ['version', '--format', '{{json .}}']);
    expect(json.stdout).toContain('"Client":{"Version":"28.2.2","ApiVersion":"1.50","DefaultAPIVersion":"1.50",');
    expect(json.stdout).toContain('"BuildTime":"Fri May 30 12:00:00 2025"');
    const info = await docker(daemon, ['info', '--format', '{{.HTTPProxy}}|{{.CPUCfsQuota}}|{{.ClientInfo.Version}}|{{json .ClientInfo}}']);
    expect(info.stdout).toBe('|true|28.2.2|{"Debug":false,"Version":"28.2.2","DefaultAPIVersion":"1.50","GitCommit":"e6534b4","GoVersion":"go1.24.3","Os":"linux","Arch":"386","BuildTime":"Fri May 30 12:07:14 2025","Context":"default","Plugins":[],"Warnings":null}\n');
    expect((await docker(daemon, ['info', '--format', '{{.HttpProxy}}'])).stderr).toBe('template: :1:2: executing "" at <.HttpProxy>: can\'t evaluate field HttpProxy in type system.dockerInfo\n');
  });

  it('containers survive a daemon restart (running ones come back exited)', async () => {
    const store = new MemoryStore();
    const first = setup(store).daemon;
    await docker(first, ['run', '-d', '--name', 'persist', 'busybox', 'sleep', '9']);
    await docker(first, ['create', '--name', 'made', 'busybox']);
    await docker(first, ['run', '--name', 'said', 'busybox', 'echo', 'remembered']);
    const second = setup(store).daemon;
    const listed = await docker(second, ['ps', '-a', '--format', '{{.Names}} {{.State}}']);
    expect(listed.stdout).toBe('said exited\nmade created\npersist exited\n');
    expect((await docker(second, ['logs', 'said'])).stdout).toBe('remembered\n');
  });
});

describe('docker stats', () => {
  it('redraws the table as docker 28.2.2 does: home, table, the lines again with erase-line, erase below', () => {
    expect(redraw('A   B\nx   y\n')).toBe('\x1b[HA   B\nx   y\n\x1b[HA   B \x1b[K\nx   y \x1b[K\n \x1b[K\n\x1b[J');
  });

  afterEach(() => {
    vi.useRealTimers();
  });

  it('follows started containers live every 500 ms until Ctrl-C', async () => {
    vi.useFakeTimers(); // the table's 500 ms and the engine's 1 s samples, on a fake clock
    const { daemon } = setup();
    await docker(daemon, ['run', '-d', '--name', 'first', 'busybox', 'sleep', '9']);
    const { env, out } = cliEnv(daemon);
    let interrupt: (() => void) | undefined;
    env.onSignal = (handler) => {
      interrupt = () => handler('SIGINT');
      return () => (interrupt = undefined);
    };
    const running = runDocker(['stats'], env);
    await vi.advanceTimersByTimeAsync(499);
    expect(out().stdout).toBe(''); // the first frame comes after 500 ms
    await vi.advanceTimersByTimeAsync(1);
    expect(out().stdout.split('\x1b[J')).toHaveLength(2);
    await docker(daemon, ['run', '-d', '--name', 'second', 'busybox', 'sleep', '9']);
    await vi.advanceTimersByTimeAsync(1500);
    interrupt?.();
    await vi.advanceTimersByTimeAsync(500); // the loop sees Ctrl-C when it wakes, and draws no more
    expect(await running).toBe(0);
    const frames = out().stdout.split('\x1b[J');
    expect(frames.pop()).toBe('');
    expect(frames).toHaveLength(4); // at 500, 1000, 1500 and 2000 ms
    for (const frame of frames) expect(frame).toMatch(/^\x1b\[HCONTAINER ID {3}NAME {6}CPU % {5}MEM USAGE \/ LIMIT {3}MEM % {5}NET I\/O {3}BLOCK I\/O {3}PIDS\n/);
    expect(frames[0]).toContain(' first ');
    expect(frames[0]).not.toContain(' second ');
    expect(frames.at(-1)).toContain(' second ');
  });

  it('fails like docker for a container that does not exist', async () => {
    const { daemon } = setup();
    const r = await docker(daemon, ['stats', '--no-stream', 'nosuch']);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('Error response from daemon: No such container: nosuch\n');
  });
});
