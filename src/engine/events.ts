// The daemon's events stream (docker events): every state change is recorded once, kept for a while
// for --since, and pushed to live subscribers.

import type { EventMessage } from '../api';

/** events.Message as the engine records it (the legacy status/id/from are added when sent). */
export type EngineEvent = Omit<EventMessage, 'status' | 'id' | 'from'> & { scope: 'local' };

const KEEP = 1000;

export class EventBus {
  private readonly history: EngineEvent[] = [];
  private readonly listeners = new Set<(event: EngineEvent) => void>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  emit(type: EngineEvent['Type'], action: string, id: string, attributes: Record<string, string> = {}): EngineEvent {
    const now = this.clock().getTime();
    const event: EngineEvent = {
      Type: type,
      Action: action,
      Actor: { ID: id, Attributes: attributes },
      scope: 'local',
      time: Math.floor(now / 1000),
      timeNano: now * 1_000_000,
    };
    this.history.push(event);
    if (this.history.length > KEEP) this.history.shift();
    for (const listener of this.listeners) listener(event);
    return event;
  }

  /** Events recorded so far, oldest first. */
  past(): readonly EngineEvent[] {
    return this.history;
  }

  subscribe(listener: (event: EngineEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
