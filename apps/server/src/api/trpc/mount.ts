// Mounts the tRPC router at /trpc on the REST app's Fastify instance (same port, same auth).
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppServices } from '../../services.js';
import { authenticateCaller } from '../rest/authenticate.js';

/** What a login that must change its password may still call, as REST's GET /user/me and PUT /user/me/password. */
const passwordChangeProcedures = new Set(['me', 'changeOwnPassword']);

/** The token a subscription sent in connectionParams (`token`, or `apiKey` as the header is named). */
function connectionToken(params: Record<string, string | undefined> | null | undefined): string | undefined {
  const value = params?.token ?? params?.apiKey;
  return typeof value === 'string' && value ? value : undefined;
}

/** Procedure names of a call: `/trpc/a,b?batch=1` → a, b. */
function procedureNames(url: string): string[] {
  const path = url.split('?')[0].replace(/^\/+trpc\/*/, '');
  try {
    return decodeURIComponent(path).split(',');
  } catch {
    return [];
  }
}

/** tRPC's Fastify handler and the router, loaded on the first call (see `mountTrpc`). */
let handlerModules: Promise<[typeof import('@trpc/server/adapters/fastify'), typeof import('./router.js')]> | undefined;
function loadHandler() {
  return (handlerModules ??= Promise.all([import('@trpc/server/adapters/fastify'), import('./router.js')]));
}

/**
 * The same routes tRPC's Fastify plugin registers (`/trpc/:path`, JSON and multipart bodies left
 * raw for tRPC to parse), but the router (a module per procedure) and the adapter load on the first
 * call: about a hundred modules the server does not need before it is ready.
 */
export async function mountTrpc(app: FastifyInstance, services: AppServices): Promise<void> {
  // Open subscriptions (SSE) would keep the HTTP server from closing: end them first.
  app.addHook('preClose', async () => services.live?.close());
  const trpcOptions = {
    createContext: async ({ req, info }: { req: FastifyRequest; info?: { connectionParams?: Record<string, string | undefined> | null } }) => {
      // EventSource (SSE subscriptions) cannot send headers: the UI passes its token in connectionParams.
      const headerKey = req.headers['x-api-key'];
      const apiKey = (Array.isArray(headerKey) ? headerKey[0] : headerKey) ?? connectionToken(info?.connectionParams);
      const names = procedureNames(req.url);
      const mayChangePassword = names.length > 0 && names.every((n) => passwordChangeProcedures.has(n));
      const principal = await authenticateCaller(
        { auth: services.auth, gateways: services.gateways },
        { authorization: req.headers.authorization, apiKey, ip: req.ip, agent: req.headers['user-agent'] },
        { accepts: mayChangePassword ? ['password-change'] : [] },
      ).catch(() => null);
      return { services, principal, origin: { protocol: req.protocol, host: req.headers.host } };
    },
  };
  await app.register(
    async (scope) => {
      const raw = (_req: FastifyRequest, body: unknown, done: (err: null, body: unknown) => void) => done(null, body);
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser('application/json', { parseAs: 'string' }, raw);
      scope.removeContentTypeParser('multipart/form-data');
      scope.addContentTypeParser('multipart/form-data', {}, raw);
      scope.all('/:path', async (req: FastifyRequest<{ Params: { path: string } }>, res: FastifyReply) => {
        const [{ fastifyRequestHandler }, { appRouter }] = await loadHandler();
        await fastifyRequestHandler({ ...trpcOptions, router: appRouter, req, res, path: req.params.path });
      });
    },
    { prefix: '/trpc' },
  );
}
