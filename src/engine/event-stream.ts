// docker events (moby's daemon/events and its filter.go): the events a client asked for, past ones
// when it gave --since or --until, then live ones until --until.

import { invalidParameter } from './errors';
import type { EngineEvent, EventBus } from './events';
import { AsyncQueue } from './async-queue';

export interface EventStreamOptions {
  /** Unix seconds (with a fraction) or RFC 3339, as the query gives them. */
  since: string | null;
  until: string | null;
  filters: Map<string, string[]>;
}

function eventTime(value: string | null): number | undefined {
  if (value === null || value === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(value)) return Number(value) * 1000;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) throw invalidParameter(`invalid value for time: ${value}`);
  return parsed;
}

/** docker's event filters: every key must match one of its values. */
function matches(event: EngineEvent, filters: Map<string, string[]>): boolean {
  for (const [key, values] of filters) {
    const ok = values.some((value) => {
      switch (key) {
        case 'type':
          return event.Type === value;
        case 'event':
          return event.Action === value || event.Action.startsWith(`${value}:`);
        case 'container':
          return event.Type === 'container' && (event.Actor.ID.startsWith(value) || event.Actor.Attributes.name === value);
        case 'image':
          return event.Actor.Attributes.image === value || event.Actor.ID === value;
        case 'label': {
          const [k, v] = value.split('=', 2);
          return v === undefined ? k in event.Actor.Attributes : event.Actor.Attributes[k] === v;
        }
        case 'scope':
          return value === 'local';
        default:
          return event.Type === key && (event.Actor.ID.startsWith(value) || event.Actor.Attributes.name === value);
      }
    });
    if (!ok) return false;
  }
  return true;
}

/** The events a client asked for, as a queue that ends at --until (or when the client stops reading). */
export function eventStream(bus: EventBus, nowMs: number, options: EventStreamOptions): AsyncQueue<EngineEvent> {
  const since = eventTime(options.since);
  const until = eventTime(options.until);
  const wanted = (event: EngineEvent) =>
    matches(event, options.filters) && (since === undefined || event.timeNano / 1e6 >= since) && (until === undefined || event.timeNano / 1e6 <= until);
  const queue = new AsyncQueue<EngineEvent>();
  // Like moby, past events are replayed only when asked for with --since or --until.
  if (since !== undefined || until !== undefined) for (const event of bus.past()) if (wanted(event)) queue.push(event);
  if (until !== undefined && until <= nowMs) {
    queue.end();
    return queue;
  }
  const off = bus.subscribe((event) => {
    if (wanted(event)) queue.push(event);
  });
  let timer: ReturnType<typeof setTimeout> | undefined;
  if (until !== undefined) timer = setTimeout(() => queue.end(), until - nowMs);
  queue.onCancel = () => {
    off();
    if (timer) clearTimeout(timer);
  };
  return queue;
}
