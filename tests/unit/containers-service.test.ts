// The container service against a fake runtime: states, names and lookups, restart policies, stop and
// kill, pause, wait conditions, exec, update, networking modes, events and the inspect shape. The tests
// of timeouts, restart delays and healthchecks run on vitest's fake timers (and Date): exact, and fast.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { Daemon } from '../../src/engine/daemon';
import { MemoryStore } from '../../src/engine/store';
import { inspect, statusString, top, statsSample, statsJson } from '../../src/engine/containers/views';
import { hostsFile, resolvConf, macForIp } from '../../src/engine/network/bridge';
import { SubnetIpam } from '../../src/engine/network/ipam';
import { generateName } from '../../src/engine/containers/names';
import { parseSignal } from '../../src/engine/containers/signals';
import { parseDetachKeys } from '../../src/engine/containers/attach';
import { EscapeProxy } from '../../src/go/term';
import { ContainerLog, rfc3339Nano } from '../../src/engine/containers/streams';
import { noNewPrivileges } from '../../src/engine/containers/service';
import { FakeRuntime, type FakeProgram } from '../helpers/fake-runtime';
import { FakeImages } from '../helpers/fake-images';
import type { ContainerSpec } from '../../src/engine/runtime/types';
import { TarWriter, readTarEntries } from '../../src/go/tar';

const program: FakeProgram = async ({ spec, stdout, signals }) => {
  const [cmd, ...args] = spec.args;
  if (cmd === 'echo') {
    await stdout(`${args.join(' ')}\n`);
    return 0;
  }
  if (cmd === 'exit') return Number(args[0]);
  if (cmd === 'sleep' || cmd === 'sh') {
    for await (const signal of signals) if (signal === 9 || signal === 15) return { exitCode: 128 + signal, signal };
  }
  if (cmd === 'stubborn') {
    for await (const signal of signals) if (signal === 9) return { exitCode: 137, signal: 9 };
  }
  return 0;
};

function setup(runtime = new FakeRuntime(program)) {
  const images = new FakeImages();
  const daemon = new Daemon({ imageProvider: images, store: new MemoryStore(), runtime, registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) } });
  images.install(daemon);
  images.add('busybox', { config: { Cmd: ['sh'], Env: ['PATH=/bin', 'FROM_IMAGE=1'], Labels: { 'org.x': 'y' } } });
  const service = daemon.containers;
  return { daemon, runtime, images, service };
}

/** Waits for check() on the fake clock: advances it 10 ms at a time, for at most a minute of fake time. */
const until = async (check: () => boolean, what: string) => {
  for (let elapsed = 0; elapsed <= 60_000; elapsed += 10) {
    if (check()) return;
    await vi.advanceTimersByTimeAsync(10);
  }
  throw new Error(`${what} did not happen within a minute of the fake clock`);
};

afterEach(() => {
  vi.useRealTimers();
});

describe('container service', () => {
  it('creates from the image config, names and finds containers by name and unique prefix', async () => {
    const { service } = setup();
    const { Id } = await service.create('web', { Image: 'busybox', Env: ['A=1', 'FROM_IMAGE=2'] });
    expect(Id).toMatch(/^[0-9a-f]{64}$/);
    const live = service.get('web');
    expect(live.record.config.Env).toEqual(['PATH=/bin', 'FROM_IMAGE=2', 'A=1']);
    expect(live.record.config.Cmd).toEqual(['sh']);
    expect(live.record.config.Labels).toEqual({ 'org.x': 'y' });
    expect(live.record.path).toBe('sh');
    expect(service.get(Id.slice(0, 5)).id).toBe(Id);
    const generated = await service.create('', { Image: 'busybox' });
    expect(service.get(generated.Id).record.name).toMatch(/^\/[a-z]+_[a-z]+\d?$/);
    await expect(service.create('web', { Image: 'busybox' })).rejects.toMatchObject({ kind: 'conflict' });
    await expect(service.create('', { Image: 'nosuch' })).rejects.toMatchObject({ kind: 'not-found', message: 'No such image: nosuch:latest' });
    await expect(service.create('', { Image: 'busybox', HostConfig: { Memory: 1024 } })).rejects.toMatchObject({ message: 'Minimum memory limit allowed is 6MB' });
    // As moby: a network that does not exist is kept by name at create, and the start fails on it.
    const lost = await service.create('', { Image: 'busybox', HostConfig: { NetworkMode: 'mynet' } });
    await expect(service.start(lost.Id)).rejects.toMatchObject({ kind: 'not-found', message: 'failed to set up container networking: network mynet not found' });
    expect(() => service.get('nothing')).toThrow('No such container: nothing');
  });

  it('starts with a veth on docker0, an address from 172.17.0.2 and docker\'s /etc files', async () => {
    const { service, runtime } = setup();
    await service.create('aa', { Image: 'busybox', Cmd: ['sleep', '100'], Hostname: 'alpha', HostConfig: { Dns: ['1.1.1.1'], DnsSearch: ['example.com'], ExtraHosts: ['db:10.0.0.5'] } });
    await service.start('aa');
    const spec = runtime.calls.find((c) => c.op === 'create')!.args[0] as ContainerSpec;
    expect(spec.network).toMatchObject({ bridge: 'docker0', address: '172.17.0.2/16', gateway: '172.17.0.1', mac: '02:42:ac:11:00:02' });
    expect(spec.mounts.map((m) => m.destination)).toEqual(expect.arrayContaining(['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']));
    const live = service.get('aa');
    expect(runtime.files.get(live.record.hostsPath)).toContain('10.0.0.5\tdb\n172.17.0.2\talpha\n');
    expect(runtime.files.get(live.record.hostnamePath)).toBe('alpha\n');
    expect(runtime.files.get(live.record.resolvConfPath)).toContain('nameserver 1.1.1.1\nsearch example.com\n');
    expect(spec.process.env).toEqual(expect.arrayContaining(['PATH=/bin', 'HOSTNAME=alpha', 'HOME=/root']));
    await service.create('bb', { Image: 'busybox', Cmd: ['sleep', '100'] });
    await service.start('bb');
    expect(service.get('bb').record.endpoint?.ip).toBe('172.17.0.3');
    await service.stop('aa', 1);
    await service.create('cc', { Image: 'busybox', Cmd: ['sleep', '100'] });
    await service.start('cc');
    expect(service.get('cc').record.endpoint?.ip).toBe('172.17.0.2');
  });

  it('--network none, host and container:NAME change the namespace', async () => {
    const { service, runtime } = setup();
    await service.create('nn', { Image: 'busybox', Cmd: ['sleep', '1'], HostConfig: { NetworkMode: 'none' } });
    await service.start('nn');
    await service.create('hh', { Image: 'busybox', Cmd: ['sleep', '1'], HostConfig: { NetworkMode: 'host' } });
    await service.start('hh');
    await service.create('jj', { Image: 'busybox', Cmd: ['sleep', '1'], HostConfig: { NetworkMode: 'container:nn' } });
    await service.start('jj');
    const specs = runtime.calls.filter((c) => c.op === 'create').map((c) => c.args[0] as ContainerSpec);
    expect(specs[0].namespaces.net).toBe('new');
    expect(specs[0].network).toBeUndefined();
    expect(specs[1].namespaces.net).toBe('host');
    expect(specs[2].namespaces.net).toBe(`/proc/${service.get('nn').record.state.pid}/ns/net`);
    expect(inspect(service.get('nn'), { nowMs: Date.now() }).NetworkSettings).toMatchObject({ IPAddress: '', Networks: { none: { IPAddress: '' } } });
  });

  it('--pid, --ipc and --uts host share the guest\'s namespaces; --ipc container:NAME joins that one\'s', async () => {
    const { service, runtime } = setup();
    await service.create('dd', { Image: 'busybox', Cmd: ['sleep', '1'] });
    await service.start('dd');
    await service.create('hh', { Image: 'busybox', Cmd: ['sleep', '1'], HostConfig: { PidMode: 'host', IpcMode: 'host', UTSMode: 'host' } });
    await service.start('hh');
    await service.create('jj', { Image: 'busybox', Cmd: ['sleep', '1'], HostConfig: { IpcMode: 'container:dd' } });
    await service.start('jj');
    const specs = runtime.calls.filter((c) => c.op === 'create').map((c) => c.args[0] as ContainerSpec);
    expect(specs[0].namespaces).toMatchObject({ pid: true, ipc: true, uts: true });
    expect(specs[1].namespaces).toMatchObject({ pid: false, ipc: false, uts: false });
    expect(specs[2].namespaces).toMatchObject({ pid: true, ipc: `/proc/${service.get('dd').record.state.pid}/ns/ipc`, uts: true });
    await service.stop('jj', 1);
    await service.stop('dd', 1);
    await expect(service.start('jj')).rejects.toMatchObject({ kind: 'conflict', message: `cannot join IPC of a non running container: ${service.get('dd').id}` });
  });

  it("docker cp of the daemon's /etc files copies their content, not the empty mount points under merged", async () => {
    class EtcRuntime extends FakeRuntime {
      override async pack(dir: string, tarPath: string, paths: string[], whiteouts: boolean): Promise<void> {
        await super.pack(dir, tarPath, paths, whiteouts);
        const tar = new TarWriter();
        if (paths[0] === 'etc') {
          tar.entry('etc', '5', { mode: 0o755 });
          tar.file('etc/hostname', '');
          tar.file('etc/passwd', 'root:x:0:0::/root:/bin/sh\n');
        } else tar.file(paths[0], '');
        await this.stageFile(tarPath.slice(tarPath.lastIndexOf('/') + 1), tar.finish());
      }
    }
    const { service } = setup(new EtcRuntime(program));
    await service.create('cc', { Image: 'busybox', Cmd: ['sleep', '100'], Hostname: 'box' });
    await service.start('cc');
    const read = async (path: string) =>
      Object.fromEntries((await readTarEntries((await service.archive('cc', path)).tar)).map((entry) => [entry.name, new TextDecoder().decode(entry.data)]));
    expect(await read('/etc/hostname')).toEqual({ hostname: 'box\n' });
    expect((await service.archive('cc', '/etc/hostname')).stat.size).toBe(4);
    expect((await read('/etc/hosts')).hosts).toContain('\tbox\n');
    expect(await read('/etc')).toMatchObject({ 'etc/hostname': 'box\n', 'etc/passwd': 'root:x:0:0::/root:/bin/sh\n' });
    await service.stop('cc', 1);
  });

  it('reports a missing executable like docker (exit 127, state Created)', async () => {
    const runtime = new FakeRuntime(program);
    const originalStart = runtime.start.bind(runtime);
    runtime.start = async (id) => {
      await originalStart(id);
      const { RuntimeError } = await import('../../src/engine/runtime/types');
      throw new RuntimeError('No such file or directory', 'ENOENT', 2, 'execve', 'nosuch');
    };
    const { service } = setup(runtime);
    await service.create('x1', { Image: 'busybox', Cmd: ['nosuch'] });
    await expect(service.start('x1')).rejects.toMatchObject({
      message: 'failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: error during container init: exec: "nosuch": executable file not found in $PATH: unknown',
    });
    expect(service.get('x1').record.state).toMatchObject({ status: 'created', exitCode: 127 });
  });

  it('stops with SIGTERM, then SIGKILL after the timeout; kill and pause give docker\'s errors', async () => {
    vi.useFakeTimers();
    const { service, daemon } = setup();
    const seen: string[] = [];
    daemon.events.subscribe((e) => seen.push(`${e.Action}${e.Actor.Attributes.signal ? `:${e.Actor.Attributes.signal}` : ''}${e.Actor.Attributes.exitCode ? `:${e.Actor.Attributes.exitCode}` : ''}`));
    await service.create('ss', { Image: 'busybox', Cmd: ['stubborn'] });
    await service.start('ss');
    const stopping = service.stop('ss', 1);
    await vi.advanceTimersByTimeAsync(999);
    expect(seen).toEqual(['create', 'start', 'kill:15']); // SIGKILL waits for the whole timeout
    await vi.advanceTimersByTimeAsync(1);
    await stopping;
    expect(service.get('ss').record.state).toMatchObject({ status: 'exited', exitCode: 137 });
    expect(seen).toEqual(['create', 'start', 'kill:15', 'kill:9', 'die:137', 'stop']);
    await expect(service.stop('ss')).rejects.toMatchObject({ kind: 'not-modified' });
    await expect(service.kill('ss')).rejects.toMatchObject({ kind: 'conflict', message: `cannot kill container: ss: container ${service.get('ss').id} is not running` });
    await expect(service.pause('ss')).rejects.toMatchObject({ message: `Container ${service.get('ss').id} is not running` });
    await service.start('ss');
    await service.pause('ss');
    expect(statusString(service.get('ss').record, Date.now())).toMatch(/^Up .* \(Paused\)$/);
    await expect(service.pause('ss')).rejects.toMatchObject({ message: `Container ${service.get('ss').id} is already paused` });
    await expect(service.execCreate('ss', { Cmd: ['echo'] })).rejects.toMatchObject({ message: `Container ${service.get('ss').id} is paused, unpause the container before exec` });
    await service.unpause('ss');
    await expect(service.unpause('ss')).rejects.toMatchObject({ message: `Container ${service.get('ss').id} is not paused` });
    await expect(service.remove('ss')).rejects.toMatchObject({ kind: 'conflict' });
    await service.remove('ss', { force: true });
    expect(service.find('ss')).toBeUndefined();
    expect(seen.slice(-2)).toEqual(['die:137', 'destroy']);
  });

  it('restart policies: on-failure:N retries N times, always restarts until stopped, no stays down', async () => {
    vi.useFakeTimers();
    const { service } = setup();
    await service.create('ff', { Image: 'busybox', Cmd: ['exit', '1'], HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 2 } } });
    await service.start('ff');
    await until(() => service.get('ff').record.restartCount === 2 && service.get('ff').status === 'exited', 'two restarts');
    expect(service.get('ff').record.state.exitCode).toBe(1);
    await service.create('ok', { Image: 'busybox', Cmd: ['exit', '0'], HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 0 } } });
    await service.start('ok');
    await until(() => service.get('ok').status === 'exited', 'exit');
    expect(service.get('ok').record.restartCount).toBe(0);
    await service.create('al', { Image: 'busybox', Cmd: ['exit', '0'], HostConfig: { RestartPolicy: { Name: 'always', MaximumRetryCount: 0 } } });
    await service.start('al');
    await until(() => service.get('al').record.restartCount >= 2, 'always restarts');
    await service.stop('al');
    const count = service.get('al').record.restartCount;
    await vi.advanceTimersByTimeAsync(120_000); // longer than the longest restart delay (a minute)
    expect(service.get('al').record.restartCount).toBe(count);
    expect(service.get('al').status).toBe('exited');
  });

  it("waits between restarts as docker does: 100 ms, then twice as long each time", async () => {
    vi.useFakeTimers();
    const { service } = setup();
    await service.create('bo', { Image: 'busybox', Cmd: ['exit', '1'], HostConfig: { RestartPolicy: { Name: 'on-failure', MaximumRetryCount: 3 } } });
    await service.start('bo');
    await vi.advanceTimersByTimeAsync(0);
    const restarts: number[] = [];
    for (const delay of [100, 200, 400]) {
      expect(service.get('bo').status).toBe('restarting');
      await vi.advanceTimersByTimeAsync(delay - 1);
      restarts.push(service.get('bo').record.restartCount);
      await vi.advanceTimersByTimeAsync(1);
      restarts.push(service.get('bo').record.restartCount);
    }
    expect(restarts).toEqual([0, 1, 1, 2, 2, 3]);
    expect(service.get('bo').status).toBe('exited');
  });

  it('wait conditions and --rm', async () => {
    const { service } = setup();
    await service.create('ww', { Image: 'busybox', Cmd: ['exit', '5'], HostConfig: { AutoRemove: true } });
    const live = service.get('ww');
    const nextExit = service.wait(live, 'next-exit');
    const removed = service.wait(live, 'removed');
    const abandoned = service.wait(live, 'next-exit');
    expect(live.exitWaiters).toHaveLength(2);
    abandoned.cancel(); // the client hung up: no waiter is left behind
    expect(live.exitWaiters).toHaveLength(1);
    await service.start('ww');
    expect(await nextExit.result).toEqual({ StatusCode: 5, Error: null });
    expect(await removed.result).toEqual({ StatusCode: 5, Error: null });
    expect(service.find('ww')).toBeUndefined();
    await service.create('w2', { Image: 'busybox', Cmd: ['exit', '0'] });
    expect(await service.wait(service.get('w2'), 'not-running').result).toEqual({ StatusCode: 0, Error: null });
  });

  it('exec runs in the container with the container env; update writes cgroup files live', async () => {
    const { service, runtime } = setup();
    await service.create('ee', { Image: 'busybox', Cmd: ['sleep', '1'], HostConfig: { Memory: 64 * 1024 * 1024 } });
    await service.start('ee');
    const execId = await service.execCreate('ee', { Cmd: ['echo', 'x'], Env: ['B=2'], AttachStdout: true });
    let output = '';
    const exec = service.getExec(execId);
    const proc = await service.execStart(exec, { stdin: false, stdout: (c) => void (output += new TextDecoder().decode(c)) });
    expect('pid' in proc).toBe(true);
    await exec.exited;
    expect(exec.exitCode).toBe(0);
    expect(output).toBe('x\n');
    const execSpec = runtime.calls.find((c) => c.op === 'exec')!.args[1] as { env: string[] };
    expect(execSpec.env).toEqual(expect.arrayContaining(['FROM_IMAGE=1', 'B=2']));
    const createSpec = runtime.calls.find((c) => c.op === 'create')!.args[0] as ContainerSpec;
    expect(createSpec.cgroup.settings).toMatchObject({ 'memory.max': String(64 * 1024 * 1024) });
    await service.update('ee', { Memory: 32 * 1024 * 1024, MemorySwap: 64 * 1024 * 1024, CpuShares: 512, PidsLimit: 50 });
    const cgroup = service.get('ee').cgroupPath;
    expect(runtime.files.get(`${cgroup}/memory.max`)).toBe(String(32 * 1024 * 1024));
    expect(runtime.files.get(`${cgroup}/pids.max`)).toBe('50');
    expect(runtime.files.get(`${cgroup}/cpu.weight`)).toBe('20');
    expect(inspect(service.get('ee'), { nowMs: Date.now() }).HostConfig).toMatchObject({ Memory: 32 * 1024 * 1024, CpuShares: 512, PidsLimit: 50 });
    // moby's errCannotUpdate: "Cannot update container <id>: ..."
    await expect(service.update('ee', { Memory: 128 * 1024 * 1024 })).rejects.toMatchObject({
      message: `Cannot update container ${service.get('ee').id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time`,
    });
  });

  it('ps summaries: IMAGE turns into the image id once the name is gone or names another image; PORTS only while running', async () => {
    const { service, images } = setup();
    const busybox = images.local.get('busybox:latest')!;
    await service.create('web', { Image: 'busybox', Cmd: ['sleep'], ExposedPorts: { '80/tcp': {} } });
    await service.create('done', { Image: 'busybox', Cmd: ['exit', '0'], ExposedPorts: { '80/tcp': {} } });
    await service.start('web');
    const done = service.get('done');
    const exited = service.wait(done, 'next-exit');
    await service.start('done');
    await exited.result;
    const byName = async () => new Map((await service.summaries({ all: true })).map((c) => [c.Names[0], c]));
    let rows = await byName();
    expect(rows.get('/web')).toMatchObject({ Image: 'busybox', Ports: [{ PrivatePort: 80, Type: 'tcp' }] });
    expect(rows.get('/done')).toMatchObject({ Image: 'busybox', Ports: [] });
    images.local.delete('busybox:latest'); // docker rmi -f busybox: the name is gone
    rows = await byName();
    expect(rows.get('/web')?.Image).toBe(busybox.id);
    images.local.set('busybox:latest', { ...busybox, id: `sha256:${'e'.repeat(64)}` }); // the name now means another image
    expect((await byName()).get('/web')?.Image).toBe(busybox.id);
    await service.kill('web', 'KILL');
  });

  it('--entrypoint "" ([""]) clears the image\'s entrypoint and runs the command; with no command it is "no command specified"', async () => {
    const { service, images } = setup();
    images.add('ep', { config: { Entrypoint: ['/docker-entrypoint.sh'], Cmd: ['nginx'] } });
    await service.create('cleared', { Image: 'ep', Entrypoint: [''], Cmd: ['echo', 'hi'] });
    expect(service.get('cleared').record).toMatchObject({ path: 'echo', args: ['hi'], config: { Entrypoint: null, Cmd: ['echo', 'hi'] } });
    await expect(service.create('nocmd', { Image: 'ep', Entrypoint: [''] })).rejects.toMatchObject({ message: 'no command specified' });
    await service.create('kept', { Image: 'ep' });
    expect(service.get('kept').record).toMatchObject({ path: '/docker-entrypoint.sh', args: ['nginx'] });
  });

  it("block I/O limits are dropped with docker's warnings (no io controller); --cpuset-cpus must name the host's CPUs", async () => {
    const { service } = setup();
    const created = await service.create('bw', { Image: 'busybox', HostConfig: { BlkioWeight: 300, BlkioDeviceReadBps: [{ Path: '/dev/sda', Rate: 1024 }] } });
    expect(created.Warnings).toEqual([
      'Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.',
      'Your kernel does not support BPS Block I/O read limit or the cgroup is not mounted. Block I/O BPS read limit discarded.',
    ]);
    expect(inspect(service.get('bw'), { nowMs: Date.now() }).HostConfig).toMatchObject({ BlkioWeight: 0 });
    // a one-CPU host has CPU 0 only
    await expect(service.create('c1', { Image: 'busybox', HostConfig: { CpusetCpus: '1' } })).rejects.toMatchObject({ kind: 'invalid-parameter', message: 'Requested CPUs are not available - requested 1, available: 0' });
    await expect(service.create('c2', { Image: 'busybox', HostConfig: { CpusetCpus: '0-3' } })).rejects.toMatchObject({ message: 'Requested CPUs are not available - requested 0-3, available: 0' });
    await expect(service.create('c3', { Image: 'busybox', HostConfig: { CpusetCpus: 'x' } })).rejects.toMatchObject({ message: 'Invalid value x for cpuset cpus: invalid format: x' });
    await service.create('c0', { Image: 'busybox', HostConfig: { CpusetCpus: '0' } });
    expect(await service.update('c0', { BlkioWeight: 500 })).toEqual(['Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.']);
    await expect(service.update('c0', { CpusetCpus: '1' })).rejects.toMatchObject({ message: 'Requested CPUs are not available - requested 1, available: 0' });
  });

  it('rename and its conflicts', async () => {
    const { service } = setup();
    await service.create('one', { Image: 'busybox' });
    await service.create('two', { Image: 'busybox' });
    await service.rename('one', 'uno');
    expect(service.get('uno').record.name).toBe('/uno');
    await expect(service.rename('uno', 'two')).rejects.toMatchObject({ kind: 'conflict' });
    await expect(service.rename('uno', 'uno')).rejects.toMatchObject({ message: 'Renaming a container with the same name as its current name' });
  });

  it('inspect has docker\'s sections', async () => {
    const { service } = setup();
    await service.create('ii', { Image: 'busybox', Cmd: ['sleep', '1'] });
    await service.start('ii');
    const json = inspect(service.get('ii'), { nowMs: Date.now() });
    expect(Object.keys(json)).toEqual([
      'Id', 'Created', 'Path', 'Args', 'State', 'Image', 'ResolvConfPath', 'HostnamePath', 'HostsPath', 'LogPath', 'Name', 'RestartCount', 'Driver', 'Platform',
      'MountLabel', 'ProcessLabel', 'AppArmorProfile', 'ExecIDs', 'HostConfig', 'GraphDriver', 'Mounts', 'Config', 'NetworkSettings',
    ]);
    expect(json.State).toMatchObject({ Status: 'running', Running: true, Paused: false, OOMKilled: false, Pid: 100 });
    expect((json.GraphDriver as { Data: Record<string, string> }).Data).toMatchObject({ LowerDir: '/var/lib/docker/overlay2/fake/diff', MergedDir: expect.stringMatching(/\/merged$/) });
    expect(json.Created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$/);
  });
});

describe('daemon restarts and healthchecks', () => {
  it('shutdown stops running containers; a new daemon brings back always and unless-stopped ones', async () => {
    vi.useFakeTimers();
    const store = new MemoryStore();
    const first = (() => {
      const images = new FakeImages();
      const daemon = new Daemon({ imageProvider: images, store, runtime: new FakeRuntime(program), registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) } });
      images.install(daemon).add('busybox', { config: { Cmd: ['sh'] } });
      return daemon.containers;
    })();
    for (const [name, policy] of [['al', 'always'], ['us', 'unless-stopped'], ['no', 'no'], ['st', 'unless-stopped']] as const) {
      await first.create(name, { Image: 'busybox', Cmd: ['sleep', '1'], HostConfig: { RestartPolicy: { Name: policy, MaximumRetryCount: 0 } } });
      await first.start(name);
    }
    await first.stop('st');
    await first.shutdown(1);
    expect(first.list().map((live) => live.status)).toEqual(['exited', 'exited', 'exited', 'exited']);
    const runtime = new FakeRuntime(program);
    const images = new FakeImages();
    const daemon = new Daemon({ imageProvider: images, store, runtime, registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) } });
    images.install(daemon).add('busybox', { config: { Cmd: ['sh'] } });
    const second = daemon.containers;
    await second.ready();
    await until(() => second.get('al').status === 'running' && second.get('us').status === 'running', 'restarted');
    expect(second.get('no').status).toBe('exited');
    expect(second.get('st').status).toBe('exited');
  });

  it('a healthcheck takes the container from starting to healthy, and unhealthy after retries', async () => {
    vi.useFakeTimers();
    let healthy = true;
    const runtime = new FakeRuntime(async (context) => {
      if (context.spec.args[0] === '/bin/sh' && context.spec.args[2] === 'check') return healthy ? 0 : 1;
      return program(context);
    });
    const { service, daemon } = setup(runtime);
    const statuses: string[] = [];
    daemon.events.subscribe((e) => e.Action.startsWith('health_status') && statuses.push(e.Action));
    await service.create('hc', { Image: 'busybox', Cmd: ['sleep', '1'], Healthcheck: { Test: ['CMD-SHELL', 'check'], Interval: 30e6, Retries: 2 } });
    await service.start('hc');
    expect(statusString(service.get('hc').record, Date.now())).toMatch(/^Up .* \(health: starting\)$/);
    await until(() => service.get('hc').record.state.health?.Status === 'healthy', 'healthy');
    expect(statusString(service.get('hc').record, Date.now())).toMatch(/\(healthy\)$/);
    healthy = false;
    await until(() => service.get('hc').record.state.health?.Status === 'unhealthy', 'unhealthy');
    expect(statuses).toEqual(['health_status: healthy', 'health_status: unhealthy']);
    expect(service.get('hc').record.state.health?.FailingStreak).toBeGreaterThanOrEqual(2);
    await service.stop('hc', 0);
  });
});

describe('container helpers', () => {
  it('names, signals, detach keys, IPAM, hosts and resolv.conf', () => {
    expect(generateName(() => 0.5)).toMatch(/^[a-z]+_[a-z]+$/);
    expect(parseSignal('HUP')).toBe(1);
    expect(parseSignal('SIGKILL')).toBe(9);
    expect(parseSignal('15')).toBe(15);
    expect(() => parseSignal('NOPE')).toThrow('Invalid signal: NOPE');
    expect(parseDetachKeys('')).toEqual([16, 17]);
    expect(parseDetachKeys('ctrl-a,x')).toEqual([1, 120]);
    const proxy = new EscapeProxy([16, 17]);
    expect(proxy.feed(Uint8Array.from([65, 16]))).toEqual([Uint8Array.from([65]), false]);
    expect(proxy.feed(Uint8Array.from([66]))).toEqual([Uint8Array.from([16, 66]), false]);
    expect(proxy.feed(Uint8Array.from([16, 17]))[1]).toBe(true);
    const ipam = new SubnetIpam('172.17.0.0/16', '172.17.0.1');
    expect([ipam.allocate('bridge'), ipam.allocate('bridge')]).toEqual(['172.17.0.2', '172.17.0.3']);
    expect(macForIp('172.17.0.10')).toBe('02:42:ac:11:00:0a');
    expect(hostsFile({ hostname: 'abc', ip: '172.17.0.2' })).toBe(
      '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::\tip6-localnet\nff00::\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n172.17.0.2\tabc\n',
    );
    expect(resolvConf({})).toContain('nameserver 8.8.8.8\nnameserver 8.8.4.4\n');
    expect(rfc3339Nano(Date.UTC(2024, 0, 1, 0, 0, 0, 123), 45)).toBe('2024-01-01T00:00:00.123000045Z');
  });

  it('splits the log into lines with their streams', () => {
    const log = new ContainerLog(() => new Date(0));
    const e = new TextEncoder();
    log.write('stdout', e.encode('a\nb'));
    log.write('stderr', e.encode('x\n'));
    log.write('stdout', e.encode('c\n'));
    log.write('stdout', e.encode('tail'));
    log.flush();
    expect(log.entries.map((entry) => `${entry.stream}:${new TextDecoder().decode(entry.data)}`)).toEqual(['stdout:a\n', 'stderr:x\n', 'stdout:bc\n', 'stdout:tail']);
  });

  it('top with other ps options runs the guest\'s ps with them and keeps the container\'s pids (moby\'s ContainerTop)', async () => {
    const runtime = new FakeRuntime();
    const cg = '/sys/fs/cgroup/docker/abc';
    runtime.files.set(`${cg}/cgroup.procs`, '123\n130\n');
    runtime.hostTool = (args) =>
      args.join(' ') === 'ps -T'
        ? { exitCode: 0, stdout: 'PID   USER     TIME  COMMAND\n    1 root      0:01 init\n  123 root      0:00 sleep 1000\n  124 root      0:00 sh -c x\n  130 root      0:00 sh\n', stderr: '' }
        : { exitCode: 1, stdout: '', stderr: "ps: invalid option -- 'x'\nBusyBox\n" };
    expect(await top(runtime, cg, '-T', 0)).toEqual({
      Titles: ['PID', 'USER', 'TIME', 'COMMAND'],
      Processes: [['123', 'root', '0:00', 'sleep 1000'], ['130', 'root', '0:00', 'sh']],
    });
    await expect(top(runtime, cg, '-x', 0)).rejects.toMatchObject({ kind: 'system', message: "ps: ps: invalid option -- 'x'" });
    await expect(top(runtime, cg, '-o user,comm= PID', 0)).rejects.toMatchObject({ kind: 'invalid-parameter', message: 'specifying "user,comm=PID" is not allowed' });
    expect(runtime.calls.filter((c) => c.op === 'runHostTool')).toHaveLength(2);
  });

  it('top and stats from /proc and cgroup files', async () => {
    const runtime = new FakeRuntime();
    const cg = '/sys/fs/cgroup/docker/abc';
    runtime.files.set(`${cg}/cgroup.procs`, '123\n130\n');
    runtime.files.set('/proc/stat', 'cpu  100 0 100 800 0 0 0 0 0 0\nbtime 1700000000\n');
    runtime.files.set('/proc/uptime', '100.00 90.00\n');
    runtime.files.set('/proc/meminfo', 'MemTotal:       125000 kB\n');
    runtime.files.set('/proc/123/stat', '123 (sleep) S 99 123 123 0 -1 4194560 100 0 0 0 5 5 0 0 20 0 1 0 1000 1200000 50 4294967295');
    runtime.files.set('/proc/123/cmdline', 'sleep\u00001000\u0000');
    runtime.files.set('/proc/123/status', 'Name:\tsleep\nUid:\t0\t0\t0\t0\n');
    runtime.files.set('/proc/130/stat', '130 (sh) S 123 130 123 34816 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 1100 1300000 60 4294967295');
    runtime.files.set('/proc/130/cmdline', 'sh\u0000');
    runtime.files.set('/proc/130/status', 'Name:\tsh\nUid:\t1000\t1000\t1000\t1000\n');
    const result = await top(runtime, cg, '-ef', 0);
    expect(result.Titles).toEqual(['UID', 'PID', 'PPID', 'C', 'STIME', 'TTY', 'TIME', 'CMD']);
    expect(result.Processes).toEqual([
      ['root', '123', '99', '0', '22:13', '?', '00:00:00', 'sleep 1000'],
      ['1000', '130', '123', '0', '22:13', 'pts/0', '00:00:00', 'sh'],
    ]);
    // ps's -o format: its keywords, procps's headers, key=HEADER
    expect(await top(runtime, cg, '-o pid,comm', 0)).toEqual({ Titles: ['PID', 'COMMAND'], Processes: [['123', 'sleep'], ['130', 'sh']] });
    expect(await top(runtime, cg, '-eo pid,user,args', 0)).toEqual({ Titles: ['PID', 'USER', 'COMMAND'], Processes: [['123', 'root', 'sleep 1000'], ['130', '1000', 'sh']] });
    expect((await top(runtime, cg, 'o pid=ID,ppid', 0)).Titles).toEqual(['ID', 'PPID']);
    runtime.files.set(`${cg}/memory.current`, '8388608\n');
    runtime.files.set(`${cg}/memory.stat`, 'anon 4096\ninactive_file 1048576\n');
    runtime.files.set(`${cg}/memory.max`, 'max\n');
    runtime.files.set(`${cg}/cpu.stat`, 'usage_usec 2000000\n');
    runtime.files.set(`${cg}/pids.current`, '2\n');
    runtime.files.set(`${cg}/io.stat`, '254:0 rbytes=4096 wbytes=0 rios=1 wios=0\n');
    const sample = await statsSample(runtime, cg, undefined, 128 * 1024 * 1024, 1, new Date(0));
    expect(sample).toMatchObject({ cpuTotalNs: 2e9, memoryUsage: 8388608, memoryLimit: 128 * 1024 * 1024, pids: 2, ioRead: 4096, systemNs: 1000 * 1e7 });
    const { service } = setup();
    await service.create('st', { Image: 'busybox' });
    const json = statsJson(service.get('st'), sample, undefined) as { memory_stats: { usage: number; stats: Record<string, number> } };
    expect(json.memory_stats.usage).toBe(8388608);
    expect(json.memory_stats.stats.inactive_file).toBe(1048576);
  });
});

describe('--security-opt no-new-privileges', () => {
  it('is parsed as moby does: bare, =true/:true on, =false off, the last one wins', () => {
    expect(noNewPrivileges([])).toBe(false);
    expect(noNewPrivileges(['no-new-privileges'])).toBe(true);
    expect(noNewPrivileges(['no-new-privileges=true'])).toBe(true);
    expect(noNewPrivileges(['no-new-privileges:true'])).toBe(true);
    expect(noNewPrivileges(['no-new-privileges=false'])).toBe(false);
    expect(noNewPrivileges(['no-new-privileges', 'no-new-privileges=false'])).toBe(false);
    expect(noNewPrivileges(['label=type:svirt_apache_t', 'apparmor=unconfined'])).toBe(false);
  });
});

describe('seccomp and the devices cgroup in the runtime spec', () => {
  const createSpec = (runtime: FakeRuntime) => runtime.calls.filter((c) => c.op === 'create').at(-1)!.args[0] as ContainerSpec;

  it('gives the container and its execs docker\'s default filter; unconfined and --privileged turn it off', async () => {
    const { service, runtime } = setup();
    await service.create('sc', { Image: 'busybox', Cmd: ['sleep', '100'] });
    await service.start('sc');
    const spec = createSpec(runtime);
    expect(spec.process.seccomp?.length).toBeGreaterThan(100 * 8);
    expect(spec.cgroup.devices?.defaultAllow).toBe(false);
    expect(spec.cgroup.devices?.rules).toContainEqual({ type: 'c', major: 136, minor: -1, access: 'rwm' });
    const execId = await service.execCreate('sc', { Cmd: ['echo', 'x'], Privileged: true });
    const exec = service.getExec(execId);
    await service.execStart(exec, { stdin: false });
    await exec.exited;
    const execSpec = runtime.calls.find((c) => c.op === 'exec')!.args[1] as { seccomp?: Uint8Array };
    expect(execSpec.seccomp).toEqual(spec.process.seccomp); // the container's, --privileged or not

    await service.create('un', { Image: 'busybox', Cmd: ['echo'], HostConfig: { SecurityOpt: ['seccomp=unconfined'] } });
    await service.start('un');
    expect(createSpec(runtime).process.seccomp).toBeUndefined();
    await service.create('pr', { Image: 'busybox', Cmd: ['echo'], HostConfig: { Privileged: true } });
    await service.start('pr');
    expect(createSpec(runtime).process.seccomp).toBeUndefined();
    expect(createSpec(runtime).cgroup.devices).toEqual({ defaultAllow: true, rules: [] });
  });

  it('--device permissions reach the devices cgroup', async () => {
    const { service, runtime } = setup();
    runtime.hostDeviceNodes.set('/dev/ttyS1', [{ path: '/dev/ttyS1', type: 'c', major: 4, minor: 65, mode: 0o660 }]);
    await service.create('dv', { Image: 'busybox', Cmd: ['echo'], HostConfig: { Devices: [{ PathOnHost: '/dev/ttyS1', PathInContainer: '/dev/ttyS1', CgroupPermissions: 'r' }] } });
    await service.start('dv');
    expect(createSpec(runtime).devices).toContainEqual({ path: '/dev/ttyS1', type: 'c', major: 4, minor: 65, mode: 0o660 });
    expect(createSpec(runtime).cgroup.devices?.rules).toContainEqual({ type: 'c', major: 4, minor: 65, access: 'r' });
  });

  it('a profile docker cannot use fails the start with docker\'s text and leaves the container created', async () => {
    const { service, runtime } = setup();
    await service.create('bad', { Image: 'busybox', Cmd: ['echo'], HostConfig: { SecurityOpt: ['seccomp={"defaultAction":'] } });
    await expect(service.start('bad')).rejects.toMatchObject({ kind: 'system', message: 'Decoding seccomp profile failed: unexpected end of JSON input' });
    expect(service.get('bad').record.state).toMatchObject({ status: 'created', exitCode: 128, error: 'Decoding seccomp profile failed: unexpected end of JSON input' });
    expect(runtime.calls.some((c) => c.op === 'create')).toBe(false);
    await service.create('act', { Image: 'busybox', Cmd: ['echo'], HostConfig: { SecurityOpt: ['seccomp={"defaultAction":"SCMP_ACT_DENY"}'] } });
    await expect(service.start('act')).rejects.toMatchObject({
      message: 'failed to create task for container: failed to create shim task: OCI runtime create failed: runc create failed: string SCMP_ACT_DENY is not a valid action for seccomp: unknown',
    });
    await expect(service.create('', { Image: 'busybox', HostConfig: { SecurityOpt: ['foo=bar'] } })).rejects.toMatchObject({ kind: 'system', message: 'invalid --security-opt 2: "foo=bar"' });
  });
});
