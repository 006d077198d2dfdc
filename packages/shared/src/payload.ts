// The MQTT value payload (spec 4.2): {value, timestamp, msg}. Extra fields are ignored; a missing
// timestamp means "now" at the receiver.
import { z } from 'zod';

export const valuePayloadSchema = z.object({
  value: z.number().refine(Number.isFinite, 'value must be a finite number'),
  timestamp: z.number().refine((t) => Number.isFinite(t) && t >= 0, 'timestamp must be non-negative Unix seconds').optional(),
  msg: z.string().optional(),
});
export type ValuePayload = z.infer<typeof valuePayloadSchema>;

export type PayloadParseResult =
  | { ok: true; value: number; timestamp: number | undefined; msg: string }
  | { ok: false; reason: string };

/**
 * Parses a raw MQTT payload without throwing. Hand-written rather than zod-first because it runs
 * for every message on the bus; the zod schema above documents the same rules for other callers.
 */
export function parseValuePayload(raw: Uint8Array | string, maxBytes: number): PayloadParseResult {
  const size = typeof raw === 'string' ? Buffer.byteLength(raw) : raw.byteLength;
  if (size > maxBytes) return { ok: false, reason: `payload of ${size} bytes exceeds the ${maxBytes}-byte limit` };
  let doc: unknown;
  try {
    doc = JSON.parse(typeof raw === 'string' ? raw : Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8'));
  } catch {
    return { ok: false, reason: 'payload is not JSON' };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return { ok: false, reason: 'payload is not a JSON object' };
  const { value, timestamp, msg } = doc as Record<string, unknown>;
  if (typeof value !== 'number' || !Number.isFinite(value)) return { ok: false, reason: 'value is missing or not a finite number' };
  if (timestamp !== undefined && timestamp !== null && (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || timestamp < 0)) {
    return { ok: false, reason: 'timestamp is not a non-negative number of Unix seconds' };
  }
  if (msg !== undefined && msg !== null && typeof msg !== 'string') return { ok: false, reason: 'msg is not a string' };
  return { ok: true, value, timestamp: typeof timestamp === 'number' ? timestamp : undefined, msg: typeof msg === 'string' ? msg : '' };
}
