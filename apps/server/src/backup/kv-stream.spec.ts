import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeKv, encodeKv, KvFormatError, readKvFile, writeKvFile, type KvEntry } from './kv-stream.js';

const entries: KvEntry[] = Array.from({ length: 300 }, (_, i) => [Buffer.from(`key-${String(i).padStart(4, '0')}`), Buffer.alloc(i % 7, i)]);

async function decodeAll(chunks: Buffer[]): Promise<KvEntry[]> {
  const out: KvEntry[] = [];
  for await (const e of decodeKv((async function* () {
    yield* chunks;
  })())) out.push(e);
  return out;
}

/** The same bytes cut into chunks of `size`, as a file stream would deliver them. */
function chunked(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

let dir: string | undefined;
afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('kv stream', () => {
  it('round-trips entries whatever the chunking', async () => {
    const bytes = encodeKv(entries);
    for (const size of [7, 64, bytes.length]) expect(await decodeAll(chunked(bytes, size))).toEqual(entries);
    expect(await decodeAll(chunked(encodeKv(entries.slice(0, 9)), 1))).toEqual(entries.slice(0, 9));
    expect(await decodeAll([encodeKv([])])).toEqual([]);
  });

  it('writes files the decoder reads back, with size, checksum and count', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lynx-kv-'));
    const file = join(dir, 'a.kv');
    const seen: string[] = [];
    const written = await writeKvFile(file, (async function* () {
      yield* entries;
    })(), (k) => seen.push(k.toString()));
    const bytes = encodeKv(entries);
    expect(written).toMatchObject({ size: bytes.length, count: entries.length });
    expect(seen).toHaveLength(entries.length);
    const back: KvEntry[] = [];
    for await (const e of readKvFile(file)) back.push(e);
    expect(back).toEqual(entries);
    await writeFile(join(dir, 'b.kv'), bytes.subarray(0, bytes.length - 1));
    await expect(async () => {
      for await (const _ of readKvFile(join(dir!, 'b.kv'))) void _;
    }).rejects.toThrow(KvFormatError);
  });

  it('refuses every truncation, a bad header, trailing data, a wrong count and unordered keys', async () => {
    const bytes = encodeKv(entries.slice(0, 5));
    for (let cut = 0; cut < bytes.length; cut++) await expect(decodeAll([bytes.subarray(0, cut)])).rejects.toThrow(KvFormatError);
    const badHeader = Buffer.from(bytes);
    badHeader[0] ^= 1;
    await expect(decodeAll([badHeader])).rejects.toThrow(/bad header/);
    await expect(decodeAll([bytes, Buffer.of(0)])).rejects.toThrow(/after the end/);
    const badCount = Buffer.from(bytes);
    badCount[badCount.length - 1] ^= 1;
    await expect(decodeAll([badCount])).rejects.toThrow(/trailer says/);
    await expect(decodeAll([encodeKv([entries[1], entries[0]])])).rejects.toThrow(/out of order/);
    await expect(decodeAll([encodeKv([entries[0], entries[0]])])).rejects.toThrow(/out of order/);
  });
});
