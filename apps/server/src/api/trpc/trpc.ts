// tRPC building blocks for the admin UI. Procedures only translate: they call the same services as
// REST, and AppErrors become TRPCErrors with the matching code.
import { initTRPC, TRPCError } from '@trpc/server';
import { ZodError } from 'zod';
import { AppError } from '../../aam/errors.js';
import type { Principal } from '../../aam/principal.js';
import { currentRequest, runInRequestContext } from '../../aam/request-context.js';
import type { AppServices } from '../../services.js';

export interface TrpcContext {
  services: AppServices;
  /** null when the request carried no valid credentials; protected procedures refuse it. */
  principal: Principal | null;
  /** How the caller reached the server (Host header), for addresses handed to gateways. */
  origin?: { protocol: string; host: string | undefined };
}

// Stack traces stay in the server log, never in responses.
const t = initTRPC.context<TrpcContext>().create({ isDev: false });

const codeFor: Record<number, TRPCError['code']> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  429: 'TOO_MANY_REQUESTS',
  503: 'SERVICE_UNAVAILABLE',
};

const mapErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok) {
    const cause = result.error.cause;
    if (cause instanceof AppError) throw new TRPCError({ code: codeFor[cause.status] ?? 'BAD_REQUEST', message: cause.message, cause });
    if (cause instanceof ZodError) throw new TRPCError({ code: 'BAD_REQUEST', message: cause.issues[0]?.message ?? 'invalid input', cause });
  }
  return result;
});

// Each procedure (a batch holds several) runs in its own audit context named `/trpc/<procedure>`,
// inside the HTTP request's; callers without HTTP (createCaller) get one too.
const requestContext = t.middleware(({ ctx, path, type, next }) => {
  const http = currentRequest();
  const method = http?.method ?? (type === 'query' ? 'GET' : 'POST');
  return runInRequestContext({ method, path: `/trpc/${path}`, ip: http?.ip ?? '', userId: ctx.principal?.userId }, () => next());
});

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure.use(requestContext).use(mapErrors);
export const protectedProcedure = publicProcedure.use(({ ctx, next }) => {
  if (!ctx.principal) throw new TRPCError({ code: 'UNAUTHORIZED', message: 'Unauthorized' });
  return next({ ctx: { ...ctx, principal: ctx.principal } });
});
