// Binary key/value layout of the LevelDB store. Everything is big-endian so that LevelDB's bytewise
// order equals numeric order: one series' points over a time range are one contiguous key range.
//
//   meta       00 <ascii name>                                  -> u32
//   series     01 <sid u32>                                     -> <installationId f64> <topic utf8>
//   last       02 <sid u32>                                     -> <micros i64*> <value f64> <msg utf8>
//   count      03 <sid u32> <level u8> <block i32*>             -> rollup cell, starting with <count u48> (rollup.ts)
//                                                                  (levels: 10 s, minutes, 10 minutes, hours, days)
//   point      04 <sid u32> <micros i64*> <boot u32> <seq u32>  -> <value f64> <msg utf8>
//   horizon    05 <installationId f64>                          -> <raw micros i64*> <rollup micros i64*> (retention.ts)
//
// (*) signed integers are stored offset-binary (sign bit flipped) so negatives sort first.
// Timestamps are integer microseconds: a float64 Unix-seconds value with at most 6 decimals comes back
// bit-identical after `Math.round(ts * 1e6) / 1e6` for any date before 2106, which a float64 key could
// not promise across encoders. <boot, seq> makes keys of equal timestamps distinct, so no point is ever
// overwritten; boot is bumped and persisted on each open, so seq may restart at 0 in every process.

export const SPACE_META = 0x00;
export const SPACE_SERIES = 0x01;
export const SPACE_LAST = 0x02;
export const SPACE_COUNT = 0x03;
export const SPACE_POINT = 0x04;
export const SPACE_HORIZON = 0x05;

/**
 * Block sizes of the rollup cells (and count index), finest first: UTC 10 seconds, minutes, 10 minutes,
 * hours, days (the level byte of a key is the index here). Each divides the next. The 10-minute tier
 * halves the cells an aggregation reads for buckets of tens of minutes (what a 1,000-point chart of a
 * week or two asks for); the 10-second tier (format 4) means a bucket edge that is not on a minute reads
 * whole 10 s cells and raw points of at most one 10 s block, none when the interval is a multiple of
 * 10 s. Each tier costs one more cell put per series and batch.
 */
export const COUNT_BLOCK_MICROS = [10_000_000, 60_000_000, 600_000_000, 3_600_000_000, 86_400_000_000] as const;
/** Clamp for query bounds; keeps `hi + 1` and block arithmetic exact in float64. */
export const MAX_MICROS = 2 ** 53 - 2;
export const MIN_MICROS = -MAX_MICROS;

const TWO_32 = 2 ** 32;
const TWO_31 = 2 ** 31;

/** `|| 0` turns -0 into 0 so it encodes like 0. */
export function toMicros(seconds: number): number {
  return Math.round(seconds * 1e6) || 0;
}

export function fromMicros(micros: number): number {
  return micros / 1e6;
}

/** Query bound in microseconds, clamped to what the key encoding can represent. */
export function boundToMicros(seconds: number | undefined, fallback: number): number {
  if (seconds === undefined || Number.isNaN(seconds)) return fallback;
  const m = toMicros(seconds);
  return Math.min(MAX_MICROS, Math.max(MIN_MICROS, m));
}

export function timestampInRange(seconds: number): boolean {
  return Number.isFinite(seconds) && Math.abs(seconds * 1e6) <= MAX_MICROS;
}

/** Offset-binary signed 64-bit (as far as doubles reach), so bytewise order is numeric order. */
export function writeI64(buf: Buffer, off: number, v: number): void {
  const hi = Math.floor(v / TWO_32);
  buf.writeUInt32BE(hi + TWO_31, off);
  buf.writeUInt32BE(v - hi * TWO_32, off + 4);
}

export function readI64(buf: Buffer, off: number): number {
  return (buf.readUInt32BE(off) - TWO_31) * TWO_32 + buf.readUInt32BE(off + 4);
}

export function metaKey(name: string): Buffer {
  return Buffer.concat([Buffer.of(SPACE_META), Buffer.from(name, 'ascii')]);
}

export function encodeU32(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32BE(v, 0);
  return b;
}

export function sidKey(space: number, sid: number): Buffer {
  const b = Buffer.allocUnsafe(5);
  b[0] = space;
  b.writeUInt32BE(sid, 1);
  return b;
}

export function sidOfKey(key: Buffer): number {
  return key.readUInt32BE(1);
}

/** First and past-the-end keys of a whole keyspace. */
export function spaceRange(space: number): { gte: Buffer; lt: Buffer } {
  return { gte: Buffer.of(space), lt: Buffer.of(space + 1) };
}

/** Every key of one series in a per-series keyspace (points or counts). */
export function seriesRange(space: number, sid: number): { gte: Buffer; lt: Buffer } {
  return { gte: sidKey(space, sid), lt: sid + 1 < TWO_32 ? sidKey(space, sid + 1) : Buffer.of(space + 1) };
}

export function encodeSeries(installationId: number, topic: string): Buffer {
  const t = Buffer.from(topic, 'utf8');
  const b = Buffer.allocUnsafe(8 + t.length);
  b.writeDoubleBE(installationId, 0);
  t.copy(b, 8);
  return b;
}

export function decodeSeries(buf: Buffer): { installationId: number; topic: string } {
  return { installationId: buf.readDoubleBE(0), topic: buf.toString('utf8', 8) };
}

export function pointKey(sid: number, micros: number, boot: number, seq: number): Buffer {
  const b = Buffer.allocUnsafe(21);
  b[0] = SPACE_POINT;
  b.writeUInt32BE(sid, 1);
  writeI64(b, 5, micros);
  b.writeUInt32BE(boot, 13);
  b.writeUInt32BE(seq, 17);
  return b;
}

/** A 13-byte prefix sorts before every point key of that (sid, micros): usable as gte, and as lt for micros+1. */
export function pointBound(sid: number, micros: number): Buffer {
  const b = Buffer.allocUnsafe(13);
  b[0] = SPACE_POINT;
  b.writeUInt32BE(sid, 1);
  writeI64(b, 5, micros);
  return b;
}

export function microsOfPointKey(key: Buffer): number {
  return readI64(key, 5);
}

export function encodePointValue(value: number, msg: string): Buffer {
  if (msg.length === 0) {
    const b = Buffer.allocUnsafe(8);
    b.writeDoubleBE(value, 0);
    return b;
  }
  const len = Buffer.byteLength(msg, 'utf8');
  const b = Buffer.allocUnsafe(8 + len);
  b.writeDoubleBE(value, 0);
  b.write(msg, 8, 'utf8');
  return b;
}

export function valueOfPoint(buf: Buffer): number {
  return buf.readDoubleBE(0);
}

export function msgOfPoint(buf: Buffer): string {
  return buf.length > 8 ? buf.toString('utf8', 8) : '';
}

export interface LastValue {
  micros: number;
  value: number;
  msg: string;
}

export function encodeLast(last: LastValue): Buffer {
  const v = encodePointValue(last.value, last.msg);
  const b = Buffer.allocUnsafe(8 + v.length);
  writeI64(b, 0, last.micros);
  v.copy(b, 8);
  return b;
}

export function decodeLast(buf: Buffer): LastValue {
  return { micros: readI64(buf, 0), value: buf.readDoubleBE(8), msg: buf.length > 16 ? buf.toString('utf8', 16) : '' };
}

export function blockOf(micros: number, level: number): number {
  return Math.floor(micros / COUNT_BLOCK_MICROS[level]);
}

export function countKey(sid: number, level: number, block: number): Buffer {
  const b = Buffer.allocUnsafe(10);
  b[0] = SPACE_COUNT;
  b.writeUInt32BE(sid, 1);
  b[5] = level;
  b.writeUInt32BE(block + TWO_31, 6);
  return b;
}

export function blockOfCountKey(key: Buffer): number {
  return key.readUInt32BE(6) - TWO_31;
}

export function encodeCount(n: number): Buffer {
  const b = Buffer.allocUnsafe(6);
  b.writeUIntBE(n, 0, 6);
  return b;
}

export function decodeCount(buf: Buffer): number {
  return buf.readUIntBE(0, 6);
}
