// docker/cli v28.2.2's golden files for `docker port` and `docker events`, produced by our commands from
// the data docker's tests feed (cli/command/container/port_test.go, cli/command/system/events_test.go)
// through a fake Engine API client. Read in place from ../shared/conformance.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { clientResponse, type EngineClient } from '../../src/cli/client';
import { runDocker } from '../../src/cli/docker';
import type { DockerEnv } from '../../src/cli/env';
import { captureEnv } from '../helpers/docker-env';
import { conformance } from '../helpers/requirements';

const { dir: conformanceDir, present } = conformance('docker-cli-v28.2.2/cli/command', 'docker/cli golden tests (port, events, info)');

const golden = (path: string): string => readFileSync(join(conformanceDir, path), 'utf8');
const encoder = new TextEncoder();

/** A fake client made of one function, like docker/cli's fakeClient. */
function fakeEnv(answer: (method: string, path: string) => { status: number; body: string }): { env: DockerEnv; stdout: () => string; stderr: () => string } {
  const client: EngineClient = {
    version: '1.47',
    request: async (method, path) => {
      const { status, body } = answer(method, path);
      return clientResponse(status, { 'content-type': 'application/json' }, encoder.encode(body));
    },
    hijack: async () => {
      throw new Error('no hijack in this test');
    },
  };
  return captureEnv(client);
}

describe.skipIf(!present)('docker/cli v28.2.2 golden files: docker port', () => {
  const cases: [string, string[], string | undefined][] = [
    ['container-port-ipv4', ['0.0.0.0'], '80'],
    ['container-port-ipv6', ['::'], '80'],
    ['container-port-ipv6-and-ipv4', ['::', '0.0.0.0'], '80'],
    ['container-port-ipv6-and-ipv4-443-udp', ['::', '0.0.0.0'], '443/udp'],
    ['container-port-all-ports', ['::', '0.0.0.0'], undefined],
  ];
  for (const [name, ips, port] of cases) {
    it(`${name}.golden`, async () => {
      const ports = {
        '80/tcp': ips.map((ip) => ({ HostIp: ip, HostPort: '3456' })),
        '443/tcp': ips.map((ip) => ({ HostIp: ip, HostPort: '4567' })),
        '443/udp': ips.map((ip) => ({ HostIp: ip, HostPort: '5678' })),
      };
      const { env, stdout } = fakeEnv(() => ({ status: 200, body: JSON.stringify({ NetworkSettings: { Ports: ports } }) }));
      const status = await runDocker(['port', 'some_container', ...(port ? [port] : [])], env);
      expect(status).toBe(0);
      expect(stdout()).toBe(golden(`container/testdata/${name}.golden`));
    });
  }
});

describe.skipIf(!present)('docker/cli v28.2.2 golden files: docker events', () => {
  const events = ['create', 'start', 'attach', 'die'].map((action, i) => ({
    status: action,
    id: 'abc123',
    from: 'ubuntu:latest',
    Type: 'container',
    Action: action,
    Actor: { ID: 'abc123', Attributes: { image: 'ubuntu:latest' } },
    scope: 'local',
    time: 1e9 * (i + 1),
    timeNano: 1e9 * (i + 1),
  }));
  const body = events.map((event) => JSON.stringify(event)).join('\n') + '\n';
  const cases: [string, string[]][] = [
    ['default', []],
    ['json', ['--format', 'json']],
    ['json-template', ['--format', '{{ json . }}']],
    ['json-action', ['--format', '{{ json .Action }}']],
  ];
  for (const [name, args] of cases) {
    it(`docker-events-${name}.golden`, async () => {
      const { env, stdout } = fakeEnv(() => ({ status: 200, body }));
      const status = await runDocker(['events', ...args], env);
      expect(status).toBe(0);
      expect(stdout()).toBe(golden(`system/testdata/docker-events-${name}.golden`));
    });
  }
});

import { renderServerInfo } from '../../src/cli/commands/system/info';

describe.skipIf(!present)('docker/cli v28.2.2 golden files: docker info (server part)', () => {
  it('docker-info-no-swarm.golden', () => {
    // sampleInfoNoSwarm of cli/command/system/info_test.go, as the Engine API sends it.
    const info = {
      ID: 'EKHL:QDUU:QZ7U:MKGD:VDXK:S27Q:GIPU:24B7:R7VT:DGN6:QCSF:2UBX',
      Containers: 0,
      ContainersRunning: 0,
      ContainersPaused: 0,
      ContainersStopped: 0,
      Images: 0,
      Driver: 'overlay2',
      DriverStatus: [
        ['Backing Filesystem', 'extfs'],
        ['Supports d_type', 'true'],
        ['Using metacopy', 'false'],
        ['Native Overlay Diff', 'true'],
      ] as [string, string][],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'macvlan', 'null', 'overlay'], Authorization: null, Log: ['awslogs', 'fluentd', 'gcplogs', 'gelf', 'journald', 'json-file', 'splunk', 'syslog'] },
      Debug: true,
      NFd: 33,
      NGoroutines: 135,
      SystemTime: '2017-08-24T17:44:34.077811894Z',
      LoggingDriver: 'json-file',
      CgroupDriver: 'cgroupfs',
      CgroupVersion: '',
      NEventsListener: 0,
      KernelVersion: '4.4.0-87-generic',
      OperatingSystem: 'Ubuntu 16.04.3 LTS',
      OSType: 'linux',
      Architecture: 'x86_64',
      RegistryConfig: { InsecureRegistryCIDRs: ['127.0.0.0/8'], Mirrors: null },
      NCPU: 2,
      MemTotal: 2097356800,
      DockerRootDir: '/var/lib/docker',
      Name: 'system-sample',
      Labels: ['provider=digitalocean'],
      ExperimentalBuild: false,
      ServerVersion: '17.06.1-ce',
      Runtimes: { runc: { path: 'docker-runc' } },
      DefaultRuntime: 'runc',
      Swarm: { LocalNodeState: 'inactive' },
      LiveRestoreEnabled: false,
      InitBinary: 'docker-init',
      ContainerdCommit: { ID: '6e23458c129b551d5c9871e5174f6b1b7f6d1170' },
      RuncCommit: { ID: '810190ceaa507aa2727d7ae6f4790c76ec150bd2' },
      InitCommit: { ID: '949e6fa' },
      SecurityOptions: ['name=apparmor', 'name=seccomp,profile=default'],
      DefaultAddressPools: [{ Base: '10.123.0.0/16', Size: 24 }],
      CDISpecDirs: ['/etc/cdi', '/var/run/cdi'],
      Warnings: null,
    };
    const expected = golden('system/testdata/docker-info-no-swarm.golden');
    expect(renderServerInfo(info)).toBe(expected.slice(expected.indexOf('Server:\n')));
  });
});
