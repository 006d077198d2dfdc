// The .tar.gz container: packed from a staging folder, unpacked into an empty folder accepting only
// regular files and folders at the paths a backup can hold (no links, nothing outside the folder).
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { create, extract, list } from 'tar';
import { isEntryPath, MANIFEST_NAME } from './manifest.js';

export async function packArchive(file: string, stagingDir: string, paths: string[]): Promise<void> {
  await create({ gzip: true, file, cwd: stagingDir, portable: true, noDirRecurse: true }, paths);
}

function allowedPath(path: string): boolean {
  const p = path.replace(/\/+$/, '');
  return p === MANIFEST_NAME || p === 'files' || /^files\/[0-9a-f]{2}$/.test(p) || isEntryPath(p);
}

/**
 * Unpacks into `dir`; throws with a clear reason for damaged or foreign archives. The whole archive
 * is read once without writing anything first: an extraction failing half way would leave writes
 * still in flight behind its rejection.
 */
export async function unpackArchive(file: string, dir: string): Promise<void> {
  const refused: string[] = [];
  try {
    await list({
      file,
      strict: true,
      onReadEntry: (entry) => {
        if (!((entry.type === 'File' || entry.type === 'Directory') && allowedPath(entry.path))) refused.push(`${entry.path} (${entry.type})`);
      },
    });
  } catch (err) {
    throw new Error(`the archive is damaged or not a .tar.gz: ${(err as Error).message}`);
  }
  if (refused.length) throw new Error(`the archive holds entries a backup never has: ${refused.slice(0, 3).join(', ')}`);
  try {
    await extract({ file, cwd: dir, strict: true, noChmod: true, preserveOwner: false, filter: (path) => allowedPath(path) });
  } catch (err) {
    throw new Error(`the archive cannot be unpacked: ${(err as Error).message}`);
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
