// docker's image formatters: `docker images` (formatter/image.go), `docker history`
// (image/formatter_history.go) and `docker search` (registry/formatter_search.go).

import {
  HeaderContext,
  defaultQuietFormat,
  ellipsis,
  goMap,
  goNil,
  aliasGoFields,
  goTimeString,
  goTypeName,
  humanDuration,
  humanSizeWithPrecision,
  isTableFormat,
  marshalMethods,
  rawFormatKey,
  renderFormat,
  tableFormatKey,
  truncateId,
} from '../../formatter';
import { familiarName, parseNormalizedNamed } from '../../formatter/reference';
import type { HistoryItem, ImageSummary, SearchResult } from '../../../api';

export type { ImageSummary } from '../../../api';

const defaultImageTableFormat = 'table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';
const defaultImageTableFormatWithDigest =
  'table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{if .CreatedSince }}{{.CreatedSince}}{{else}}N/A{{end}}\t{{.Size}}';

/** formatter.NewImageFormat. */
export function imageFormat(source: string, quiet: boolean, digest: boolean): string {
  let format = source;
  if (source === tableFormatKey) {
    if (quiet) return defaultQuietFormat;
    format = digest ? defaultImageTableFormatWithDigest : defaultImageTableFormat;
  } else if (source === rawFormatKey) {
    if (quiet) return 'image_id: {{.ID}}';
    format = digest
      ? 'repository: {{ .Repository }}\ntag: {{.Tag}}\ndigest: {{.Digest}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n'
      : 'repository: {{ .Repository }}\ntag: {{.Tag}}\nimage_id: {{.ID}}\ncreated_at: {{.CreatedAt}}\nvirtual_size: {{.Size}}\n';
  }
  if (isTableFormat(format) && digest && !format.includes('{{.Digest}}')) format += '\t{{.Digest}}';
  return format;
}

export class ImageContext {
  readonly [goTypeName] = '*formatter.imageContext';

  constructor(
    private readonly image: ImageSummary,
    private readonly repo: string,
    private readonly tag: string,
    private readonly digest: string,
    private readonly trunc: boolean,
    private readonly nowMs: number,
  ) {}

  ID(): string {
    return this.trunc ? truncateId(this.image.Id) : this.image.Id;
  }
  Repository(): string {
    return this.repo;
  }
  Tag(): string {
    return this.tag;
  }
  Digest(): string {
    return this.digest;
  }
  CreatedSince(): string {
    return `${humanDuration(this.nowMs - this.image.Created * 1000)} ago`;
  }
  CreatedAt(): string {
    return goTimeString(this.image.Created);
  }
  Size(): string {
    return humanSizeWithPrecision(this.image.Size, 3);
  }
  Containers(): string {
    const containers = this.image.Containers ?? -1;
    return containers === -1 ? 'N/A' : String(containers);
  }
  VirtualSize(): string {
    return humanSizeWithPrecision(this.image.Size, 3);
  }
  SharedSize(): string {
    const shared = this.image.SharedSize ?? -1;
    return shared === -1 ? 'N/A' : humanSizeWithPrecision(shared, 3);
  }
  UniqueSize(): string {
    const shared = this.image.SharedSize ?? -1;
    return shared === -1 ? 'N/A' : humanSizeWithPrecision(this.image.Size - shared, 3);
  }
  toJSON(): Record<string, unknown> {
    return marshalMethods(this);
  }
}

function imageHeader(): HeaderContext {
  return new HeaderContext([
    ['ID', 'IMAGE ID'],
    ['Repository', 'REPOSITORY'],
    ['Tag', 'TAG'],
    ['Digest', 'DIGEST'],
    ['CreatedSince', 'CREATED'],
    ['CreatedAt', 'CREATED AT'],
    ['Size', 'SIZE'],
    ['Containers', 'CONTAINERS'],
    ['VirtualSize', 'VIRTUAL SIZE'],
    ['SharedSize', 'SHARED SIZE'],
    ['UniqueSize', 'UNIQUE SIZE'],
  ]);
}

function isDangling(image: ImageSummary): boolean {
  const tags = image.RepoTags ?? [];
  const digests = image.RepoDigests ?? [];
  if (tags.length === 0 && digests.length === 0) return true;
  return tags.length === 1 && tags[0] === '<none>:<none>' && digests.length === 1 && digests[0] === '<none>@<none>';
}

/** The rows of one image: one per repository and tag (and digest with --digests). */
function imageRows(image: ImageSummary, digest: boolean): [string, string, string][] {
  if (isDangling(image)) return [['<none>', '<none>', '<none>']];
  const repoTags = new Map<string, string[]>();
  const repoDigests = new Map<string, string[]>();
  for (const text of image.RepoTags ?? []) {
    try {
      const reference = parseNormalizedNamed(text);
      if (reference.tag === undefined) continue;
      const name = familiarName(reference);
      repoTags.set(name, [...(repoTags.get(name) ?? []), reference.tag]);
    } catch {
      // skipped, as docker skips what it cannot parse
    }
  }
  for (const text of image.RepoDigests ?? []) {
    try {
      const reference = parseNormalizedNamed(text);
      if (reference.digest === undefined) continue;
      const name = familiarName(reference);
      repoDigests.set(name, [...(repoDigests.get(name) ?? []), reference.digest]);
    } catch {
      // skipped
    }
  }
  const rows: [string, string, string][] = [];
  for (const [repo, tags] of repoTags) {
    const digests = digest ? (repoDigests.get(repo) ?? []) : [];
    repoDigests.delete(repo);
    for (const tag of tags) {
      if (digests.length === 0) rows.push([repo, tag, '<none>']);
      else for (const item of digests) rows.push([repo, tag, item]);
    }
  }
  for (const [repo, digests] of repoDigests) {
    if (digest) for (const item of digests) rows.push([repo, '<none>', item]);
    else rows.push([repo, '<none>', '']);
  }
  return rows;
}

export interface ImageWriteOptions {
  format: string;
  quiet?: boolean;
  digest?: boolean;
  trunc: boolean;
  nowMs: number;
}

/** formatter.ImageWrite. */
export function imageWrite(options: ImageWriteOptions, images: readonly ImageSummary[]): string {
  const format = imageFormat(options.format, options.quiet ?? false, options.digest ?? false);
  const rows = images.flatMap((image) =>
    imageRows(image, options.digest ?? false).map(([repo, tag, digest]) => new ImageContext(image, repo, tag, digest, options.trunc, options.nowMs)),
  );
  return renderFormat(format, imageHeader(), rows);
}

// ---- history ---------------------------------------------------------------------------------------

export type { HistoryItem } from '../../../api';

/** NewHistoryFormat. */
export function historyFormat(source: string, quiet: boolean, human: boolean): string {
  if (source === tableFormatKey) {
    if (quiet) return defaultQuietFormat;
    if (!human) return 'table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
    return 'table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}';
  }
  return source;
}

/** Go's time.Format(time.RFC3339) in UTC. */
function rfc3339(unixSeconds: number): string {
  return new Date(unixSeconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

const epoch2000 = Date.UTC(2000, 0, 1) / 1000;

export class HistoryContext {
  readonly [goTypeName] = '*image.historyContext';

  constructor(
    private readonly item: HistoryItem,
    private readonly trunc: boolean,
    private readonly human: boolean,
    private readonly nowMs: number,
  ) {}

  ID(): string {
    return this.trunc ? truncateId(this.item.Id) : this.item.Id;
  }
  CreatedAt(): string {
    return rfc3339(this.item.Created);
  }
  CreatedSince(): string {
    if (!this.human) return this.CreatedAt();
    if (this.item.Created <= epoch2000) return 'N/A';
    return `${humanDuration(this.nowMs - this.item.Created * 1000)} ago`;
  }
  CreatedBy(): string {
    const createdBy = this.item.CreatedBy.replace(/\t/g, ' ');
    return this.trunc ? ellipsis(createdBy, 45) : createdBy;
  }
  Size(): string {
    return this.human ? humanSizeWithPrecision(this.item.Size, 3) : String(this.item.Size);
  }
  Comment(): string {
    return this.item.Comment;
  }
  toJSON(): Record<string, unknown> {
    return marshalMethods(this);
  }
}

export function historyWrite(
  options: { format: string; quiet?: boolean; human: boolean; trunc: boolean; nowMs: number },
  items: readonly HistoryItem[],
): string {
  const format = historyFormat(options.format, options.quiet ?? false, options.human);
  const header = new HeaderContext([
    ['ID', 'IMAGE'],
    ['CreatedSince', 'CREATED'],
    ['CreatedAt', 'CREATED AT'],
    ['CreatedBy', 'CREATED BY'],
    ['Size', 'SIZE'],
    ['Comment', 'COMMENT'],
  ]);
  return renderFormat(format, header, items.map((item) => new HistoryContext(item, options.trunc, options.human, options.nowMs)));
}

// ---- search ----------------------------------------------------------------------------------------

export type { SearchResult } from '../../../api';

export class SearchContext {
  readonly [goTypeName] = '*registry.searchContext';

  constructor(
    private readonly result: SearchResult,
    private readonly trunc: boolean,
  ) {}

  Name(): string {
    return this.result.name;
  }
  Description(): string {
    const description = this.result.description.replace(/\n/g, ' ').replace(/\r/g, ' ');
    return this.trunc ? ellipsis(description, 45) : description;
  }
  StarCount(): string {
    return String(this.result.star_count);
  }
  IsOfficial(): string {
    return this.result.is_official ? '[OK]' : '';
  }
  IsAutomated(): string {
    return this.result.is_automated ? '[OK]' : '';
  }
  toJSON(): Record<string, unknown> {
    return marshalMethods(this);
  }
}

export function searchWrite(options: { format: string; trunc: boolean }, results: readonly SearchResult[]): string {
  const format = options.format === '' || options.format === tableFormatKey ? 'table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}' : options.format;
  const header = new HeaderContext([
    ['Name', 'NAME'],
    ['Description', 'DESCRIPTION'],
    ['StarCount', 'STARS'],
    ['IsOfficial', 'OFFICIAL'],
    ['IsAutomated', 'AUTOMATED'],
  ]);
  return renderFormat(format, header, results.map((result) => new SearchContext(result, options.trunc)));
}

/**
 * Go field names of docker's inspect types that differ from their JSON keys (moby api/types:
 * ContainerJSONBase, container.Resources and HostConfig, image.InspectResponse, network.Inspect and
 * IPAMConfig). Docker runs an inspect template on its typed struct first, so `{{.ID}}` and
 * `{{.HostConfig.CPUShares}}` work; the JSON keys work through the raw fallback (inspectRawValue).
 */
const goFieldNames: Record<string, string> = {
  Id: 'ID',
  CpuShares: 'CPUShares',
  NanoCpus: 'NanoCPUs',
  CpuPeriod: 'CPUPeriod',
  CpuQuota: 'CPUQuota',
  CpuRealtimePeriod: 'CPURealtimePeriod',
  CpuRealtimeRuntime: 'CPURealtimeRuntime',
  CpuCount: 'CPUCount',
  CpuPercent: 'CPUPercent',
  Dns: 'DNS',
  DnsOptions: 'DNSOptions',
  DnsSearch: 'DNSSearch',
  AuxiliaryAddresses: 'AuxAddress',
};

/**
 * Fields that an image's Config (dockerspec.DockerOCIImageConfig) and a container's (container.Config)
 * both have, with their Go zero values: their JSON omits the empty ones, but the typed pass of a
 * template sees the struct, so `{{.Config.Entrypoint}}` of busybox prints `[]` as docker's does.
 */
const configZeroFields: Record<string, () => unknown> = {
  User: () => '',
  ExposedPorts: () => goNil(goMap({})),
  Env: () => goNil([]),
  Entrypoint: () => goNil([]),
  Cmd: () => goNil([]),
  Volumes: () => goNil(goMap({})),
  WorkingDir: () => '',
  Labels: () => goNil(goMap({})),
  StopSignal: () => '',
  ArgsEscaped: () => false,
  Healthcheck: () => null,
  OnBuild: () => goNil([]),
  Shell: () => goNil([]),
};

/** Go maps in docker's inspect types (the rest are structs): map keys work as fields in templates. */
const goMapKeys = new Set(['Labels', 'ExposedPorts', 'Volumes', 'Data', 'LayerSources', 'Networks', 'Options', 'Containers', 'Ports', 'PortBindings', 'Sysctls', 'Tmpfs', 'StorageOpt', 'DriverOpts', 'Annotations']);

/**
 * What the typed pass of an inspect template sees: the JSON with Go maps marked, and Go's field names
 * where they differ from the JSON keys (`.ID` works here, `.Id` only in the raw fallback, so
 * `{{.ID}} {{.Id}}` fails as it does with docker).
 */
export function inspectValue(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => inspectValue(item));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) out[name] = inspectValue(item, name);
  if (goMapKeys.has(key)) return goMap(out);
  if (key === 'Config') {
    // JSON of the typed pass is the JSON docker's struct encodes to (omitempty: what the daemon sent)
    const json = { ...out };
    for (const [name, zero] of Object.entries(configZeroFields)) if (!(name in out)) out[name] = zero();
    Object.defineProperty(out, 'toJSON', { value: () => json, enumerable: false });
  }
  return aliasGoFields(out, goFieldNames);
}

/** The raw fallback's view: the JSON decoded into interface{} values, every object a map. */
export function inspectRawValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map((item) => inspectRawValue(item));
  if (typeof value !== 'object' || value === null) return value;
  const out: Record<string, unknown> = {};
  for (const [name, item] of Object.entries(value)) out[name] = inspectRawValue(item);
  return goMap(out);
}
