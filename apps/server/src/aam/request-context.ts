// Where the current call came from, carried through async calls so services can record an audit
// entry (path, method, source address, user) without every signature taking a request.
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  method: string;
  path: string;
  ip: string;
  /** Set once the caller is authenticated. */
  userId?: number;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runInRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** Enters a context for the rest of the current async flow (Fastify hooks cannot wrap `next`). */
export function enterRequestContext(context: RequestContext): void {
  storage.enterWith(context);
}

export function currentRequest(): RequestContext | undefined {
  return storage.getStore();
}
