// Turns value payloads (spec 4.2) into time-series points (spec 4.3). It resolves only once the
// store has the point durably, which is what lets the bus hold a QoS 1 PUBACK until then.
import type { Logger } from 'pino';
import { parseValuePayload } from '@lynx/shared';
import { maxStoredTimestamp, type Point, type TimeSeriesStore } from '../../tsdb/types.js';
import type { BusMessage, ProcessorStats, StreamProcessor } from '../types.js';
import { createLogThrottle } from '../log-throttle.js';

export const defaultMaxValuePayloadBytes = 64 * 1024;

/**
 * Timestamps above this are taken as milliseconds: some publishers send `os.time()*1000` (spec 4.2),
 * and 1e11 seconds is the year 5138, so no real second-based timestamp is affected.
 */
const millisecondThreshold = 1e11;

export interface StorageProcessor extends StreamProcessor {
  /** Bad payloads so far, for one installation or in total. */
  rejected(installationId?: number): number;
  stats(): ProcessorStats;
}

export function createStorageProcessor(
  store: TimeSeriesStore,
  opts: { logger: Logger; maxPayloadBytes?: number },
): StorageProcessor {
  const maxBytes = opts.maxPayloadBytes ?? defaultMaxValuePayloadBytes;
  const throttle = createLogThrottle(opts.logger);
  const rejectedByInstallation = new Map<number, number>();
  // A count and one waiter rather than a set of promises: this runs per message on the ingest path.
  let inFlight = 0;
  let drained: { promise: Promise<void>; resolve: () => void } | undefined;
  const settled = () => {
    inFlight--;
    if (inFlight === 0 && drained) {
      drained.resolve();
      drained = undefined;
    }
  };
  let stored = 0;
  let rejectedTotal = 0;
  let ignored = 0;
  let failed = 0;

  function reject(message: BusMessage, reason: string): void {
    rejectedTotal++;
    rejectedByInstallation.set(message.installationId, (rejectedByInstallation.get(message.installationId) ?? 0) + 1);
    throttle.warn(
      `bad-payload:${message.installationId}`,
      { installationId: message.installationId, topic: message.topic, publisher: message.publisher, reason },
      'payload not stored: not a value payload',
    );
  }

  function handle(message: BusMessage): Promise<void> | void {
    // Events are free-form notifications (spec 4.5), not measurements: history stays values only.
    if (message.topic.startsWith('evt/')) {
      ignored++;
      return;
    }
    // An empty retained publish is how MQTT clears a retained message, not a malformed value.
    if (message.payload.length === 0 && message.retain) {
      ignored++;
      return;
    }
    const parsed = parseValuePayload(message.payload, maxBytes);
    if (!parsed.ok) {
      // The server's own non-value publishes are not a device misbehaving.
      if (message.publisher === null) ignored++;
      else reject(message, parsed.reason);
      return;
    }
    const timestamp = normalizeTimestamp(parsed.timestamp, message.receivedAt);
    if (timestamp > maxStoredTimestamp) {
      reject(message, `timestamp ${parsed.timestamp} is beyond the year 2255`);
      return;
    }
    const point: Point = {
      installationId: message.installationId,
      topic: message.topic,
      timestamp,
      value: parsed.value,
      msg: parsed.msg,
    };
    const appended = store.append([point]);
    inFlight++;
    return appended.then(
      () => {
        stored++;
        settled();
      },
      (err: unknown) => {
        failed++;
        settled();
        throw err;
      },
    );
  }

  async function flush(): Promise<void> {
    if (inFlight > 0) {
      if (!drained) {
        let resolve!: () => void;
        const promise = new Promise<void>((r) => (resolve = r));
        drained = { promise, resolve };
      }
      await drained.promise;
    }
    await store.flush();
  }

  return {
    name: 'storage',
    handle,
    flush,
    // The store belongs to whoever created it (the API reads from it too), so it is not closed here.
    close: flush,
    rejected(installationId?: number) {
      return installationId === undefined ? rejectedTotal : (rejectedByInstallation.get(installationId) ?? 0);
    },
    stats() {
      return {
        stored,
        rejected: rejectedTotal,
        ignored,
        failed,
        inFlight,
        rejectedByInstallation: Object.fromEntries(rejectedByInstallation),
      };
    },
  };
}

/** go-lynx omits a zero timestamp, so 0 means "not given" (spec 4.2): both become the receive time. */
function normalizeTimestamp(timestamp: number | undefined, receivedAt: number): number {
  if (timestamp === undefined || timestamp === 0) return receivedAt;
  return timestamp > millisecondThreshold ? timestamp / 1000 : timestamp;
}
