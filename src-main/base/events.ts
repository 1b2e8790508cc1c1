import type { EventName, EventPayload } from '../contract/api';

export type EventListener = (name: EventName, payload: unknown) => void;

/** The core's outgoing events; every connection (window or WebSocket) listens to all of them. */
export class EventBus {
  #listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** One event's payloads, typed: how a capability reacts to another's changes without importing it. */
  when<K extends EventName>(name: K, fn: (payload: EventPayload<K>) => void): () => void {
    return this.on((n, payload) => {
      if (n === name) fn(payload as EventPayload<K>);
    });
  }

  emit<K extends EventName>(name: K, payload: EventPayload<K>): void {
    for (const listener of [...this.#listeners]) {
      try {
        listener(name, payload);
      } catch (error) {
        // A broken connection must not stop the others from hearing the event.
        console.error(`[hubcap] event listener failed for ${name}:`, (error as Error).message);
      }
    }
  }

  get size(): number {
    return this.#listeners.size;
  }
}
