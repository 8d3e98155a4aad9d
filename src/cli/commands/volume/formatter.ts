// docker's volume formatter (cli/command/formatter/volume.go): `docker volume ls` rows and their columns.

import { HeaderContext, goTypeName, humanSize, marshalMethods, rawFormatKey, renderFormat, tableFormatKey } from '../../formatter';
import type { Volume } from '../../../api';

export type { Volume } from '../../../api';

const defaultVolumeQuietFormat = '{{.Name}}';
const defaultVolumeTableFormat = 'table {{.Driver}}\t{{.Name}}';

/** formatter.NewVolumeFormat. */
export function volumeFormat(source: string, quiet: boolean): string {
  if (source === tableFormatKey) return quiet ? defaultVolumeQuietFormat : defaultVolumeTableFormat;
  if (source === rawFormatKey) return quiet ? 'name: {{.Name}}' : 'name: {{.Name}}\\ndriver: {{.Driver}}\\n';
  return source;
}

export class VolumeContext {
  readonly [goTypeName] = '*formatter.volumeContext';

  constructor(private readonly volume: Volume) {}

  Name(): string {
    return this.volume.Name;
  }
  Driver(): string {
    return this.volume.Driver;
  }
  Scope(): string {
    return this.volume.Scope;
  }
  Mountpoint(): string {
    return this.volume.Mountpoint;
  }
  Labels(): string {
    if (!this.volume.Labels) return '';
    return Object.entries(this.volume.Labels)
      .map(([key, value]) => `${key}=${value}`)
      .join(',');
  }
  Label(name: string): string {
    return this.volume.Labels?.[name] ?? '';
  }
  Links(): string {
    return this.volume.UsageData ? String(this.volume.UsageData.RefCount) : 'N/A';
  }
  Size(): string {
    return this.volume.UsageData ? humanSize(this.volume.UsageData.Size) : 'N/A';
  }
  Group(): string {
    return 'N/A';
  }
  Availability(): string {
    return 'N/A';
  }
  Status(): string {
    return 'N/A';
  }
  toJSON(): Record<string, unknown> {
    return marshalMethods(this);
  }
}

export function volumeHeader(): HeaderContext {
  return new HeaderContext([
    ['ID', 'ID'],
    ['Name', 'VOLUME NAME'],
    ['Group', 'GROUP'],
    ['Driver', 'DRIVER'],
    ['Scope', 'SCOPE'],
    ['Availability', 'AVAILABILITY'],
    ['Mountpoint', 'MOUNTPOINT'],
    ['Labels', 'LABELS'],
    ['Links', 'LINKS'],
    ['Size', 'SIZE'],
    ['Status', 'STATUS'],
  ]);
}

/** fvbommel/sortorder.NaturalLess: digit runs compare as numbers. */
export function naturalLess(a: string, b: string): boolean {
  const chunk = /(\d+|\D+)/g;
  const pa = a.match(chunk) ?? [];
  const pb = b.match(chunk) ?? [];
  for (let i = 0; i < Math.min(pa.length, pb.length); i++) {
    if (pa[i] === pb[i]) continue;
    const na = /^\d/.test(pa[i]);
    const nb = /^\d/.test(pb[i]);
    if (na && nb) {
      const ta = pa[i].replace(/^0+/, '');
      const tb = pb[i].replace(/^0+/, '');
      if (ta.length !== tb.length) return ta.length < tb.length;
      if (ta !== tb) return ta < tb;
      return pa[i].length > pb[i].length;
    }
    return pa[i] < pb[i];
  }
  return pa.length < pb.length;
}

/** formatter.VolumeWrite, after list.go's natural sort by name. */
export function volumeWrite(format: string, quiet: boolean, volumes: readonly Volume[]): string {
  const sorted = [...volumes].sort((x, y) => (naturalLess(x.Name, y.Name) ? -1 : naturalLess(y.Name, x.Name) ? 1 : 0));
  return renderFormat(volumeFormat(format, quiet), volumeHeader(), sorted.map((volume) => new VolumeContext(volume)));
}
