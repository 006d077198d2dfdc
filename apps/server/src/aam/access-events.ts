// Fan-out of AccessEvents (token revoked, access changed) from the AAM services to whoever caches
// access decisions, today the MQTT bus.
import type { AccessEvent } from './access.js';

export class AccessEventHub {
  private readonly listeners = new Set<(event: AccessEvent) => void>();

  on(listener: (event: AccessEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: AccessEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch {
        // A failing listener must not stop the others or the service that emitted.
      }
    }
  }
}
