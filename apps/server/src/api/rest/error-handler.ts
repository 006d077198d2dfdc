// Every failure leaves as `{message}` with a 4xx status naming the problem; a 500 means a bug and
// is logged with its stack, while the client only sees a generic message.
import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { AppError } from '../../aam/errors.js';

export function describeZodError(err: ZodError): string {
  const issue = err.issues[0];
  const where = issue.path.length ? issue.path.join('.') : 'body';
  return `invalid ${where}: ${issue.message}`;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (err instanceof AppError) return reply.status(err.status).send({ message: err.message });
    if (err instanceof ZodError) return reply.status(400).send({ message: describeZodError(err) });
    const status = (err as FastifyError).statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      return reply.status(status).send({ message: err.message });
    }
    request.log.error({ err }, 'unhandled error in REST handler');
    return reply.status(500).send({ message: 'Internal Server Error' });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ message: `no such endpoint: ${request.method} ${request.url.split('?')[0]}` });
  });
}
