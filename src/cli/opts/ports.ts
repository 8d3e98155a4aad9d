// Port options of docker run/create: -p (go-connections' nat.ParsePortSpec), the long
// `--publish published=8080,target=80` form, and --expose. Error texts are docker's.

import { NumError, parseUint } from '../../go/strconv';

export interface PortBinding {
  HostIp: string;
  HostPort: string;
}

export interface PortMapping {
  /** "80/tcp" */
  port: string;
  binding: PortBinding;
}

/** nat.ParsePortRange: "80" or "8000-8002" (uint16 each). */
export function parsePortRange(ports: string): [number, number] {
  if (ports === '') throw new Error('empty string specified for ports');
  if (!ports.includes('-')) {
    const value = Number(parseUint(ports, 10, 16));
    return [value, value];
  }
  const [startText, endText] = ports.split('-');
  const start = Number(parseUint(startText, 10, 16));
  const end = Number(parseUint(endText, 10, 16));
  if (end < start) throw new Error(`invalid range specified for port: ${ports}`);
  return [start, end];
}

/** nat.SplitProtoPort: "80/udp" → ["udp", "80"], "80" → ["tcp", "80"]. */
export function splitProtoPort(rawPort: string): [string, string] {
  const parts = rawPort.split('/');
  if (rawPort.length === 0 || parts[0].length === 0) return ['', ''];
  if (parts.length === 1) return ['tcp', rawPort];
  if (parts[1].length === 0) return ['tcp', parts[0]];
  return [parts[1], parts[0]];
}

function splitParts(rawPort: string): [string, string, string] {
  const parts = rawPort.split(':');
  const n = parts.length;
  const containerPort = parts[n - 1];
  switch (n) {
    case 1:
      return ['', '', containerPort];
    case 2:
      return ['', parts[0], containerPort];
    case 3:
      return [parts[0], parts[1], containerPort];
    default:
      return [parts.slice(0, n - 2).join(':'), parts[n - 2], containerPort];
  }
}

/** Go's net.ParseIP: dotted IPv4 or IPv6 (with :: and an optional trailing IPv4). */
export function isIpAddress(text: string): boolean {
  const ipv4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;
  if (ipv4.test(text)) return true;
  if (!text.includes(':')) return false;
  let body = text;
  let groupsNeeded = 8;
  const lastColon = body.lastIndexOf(':');
  if (body.slice(lastColon + 1).includes('.')) {
    if (!ipv4.test(body.slice(lastColon + 1))) return false;
    body = body.slice(0, lastColon + 1) + '0:0';
    groupsNeeded = 8;
  }
  const halves = body.split('::');
  if (halves.length > 2) return false;
  const group = /^[0-9a-fA-F]{1,4}$/;
  const parse = (part: string): string[] | undefined => {
    if (part === '') return [];
    const groups = part.split(':');
    return groups.every((g) => group.test(g)) ? groups : undefined;
  };
  const left = parse(halves[0]);
  const right = halves.length === 2 ? parse(halves[1]) : [];
  if (!left || !right) return false;
  const count = left.length + right.length;
  return halves.length === 2 ? count < groupsNeeded : count === groupsNeeded;
}

const protocols = ['tcp', 'udp', 'sctp'];

/** nat.ParsePortSpec: "[ip:][hostPort:]containerPort[/proto]" → one mapping per container port. */
export function parsePortSpec(rawPort: string): PortMapping[] {
  const parts = splitParts(rawPort);
  let [ip, hostPort] = parts;
  const [proto, containerPort] = splitProtoPort(parts[2]);
  if (ip !== '' && ip[0] === '[') {
    // net.SplitHostPort(ip + ":") strips the brackets.
    const close = ip.indexOf(']');
    if (close !== ip.length - 1) throw new Error(`invalid IP address ${ip}: address ${ip}:: missing port in address`);
    ip = ip.slice(1, -1);
  }
  if (ip !== '' && !isIpAddress(ip)) throw new Error(`invalid IP address: ${ip}`);
  if (containerPort === '') throw new Error(`no port specified: ${rawPort}<empty>`);
  let startPort: number;
  let endPort: number;
  try {
    [startPort, endPort] = parsePortRange(containerPort);
  } catch {
    throw new Error(`invalid containerPort: ${containerPort}`);
  }
  let startHostPort = 0;
  let endHostPort = 0;
  if (hostPort.length > 0) {
    try {
      [startHostPort, endHostPort] = parsePortRange(hostPort);
    } catch {
      throw new Error(`invalid hostPort: ${hostPort}`);
    }
  }
  if (hostPort !== '' && endPort - startPort !== endHostPort - startHostPort && endPort !== startPort) {
    throw new Error(`invalid ranges specified for container and host Ports: ${containerPort} and ${hostPort}`);
  }
  if (!protocols.includes(proto.toLowerCase())) throw new Error(`invalid proto: ${proto}`);
  const mappings: PortMapping[] = [];
  for (let i = 0; i <= endPort - startPort; i++) {
    const port = String(startPort + i);
    if (hostPort.length > 0) hostPort = String(startHostPort + i);
    // One container port with a host range: the daemon picks any free port of the range.
    if (startPort === endPort && startHostPort !== endHostPort) hostPort = `${hostPort}-${endHostPort}`;
    mappings.push({ port: `${port}/${proto.toLowerCase()}`, binding: { HostIp: ip, HostPort: hostPort } });
  }
  return mappings;
}

export interface PortSpecs {
  /** Keys like "80/tcp", in the order first seen. */
  exposedPorts: Record<string, Record<string, never>>;
  portBindings: Record<string, PortBinding[]>;
}

/** nat.ParsePortSpecs over every -p value. */
export function parsePortSpecs(specs: readonly string[]): PortSpecs {
  const result: PortSpecs = { exposedPorts: {}, portBindings: {} };
  for (const spec of specs) {
    for (const mapping of parsePortSpec(spec)) {
      result.exposedPorts[mapping.port] ??= {};
      (result.portBindings[mapping.port] ??= []).push(mapping.binding);
    }
  }
  return result;
}

/** docker's convertToStandardNotation: `published=8080,target=80[,protocol=udp]` → "8080:80/udp". */
export function convertToStandardNotation(ports: readonly string[]): string[] {
  return ports.map((publish) => {
    if (!publish.includes('=')) return publish;
    const params: Record<string, string> = { protocol: 'tcp' };
    for (const param of publish.split(',')) {
      const equals = param.indexOf('=');
      if (equals <= 0) throw new Error(`invalid publish opts format (should be name=value but got '${param}')`);
      params[param.slice(0, equals)] = param.slice(equals + 1);
    }
    return `${params.published ?? ''}:${params.target ?? ''}/${params.protocol}`;
  });
}

/** --expose "90", "90/udp", "7000-7002": the ports to add to ExposedPorts. */
export function parseExpose(value: string): string[] {
  if (value.includes(':')) throw new Error(`invalid port format for --expose: ${value}`);
  const [proto, port] = splitProtoPort(value);
  let start: number;
  let end: number;
  try {
    [start, end] = parsePortRange(port);
  } catch (error) {
    const reason = error instanceof NumError || error instanceof Error ? error.message : String(error);
    throw new Error(`invalid range format for --expose: ${value}, error: ${reason}`);
  }
  const ports: string[] = [];
  for (let p = start; p <= end; p++) ports.push(`${p}/${proto}`);
  return ports;
}
