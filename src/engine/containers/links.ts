// Legacy links on the default bridge (moby's daemon/links.go and links/links.go): --link name[:alias]
// checked at create, and at start an /etc/hosts line for each linked container (alias, hostname,
// name) and docker's environment variables (DB_PORT, DB_PORT_5432_TCP_ADDR, DB_NAME, DB_ENV_...).

import { invalidParameter, systemError } from '../errors';
import type { ContainerContext } from './context';
import type { LiveContainer } from './live';
import type { HostConfig } from './types';

/** opts.ParseLink: "name:alias" or "name" (alias = name); a leading slash is dropped. */
export function parseLink(link: string): { name: string; alias: string } {
  const parts = link.split(':');
  if (link === '' || parts.length > 2 || parts.some((part) => part === '')) throw invalidParameter(`invalid format to parse. ${link} should match template name:alias`);
  const name = parts[0].replace(/^\//, '');
  const alias = (parts[1] ?? parts[0]).replace(/^\//, '');
  return { name, alias };
}

/**
 * moby's registerLinks at create: every linked container must exist and not be on the host network;
 * the links are kept as docker keeps them ("/child:/parent/alias"). Nothing for user networks.
 */
export function registerLinks(context: ContainerContext, hostConfig: HostConfig, parentName: string): string[] | null {
  const links = hostConfig.Links ?? [];
  const mode = hostConfig.NetworkMode ?? 'default';
  const userDefined = !['', 'default', 'bridge', 'host', 'none'].includes(mode) && !mode.startsWith('container:');
  if (links.length === 0 || userDefined) return links.length > 0 ? links : null;
  const out: string[] = [];
  for (const link of links) {
    const { name, alias } = parseLink(link);
    const child = context.find(name);
    if (!child) throw invalidParameter(`could not get container for ${name}: No such container: ${name}`);
    if (child.record.hostConfig.NetworkMode === 'host') throw invalidParameter('conflicting options: host type networking can\'t be used with links. This would result in undefined behavior');
    out.push(`${child.record.name}:${parentName}/${alias}`);
  }
  return out;
}

export interface LinkedSetup {
  /** /etc/hosts lines "ip\talias hostname [name]". */
  hosts: string[];
  env: string[];
}

/** At start: the linked containers must run; their hosts lines and environment variables. */
export function linkedSetup(context: ContainerContext, live: LiveContainer): LinkedSetup {
  const out: LinkedSetup = { hosts: [], env: [] };
  for (const link of live.record.hostConfig.Links ?? []) {
    const colon = link.indexOf(':/');
    if (!link.startsWith('/') || colon === -1) continue;
    const childName = link.slice(1, colon);
    const linkName = link.slice(colon + 1);
    const alias = linkName.slice(linkName.lastIndexOf('/') + 1);
    const child = context.find(childName);
    const ip = child?.record.endpoint?.ip;
    if (!child || !ip || !child.isUp) throw systemError(`Cannot link to a non running container: /${childName} AS ${linkName}`);
    const hostname = child.record.config.Hostname ?? child.id.slice(0, 12);
    out.hosts.push(`${ip}\t${alias} ${hostname}${alias !== childName ? ` ${childName}` : ''}`);
    out.env.push(...linkEnv(alias, linkName, ip, Object.keys(child.record.config.ExposedPorts ?? {}), child.record.config.Env ?? []));
  }
  return out;
}

/** links.Link.ToEnv. */
export function linkEnv(alias: string, linkName: string, ip: string, exposed: string[], childEnv: string[]): string[] {
  const prefix = alias.toUpperCase().replace(/-/g, '_');
  const ports = exposed
    .map((key) => {
      const [port, proto = 'tcp'] = key.split('/');
      return { port: Number(port), proto };
    })
    .sort((a, b) => a.port - b.port || (a.proto === 'tcp' ? -1 : b.proto === 'tcp' ? 1 : a.proto < b.proto ? -1 : 1));
  const env: string[] = [];
  if (ports.length > 0) env.push(`${prefix}_PORT=${ports[0].proto}://${ip}:${ports[0].port}`);
  for (const { port, proto } of ports) {
    const key = `${prefix}_PORT_${port}_${proto.toUpperCase()}`;
    env.push(`${key}=${proto}://${ip}:${port}`, `${key}_ADDR=${ip}`, `${key}_PORT=${port}`, `${key}_PROTO=${proto}`);
  }
  env.push(`${prefix}_NAME=${linkName}`);
  for (const entry of childEnv) {
    const eq = entry.indexOf('=');
    if (eq === -1) continue;
    const key = entry.slice(0, eq);
    if (key === 'HOME' || key === 'PATH') continue;
    env.push(`${prefix}_ENV_${key}=${entry.slice(eq + 1)}`);
  }
  return env;
}

/** docker's process env order: PATH, (HOSTNAME), the link variables, then the container's own. */
export function withLinkEnv(configEnv: string[], linked: string[]): string[] {
  if (linked.length === 0) return configEnv;
  const keyOf = (entry: string) => (entry.includes('=') ? entry.slice(0, entry.indexOf('=')) : entry);
  const own = new Set(configEnv.map(keyOf));
  const path = configEnv.filter((entry) => keyOf(entry) === 'PATH');
  const rest = configEnv.filter((entry) => keyOf(entry) !== 'PATH');
  return [...path, ...linked.filter((entry) => !own.has(keyOf(entry))), ...rest];
}
