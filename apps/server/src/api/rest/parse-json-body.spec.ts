import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { nulCharacterPath } from '../../aam/services/stored-values.js';
import { installErrorHandler } from './error-handler.js';
import { maxBodyDepth, nestedDeeperThan, parseEveryBodyAsJson } from './parse-json-body.js';

let app: FastifyInstance;
beforeEach(async () => {
  app = Fastify();
  parseEveryBodyAsJson(app);
  installErrorHandler(app);
  app.post('/echo', async (request) => ({ body: request.body ?? null }));
  await app.ready();
});
afterEach(async () => {
  await app.close();
});

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('request bodies', () => {
  it('are JSON whatever the content type', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'text/plain' }, payload: '{"a":[1]}' });
    expect(res.json()).toEqual({ body: { a: [1] } });
  });

  it(`may nest ${maxBodyDepth} levels and no more; far deeper ones are a 400, not a stack overflow`, async () => {
    expect((await app.inject({ method: 'POST', url: '/echo', payload: nested(maxBodyDepth) })).statusCode).toBe(200);
    for (const levels of [maxBodyDepth + 1, 200_000]) {
      const res = await app.inject({ method: 'POST', url: '/echo', payload: nested(levels) });
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toBe(`request body is nested deeper than ${maxBodyDepth} levels`);
    }
  });

  it('refuse NUL characters, naming where', async () => {
    const res = await app.inject({ method: 'POST', url: '/echo', payload: '{"meta":{"a":"x\\u0000"}}' });
    expect(res.statusCode).toBe(400);
    expect(res.json().message).toBe('invalid meta.a: NUL characters (\\u0000) are not allowed');
  });
});

describe('nestedDeeperThan and nulCharacterPath', () => {
  it('count levels of arrays and objects alike', () => {
    expect(nestedDeeperThan(1, 0)).toBe(false);
    expect(nestedDeeperThan({}, 1)).toBe(false);
    expect(nestedDeeperThan({ a: [] }, 1)).toBe(true);
    expect(nestedDeeperThan({ a: [{}], b: 'x' }, 3)).toBe(false);
    expect(nestedDeeperThan({ a: [{ b: [] }] }, 3)).toBe(true);
  });

  it('find the first NUL in document order, in keys too, at any depth', () => {
    expect(nulCharacterPath('a\u0000')).toBe('');
    expect(nulCharacterPath({ a: ['ok', 'b\u0000'], c: 'd\u0000' })).toBe('a.1');
    expect(nulCharacterPath({ a: { 'k\u0000': 1 } })).toBe('a.k\u0000');
    expect(nulCharacterPath({ a: 1, b: [null, true] })).toBeNull();
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(nulCharacterPath(deep)).toBe(Array(100_000).fill('0').join('.'));
  });
});
