// Content-addressed file bytes under <dataDir>/files/<first 2 hex>/<sha256>. A blob is written to a
// temporary file, fsynced and renamed into place, so a crash leaves either the whole blob or none;
// rows in StoredFile name blobs by hash, and a blob goes when no row references it any more.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

const hashPattern = /^[0-9a-f]{64}$/;

export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Where FilesService keeps the bytes: this folder on a single node, PostgreSQL in a cluster
 * (cluster/pg-blob-store.ts). `put` and `delete` run inside `withLock` of their hash, which
 * serializes them with the SQL rows' changes, so a delete cannot race a new upload of the same bytes.
 */
export interface BlobStore {
  /** Runs `fn` while no other locked operation on this hash runs. */
  withLock<T>(hash: string, fn: () => Promise<T>): Promise<T>;
  exists(hash: string): Promise<boolean>;
  /** Stores the bytes unless that blob exists already; call inside {@link withLock}. */
  put(hash: string, data: Buffer): Promise<void>;
  read(hash: string): Readable;
  /** Call inside {@link withLock}, after checking that no row references the hash. */
  delete(hash: string): Promise<void>;
  /** Removes blobs not in `candidates` for which `isReferenced` says no (under the hash's lock). */
  sweep(candidates: ReadonlySet<string>, isReferenced: (hash: string) => Promise<boolean>, tmpAgeMs: number): Promise<number>;
}

export class FileBlobStore implements BlobStore {
  /** One chain of operations per hash, so a delete cannot race a new upload of the same bytes. */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(readonly root: string) {}

  path(hash: string): string {
    if (!hashPattern.test(hash)) throw new Error(`not a sha256 hash: ${hash}`);
    return join(this.root, hash.slice(0, 2), hash);
  }

  /** Runs `fn` while no other locked operation on this hash runs. */
  async withLock<T>(hash: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(hash) ?? Promise.resolve();
    const run = previous.then(fn, fn);
    const settled = run.catch(() => {});
    this.locks.set(hash, settled);
    try {
      return await run;
    } finally {
      if (this.locks.get(hash) === settled) this.locks.delete(hash);
    }
  }

  async exists(hash: string): Promise<boolean> {
    try {
      return (await stat(this.path(hash))).isFile();
    } catch {
      return false;
    }
  }

  /** Stores the bytes unless that blob exists already; call inside {@link withLock}. */
  async put(hash: string, data: Buffer): Promise<void> {
    if (await this.exists(hash)) return;
    const dir = join(this.root, hash.slice(0, 2));
    await mkdir(dir, { recursive: true });
    const tmp = join(dir, `.tmp-${hash}-${randomBytes(6).toString('hex')}`);
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(tmp, this.path(hash));
    } catch (err) {
      await rm(tmp, { force: true });
      throw err;
    }
    // The rename itself is durable only once the folder is synced.
    const dirHandle = await open(dir, 'r');
    try {
      await dirHandle.sync();
    } finally {
      await dirHandle.close();
    }
  }

  read(hash: string): ReadStream {
    return createReadStream(this.path(hash));
  }

  /** Call inside {@link withLock}, after checking that no row references the hash. */
  async delete(hash: string): Promise<void> {
    await rm(this.path(hash), { force: true });
  }

  /**
   * Removes blobs no row references and temporary files a crash left behind (at start-up, and
   * after deletes that cascaded in SQL: forced organization or installation deletes).
   * `candidates` is a quick pre-filter; `isReferenced` decides under the hash's lock, so an upload
   * of the same bytes that commits meanwhile keeps its blob. Temporary files are only removed when
   * older than `tmpAgeMs` (0 at start-up, when no upload is in flight).
   */
  async sweep(candidates: ReadonlySet<string>, isReferenced: (hash: string) => Promise<boolean>, tmpAgeMs: number): Promise<number> {
    let removed = 0;
    let dirs: string[];
    try {
      dirs = await readdir(this.root);
    } catch {
      return 0;
    }
    for (const dir of dirs) {
      if (!/^[0-9a-f]{2}$/.test(dir)) continue;
      for (const name of await readdir(join(this.root, dir))) {
        const path = join(this.root, dir, name);
        if (name.startsWith('.tmp-')) {
          const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
          if (age >= tmpAgeMs) {
            await rm(path, { force: true });
            removed++;
          }
        } else if (hashPattern.test(name) && !candidates.has(name)) {
          const gone = await this.withLock(name, async () => {
            if (await isReferenced(name)) return false;
            await rm(path, { force: true });
            return true;
          });
          if (gone) removed++;
        }
      }
    }
    return removed;
  }
}
