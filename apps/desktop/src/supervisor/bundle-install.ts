// Installed server versions live in <dataDir>/server/versions/<version>/, each a verified copy of a
// bundle folder; <dataDir>/server/current names the one to run and `previous` the one before it,
// which is kept so an upgrade can go back to it.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { cp, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';

const manifestSchema = z.object({
  name: z.string(),
  version: z.string().regex(/^\d[0-9A-Za-z.+-]*$/, 'not a version'),
  entry: z.string().min(1),
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
});

export type BundleManifest = z.infer<typeof manifestSchema>;

export class BundleError extends Error {
  readonly code = 'BAD_BUNDLE';
}

export async function readManifest(bundleDir: string): Promise<BundleManifest> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(join(bundleDir, 'manifest.json'), 'utf8'));
  } catch (err) {
    throw new BundleError(`${bundleDir} is not a server bundle: cannot read manifest.json (${(err as Error).message})`);
  }
  const parsed = manifestSchema.safeParse(json);
  if (!parsed.success) throw new BundleError(`${bundleDir}/manifest.json is invalid: ${parsed.error.issues[0].path.join('.')} ${parsed.error.issues[0].message}`);
  if (!(parsed.data.entry in parsed.data.files)) throw new BundleError(`${bundleDir}/manifest.json does not list its entry ${parsed.data.entry}`);
  return parsed.data;
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/** Files that are missing or differ from the manifest (empty when the bundle is intact). */
export async function bundleProblems(bundleDir: string, manifest?: BundleManifest): Promise<string[]> {
  const m = manifest ?? (await readManifest(bundleDir));
  const problems: string[] = [];
  for (const [rel, expected] of Object.entries(m.files)) {
    if (rel.split(/[\\/]/).includes('..')) {
      problems.push(`${rel}: path leaves the bundle`);
      continue;
    }
    try {
      if ((await sha256(join(bundleDir, rel))) !== expected) problems.push(`${rel}: checksum differs`);
    } catch {
      problems.push(`${rel}: missing`);
    }
  }
  return problems;
}

export async function verifyBundle(bundleDir: string): Promise<BundleManifest> {
  const manifest = await readManifest(bundleDir);
  const problems = await bundleProblems(bundleDir, manifest);
  if (problems.length) throw new BundleError(`server bundle ${manifest.version} in ${bundleDir} is damaged: ${problems.slice(0, 3).join('; ')}${problems.length > 3 ? ` and ${problems.length - 3} more` : ''}`);
  return manifest;
}

/** Compares dotted versions numerically ("0.10.0" > "0.9.1"); a pre-release sorts before its release. */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = a.split('-', 2);
  const [coreB, preB] = b.split('-', 2);
  const pa = coreA.split('.').map((n) => Number.parseInt(n, 10) || 0);
  const pb = coreB.split('.').map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (preA === preB) return 0;
  if (preA === undefined) return 1;
  if (preB === undefined) return -1;
  return preA < preB ? -1 : 1;
}

export class BundleInstall {
  readonly root: string;

  constructor(dataDir: string) {
    this.root = join(dataDir, 'server');
  }

  versionDir(version: string): string {
    return join(this.root, 'versions', version);
  }

  async current(): Promise<string | null> {
    return this.readPointer('current');
  }

  async previous(): Promise<string | null> {
    return this.readPointer('previous');
  }

  /** Copies a bundle folder in and verifies the copy against the manifest; returns the manifest. */
  async install(sourceDir: string): Promise<BundleManifest> {
    // Verified once, as the copy: a damaged source fails there just the same.
    const manifest = await readManifest(sourceDir);
    const target = this.versionDir(manifest.version);
    const installed = await readManifest(target).catch(() => null);
    if (installed && installed.version === manifest.version && (await bundleProblems(target, installed)).length === 0) return manifest;
    await mkdir(join(this.root, 'versions'), { recursive: true });
    // Copy beside, then rename: a half-copied version folder never carries a real version name.
    const staging = join(this.root, 'versions', `.staging-${manifest.version}-${process.pid}-${Date.now()}`);
    try {
      await cp(sourceDir, staging, { recursive: true, verbatimSymlinks: true });
      await verifyBundle(staging);
      await rm(target, { recursive: true, force: true });
      await rename(staging, target);
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
    return manifest;
  }

  /** Makes `version` the one to run and remembers the one it replaces. */
  async switchTo(version: string): Promise<void> {
    const old = await this.current();
    if (old && old !== version) await this.writePointer('previous', old);
    await this.writePointer('current', version);
  }

  /** Puts both pointers back as they were (after a rolled-back upgrade). */
  async setPointers(current: string, previous: string | null): Promise<void> {
    if (previous) await this.writePointer('previous', previous);
    else await rm(join(this.root, 'previous'), { force: true });
    await this.writePointer('current', current);
  }

  /** Removes versions other than current and previous. */
  async prune(): Promise<void> {
    const keep = new Set([await this.current(), await this.previous()]);
    const entries = await readdir(join(this.root, 'versions')).catch(() => [] as string[]);
    for (const name of entries) if (!keep.has(name)) await rm(join(this.root, 'versions', name), { recursive: true, force: true });
  }

  private async readPointer(name: string): Promise<string | null> {
    try {
      const version = (await readFile(join(this.root, name), 'utf8')).trim();
      if (!version) return null;
      await stat(join(this.versionDir(version), 'manifest.json'));
      return version;
    } catch {
      return null;
    }
  }

  private async writePointer(name: string, version: string): Promise<void> {
    await mkdir(this.root, { recursive: true });
    const tmp = join(this.root, `.${name}.${process.pid}.tmp`);
    await writeFile(tmp, `${version}\n`);
    await rename(tmp, join(this.root, name));
  }
}
