// Errors thrown while a subscription streams happen after the procedure's middlewares returned, so
// trpc.ts's mapping does not see them: this gives them the same codes and messages.
import { TRPCError } from '@trpc/server';
import { AppError } from '../../aam/errors.js';

const codeFor: Record<number, TRPCError['code']> = { 400: 'BAD_REQUEST', 401: 'UNAUTHORIZED', 403: 'FORBIDDEN', 404: 'NOT_FOUND' };

export async function* mapStreamErrors<T>(stream: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    yield* stream;
  } catch (err) {
    if (err instanceof AppError) throw new TRPCError({ code: codeFor[err.status] ?? 'BAD_REQUEST', message: err.message, cause: err });
    throw err;
  }
}
