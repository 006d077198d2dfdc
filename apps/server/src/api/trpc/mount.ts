// Mounts the tRPC router at /trpc on the REST app's Fastify instance (same port, same auth).
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import type { FastifyInstance } from 'fastify';
import type { AppServices } from '../../services.js';
import { appRouter } from './router.js';

export async function mountTrpc(app: FastifyInstance, services: AppServices): Promise<void> {
  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: async ({ req }: { req: import('fastify').FastifyRequest }) => {
        const apiKey = req.headers['x-api-key'];
        const principal = await services.auth
          .authenticateRequest({ authorization: req.headers.authorization, apiKey: Array.isArray(apiKey) ? apiKey[0] : apiKey, agent: req.headers['user-agent'] })
          .catch(() => null);
        return { services, principal };
      },
    },
  });
}
