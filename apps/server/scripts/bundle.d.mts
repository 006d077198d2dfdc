// Types of bundle.mjs for the tests that build, copy and re-sign bundles.
export interface BundleManifest {
  name: 'lynx-server';
  version: string;
  builtAt: string;
  node: string;
  platform: string;
  entry: 'server.mjs';
  /** Relative path (with `/`) to sha256 hex, for every file of the bundle but manifest.json. */
  files: Record<string, string>;
}

export const externalPackages: string[];

/** Rewrites manifest.json from the files present; `version` also goes into the bundle's package.json. */
export function writeManifest(dir: string, opts?: { version?: string }): Promise<BundleManifest>;

/** Builds a bundle into `out` (default apps/server/bundle); needs the Prisma clients and apps/ui/dist built. */
export function buildBundle(opts?: { out?: string; version?: string; minify?: boolean }): Promise<{ dir: string; manifest: BundleManifest; packages: string[]; ms: number }>;
