// docker port (docker/cli container/port.go).

import { defineCommand, requiresRangeArgs } from '../../flags';
import type { DockerEnv } from '../../env';
import { inspectContainer } from './util';

function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** natural sort of "80/tcp -> ..." lines (docker's fvbommel/sortorder). */
function naturalLess(a: string, b: string): number {
  const chunk = /(\d+|\D+)/g;
  const pa = a.match(chunk) ?? [];
  const pb = b.match(chunk) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = /^\d/.test(pa[i]);
    const nb = /^\d/.test(pb[i]);
    if (na && nb) return Number(pa[i]) - Number(pb[i]) || pa[i].length - pb[i].length;
    return pa[i] < pb[i] ? -1 : 1;
  }
  return pa.length - pb.length;
}

export function portLines(ports: Record<string, { HostIp: string; HostPort: string }[] | null>, name: string, privatePort?: string): string[] {
  const out: string[] = [];
  if (privatePort !== undefined) {
    const slash = privatePort.indexOf('/');
    const port = slash === -1 ? privatePort : privatePort.slice(0, slash);
    const proto = slash === -1 || privatePort.slice(slash + 1) === '' ? 'tcp' : privatePort.slice(slash + 1);
    if (!/^\d+$/.test(port) || Number(port) > 65535) {
      const reason = /^\d+$/.test(port) ? 'value out of range' : 'invalid syntax';
      throw new Error(`Error: invalid port (${port}): strconv.ParseUint: parsing "${port}": ${reason}`);
    }
    const bindings = ports[`${port}/${proto}`];
    if (!bindings || bindings.length === 0) throw new Error(`Error: No public port '${privatePort}' published for ${name}`);
    for (const binding of bindings) out.push(joinHostPort(binding.HostIp, binding.HostPort));
    return out.sort(naturalLess);
  }
  for (const [key, bindings] of Object.entries(ports)) {
    for (const binding of bindings ?? []) out.push(`${key} -> ${joinHostPort(binding.HostIp, binding.HostPort)}`);
  }
  return out.sort(naturalLess);
}

export function portCommand() {
  return defineCommand<undefined, DockerEnv>({
    use: 'port CONTAINER [PRIVATE_PORT[/PROTO]]',
    short: 'List port mappings or a specific mapping for the container',
    aliasesText: 'docker container port, docker port',
    args: requiresRangeArgs(1, 2),
    run: async ({ args, env }) => {
      const info = await inspectContainer(env, args[0]);
      const lines = portLines(info.NetworkSettings.Ports ?? {}, args[0], args[1]);
      env.stdout(lines.map((line) => `${line}\n`).join(''));
    },
  });
}
