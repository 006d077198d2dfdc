import type { z } from 'zod';
import { BadRequestError } from '../errors.js';
import { nulCharacterMessage, nulCharacterPath } from './stored-values.js';

/** Parses a request body with a zod schema; the first problem becomes a 400 naming the field. */
export function parseInput<T extends z.ZodType>(schema: T, body: unknown): z.output<T> {
  const nul = nulCharacterPath(body);
  if (nul !== null) throw new BadRequestError(nulCharacterMessage(nul));
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new BadRequestError(`invalid ${issue.path.length ? issue.path.join('.') : 'body'}: ${issue.message}`);
}
