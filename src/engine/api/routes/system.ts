// System endpoints: _ping, version, info (counts of containers and images, the host's kernel, CPUs and
// memory) and events (past events since a time, then live ones until a time, with docker's filters).

import type { Daemon } from '../../daemon';
import { API_VERSION, ENGINE_VERSION, MIN_API_VERSION, type Router } from '../router';
import { jsonResponse, queryFilters } from '../types';
import { eventStream } from '../../event-stream';
import { ndjson } from '../ndjson';
import type { EngineEvent } from '../../events';
import type { EventMessage, SystemInfo, Version } from '../../../api';

const encoder = new TextEncoder();

/** Over the daemon's host facts, events, containers and images (tests give only what /_ping and /version read). */
export function registerSystemRoutes(router: Router, daemon: Pick<Daemon, 'host' | 'clock' | 'events' | 'containers' | 'images'>): void {
  router.add('GET', '/_ping', async (request) => ({
    status: 200,
    headers: {
      'content-type': 'text/plain; charset=utf-8',
      'cache-control': 'no-cache, no-store, must-revalidate',
      pragma: 'no-cache',
      'builder-version': '1',
      swarm: 'inactive',
      ...(request.method === 'HEAD' ? { 'content-length': '0' } : {}),
    },
    body: request.method === 'HEAD' ? undefined : encoder.encode('OK'),
  }));

  router.add('GET', '/version', async () =>
    jsonResponse<Version>(200, {
      Platform: { Name: 'Docker Engine - Community' },
      Components: [
        {
          Name: 'Engine',
          Version: ENGINE_VERSION,
          Details: {
            ApiVersion: API_VERSION,
            Arch: '386',
            BuildTime: '2025-05-30T12:00:00.000000000+00:00',
            Experimental: 'false',
            GitCommit: 'dockside',
            GoVersion: 'go1.24.3',
            KernelVersion: daemon.host.kernelVersion,
            MinAPIVersion: MIN_API_VERSION,
            Os: 'linux',
          },
        },
      ],
      Version: ENGINE_VERSION,
      ApiVersion: API_VERSION,
      MinAPIVersion: MIN_API_VERSION,
      GitCommit: 'dockside',
      GoVersion: 'go1.24.3',
      Os: 'linux',
      Arch: '386',
      KernelVersion: daemon.host.kernelVersion,
      BuildTime: '2025-05-30T12:00:00.000000000+00:00',
    }),
  );

  router.add('GET', '/info', async () => {
    const service = daemon.containers;
    await service.ready();
    const all = service.list();
    const running = all.filter((c) => c.status === 'running' || c.status === 'restarting').length;
    const paused = all.filter((c) => c.status === 'paused').length;
    const images = await daemon.images.count();
    const now = daemon.clock();
    return jsonResponse<SystemInfo>(200, {
      ID: daemonId(daemon.host.name),
      Containers: all.length,
      ContainersRunning: running,
      ContainersPaused: paused,
      ContainersStopped: all.length - running - paused,
      Images: images,
      Driver: 'overlay2',
      DriverStatus: [
        ['Backing Filesystem', 'tmpfs'],
        ['Supports d_type', 'true'],
        ['Using metacopy', 'false'],
        ['Native Overlay Diff', 'true'],
        ['userxattr', 'false'],
      ],
      Plugins: { Volume: ['local'], Network: ['bridge', 'host', 'null'], Authorization: null, Log: ['json-file'] },
      MemoryLimit: true,
      SwapLimit: true,
      CpuCfsPeriod: true,
      CpuCfsQuota: true,
      CPUShares: true,
      CPUSet: true,
      PidsLimit: true,
      IPv4Forwarding: true,
      Debug: false,
      NFd: 16,
      OomKillDisable: false,
      NGoroutines: 32,
      SystemTime: now.toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z'),
      LoggingDriver: 'json-file',
      CgroupDriver: 'cgroupfs',
      CgroupVersion: '2',
      NEventsListener: 0,
      KernelVersion: daemon.host.kernelVersion,
      OperatingSystem: 'Dockside (Linux in v86)',
      OSVersion: '',
      OSType: 'linux',
      Architecture: 'i686',
      IndexServerAddress: 'https://index.docker.io/v1/',
      RegistryConfig: {
        IndexConfigs: { 'docker.io': { Name: 'docker.io', Mirrors: [], Secure: true, Official: true } },
        InsecureRegistryCIDRs: ['::1/128', '127.0.0.0/8'],
        Mirrors: null,
      },
      NCPU: daemon.host.cpus,
      MemTotal: daemon.host.memoryBytes,
      GenericResources: null,
      DockerRootDir: '/var/lib/docker',
      HttpProxy: '',
      HttpsProxy: '',
      NoProxy: '',
      Name: daemon.host.name,
      Labels: [],
      ExperimentalBuild: false,
      ServerVersion: ENGINE_VERSION,
      Runtimes: { runc: { path: 'runc' } },
      DefaultRuntime: 'runc',
      Swarm: { NodeID: '', NodeAddr: '', LocalNodeState: 'inactive', ControlAvailable: false, Error: '', RemoteManagers: null },
      LiveRestoreEnabled: false,
      Isolation: '',
      InitBinary: 'docker-init',
      ContainerdCommit: { ID: 'dockside-agent' },
      RuncCommit: { ID: 'dockside-agent' },
      InitCommit: { ID: '' },
      // moby's order; every container gets the built-in seccomp profile unless it opts out
      SecurityOptions: ['name=seccomp,profile=builtin', 'name=cgroupns'],
      CDISpecDirs: ['/etc/cdi', '/var/run/cdi'],
      Warnings: null,
    });
  });

  router.add('GET', '/events', async (request) => {
    const events = eventStream(daemon.events, daemon.clock().getTime(), {
      since: request.query.get('since'),
      until: request.query.get('until'),
      filters: queryFilters(request.query),
    });
    return { status: 200, headers: { 'content-type': 'application/json' }, body: ndjson(events, legacyFields) };
  });
}

/** docker adds the deprecated status/id/from fields to container and image events. */
function legacyFields(event: EngineEvent): EventMessage {
  if (event.Type !== 'container' && event.Type !== 'image') return { ...event };
  return { status: event.Action, id: event.Actor.ID, ...(event.Actor.Attributes.image ? { from: event.Actor.Attributes.image } : {}), ...event };
}

function daemonId(name: string): string {
  let hash = 2166136261;
  for (const c of name) hash = Math.imul(hash ^ c.charCodeAt(0), 16777619) >>> 0;
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let id = '';
  for (let i = 0; i < 48; i++) {
    hash = Math.imul(hash ^ i, 16777619) >>> 0;
    id += alphabet[hash % 32];
  }
  return id.match(/.{4}/g)!.join(':');
}
