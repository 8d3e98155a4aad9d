// docker rmi and docker image prune (moby's daemon/images/image_delete.go and image_prune.go): the
// references and images that go, with docker's conflict rules against containers that use them, and
// the layers no image needs any more, from the guest too.

import { invalidParameter, isErrorKind } from '../errors';
import type { Digest } from '../../go/digest';
import { layerDiffPath, overlayRoot, type DeleteRecord } from './image-store';
import { referenceString } from './reference';
import { api, unixSeconds, type ImageContext } from './context';

export class ImageRemover {
  constructor(private readonly context: ImageContext) {}

  private containersUsing = (imageId: string) => {
    const use = this.context.users.userOf(imageId);
    return use ? [{ id: use.containerId, running: use.running }] : [];
  };

  async remove(name: string, options: { force?: boolean; noprune?: boolean } = {}): Promise<DeleteRecord[]> {
    await this.context.users.ready();
    const result = await api(() => this.context.images.deleteImage(name, { force: options.force, prune: !options.noprune, containersUsing: this.containersUsing }));
    for (const record of result.records) {
      if ('Untagged' in record) this.context.events.emit('image', 'untag', record.Untagged, { name: record.Untagged });
      else if (!record.Deleted.startsWith('sha256:') || (await this.context.images.get(record.Deleted as Digest)) === undefined) {
        if (!result.removedLayers.some((layer) => layer.chainId === record.Deleted)) this.context.events.emit('image', 'delete', record.Deleted, { name: record.Deleted });
      }
    }
    for (const layer of result.removedLayers) {
      this.context.unpacking.delete(layer.cacheId);
      // A layer no image uses any more goes from the guest (and the share) too.
      await this.context.runtime.removeLayer(layerDiffPath(layer)).catch(() => undefined);
      await this.context.runtime.removePath(`${overlayRoot}/${layer.cacheId}`).catch(() => undefined);
    }
    // The layers that went are listed by chain id after their image, top one first, as moby's layer store releases them.
    return result.records;
  }

  async prune(filters: Map<string, string[]>): Promise<{ ImagesDeleted: DeleteRecord[] | null; SpaceReclaimed: number }> {
    for (const key of filters.keys()) {
      if (!['dangling', 'until', 'label', 'label!'].includes(key)) throw invalidParameter(`invalid filter '${key}'`);
    }
    const dangling = (filters.get('dangling')?.[0] ?? 'true').toLowerCase();
    const danglingOnly = !(dangling === 'false' || dangling === '0');
    const until = filters.get('until')?.[0];
    const untilTime = until !== undefined ? parseUntil(until, this.context.clock()) : undefined;
    const candidates = danglingOnly ? await this.context.images.danglingImages() : (await this.context.images.list({ all: true })).map((summary) => summary.id);
    const deleted: DeleteRecord[] = [];
    let reclaimed = 0;
    await this.context.users.ready();
    for (const id of candidates) {
      if (this.context.users.userOf(id)) continue;
      const image = await this.context.images.get(id);
      if (!image) continue;
      if (untilTime !== undefined && unixSeconds(image.created) >= untilTime) continue;
      const labels = (await this.context.images.config(id)).config?.Labels ?? {};
      if (!matchLabels(labels, filters.get('label') ?? [], true) || !matchLabels(labels, filters.get('label!') ?? [], false)) continue;
      if (!danglingOnly && (await this.context.images.children(id)).length > 0) continue;
      try {
        const references = await this.context.images.references(id);
        const records: DeleteRecord[] = [];
        for (const reference of references) {
          if (reference.tag === undefined && reference.digest === undefined) continue;
          records.push(...(await this.remove(referenceString(reference), { force: false })));
        }
        if (await this.context.images.get(id)) records.push(...(await this.remove(id, { force: false })));
        if (records.some((record) => 'Deleted' in record && record.Deleted === id)) reclaimed += image.size;
        deleted.push(...records);
      } catch (error) {
        if (!isErrorKind(error, 'conflict')) throw error;
      }
    }
    this.context.events.emit('image', 'prune', '', { reclaimed: String(reclaimed) });
    return { ImagesDeleted: deleted.length > 0 ? deleted : null, SpaceReclaimed: reclaimed };
  }
}

function matchLabels(labels: Record<string, string>, wanted: readonly string[], positive: boolean): boolean {
  return wanted.every((label) => {
    const equals = label.indexOf('=');
    const has = equals === -1 ? label in labels : labels[label.slice(0, equals)] === label.slice(equals + 1);
    return positive ? has : !has;
  });
}

/** The `until` filter: a Unix time, an RFC 3339 date, or a Go duration before now. */
function parseUntil(value: string, now: Date): number {
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const duration = /^(\d+(?:\.\d+)?)(ns|us|ms|s|m|h)$/.exec(value);
  if (duration) {
    const factor: Record<string, number> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
    return Math.floor(now.getTime() / 1000 - Number(duration[1]) * factor[duration[2]]);
  }
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw invalidParameter(`failed to parse value as time or duration: "${value}"`);
  return Math.floor(parsed / 1000);
}
