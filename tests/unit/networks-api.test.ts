// The network endpoints of the engine (/networks/...): the three predefined networks with stable ids
// kept in the store, filters, lookups by name, id and id prefix, the running containers of a network,
// container inspect's NetworkID, and the errors for what Dockside does not do yet.

import { describe, expect, it } from 'vitest';
import { Daemon } from '../../src/engine/daemon';
import { MemoryStore } from '../../src/engine/store';
import { InProcessClient } from '../../src/cli/client';
import { FakeRuntime, type FakeProgram } from '../helpers/fake-runtime';
import { FakeImages, docker } from '../helpers/fake-images';

const program: FakeProgram = async ({ spec, signals }) => {
  if (spec.args[0] === 'sleep') {
    for await (const signal of signals) if (signal === 9 || signal === 15) return { exitCode: 128 + signal, signal };
  }
  return 0;
};

function setup(store = new MemoryStore()) {
  const images = new FakeImages();
  const daemon = new Daemon({
    imageProvider: images,
    store,
    runtime: new FakeRuntime(program),
    registry: { index: async () => ({ schemaVersion: 2, manifests: [] }), blob: async () => new Uint8Array(0) },
    clock: () => new Date('2025-06-01T12:00:00.123Z'),
  });
  images.install(daemon).add('busybox');
  const client = new InProcessClient((request) => daemon.router.handle(request));
  const call = async (method: string, path: string, body?: unknown) => {
    const [bare, search = ''] = path.split('?');
    const query = Object.fromEntries(new URLSearchParams(search));
    const response = await client.request(method, bare, body === undefined ? { query } : { query, body });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  };
  return { daemon, store, call };
}

type Network = { Name: string; Id: string; Driver: string; Scope: string; Created: string; IPAM: unknown; Options: Record<string, string>; Containers: Record<string, Record<string, string>> };

describe('GET /networks', () => {
  it('lists bridge, host and none as docker does, with stable 64-hex ids', async () => {
    const { call, store, daemon } = setup();
    const { status, body } = await call('GET', '/networks');
    expect(status).toBe(200);
    const networks = body as Network[];
    expect(networks.map((n) => [n.Name, n.Driver, n.Scope])).toEqual([
      ['bridge', 'bridge', 'local'],
      ['host', 'host', 'local'],
      ['none', 'null', 'local'],
    ]);
    for (const network of networks) expect(network.Id).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(networks.map((n) => n.Id)).size).toBe(3);
    expect(networks[0]).toEqual({
      Name: 'bridge',
      Id: networks[0].Id,
      Created: '2025-06-01T12:00:00.123000000Z',
      Scope: 'local',
      Driver: 'bridge',
      EnableIPv4: true,
      EnableIPv6: false,
      IPAM: { Driver: 'default', Options: null, Config: [{ Subnet: '172.17.0.0/16', Gateway: '172.17.0.1' }] },
      Internal: false,
      Attachable: false,
      Ingress: false,
      ConfigFrom: { Network: '' },
      ConfigOnly: false,
      Containers: {},
      Options: {
        'com.docker.network.bridge.default_bridge': 'true',
        'com.docker.network.bridge.enable_icc': 'true',
        'com.docker.network.bridge.enable_ip_masquerade': 'true',
        'com.docker.network.bridge.host_binding_ipv4': '0.0.0.0',
        'com.docker.network.bridge.name': 'docker0',
        'com.docker.network.driver.mtu': '1500',
      },
      Labels: {},
    });
    expect(networks[1]).toMatchObject({ IPAM: { Driver: 'default', Options: null, Config: null }, Options: {} });
    // API 1.48 adds EnableIPv4 (the engine's own version, 1.50, has it).
    const raw = await daemon.router.handle({
      method: 'GET',
      path: '/v1.47/networks',
      query: new URLSearchParams(),
      headers: {},
      body: async () => new Uint8Array(0),
      bodyStream: async function* () {},
    });
    const v147 = JSON.parse(new TextDecoder().decode(raw.body as Uint8Array)) as Record<string, unknown>[];
    expect('EnableIPv4' in v147[0]).toBe(false);

    // The ids are kept in the store: a new daemon on the same store shows the same ones.
    const again = setup(store);
    const ids = ((await again.call('GET', '/networks')).body as Network[]).map((n) => n.Id);
    expect(ids).toEqual(networks.map((n) => n.Id));
    expect(await store.metadata.keys('network/')).toEqual(['network/bridge', 'network/host', 'network/none']);
    // A fresh store makes new ids.
    const other = ((await setup().call('GET', '/networks')).body as Network[]).map((n) => n.Id);
    expect(other[0]).not.toBe(ids[0]);
  });

  it('filters by driver, id, name, label, scope, type and dangling', async () => {
    const { call } = setup();
    const all = (await call('GET', '/networks')).body as Network[];
    const names = async (filters: Record<string, string[]>) => {
      const response = await call('GET', `/networks?filters=${encodeURIComponent(JSON.stringify(Object.fromEntries(Object.entries(filters).map(([k, v]) => [k, Object.fromEntries(v.map((x) => [x, true]))]))))}`);
      expect(response.status, JSON.stringify(response.body)).toBe(200);
      return (response.body as Network[]).map((n) => n.Name);
    };
    expect(await names({ driver: ['null'] })).toEqual(['none']);
    expect(await names({ driver: ['bridge', 'host'] })).toEqual(['bridge', 'host']);
    expect(await names({ name: ['o'] })).toEqual(['host', 'none']);
    expect(await names({ name: ['^b'] })).toEqual(['bridge']);
    expect(await names({ id: [all[1].Id.slice(0, 6)] })).toEqual(['host']);
    expect(await names({ label: ['a=b'] })).toEqual([]);
    expect(await names({ scope: ['local'] })).toEqual(['bridge', 'host', 'none']);
    expect(await names({ scope: ['swarm'] })).toEqual([]);
    expect(await names({ type: ['builtin'] })).toEqual(['bridge', 'host', 'none']);
    expect(await names({ type: ['custom'] })).toEqual([]);
    expect(await names({ dangling: ['true'] })).toEqual([]);
    expect(await names({ dangling: ['false'] })).toEqual(['bridge', 'host', 'none']);
    expect(await call('GET', `/networks?filters=${encodeURIComponent('{"bogus":{"x":true}}')}`)).toEqual({ status: 400, body: { message: "invalid filter 'bogus'" } });
    expect(await call('GET', `/networks?filters=${encodeURIComponent('{"type":{"x":true}}')}`)).toEqual({ status: 400, body: { message: "invalid filter: 'type'='x'" } });
    expect(await call('GET', `/networks?filters=${encodeURIComponent('{"dangling":{"maybe":true}}')}`)).toEqual({ status: 400, body: { message: "invalid filter 'dangling=maybe'" } });
  });
});

describe('GET /networks/{id}', () => {
  it('finds a network by name, id or id prefix, and says when it does not exist', async () => {
    const { call } = setup();
    const all = (await call('GET', '/networks')).body as Network[];
    const bridge = all[0];
    for (const ref of ['bridge', bridge.Id, bridge.Id.slice(0, 12)]) {
      const { status, body } = await call('GET', `/networks/${ref}`);
      expect(status).toBe(200);
      expect((body as Network).Name).toBe('bridge');
    }
    expect(await call('GET', '/networks/ghost')).toEqual({ status: 404, body: { message: 'network ghost not found' } });
    expect((await call('GET', '/networks/bridge?scope=swarm')).status).toBe(404);
    expect((await call('GET', '/networks/bridge?verbose=true')).status).toBe(200);
  });

  it('lists the running containers of the bridge with their endpoints; container inspect names the same network id', async () => {
    const { daemon, call } = setup();
    expect((await docker(daemon, ['run', '-d', '--name', 'web', 'busybox', 'sleep', '99'])).status).toBe(0);
    expect((await docker(daemon, ['run', '-d', '--name', 'lonely', '--network', 'none', 'busybox', 'sleep', '99'])).status).toBe(0);
    expect((await docker(daemon, ['create', '--name', 'fresh', 'busybox'])).status).toBe(0);
    const bridge = (await call('GET', '/networks/bridge')).body as Network;
    const web = (await call('GET', '/containers/web/json')).body as {
      Id: string;
      NetworkSettings: { Networks: Record<string, { NetworkID: string; EndpointID: string; MacAddress: string; IPAddress: string; IPPrefixLen: number }> };
    };
    const endpoint = web.NetworkSettings.Networks.bridge;
    expect(endpoint.NetworkID).toBe(bridge.Id);
    expect(bridge.Containers).toEqual({
      [web.Id]: {
        Name: 'web',
        EndpointID: endpoint.EndpointID,
        MacAddress: endpoint.MacAddress,
        IPv4Address: `${endpoint.IPAddress}/16`,
        IPv6Address: '',
      },
    });
    expect(endpoint.IPAddress).toBe('172.17.0.2');
    expect(endpoint.MacAddress).toBe('02:42:ac:11:00:02');
    expect(endpoint.EndpointID).toMatch(/^[0-9a-f]{64}$/);
    const none = (await call('GET', '/networks/none')).body as Network;
    const lonely = (await call('GET', '/containers/lonely/json')).body as { NetworkSettings: { Networks: Record<string, { NetworkID: string }> } };
    expect(lonely.NetworkSettings.Networks.none.NetworkID).toBe(none.Id);
    const list = (await call('GET', '/containers/json?all=1')).body as { Names: string[]; NetworkSettings: { Networks: Record<string, { NetworkID: string }> } }[];
    expect(list.find((c) => c.Names[0] === '/web')!.NetworkSettings.Networks.bridge.NetworkID).toBe(bridge.Id);
    // The list leaves Containers empty, as moby's does.
    expect(((await call('GET', '/networks')).body as Network[])[0].Containers).toEqual({});
    // A stopped container leaves the network.
    expect((await docker(daemon, ['stop', 'web'])).status).toBe(0);
    expect(((await call('GET', '/networks/bridge')).body as Network).Containers).toEqual({});
  });
});

describe('what Dockside does not do yet, and docker errors', () => {
  it('refuses to remove a predefined network with docker error', async () => {
    const { call } = setup();
    expect(await call('DELETE', '/networks/bridge')).toEqual({ status: 403, body: { message: 'bridge is a pre-defined network and cannot be removed' } });
    expect(await call('DELETE', '/networks/none')).toEqual({ status: 403, body: { message: 'none is a pre-defined network and cannot be removed' } });
    expect(await call('DELETE', '/networks/ghost')).toEqual({ status: 404, body: { message: 'network ghost not found' } });
  });

  it('answers create, connect and disconnect with errors that say user-defined networks are not available yet', async () => {
    const { daemon, call } = setup();
    const created = await call('POST', '/networks/create', { Name: 'mynet', Driver: 'bridge' });
    expect(created.status).toBe(501);
    expect((created.body as { message: string }).message).toBe('network create mynet: user-defined networks are not available yet in Dockside');
    expect(await call('POST', '/networks/create', { Name: 'bridge' })).toEqual({ status: 403, body: { message: 'operation is not permitted on predefined bridge network ' } });
    expect(await call('POST', '/networks/create', { Name: 'h2', Driver: 'host' })).toEqual({ status: 403, body: { message: 'only one instance of "host" network is allowed' } });

    await docker(daemon, ['run', '-d', '--name', 'web', 'busybox', 'sleep', '99']);
    await docker(daemon, ['run', '-d', '--name', 'hosted', '--network', 'host', 'busybox', 'sleep', '99']);
    expect(await call('POST', '/networks/bridge/connect', { Container: 'web' })).toEqual({ status: 403, body: { message: 'endpoint with name web already exists in network bridge' } });
    expect(await call('POST', '/networks/host/connect', { Container: 'web' })).toEqual({
      status: 403,
      body: { message: 'container cannot be disconnected from host network or connected to host network' },
    });
    expect((await call('POST', '/networks/bridge/connect', { Container: 'hosted' })).status).toBe(403);
    const connect = await call('POST', '/networks/none/connect', { Container: 'web' });
    expect(connect.status).toBe(501);
    expect((connect.body as { message: string }).message).toMatch(/not available yet in Dockside/);
    expect(await call('POST', '/networks/ghost/connect', { Container: 'web' })).toEqual({ status: 404, body: { message: 'network ghost not found' } });
    expect(await call('POST', '/networks/bridge/connect', { Container: 'ghost' })).toEqual({ status: 404, body: { message: 'No such container: ghost' } });
    const disconnect = await call('POST', '/networks/bridge/disconnect', { Container: 'web', Force: false });
    expect(disconnect.status).toBe(501);
    expect((disconnect.body as { message: string }).message).toMatch(/^network disconnect bridge web: .*not available yet in Dockside/);
    const web = (await call('GET', '/containers/web/json')).body as { Id: string };
    expect(await call('POST', '/networks/none/disconnect', { Container: 'web' })).toEqual({ status: 500, body: { message: `container ${web.Id} is not connected to network none` } });
    expect(await call('POST', '/networks/host/disconnect', { Container: 'hosted' })).toEqual({
      status: 403,
      body: { message: 'container cannot be disconnected from host network or connected to host network' },
    });
    await docker(daemon, ['run', '-d', '--name', 'side', '--network', 'container:web', 'busybox', 'sleep', '99']);
    expect(await call('POST', '/networks/none/connect', { Container: 'side' })).toEqual({
      status: 403,
      body: { message: 'container sharing network namespace with another container or host cannot be connected to any other network' },
    });
    await docker(daemon, ['create', '--name', 'idle', 'busybox']);
    const idle = (await call('GET', '/containers/idle/json')).body as { Id: string };
    expect((await call('POST', '/networks/host/disconnect', { Container: 'idle' })).body).toEqual({ message: `container ${idle.Id} is not connected to the network host` });
  });

  it('prune removes nothing: there are no user-defined networks', async () => {
    const { call } = setup();
    expect(await call('POST', '/networks/prune')).toEqual({ status: 200, body: { NetworksDeleted: null } });
    expect((await call('POST', `/networks/prune?filters=${encodeURIComponent('{"until":{"1h":true}}')}`)).status).toBe(200);
    expect(await call('POST', `/networks/prune?filters=${encodeURIComponent('{"driver":{"x":true}}')}`)).toEqual({ status: 400, body: { message: "invalid filter 'driver'" } });
  });
});
