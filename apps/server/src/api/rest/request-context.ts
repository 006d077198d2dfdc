// Every HTTP request (REST and tRPC) runs in an audit request context (method, path, source
// address; authentication adds the user), so services can record trace entries without taking the
// request as an argument.
import type { FastifyInstance } from 'fastify';
import { runInRequestContext, type RequestContext } from '../../aam/request-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The context object itself, for hooks that add to it (authentication sets `userId`). */
    requestContext?: RequestContext;
  }
}

export function installRequestContext(app: FastifyInstance): void {
  // Callback style: the later hooks, body parsing (Fastify binds it to the current async context)
  // and the handler all start from `done`, inside the context. An async hook could only use
  // enterWith, which does not reach the hooks after it.
  app.addHook('onRequest', (request, _reply, done) => {
    const context: RequestContext = { method: request.method, path: request.url.split('?')[0], ip: request.ip };
    request.requestContext = context;
    runInRequestContext(context, done);
  });
}
