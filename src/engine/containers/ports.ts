// Published ports (moby's libnetwork portmapper and portallocator): -p and -P become host ports bound
// to the container's first endpoint when it starts, each a DNAT rule of docker's DOCKER chain (driver.ts).
// A host port is taken by one container at a time per protocol and address ("Bind for 0.0.0.0:8080
// failed: port is already allocated"); -P and -p without a host port take the lowest free port of
// docker's ephemeral range.

import { invalidParameter, systemError } from '../errors';
import type { ContainerContext } from './context';
import type { LiveContainer } from './live';
import type { ContainerRecord, EndpointRecord, PortBinding, PublishedPort } from './types';
import type { Port } from '../../api';

/** docker's portallocator range (the kernel's ip_local_port_range default). */
export const EPHEMERAL_FIRST = 32768;
export const EPHEMERAL_LAST = 60999;

type Proto = PublishedPort['proto'];

function parseKey(key: string): { port: number; proto: Proto } {
  const [portText, protoText = 'tcp'] = key.split('/');
  const proto = (protoText === '' ? 'tcp' : protoText) as Proto;
  if (!['tcp', 'udp', 'sctp'].includes(proto)) throw invalidParameter(`invalid proto: ${protoText}`);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw invalidParameter(`invalid port specification: "${portText}"`);
  return { port, proto };
}

/** moby's create-time check of PortBindings: ports and host port ranges that parse. */
export function validatePortBindings(bindings: Record<string, PortBinding[] | null> | null | undefined): void {
  for (const [key, list] of Object.entries(bindings ?? {})) {
    parseKey(key);
    for (const binding of list ?? []) {
      const host = binding.HostPort ?? '';
      if (host === '') continue;
      const match = /^(\d+)(?:-(\d+))?$/.exec(host);
      const first = match ? Number(match[1]) : NaN;
      const last = match?.[2] ? Number(match[2]) : first;
      if (!match || first > 65535 || last > 65535 || last < first) throw invalidParameter(`invalid port specification: "${host}"`);
    }
  }
}

function overlapping(a: string, b: string): boolean {
  const any = (ip: string) => ip === '' || ip === '0.0.0.0';
  return any(a) || any(b) || a === b;
}

/** The host ports other running containers hold. */
function taken(context: ContainerContext, except: ContainerRecord): PublishedPort[] {
  return [...context.containers.values()].filter((live) => live.record !== except).flatMap((live) => live.record.publishedPorts ?? []);
}

/**
 * The container's published ports on its first endpoint: each binding of -p, then -P's exposed ports
 * without one. Throws docker's error when a host port is taken.
 */
export function allocatePorts(context: ContainerContext, live: LiveContainer, endpoint: EndpointRecord, bridge: string): PublishedPort[] {
  const { record } = live;
  const bindings: Record<string, PortBinding[] | null> = { ...(record.hostConfig.PortBindings ?? {}) };
  if (record.hostConfig.PublishAllPorts) {
    for (const key of Object.keys(record.config.ExposedPorts ?? {})) {
      if (!bindings[key] || bindings[key].length === 0) bindings[key] = [{ HostIp: '', HostPort: '' }];
    }
  }
  const busy = taken(context, record);
  const out: PublishedPort[] = [];
  const isFree = (proto: Proto, hostIp: string, port: number) =>
    ![...busy, ...out].some((other) => other.proto === proto && other.hostPort === port && overlapping(other.hostIp, hostIp));
  for (const [key, list] of Object.entries(bindings)) {
    const { port: containerPort, proto } = parseKey(key);
    for (const binding of list ?? []) {
      const hostIp = binding.HostIp ?? '';
      const host = binding.HostPort ?? '';
      let hostPort: number | undefined;
      if (host === '') {
        for (let candidate = EPHEMERAL_FIRST; candidate <= EPHEMERAL_LAST; candidate++) {
          if (isFree(proto, hostIp, candidate)) {
            hostPort = candidate;
            break;
          }
        }
        if (hostPort === undefined) throw systemError('failed to set up container networking: all ports are allocated');
      } else {
        const [firstText, lastText] = host.split('-');
        const first = Number(firstText);
        const last = lastText ? Number(lastText) : first;
        for (let candidate = first; candidate <= last; candidate++) {
          if (isFree(proto, hostIp, candidate)) {
            hostPort = candidate;
            break;
          }
        }
        if (hostPort === undefined) {
          throw systemError(
            `failed to set up container networking: driver failed programming external connectivity on endpoint ${live.shortName} (${endpoint.endpointId}): Bind for ${hostIp || '0.0.0.0'}:${first === last ? first : host} failed: port is already allocated`,
          );
        }
      }
      out.push({ bridge, proto, hostIp: hostIp === '' ? '0.0.0.0' : hostIp, hostPort, containerIp: endpoint.ip, containerPort, hostVeth: endpoint.hostVeth });
    }
  }
  return out;
}

/** NetworkSettings.Ports: every exposed or published port, with its host bindings while it runs. */
export function portsView(record: ContainerRecord): Record<string, { HostIp: string; HostPort: string }[] | null> {
  const out: Record<string, { HostIp: string; HostPort: string }[] | null> = {};
  const running = record.state.status === 'running' || record.state.status === 'paused' || record.state.status === 'restarting';
  if (!running) return out;
  for (const key of Object.keys(record.config.ExposedPorts ?? {})) out[key] = null;
  for (const port of record.publishedPorts ?? []) {
    const key = `${port.containerPort}/${port.proto}`;
    out[key] = [...(out[key] ?? []), { HostIp: port.hostIp, HostPort: String(port.hostPort) }];
  }
  return out;
}

/** The Ports of a ps summary: published ports with their host side, exposed ones without. */
export function portSummaries(record: ContainerRecord): Port[] {
  const out: Port[] = [];
  const published = new Set<string>();
  for (const port of record.publishedPorts ?? []) {
    out.push({ IP: port.hostIp, PrivatePort: port.containerPort, PublicPort: port.hostPort, Type: port.proto });
    published.add(`${port.containerPort}/${port.proto}`);
  }
  for (const key of Object.keys(record.config.ExposedPorts ?? {})) {
    if (published.has(key)) continue;
    const [port, type] = key.split('/');
    out.push({ PrivatePort: Number(port), Type: type ?? 'tcp' });
  }
  return out;
}
