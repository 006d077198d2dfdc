// The typed tRPC client. Types come from the server's router (type-only import); queries and
// mutations go batched over HTTP with X-API-Key, subscriptions over SSE with the token in
// connectionParams, because EventSource cannot send headers.
import type { AppRouter } from '@lynx/server/router';
import { createTRPCClient, httpBatchLink, httpSubscriptionLink, splitLink, TRPCClientError } from '@trpc/client';
import { createTRPCContext } from '@trpc/tanstack-react-query';
import type { inferRouterInputs, inferRouterOutputs } from '@trpc/server';

export type { AppRouter };
export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;

export const { TRPCProvider, useTRPC, useTRPCClient } = createTRPCContext<AppRouter>();

export function createClient(token: () => string | null) {
  return createTRPCClient<AppRouter>({
    links: [
      splitLink({
        condition: (op) => op.type === 'subscription',
        true: httpSubscriptionLink({
          url: '/trpc',
          connectionParams: () => {
            const t = token();
            return t ? { token: t } : {};
          },
        }),
        false: httpBatchLink({
          url: '/trpc',
          maxURLLength: 4000,
          headers: () => {
            const t = token();
            return t ? { 'X-API-Key': t } : {};
          },
        }),
      }),
    ],
  });
}

/** The tRPC error code of a failure (UNAUTHORIZED, BAD_REQUEST, …), if it came from the server. */
export function errorCode(error: unknown): string | undefined {
  if (error instanceof TRPCClientError) return (error.data as { code?: string } | undefined)?.code;
  return undefined;
}

/** The message to show for a failure: the server's own words when it gave some. */
export function errorMessage(error: unknown): string {
  if (error instanceof TRPCClientError) {
    if (!error.data && /fetch|network/i.test(error.message)) return 'The server cannot be reached. Check your connection and try again.';
    return error.message;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}
