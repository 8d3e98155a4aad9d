// `docker ps`: which containers GET /containers/json shows, with docker's filters, as moby's
// daemon/list.go chooses them (running ones only unless asked for all, a limit, newest first).

import { invalidParameter } from '../errors';
import type { LiveContainer } from './live';

export interface ListOptions {
  all?: boolean;
  /** At most this many, newest first (-n); 0 or less: no limit. */
  limit?: number;
  filters?: Map<string, string[]>;
}

const ACCEPTED_FILTERS = [
  'status', 'name', 'id', 'ancestor', 'exited', 'label', 'before', 'since', 'health', 'isolation', 'network', 'volume', 'publish', 'expose', 'is-task',
];
const STATUSES = ['created', 'running', 'paused', 'restarting', 'removing', 'exited', 'dead'];

/**
 * The containers `docker ps` shows. `newestFirst` is every container, newest first; `find` resolves
 * the containers that before= and since= name.
 */
export function selectContainers(newestFirst: readonly LiveContainer[], options: ListOptions, find: (ref: string) => LiveContainer): LiveContainer[] {
  const filters = options.filters ?? new Map<string, string[]>();
  const limit = options.limit ?? -1;
  for (const key of filters.keys()) {
    if (!ACCEPTED_FILTERS.includes(key)) throw invalidParameter(`invalid filter '${key}'`);
  }
  const statusFilter = filters.get('status');
  for (const status of statusFilter ?? []) {
    if (!STATUSES.includes(status)) throw invalidParameter(`invalid filter 'status=${status}'`);
  }
  let containers = [...newestFirst];
  const explicitAll = options.all || limit > 0 || statusFilter !== undefined || filters.has('exited') || filters.has('before') || filters.has('since');
  if (!explicitAll) containers = containers.filter((live) => live.status === 'running' || live.status === 'paused' || live.status === 'restarting');
  const matchAny = (values: string[] | undefined, test: (value: string) => boolean) => !values || values.some(test);
  const beforeRef = filters.get('before')?.[0];
  const sinceRef = filters.get('since')?.[0];
  const before = beforeRef ? find(beforeRef).record.created : undefined;
  const since = sinceRef ? find(sinceRef).record.created : undefined;
  containers = containers.filter((live) => {
    const record = live.record;
    if (!matchAny(statusFilter, (s) => s === record.state.status)) return false;
    if (!matchAny(filters.get('name'), (n) => new RegExp(n.replace(/^\//, '')).test(record.name.slice(1)))) return false;
    if (!matchAny(filters.get('id'), (i) => record.id.startsWith(i))) return false;
    if (!matchAny(filters.get('exited'), (code) => record.state.status === 'exited' && record.state.exitCode === Number(code))) return false;
    if (
      !matchAny(
        filters.get('ancestor'),
        (a) =>
          record.config.Image === a ||
          record.config.Image === a.replace(/:latest$/, '') ||
          record.image === a ||
          record.image.replace(/^sha256:/, '').startsWith(a.replace(/^sha256:/, '')),
      )
    ) {
      return false;
    }
    if (!matchAny(filters.get('health'), (h) => (record.state.health?.Status ?? 'none') === h)) return false;
    const labels = filters.get('label');
    if (
      labels &&
      !labels.every((label) => {
        const [key, value] = label.split('=', 2);
        const actual = record.config.Labels?.[key];
        return value === undefined ? actual !== undefined : actual === value;
      })
    ) {
      return false;
    }
    if (before && record.created >= before) return false;
    if (since && record.created <= since) return false;
    return true;
  });
  if (limit > 0) containers = containers.slice(0, limit);
  return containers;
}

/**
 * The IMAGE column (moby's refreshImage): the name the container was created with while it still
 * resolves to the container's image; its image id once the name is gone (untagged) or names another
 * image (the CLI shows that id short).
 */
export async function imageNameOf(record: { config: { Image?: string }; image: string }, resolveId: (name: string) => Promise<string | undefined>): Promise<string> {
  const name = record.config.Image ?? '';
  if (name === '' || name === record.image) return record.image;
  return (await resolveId(name)) === record.image ? name : record.image;
}
