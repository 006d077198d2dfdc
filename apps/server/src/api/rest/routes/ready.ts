import type { FastifyInstance } from 'fastify';

/** What the node's readiness (cluster/readiness.ts) offers the API; structural, so no import. */
export interface ReadinessSource {
  check(): Promise<{ ready: boolean; node: string; checks: Record<string, string> }>;
  /** Why writes are refused right now, or null; no I/O, read on every request. */
  refusal(): string | null;
}

const readOnly = new Set(['GET', 'HEAD', 'OPTIONS']);

/** `GET /api/v2/ready`: 200 when every store answers, else 503 naming the failing checks (load balancers). */
export function registerReadinessRoutes(app: FastifyInstance, readiness: ReadinessSource): void {
  app.get('/api/v2/ready', { config: { public: true }, schema: { summary: 'Readiness: database (and Redis in a cluster) reachable', tags: ['health'] } }, async (_request, reply) => {
    const report = await readiness.check();
    return reply.status(report.ready ? 200 : 503).send(report);
  });
}

/**
 * A node whose stores are away answers writes with 503 rather than taking what it may not keep; a
 * client (or the load balancer) retries on another node. Reads still answer from what is reachable.
 */
export function installWriteGate(app: FastifyInstance, readiness: ReadinessSource): void {
  app.addHook('onRequest', async (request, reply) => {
    if (readOnly.has(request.method)) return;
    const refusal = readiness.refusal();
    if (refusal) return reply.status(503).header('retry-after', '1').send({ message: `this node cannot take writes now: ${refusal}` });
  });
}
