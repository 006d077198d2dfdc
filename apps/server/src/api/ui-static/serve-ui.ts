// Serves the admin UI's built files (apps/ui/dist) at `/` on the API's port: hashed assets cached
// for a year, index.html revalidated every time, and every other GET path that no API route claims
// answered with index.html so client-side routes survive a reload.
import { stat } from 'node:fs/promises';
import { resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { contentSecurityPolicy, missingUiPage } from './ui-headers.js';

// True only inside the server bundle (esbuild `define`, scripts/bundle.mjs), which carries ui/ beside its entry.
declare const LYNX_BUNDLED: boolean | undefined;

/** src/api/ui-static and dist/api/ui-static sit four levels below the repository's apps/ folder. */
export const defaultUiDir = fileURLToPath(
  new URL(typeof LYNX_BUNDLED !== 'undefined' && LYNX_BUNDLED ? './ui/' : '../../../../ui/dist/', import.meta.url),
);

/** Paths the UI never answers, so an unknown API path still gets the API's own 404. */
const reservedPrefixes = ['/api', '/trpc', '/docs', '/mqtt'];

export interface ServeUiOptions {
  /** Folder with index.html and assets/; defaults to the sibling apps/ui/dist. */
  dir?: string;
}

function isReserved(path: string): boolean {
  return reservedPrefixes.some((p) => path === p || path.startsWith(`${p}/`));
}

/** A regular file inside `root`, or null; `..` segments cannot leave the folder. */
async function fileInside(root: string, urlPath: string): Promise<string | null> {
  const full = resolve(root, `.${urlPath}`);
  if (full !== root && !full.startsWith(root + sep)) return null;
  const info = await stat(full).catch(() => null);
  return info?.isFile() ? full.slice(root.length + 1) : null;
}

function securityHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('content-security-policy', contentSecurityPolicy)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('x-frame-options', 'DENY');
}

export async function serveUi(app: FastifyInstance, opts: ServeUiOptions = {}): Promise<void> {
  const root = resolve(opts.dir ?? defaultUiDir);
  await app.register(async (scope) => {
    // Only the reply.sendFile decoration: routing stays here, so API paths are never shadowed.
    await scope.register(fastifyStatic, { root, serve: false });

    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      let path: string;
      try {
        path = decodeURIComponent(request.url.split('?')[0]).replace(/\/{2,}/g, '/');
      } catch {
        return reply.callNotFound();
      }
      if (isReserved(path) || path.includes('\u0000')) return reply.callNotFound();
      securityHeaders(reply);
      if (!(await fileInside(root, '/index.html'))) {
        return reply.status(503).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(missingUiPage(root));
      }
      const file = path === '/' ? null : await fileInside(root, path);
      if (file && file !== 'index.html') {
        // Vite puts content hashes in the names under assets/: a changed file is a new name.
        const hashed = file.startsWith(`assets${sep}`);
        reply.header('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
        return reply.sendFile(file, root, { cacheControl: false });
      }
      // A missing asset is a 404, not the app: a stale page must not get HTML for its script.
      if (path.startsWith('/assets/')) return reply.callNotFound();
      reply.header('cache-control', 'no-cache');
      return reply.type('text/html; charset=utf-8').sendFile('index.html', root, { cacheControl: false });
    };
    scope.get('/', { schema: { hide: true } }, handler);
    scope.get('/*', { schema: { hide: true } }, handler);
  });
}

