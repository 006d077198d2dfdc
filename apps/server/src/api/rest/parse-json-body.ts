// Lynx clients send JSON with no Content-Type or as text/plain (spec 1.1, appendix A), so every
// request body is read as JSON whatever its declared type.
import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../../aam/errors.js';
import { nulCharacterMessage, nulCharacterPath } from '../../aam/services/stored-values.js';

export function parseEveryBodyAsJson(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 8 * 1024 * 1024 }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      return done(new BadRequestError(`request body is not valid JSON: ${(err as Error).message}`), undefined);
    }
    const nul = nulCharacterPath(parsed);
    if (nul !== null) return done(new BadRequestError(nulCharacterMessage(nul)), undefined);
    done(null, parsed);
  });
}
