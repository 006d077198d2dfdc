// A misbehaving device can publish thousands of bad messages a second; logging each one would turn
// a device bug into a disk-full incident. One line per key per window keeps the signal and reports
// how much was left out.
import type { Logger } from 'pino';

export interface LogThrottle {
  /** Logs at most once per key per window; later calls within the window are only counted. */
  warn(key: string, fields: Record<string, unknown>, message: string): void;
}

export function createLogThrottle(logger: Logger, windowMs = 10_000, maxKeys = 10_000): LogThrottle {
  const windows = new Map<string, { until: number; suppressed: number }>();
  return {
    warn(key, fields, message) {
      const now = Date.now();
      const entry = windows.get(key);
      if (entry && now < entry.until) {
        entry.suppressed++;
        return;
      }
      // Keys are per installation or per client; an unbounded map would be its own leak.
      if (!entry && windows.size >= maxKeys) {
        for (const [k, w] of windows) if (now >= w.until) windows.delete(k);
        if (windows.size >= maxKeys) windows.clear();
      }
      const suppressed = entry?.suppressed ?? 0;
      windows.set(key, { until: now + windowMs, suppressed: 0 });
      logger.warn(suppressed > 0 ? { ...fields, suppressed } : fields, message);
    },
  };
}
