// What every time-series backend shares at its edge: the check of a point before it is queued,
// and the error of a closed store (one class, so callers can test for it whatever the backend).
import { timestampInRange } from './keys.js';
import type { Point } from './types.js';

export class StoreClosedError extends Error {
  readonly code = 'TSDB_CLOSED';
  constructor() {
    super('time-series store is closed');
    this.name = 'StoreClosedError';
  }
}

export function assertPoint(p: Point): void {
  if (!p || typeof p !== 'object') throw new TypeError('tsdb: point must be an object');
  if (typeof p.installationId !== 'number' || !Number.isSafeInteger(p.installationId)) {
    throw new TypeError(`tsdb: installationId must be an integer, got ${String(p.installationId)}`);
  }
  if (typeof p.topic !== 'string' || p.topic.length === 0) throw new TypeError('tsdb: topic must be a non-empty string');
  if (typeof p.timestamp !== 'number' || !timestampInRange(p.timestamp)) {
    throw new TypeError(`tsdb: timestamp out of range: ${String(p.timestamp)}`);
  }
  if (typeof p.value !== 'number' || !Number.isFinite(p.value)) {
    throw new TypeError(`tsdb: value must be a finite number, got ${String(p.value)}`);
  }
  if (p.msg != null && typeof p.msg !== 'string') throw new TypeError('tsdb: msg must be a string');
}
