// Mounts the tRPC router at /trpc on the REST app's Fastify instance (same port, same auth).
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../services.js';
import { authenticateCaller } from '../rest/authenticate.js';
import { appRouter } from './router.js';

/** What a login that must change its password may still call, as REST's GET /user/me and PUT /user/me/password. */
const passwordChangeProcedures = new Set(['me', 'changeOwnPassword']);

/** Procedure names of a call: `/trpc/a,b?batch=1` → a, b. */
function procedureNames(url: string): string[] {
  const path = url.split('?')[0].replace(/^\/+trpc\/*/, '');
  try {
    return decodeURIComponent(path).split(',');
  } catch {
    return [];
  }
}

export async function mountTrpc(app: FastifyInstance, services: AppServices): Promise<void> {
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: async ({ req }: { req: import('fastify').FastifyRequest }) => {
        const apiKey = req.headers['x-api-key'];
        const names = procedureNames(req.url);
        const mayChangePassword = names.length > 0 && names.every((n) => passwordChangeProcedures.has(n));
        const principal = await authenticateCaller(
          { auth: services.auth, gateways: services.gateways },
          { authorization: req.headers.authorization, apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey, ip: req.ip, agent: req.headers['user-agent'] },
          { accepts: mayChangePassword ? ['password-change'] : [] },
        ).catch(() => null);
        return { services, principal, origin: { protocol: req.protocol, host: req.headers.host } };
      },
    },
  });
}
