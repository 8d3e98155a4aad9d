// The `docker ps` formatter (docker's formatter/container.go): the default table, the raw
// format, the per-container template context and the PORTS column.

import { ellipsis, truncateId } from './display';
import { HeaderContext, rawFormatKey, renderFormat, tableFormatKey, defaultQuietFormat } from './format';
import { goTypeName, marshalMethods } from './govalue';
import { humanDuration, humanSizeWithPrecision } from '../../go/units';
import { familiarString } from './reference';
import { goQuote } from '../../go/strconv';
import type { ContainerSummary, Port as PortSummary } from '../../api';


export type { ContainerSummary, Port as PortSummary } from '../../api';

const defaultContainerTableFormat = 'table {{.ID}}\\t{{.Image}}\\t{{.Command}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}\\t{{.Names}}';

/** docker's NewContainerFormat: the template for a --format value, --quiet and --size. */
export function containerFormat(source: string, quiet: boolean, size: boolean): string {
  if (source === tableFormatKey || source === '') {
    if (quiet) return defaultQuietFormat;
    return size ? defaultContainerTableFormat + '\\t{{.Size}}' : defaultContainerTableFormat;
  }
  if (source === rawFormatKey) {
    if (quiet) return 'container_id: {{.ID}}';
    let format = `container_id: {{.ID}}
image: {{.Image}}
command: {{.Command}}
created_at: {{.CreatedAt}}
state: {{- pad .State 1 0}}
status: {{- pad .Status 1 0}}
names: {{.Names}}
labels: {{- pad .Labels 1 0}}
ports: {{- pad .Ports 1 0}}
`;
    if (size) format += 'size: {{.Size}}\\n';
    return format;
  }
  return quiet ? defaultQuietFormat : source;
}

export function containerHeader(): HeaderContext {
  return new HeaderContext([
    ['ID', 'CONTAINER ID'],
    ['Names', 'NAMES'],
    ['Image', 'IMAGE'],
    ['Command', 'COMMAND'],
    ['CreatedAt', 'CREATED AT'],
    ['RunningFor', 'CREATED'],
    ['Ports', 'PORTS'],
    ['State', 'STATE'],
    ['Status', 'STATUS'],
    ['Size', 'SIZE'],
    ['Labels', 'LABELS'],
    ['Mounts', 'MOUNTS'],
    ['LocalVolumes', 'LOCAL VOLUMES'],
    ['Networks', 'NETWORKS'],
    ['Platform', 'PLATFORM'],
  ]);
}

/** Go's time.Time.String() for a Unix time in a fixed-offset zone ("2024-05-01 10:00:00 +0000 UTC"). */
export function goTimeString(unixSeconds: number, offsetMinutes = 0, zoneName = 'UTC'): string {
  const shifted = new Date((unixSeconds + offsetMinutes * 60) * 1000);
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const offset = Math.abs(offsetMinutes);
  return (
    `${shifted.getUTCFullYear()}-${pad(shifted.getUTCMonth() + 1)}-${pad(shifted.getUTCDate())} ` +
    `${pad(shifted.getUTCHours())}:${pad(shifted.getUTCMinutes())}:${pad(shifted.getUTCSeconds())} ` +
    `${sign}${pad(Math.floor(offset / 60))}${pad(offset % 60)} ${zoneName}`
  );
}

/** What one row of `docker ps --format` sees as `.`; method names are the template's fields. */
export class ContainerContext {
  readonly [goTypeName] = '*formatter.ContainerContext';

  constructor(
    private readonly container: ContainerSummary,
    private readonly trunc: boolean,
    /** The client's clock in milliseconds (RunningFor is computed by the client). */
    private readonly nowMs: number,
  ) {}

  ID(): string {
    return this.trunc ? truncateId(this.container.Id) : this.container.Id;
  }

  Names(): string {
    let names = this.container.Names.map((name) => name.slice(1));
    if (this.trunc) {
      // Legacy link names contain a slash ("/web/db"); keep the container's own name.
      const own = names.find((name) => name.split('/').length === 1);
      if (own !== undefined) names = [own];
    }
    return names.join(',');
  }

  Image(): string {
    const { Image: image, ImageID: imageId = '' } = this.container;
    if (image === '') return '<no image>';
    if (this.trunc) {
      const truncated = truncateId(imageId);
      if (truncated === truncateId(image)) return truncated;
      const familiar = familiarString(image);
      if (familiar !== undefined) return familiar;
    }
    return image;
  }

  Command(): string {
    const command = this.trunc ? ellipsis(this.container.Command, 20) : this.container.Command;
    return goQuote(command);
  }

  CreatedAt(): string {
    return goTimeString(this.container.Created);
  }

  RunningFor(): string {
    return `${humanDuration(this.nowMs - this.container.Created * 1000)} ago`;
  }

  Platform(): null {
    return null;
  }

  Ports(): string {
    return displayablePorts(this.container.Ports ?? []);
  }

  State(): string {
    return this.container.State;
  }

  Status(): string {
    return this.container.Status;
  }

  Size(): string {
    const rw = humanSizeWithPrecision(this.container.SizeRw ?? 0, 3);
    const rootFs = this.container.SizeRootFs ?? 0;
    return rootFs > 0 ? `${rw} (virtual ${humanSizeWithPrecision(rootFs, 3)})` : rw;
  }

  Labels(): string {
    const labels = this.container.Labels;
    if (!labels) return '';
    return Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .sort()
      .join(',');
  }

  Label(name: string): string {
    return this.container.Labels?.[name] ?? '';
  }

  Mounts(): string {
    return (this.container.Mounts ?? [])
      .map((mount) => {
        const name = mount.Name ? mount.Name : (mount.Source ?? '');
        return this.trunc ? ellipsis(name, 15) : name;
      })
      .join(',');
  }

  LocalVolumes(): string {
    return String((this.container.Mounts ?? []).filter((mount) => mount.Driver === 'local').length);
  }

  Networks(): string {
    const networks = this.container.NetworkSettings?.Networks;
    return networks ? Object.keys(networks).join(',') : '';
  }

  toJSON(): Record<string, unknown> {
    return marshalMethods(this);
  }
}

/** Go's net.JoinHostPort: IPv6 hosts get brackets. */
function joinHostPort(host: string, port: string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

function comparePorts(a: PortSummary, b: PortSummary): number {
  if (a.PrivatePort !== b.PrivatePort) return a.PrivatePort - b.PrivatePort;
  const ipA = a.IP ?? '';
  const ipB = b.IP ?? '';
  if (ipA !== ipB) return ipA < ipB ? -1 : 1;
  if ((a.PublicPort ?? 0) !== (b.PublicPort ?? 0)) return (a.PublicPort ?? 0) - (b.PublicPort ?? 0);
  return a.Type < b.Type ? -1 : a.Type > b.Type ? 1 : 0;
}

function formGroup(key: string, first: number, last: number): string {
  const parts = key.split('/');
  let type = parts[0];
  let ip = '';
  if (parts.length > 1) {
    ip = parts[0];
    type = parts[1];
  }
  let group = String(first);
  if (first !== last) group = `${group}-${last}`;
  if (ip !== '') group = `${joinHostPort(ip, group)}->${group}`;
  return `${group}/${type}`;
}

/** The PORTS column: "0.0.0.0:8080->80/tcp, 443/tcp", consecutive ports merged into ranges. */
export function displayablePorts(ports: readonly PortSummary[]): string {
  const groups = new Map<string, { first: number; last: number }>();
  const result: string[] = [];
  const hostMappings: string[] = [];
  for (const port of [...ports].sort(comparePorts)) {
    const current = port.PrivatePort;
    let key = port.Type;
    if (port.IP) {
      if ((port.PublicPort ?? 0) !== current) {
        hostMappings.push(`${joinHostPort(port.IP, String(port.PublicPort ?? 0))}->${port.PrivatePort}/${port.Type}`);
        continue;
      }
      key = `${port.IP}/${port.Type}`;
    }
    const group = groups.get(key);
    if (!group) {
      groups.set(key, { first: current, last: current });
      continue;
    }
    if (current === group.last + 1) {
      group.last = current;
      continue;
    }
    result.push(formGroup(key, group.first, group.last));
    // Go replaces the map entry; the key keeps its first position in the output order.
    groups.set(key, { first: current, last: current });
  }
  for (const [key, group] of groups) result.push(formGroup(key, group.first, group.last));
  return [...result, ...hostMappings].join(', ');
}

export interface ContainerWriteOptions {
  format: string;
  quiet?: boolean;
  size?: boolean;
  trunc: boolean;
  nowMs: number;
}

/** docker's ContainerWrite: the whole `docker ps` output for `containers`. */
export function containerWrite(options: ContainerWriteOptions, containers: readonly ContainerSummary[]): string {
  const format = containerFormat(options.format, options.quiet ?? false, options.size ?? false);
  const rows = containers.map((container) => new ContainerContext(container, options.trunc, options.nowMs));
  return renderFormat(format, containerHeader(), rows);
}


