// What docker shows of images (moby's daemon/images/images.go, image_inspect.go, image_history.go):
// docker images with its filters, inspect and history.

import { invalidParameter } from '../errors';
import { layerDiffPath, overlayRoot, type ImageRecord } from './image-store';
import { familiarMatch, familiarString, parseNormalizedNamed } from './reference';
import { api, unixSeconds, type ImageContext } from './context';

export interface ImageListEntry {
  Id: string;
  ParentId: string;
  RepoTags: string[];
  RepoDigests: string[];
  Created: number;
  Size: number;
  SharedSize: number;
  Labels: Record<string, string> | null;
  Containers: number;
}

export class ImageQueries {
  constructor(private readonly context: ImageContext) {}

  /** How many images the store holds, intermediate ones too (docker info's Images). */
  async count(): Promise<number> {
    return (await this.context.store.metadata.keys('image/')).length;
  }

  async list(options: { all?: boolean; filters?: Map<string, string[]> } = {}): Promise<ImageListEntry[]> {
    const filters = options.filters ?? new Map<string, string[]>();
    for (const key of filters.keys()) {
      if (!['dangling', 'label', 'before', 'since', 'reference', 'until'].includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    }
    const dangling = filters.get('dangling');
    let danglingOnly: boolean | undefined;
    if (dangling && dangling.length > 0) {
      const value = dangling[0].toLowerCase();
      if (value === 'true' || value === '1') danglingOnly = true;
      else if (value === 'false' || value === '0') danglingOnly = false;
      else throw invalidParameter(`Invalid filter 'dangling=${dangling[0]}'`);
    }
    const summaries = await this.context.images.list({ all: options.all || danglingOnly === true });
    const danglingIds = new Set(await this.context.images.danglingImages());
    const created = async (name: string): Promise<number> => {
      const image = await api(() => this.context.images.resolve(name));
      return unixSeconds(image.created);
    };
    const before = filters.get('before')?.[0];
    const since = filters.get('since')?.[0];
    const beforeTime = before !== undefined ? await created(before) : undefined;
    const sinceTime = since !== undefined ? await created(since) : undefined;
    const references = filters.get('reference') ?? [];
    const labels = filters.get('label') ?? [];
    const result: ImageListEntry[] = [];
    for (const summary of summaries) {
      if (danglingOnly === true && !danglingIds.has(summary.id)) continue;
      if (danglingOnly === false && danglingIds.has(summary.id) && summary.repoTags.length === 0) continue;
      const time = unixSeconds(summary.created);
      if (beforeTime !== undefined && time >= beforeTime) continue;
      if (sinceTime !== undefined && time <= sinceTime) continue;
      let repoTags = summary.repoTags;
      let repoDigests = summary.repoDigests;
      if (references.length > 0) {
        const matches = (text: string): boolean => {
          const parsed = parseNormalizedNamed(text);
          return references.some((pattern) => familiarMatch(pattern, parsed));
        };
        repoTags = repoTags.filter(matches);
        repoDigests = repoDigests.filter(matches);
        if (repoTags.length === 0 && repoDigests.length === 0) continue;
      }
      const imageLabels = (await this.context.images.config(summary.id)).config?.Labels ?? null;
      if (labels.length > 0) {
        const ok = labels.every((label) => {
          const equals = label.indexOf('=');
          if (equals === -1) return imageLabels !== null && label in imageLabels;
          return imageLabels?.[label.slice(0, equals)] === label.slice(equals + 1);
        });
        if (!ok) continue;
      }
      result.push({
        Id: summary.id,
        ParentId: summary.parentId ?? '',
        RepoTags: repoTags,
        RepoDigests: repoDigests,
        Created: time,
        Size: summary.size,
        SharedSize: -1,
        Labels: imageLabels,
        Containers: -1,
      });
    }
    return result;
  }

  async inspect(name: string): Promise<Record<string, unknown>> {
    const details = await api(() => this.context.images.inspect(name));
    const layers = await this.context.images.imageLayers(details.record.id);
    const top = layers.at(-1);
    const data: Record<string, string> | null = top
      ? {
          ...(layers.length > 1 ? { LowerDir: layers.slice(0, -1).map(layerDiffPath).reverse().join(':') } : {}),
          MergedDir: `${overlayRoot}/${top.cacheId}/merged`,
          UpperDir: layerDiffPath(top),
          WorkDir: `${overlayRoot}/${top.cacheId}/work`,
        }
      : null;
    const config = details.config;
    return {
      Id: details.record.id,
      RepoTags: details.repoTags,
      RepoDigests: details.repoDigests,
      Parent: details.record.parent ?? '',
      Comment: config.comment ?? '',
      Created: config.created ?? '0001-01-01T00:00:00Z',
      DockerVersion: config.docker_version ?? '',
      Author: config.author ?? '',
      Config: config.config ?? null,
      Architecture: config.architecture,
      ...(config.variant ? { Variant: config.variant } : {}),
      Os: config.os,
      Size: details.record.size,
      GraphDriver: { Data: data, Name: 'overlay2' },
      RootFS: { Type: 'layers', ...(config.rootfs.diff_ids.length > 0 ? { Layers: config.rootfs.diff_ids } : {}) },
      Metadata: { LastTagTime: details.record.lastTagTime ?? '0001-01-01T00:00:00Z' },
    };
  }

  async history(name: string): Promise<{ Id: string; Created: number; CreatedBy: string; Tags: string[] | null; Size: number; Comment: string }[]> {
    const image = await api(() => this.context.images.resolve(name));
    const config = await this.context.images.config(image.id);
    const layers = await this.context.images.imageLayers(image.id);
    // The images of the parent chain, by how many history entries they have.
    const byLength = new Map<number, ImageRecord>();
    for (let current: ImageRecord | undefined = image; current; current = current.parent ? await this.context.images.get(current.parent) : undefined) {
      const length = (await this.context.images.config(current.id)).history?.length ?? 0;
      if (!byLength.has(length)) byLength.set(length, current);
    }
    const rows = [];
    let layerIndex = 0;
    const history = config.history ?? [];
    for (const [index, entry] of history.entries()) {
      let size = 0;
      if (!entry.empty_layer) {
        size = layers[layerIndex]?.size ?? 0;
        layerIndex++;
      }
      const owner = byLength.get(index + 1);
      const tags = owner ? (await this.context.images.references(owner.id)).filter((r) => r.tag !== undefined).map(familiarString) : [];
      rows.push({
        Id: owner ? owner.id : '<missing>',
        Created: unixSeconds(entry.created),
        CreatedBy: entry.created_by ?? '',
        Tags: tags.length > 0 ? tags : null,
        Size: size,
        Comment: entry.comment ?? '',
      });
    }
    if (history.length === 0) {
      rows.push({ Id: image.id, Created: unixSeconds(image.created), CreatedBy: '', Tags: null, Size: image.size, Comment: '' });
    }
    return rows.reverse();
  }
}
