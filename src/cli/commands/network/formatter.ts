// docker's network formatter (cli/command/network/formatter.go): `docker network ls` rows.

import { HeaderContext, defaultQuietFormat, goTypeName, marshalMethods, rawFormatKey, renderFormat, tableFormatKey, truncateId } from '../../formatter';
import type { NetworkSummary } from '../../../api';

export type { NetworkSummary } from '../../../api';

const defaultNetworkTableFormat = 'table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}';

/** network.NewFormat. */
export function networkFormat(source: string, quiet: boolean): string {
  if (source === tableFormatKey) return quiet ? defaultQuietFormat : defaultNetworkTableFormat;
  if (source === rawFormatKey) return quiet ? 'network_id: {{.ID}}' : 'network_id: {{.ID}}\\nname: {{.Name}}\\ndriver: {{.Driver}}\\nscope: {{.Scope}}\\n';
  return source;
}

/**
 * Go's time.Time.String() of an RFC 3339 time as encoding/json decodes it: "2025-06-01 10:00:00.5
 * +0000 UTC" (fraction without trailing zeros; a "Z" time is UTC, an offset time shows its offset).
 */
export function goTimeStringOf(rfc3339: string | undefined): string {
  const match = /^(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(rfc3339 ?? '');
  if (!match) return '0001-01-01 00:00:00 +0000 UTC';
  const fraction = (match[3] ?? '').slice(0, 9).replace(/0+$/, '');
  const zone = match[4] === 'Z' ? '+0000 UTC' : `${match[4].replace(':', '')} ${match[4].replace(':', '')}`;
  return `${match[1]} ${match[2]}${fraction ? `.${fraction}` : ''} ${zone}`;
}

export class NetworkContext {
  readonly [goTypeName] = '*network.networkContext';

  constructor(
    private readonly network: NetworkSummary,
    private readonly trunc: boolean,
  ) {}

  ID(): string {
    return this.trunc ? truncateId(this.network.Id) : this.network.Id;
  }
  Name(): string {
    return this.network.Name;
  }
  Driver(): string {
    return this.network.Driver;
  }
  Scope(): string {
    return this.network.Scope;
  }
  IPv4(): string {
    return String(this.network.EnableIPv4 ?? false);
  }
  IPv6(): string {
    return String(this.network.EnableIPv6 ?? false);
  }
  Internal(): string {
    return String(this.network.Internal ?? false);
  }
  Labels(): string {
    const labels = this.network.Labels;
    if (!labels) return '';
    return Object.entries(labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
  }
  Label(name: string): string {
    return this.network.Labels?.[name] ?? '';
  }
  CreatedAt(): string {
    return goTimeStringOf(this.network.Created);
  }
  toJSON(): Record<string, unknown> {
    return marshalMethods(this);
  }
}

function networkHeader(): HeaderContext {
  return new HeaderContext([
    ['ID', 'NETWORK ID'],
    ['Name', 'NAME'],
    ['Driver', 'DRIVER'],
    ['Scope', 'SCOPE'],
    ['IPv4', 'IPV4'],
    ['IPv6', 'IPV6'],
    ['Internal', 'INTERNAL'],
    ['Labels', 'LABELS'],
    ['CreatedAt', 'CREATED AT'],
  ]);
}

/** fvbommel/sortorder.NaturalLess as a comparator: runs of digits compare as numbers. */
export function naturalCompare(a: string, b: string): number {
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

/** network.FormatWrite, after runList's natural sort by name. */
export function networkWrite(format: string, quiet: boolean, trunc: boolean, networks: readonly NetworkSummary[]): string {
  const sorted = [...networks].sort((a, b) => naturalCompare(a.Name, b.Name));
  return renderFormat(networkFormat(format, quiet), networkHeader(), sorted.map((network) => new NetworkContext(network, trunc)));
}
