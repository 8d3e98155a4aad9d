// docker network ls, inspect, create, rm, connect, disconnect and prune through the CLI and an
// in-process daemon with fakes.

import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/engine/daemon';
import { MemoryStore } from '../../src/engine/store';
import { FakeRuntime, type FakeProgram } from '../helpers/fake-runtime';
import { FakeImages, docker } from '../helpers/fake-images';

const encoder = new TextEncoder();

const program: FakeProgram = async ({ spec, signals }) => {
  if (spec.args[0] === 'sleep') {
    for await (const signal of signals) if (signal === 9 || signal === 15) return { exitCode: 128 + signal, signal };
  }
  return 0;
};

function setup() {
  const images = new FakeImages();
  const daemon = new Daemon({
    imageProvider: images,
    store: new MemoryStore(),
    runtime: new FakeRuntime(program),
    registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) },
    clock: () => new Date('2025-06-01T12:00:00.5Z'),
  });
  images.install(daemon).add('busybox');
  return daemon;
}

async function ids(daemon: Daemon): Promise<Record<string, string>> {
  const out = (await docker(daemon, ['network', 'ls', '--no-trunc', '--format', '{{.Name}} {{.ID}}'])).stdout;
  return Object.fromEntries(out.trim().split('\n').map((line) => line.split(' ')));
}

const stdin = (text: string) =>
  (async function* () {
    yield encoder.encode(text);
  })();

describe('docker network ls', () => {
  it('prints the table, sorted by name, with 12-character ids', async () => {
    const daemon = setup();
    const id = await ids(daemon);
    const result = await docker(daemon, ['network', 'ls']);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      'NETWORK ID     NAME      DRIVER    SCOPE\n' +
        `${id.bridge.slice(0, 12)}   bridge    bridge    local\n` +
        `${id.host.slice(0, 12)}   host      host      local\n` +
        `${id.none.slice(0, 12)}   none      null      local\n`,
    );
    expect((await docker(daemon, ['network', 'list'])).stdout).toBe(result.stdout);
  });

  it('-q, --no-trunc, -f and --format', async () => {
    const daemon = setup();
    const id = await ids(daemon);
    expect((await docker(daemon, ['network', 'ls', '-q'])).stdout).toBe(`${id.bridge.slice(0, 12)}\n${id.host.slice(0, 12)}\n${id.none.slice(0, 12)}\n`);
    expect((await docker(daemon, ['network', 'ls', '-q', '--no-trunc', '-f', 'driver=null'])).stdout).toBe(`${id.none}\n`);
    const noTrunc = (await docker(daemon, ['network', 'ls', '--no-trunc'])).stdout.split('\n');
    expect(noTrunc[0]).toMatch(/^NETWORK ID {57}NAME {6}DRIVER {4}SCOPE$/);
    expect(noTrunc[1]).toBe(`${id.bridge}   bridge    bridge    local`);
    expect((await docker(daemon, ['network', 'ls', '-f', 'name=bri', '--format', '{{.Name}}'])).stdout).toBe('bridge\n');
    expect((await docker(daemon, ['network', 'ls', '--filter', 'type=custom'])).stdout).toBe('NETWORK ID   NAME      DRIVER    SCOPE\n');
    expect((await docker(daemon, ['network', 'ls', '--format', 'table {{.Name}}\t{{.IPv6}}\t{{.Internal}}\t{{.Labels}}'])).stdout).toBe(
      'NAME      IPV6      INTERNAL   LABELS\nbridge    false     false      \nhost      false     false      \nnone      false     false      \n',
    );
    expect((await docker(daemon, ['network', 'ls', '-f', 'name=none', '--format', '{{.CreatedAt}}'])).stdout).toBe('2025-06-01 12:00:00.5 +0000 UTC\n');
    const json = JSON.parse((await docker(daemon, ['network', 'ls', '-f', 'name=host', '--format', 'json'])).stdout) as Record<string, string>;
    expect(json).toEqual({
      CreatedAt: '2025-06-01 12:00:00.5 +0000 UTC',
      Driver: 'host',
      ID: id.host.slice(0, 12),
      // API 1.50 (docker 28's) has EnableIPv4
      IPv4: 'true',
      IPv6: 'false',
      Internal: 'false',
      Labels: '',
      Name: 'host',
      Scope: 'local',
    });
    expect((await docker(daemon, ['network', 'ls', '--format', 'raw', '-f', 'name=host'])).stdout).toBe(`network_id: ${id.host.slice(0, 12)}\nname: host\ndriver: host\nscope: local\n\n`);
    const bad = await docker(daemon, ['network', 'ls', '-f', 'bogus=1']);
    expect(bad).toMatchObject({ status: 1, stdout: '', stderr: "Error response from daemon: invalid filter 'bogus'\n" });
  });

  it('uses networksFormat of the config file unless -q', async () => {
    const daemon = setup();
    const files = new Map([['/root/.docker/config.json', encoder.encode('{"networksFormat":"{{.Name}}:{{.Driver}}"}')]]);
    expect((await docker(daemon, ['network', 'ls'], { files })).stdout).toBe('bridge:bridge\nhost:host\nnone:null\n');
    expect((await docker(daemon, ['network', 'ls', '-q'], { files })).stdout.split('\n')[0]).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('docker network inspect', () => {
  it('prints the networks, applies -f, and reports what it cannot find', async () => {
    const daemon = setup();
    await docker(daemon, ['run', '-d', '--name', 'web', 'busybox', 'sleep', '9']);
    const result = await docker(daemon, ['network', 'inspect', 'bridge']);
    expect(result.status).toBe(0);
    const [bridge] = JSON.parse(result.stdout) as { Name: string; Id: string; Containers: Record<string, { Name: string; IPv4Address: string }> }[];
    expect(bridge.Name).toBe('bridge');
    expect(Object.values(bridge.Containers)).toMatchObject([{ Name: 'web', IPv4Address: '172.17.0.2/16' }]);
    expect(result.stdout).toContain('\n        "Options": {\n            "com.docker.network.bridge.default_bridge": "true",\n');
    expect((await docker(daemon, ['network', 'inspect', '-f', '{{.Name}} {{.Driver}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}', 'bridge', 'none'])).stdout).toBe(
      'bridge bridge 172.17.0.0/16 172.17.0.1\nnone null \n',
    );
    expect((await docker(daemon, ['network', 'inspect', '--format', '{{index .Options "com.docker.network.bridge.name"}}', bridge.Id.slice(0, 5)])).stdout).toBe('docker0\n');
    expect((await docker(daemon, ['network', 'inspect', '-v', '-f', '{{.Scope}}', 'host'])).stdout).toBe('local\n');
    const missing = await docker(daemon, ['network', 'inspect', 'ghost']);
    expect(missing).toMatchObject({ status: 1, stdout: '[]\n', stderr: 'Error response from daemon: network ghost not found\n' });
    const some = await docker(daemon, ['network', 'inspect', '-f', '{{.Name}}', 'ghost', 'host']);
    expect(some).toMatchObject({ status: 1, stdout: 'host\n', stderr: 'Error response from daemon: network ghost not found\n' });
    // docker inspect finds networks after containers and images.
    expect((await docker(daemon, ['inspect', '-f', '{{.Driver}}', 'none'])).stdout).toBe('null\n');
    // The container's NetworkID is the network's id.
    expect((await docker(daemon, ['inspect', '-f', '{{.NetworkSettings.Networks.bridge.NetworkID}}', 'web'])).stdout).toBe(`${bridge.Id}\n`);
  });
});

describe('docker network rm, create, connect, disconnect, prune', () => {
  it('rm: predefined networks cannot be removed; -f skips missing ones', async () => {
    const daemon = setup();
    const result = await docker(daemon, ['network', 'rm', 'bridge', 'ghost']);
    expect(result).toMatchObject({
      status: 1,
      stdout: '',
      stderr: 'Error response from daemon: bridge is a pre-defined network and cannot be removed\nError response from daemon: network ghost not found\nexit status 1\n',
    });
    const forced = await docker(daemon, ['network', 'remove', '-f', 'ghost', 'host']);
    expect(forced).toMatchObject({ status: 1, stderr: 'Error response from daemon: host is a pre-defined network and cannot be removed\nexit status 1\n' });
    expect(await docker(daemon, ['network', 'rm', '-f', 'ghost'])).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });

  it('create: the daemon says user-defined networks are not available yet', async () => {
    const daemon = setup();
    const result = await docker(daemon, ['network', 'create', 'mynet']);
    expect(result).toMatchObject({ status: 1, stdout: '', stderr: 'Error response from daemon: network create mynet: user-defined networks are not available yet in Dockside\n' });
    expect((await docker(daemon, ['network', 'create', '--subnet', '10.1.0.0/16', '--gateway', '10.1.0.1', '-d', 'bridge', 'net2'])).stderr).toMatch(/not available yet in Dockside/);
    expect((await docker(daemon, ['network', 'create', 'none'])).stderr).toBe('Error response from daemon: operation is not permitted on predefined none network \n');
    expect((await docker(daemon, ['network', 'create', '--subnet', '10.0.0.0/8', '--gateway', '11.0.0.1', 'x'])).stderr).toBe('no matching subnet for gateway 11.0.0.1\n');
    expect((await docker(daemon, ['network', 'ls', '-q'])).stdout.trim().split('\n')).toHaveLength(3);
  });

  it('connect and disconnect: docker errors, or not available yet', async () => {
    const daemon = setup();
    await docker(daemon, ['run', '-d', '--name', 'web', 'busybox', 'sleep', '9']);
    expect(await docker(daemon, ['network', 'connect', 'bridge', 'web'])).toMatchObject({
      status: 1,
      stderr: 'Error response from daemon: endpoint with name web already exists in network bridge\n',
    });
    expect((await docker(daemon, ['network', 'connect', 'host', 'web'])).stderr).toBe(
      'Error response from daemon: container cannot be disconnected from host network or connected to host network\n',
    );
    expect((await docker(daemon, ['network', 'connect', '--alias', 'db', 'none', 'web'])).stderr).toMatch(/^Error response from daemon: network connect none web: .*not available yet in Dockside/);
    expect((await docker(daemon, ['network', 'connect', 'ghost', 'web'])).stderr).toBe('Error response from daemon: network ghost not found\n');
    expect((await docker(daemon, ['network', 'disconnect', 'bridge', 'ghost'])).stderr).toBe('Error response from daemon: No such container: ghost\n');
    const disconnect = await docker(daemon, ['network', 'disconnect', '-f', 'bridge', 'web']);
    expect(disconnect.status).toBe(1);
    expect(disconnect.stderr).toMatch(/^Error response from daemon: network disconnect bridge web: .*not available yet in Dockside/);
    // Nothing changed: web is still on the bridge.
    expect((await docker(daemon, ['inspect', '-f', '{{.NetworkSettings.Networks.bridge.IPAddress}}', 'web'])).stdout).toBe('172.17.0.2\n');
  });

  it('prune: asks first; nothing to remove', async () => {
    const daemon = setup();
    const warning = 'WARNING! This will remove all custom networks not used by at least one container.\nAre you sure you want to continue? [y/N] ';
    expect(await docker(daemon, ['network', 'prune'], { stdin: stdin('n\n') })).toMatchObject({ status: 0, stdout: warning, stderr: '' });
    expect(await docker(daemon, ['network', 'prune'], { stdin: stdin('y\n') })).toMatchObject({ status: 0, stdout: warning, stderr: '' });
    expect(await docker(daemon, ['network', 'prune', '-f', '--filter', 'until=24h'])).toMatchObject({ status: 0, stdout: '', stderr: '' });
  });
});
