// A stream processor that hands every installation message to the admin UI's live views and keeps
// the little activity each installation shows on the overview (rate, last message, publishers).
// It stores nothing and never blocks the bus: listeners run synchronously and must only enqueue.
import type { BusMessage, ProcessorStats, StreamProcessor } from '../processors/types.js';

export type LiveListener = (message: BusMessage) => void;

export interface InstallationActivity {
  /** Messages per second over the last `rateWindowSeconds`. */
  messagesPerSecond: number;
  /** Unix seconds of the last message, null when none arrived since start. */
  lastActivity: number | null;
  /** MQTT client ids that published within `activeClientSeconds`, most recent first. */
  activeClients: string[];
}

export const rateWindowSeconds = 10;
export const activeClientSeconds = 300;
/** Publishers remembered per installation; a flood of one-shot client ids must not grow memory. */
const maxPublishers = 200;

interface Activity {
  last: number;
  /** Message counts per whole second, a ring indexed by second modulo its length. */
  buckets: number[];
  bucketSeconds: number[];
  publishers: Map<string, number>;
}

export class LiveFeed implements StreamProcessor {
  readonly name = 'live-feed';
  private readonly listeners = new Map<number, Set<LiveListener>>();
  private readonly activity = new Map<number, Activity>();
  private delivered = 0;
  private listenerErrors = 0;

  constructor(private readonly nowSeconds: () => number = () => Date.now() / 1000) {}

  handle(message: BusMessage): void {
    this.record(message);
    const set = this.listeners.get(message.installationId);
    if (!set) return;
    for (const listener of set) {
      try {
        listener(message);
        this.delivered++;
      } catch {
        // A broken viewer must not make the bus refuse a device's message.
        this.listenerErrors++;
      }
    }
  }

  /** Listens to one installation's messages; returns the function that stops listening. */
  subscribe(installationId: number, listener: LiveListener): () => void {
    let set = this.listeners.get(installationId);
    if (!set) this.listeners.set(installationId, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.listeners.get(installationId) === set) this.listeners.delete(installationId);
    };
  }

  activityOf(installationId: number): InstallationActivity {
    const a = this.activity.get(installationId);
    if (!a) return { messagesPerSecond: 0, lastActivity: null, activeClients: [] };
    const now = this.nowSeconds();
    const since = now - activeClientSeconds;
    const activeClients = [...a.publishers].filter(([, t]) => t >= since).sort((x, y) => y[1] - x[1]).map(([id]) => id);
    return { messagesPerSecond: this.rate(a, now), lastActivity: a.last, activeClients };
  }

  /** Messages per second over every installation. */
  totalRate(): number {
    const now = this.nowSeconds();
    let sum = 0;
    for (const a of this.activity.values()) sum += this.rate(a, now);
    return sum;
  }

  forget(installationId: number): void {
    this.activity.delete(installationId);
  }

  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    this.listeners.clear();
  }

  stats(): ProcessorStats {
    return { listeners: this.listenerCount(), delivered: this.delivered, listenerErrors: this.listenerErrors };
  }

  private record(message: BusMessage): void {
    let a = this.activity.get(message.installationId);
    if (!a) {
      a = { last: 0, buckets: new Array<number>(rateWindowSeconds + 1).fill(0), bucketSeconds: new Array<number>(rateWindowSeconds + 1).fill(-1), publishers: new Map() };
      this.activity.set(message.installationId, a);
    }
    const now = this.nowSeconds();
    a.last = Math.max(a.last, message.receivedAt);
    const second = Math.floor(now);
    const slot = second % a.buckets.length;
    if (a.bucketSeconds[slot] !== second) {
      a.bucketSeconds[slot] = second;
      a.buckets[slot] = 0;
    }
    a.buckets[slot]++;
    if (message.publisher !== null) {
      a.publishers.delete(message.publisher);
      a.publishers.set(message.publisher, now);
      // Maps iterate in insertion order: the first key is the one heard from longest ago.
      if (a.publishers.size > maxPublishers) a.publishers.delete(a.publishers.keys().next().value as string);
    }
  }

  /** Counts the last `rateWindowSeconds` whole seconds, not the one still filling. */
  private rate(a: Activity, now: number): number {
    const current = Math.floor(now);
    let sum = 0;
    for (let i = 0; i < a.buckets.length; i++) {
      const s = a.bucketSeconds[i];
      if (s < current && s >= current - rateWindowSeconds) sum += a.buckets[i];
    }
    return sum / rateWindowSeconds;
  }
}
