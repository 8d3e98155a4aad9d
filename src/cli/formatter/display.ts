// Small display helpers docker applies to ids, names and long text.

import { charWidth } from './width';
import { humanDuration } from '../../go/units';

/** docker's formatter.Ellipsis: fits `text` in `maxWidth` columns, ending with "…" when cut. */
export function ellipsis(text: string, maxWidth: number): string {
  if (maxWidth <= 0) return '';
  const characters = [...text];
  if (maxWidth === 1) return characters[0] ?? '';
  const widths = characters.map(charWidth);
  const total = widths.reduce((sum, width) => sum + width, 0);
  if (total <= maxWidth) return text;
  let used = 0;
  let kept = 0;
  while (kept < characters.length && used + widths[kept] <= maxWidth - 1) used += widths[kept++];
  return characters.slice(0, kept).join('') + '…';
}

/** docker's stringid.TruncateID: drops an "algorithm:" prefix and keeps 12 characters. */
export function truncateId(id: string): string {
  const colon = id.indexOf(':');
  const bare = colon === -1 ? id : id.slice(colon + 1);
  return bare.length > 12 ? bare.slice(0, 12) : bare;
}

/** Whether `id` is a full 64-hex id (stringid.IsShortID's long form). */
export function isFullId(id: string): boolean {
  return /^[0-9a-f]{64}$/.test(id);
}

/** A random 64-hex id like stringid.GenerateRandomID, never all digits (so it is not a number). */
export function generateRandomId(randomBytes: (length: number) => Uint8Array): string {
  for (;;) {
    const id = [...randomBytes(32)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    if (!/^\d{12}/.test(id)) return id;
  }
}

/** docker's PrettyPrint for "pretty" output: first letter upper-cased, the rest lower-cased. */
export function capitalizeFirst(text: string): string {
  if (text.length === 0) return text;
  if (text.length === 1) return text.toLowerCase();
  return text[0].toUpperCase() + text.slice(1).toLowerCase();
}

/** "3 minutes ago": the CREATED column of ps and images, computed by the client. */
export function timeAgo(thenMs: number, nowMs: number): string {
  return `${humanDuration(nowMs - thenMs)} ago`;
}

export interface ContainerStateForStatus {
  status: 'created' | 'running' | 'paused' | 'restarting' | 'removing' | 'exited' | 'dead';
  startedAtMs: number;
  finishedAtMs: number;
  exitCode: number;
  /** "healthy", "unhealthy", "starting" or absent. */
  health?: string;
}

/** The daemon's State.String(): "Up 2 minutes", "Exited (0) 5 seconds ago", "Up 3 hours (Paused)". */
export function containerStatus(state: ContainerStateForStatus, nowMs: number): string {
  switch (state.status) {
    case 'running':
    case 'paused': {
      if (state.status === 'paused') return `Up ${humanDuration(nowMs - state.startedAtMs)} (Paused)`;
      const health = state.health === 'starting' ? ' (health: starting)' : state.health ? ` (${state.health})` : '';
      return `Up ${humanDuration(nowMs - state.startedAtMs)}${health}`;
    }
    case 'restarting':
      return `Restarting (${state.exitCode}) ${humanDuration(nowMs - state.finishedAtMs)} ago`;
    case 'removing':
      return 'Removal In Progress';
    case 'dead':
      return 'Dead';
    case 'created':
      return 'Created';
    case 'exited':
      if (state.finishedAtMs <= 0) return '';
      return `Exited (${state.exitCode}) ${humanDuration(nowMs - state.finishedAtMs)} ago`;
  }
}
