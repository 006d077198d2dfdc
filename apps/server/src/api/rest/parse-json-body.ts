// Lynx clients send JSON with no Content-Type or as text/plain (spec 1.1, appendix A), so every
// request body is read as JSON whatever its declared type.
import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../../aam/errors.js';

export function parseEveryBodyAsJson(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 8 * 1024 * 1024 }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch (err) {
      done(new BadRequestError(`request body is not valid JSON: ${(err as Error).message}`), undefined);
    }
  });
}
