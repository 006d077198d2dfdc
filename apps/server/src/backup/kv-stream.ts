// The archive's `.kv` entries: a LevelDB snapshot as length-prefixed records, so a restore can
// rebuild the store with any LevelDB version and can tell a complete stream from a cut one.
//
//   header   "LYNXKV" 0x00 0x01                      (8 bytes: magic + format version 1)
//   record   <key length u32 BE> <value length u32 BE> <key> <value>   (keys strictly increasing)
//   trailer  0xFFFFFFFF <record count u64 BE>        (and nothing after it)
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { once } from 'node:events';

const MAGIC = Buffer.from('LYNXKV\x00\x01', 'latin1');
const TRAILER_MARK = 0xffffffff;
/** Larger keys or values than this are treated as corruption (LevelDB entries here are tiny). */
const MAX_PART = 64 * 1024 * 1024;
const CHUNK = 256 * 1024;

export type KvEntry = [key: Buffer, value: Buffer];

/** A point-in-time view of a key/value store, read once and then closed. */
export interface KvSnapshot {
  entries(): AsyncIterable<KvEntry>;
  close(): Promise<void>;
}

export class KvFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KvFormatError';
  }
}

export interface KvWritten {
  size: number;
  sha256: string;
  count: number;
}

/** Encodes entries into one buffer (specs and small streams). */
export function encodeKv(entries: Iterable<KvEntry>): Buffer {
  const parts: Buffer[] = [MAGIC];
  let count = 0;
  for (const [key, value] of entries) {
    parts.push(recordHeader(key, value), key, value);
    count++;
  }
  parts.push(trailer(count));
  return Buffer.concat(parts);
}

function recordHeader(key: Buffer, value: Buffer): Buffer {
  if (key.length >= TRAILER_MARK || value.length >= TRAILER_MARK) throw new RangeError('key/value record too large');
  const h = Buffer.allocUnsafe(8);
  h.writeUInt32BE(key.length, 0);
  h.writeUInt32BE(value.length, 4);
  return h;
}

function trailer(count: number): Buffer {
  const t = Buffer.allocUnsafe(12);
  t.writeUInt32BE(TRAILER_MARK, 0);
  t.writeBigUInt64BE(BigInt(count), 4);
  return t;
}

/** Writes the stream to `file`; `onEntry` sees every entry (counting). */
export async function writeKvFile(file: string, entries: AsyncIterable<KvEntry>, onEntry?: (key: Buffer, value: Buffer) => void): Promise<KvWritten> {
  const out = createWriteStream(file, { flags: 'wx' });
  const hash = createHash('sha256');
  let size = 0;
  let count = 0;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  const push = async (buf: Buffer, force = false) => {
    pending.push(buf);
    pendingBytes += buf.length;
    if (pendingBytes < CHUNK && !force) return;
    const chunk = Buffer.concat(pending);
    pending = [];
    pendingBytes = 0;
    hash.update(chunk);
    size += chunk.length;
    if (!out.write(chunk)) await once(out, 'drain');
  };
  try {
    await push(MAGIC);
    for await (const [key, value] of entries) {
      onEntry?.(key, value);
      await push(recordHeader(key, value));
      await push(Buffer.from(key));
      await push(Buffer.from(value));
      count++;
    }
    await push(trailer(count), true);
    out.end();
    await once(out, 'finish');
  } catch (err) {
    out.destroy();
    throw err;
  }
  return { size, sha256: hash.digest('hex'), count };
}

/**
 * Decodes a stream of chunks, checking the header, record bounds, strictly increasing keys, the
 * trailer's count and that nothing follows it. Throws KvFormatError on any deviation.
 */
export async function* decodeKv(chunks: AsyncIterable<Buffer | string>): AsyncGenerator<KvEntry> {
  let buf: Buffer = Buffer.alloc(0);
  let pos = 0;
  let headerSeen = false;
  let count = 0;
  let previous: Buffer | undefined;
  let ended = false;
  const available = () => buf.length - pos;

  for await (const raw of chunks) {
    const chunk = typeof raw === 'string' ? Buffer.from(raw) : raw;
    if (ended) {
      if (chunk.length > 0) throw new KvFormatError('data after the end of the key/value stream');
      continue;
    }
    buf = pos < buf.length ? Buffer.concat([buf.subarray(pos), chunk]) : chunk;
    pos = 0;
    if (!headerSeen) {
      if (available() < MAGIC.length) continue;
      if (!buf.subarray(0, MAGIC.length).equals(MAGIC)) throw new KvFormatError('not a key/value stream (bad header)');
      pos = MAGIC.length;
      headerSeen = true;
    }
    while (available() >= 8) {
      const keyLen = buf.readUInt32BE(pos);
      if (keyLen === TRAILER_MARK) {
        if (available() < 12) break;
        const declared = buf.readBigUInt64BE(pos + 4);
        if (declared !== BigInt(count)) throw new KvFormatError(`key/value stream holds ${count} records, its trailer says ${declared}`);
        if (available() > 12) throw new KvFormatError('data after the end of the key/value stream');
        pos += 12;
        ended = true;
        break;
      }
      const valueLen = buf.readUInt32BE(pos + 4);
      if (keyLen === 0 || keyLen > MAX_PART || valueLen > MAX_PART) throw new KvFormatError(`bad record lengths (${keyLen}, ${valueLen}) after record ${count}`);
      if (available() < 8 + keyLen + valueLen) break;
      const key = Buffer.from(buf.subarray(pos + 8, pos + 8 + keyLen));
      const value = Buffer.from(buf.subarray(pos + 8 + keyLen, pos + 8 + keyLen + valueLen));
      pos += 8 + keyLen + valueLen;
      if (previous && Buffer.compare(previous, key) >= 0) throw new KvFormatError(`keys out of order at record ${count}`);
      previous = key;
      count++;
      yield [key, value];
    }
  }
  if (!headerSeen) throw new KvFormatError('not a key/value stream (too short)');
  if (!ended) throw new KvFormatError(`key/value stream cut short after ${count} records`);
}

export function readKvFile(file: string): AsyncGenerator<KvEntry> {
  return decodeKv(createReadStream(file, { highWaterMark: CHUNK }) as AsyncIterable<Buffer>);
}
