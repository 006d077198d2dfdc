import type { FastifyInstance } from 'fastify';

export function registerPingRoutes(app: FastifyInstance): void {
  app.get('/api/v2/ping', { config: { public: true }, schema: { summary: 'Liveness check', tags: ['health'] } }, async () => ({ message: 'pong' }));
}
