// Lynx clients send JSON with no Content-Type or as text/plain (spec 1.1, appendix A), so every
// request body is read as JSON whatever its declared type.
import type { FastifyInstance } from 'fastify';
import { BadRequestError } from '../../aam/errors.js';
import { nulCharacterMessage, nulCharacterPath } from '../../aam/services/stored-values.js';

/**
 * Lynx bodies are a few levels deep (meta maps, addresses, app configurations); far deeper ones
 * are refused here so no handler, validator or log line has to walk them.
 */
export const maxBodyDepth = 128;

/** Whether arrays and objects nest more than `limit` levels; walks with its own stack. */
export function nestedDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length) {
    const [current, depth] = stack.pop()!;
    if (typeof current !== 'object' || current === null) continue;
    if (depth >= limit) return true;
    for (const child of Object.values(current)) if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
  }
  return false;
}

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
    if (nestedDeeperThan(parsed, maxBodyDepth)) return done(new BadRequestError(`request body is nested deeper than ${maxBodyDepth} levels`), undefined);
    const nul = nulCharacterPath(parsed);
    if (nul !== null) return done(new BadRequestError(nulCharacterMessage(nul)), undefined);
    done(null, parsed);
  });
}
