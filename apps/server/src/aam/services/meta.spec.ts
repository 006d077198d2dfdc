import { describe, expect, it } from 'vitest';
import { BadRequestError, ForbiddenError, NotFoundError } from '../errors.js';
import type { MetaRow } from '../repositories/meta.js';
import { metaForReplace, metaMapInputSchema, parseMetaObject, planMetaDelete, planMetaWrite, readMetaKey, toMetaMaps } from './meta.js';

const all = { view: true, edit: true };
const none = { view: false, edit: false };
const editOnly = { view: false, edit: true };
const rows: MetaRow[] = [
  { key: 'a', value: '1', protected: false },
  { key: 's', value: 'x', protected: true },
];
const sorted = (r: MetaRow[]) => [...r].sort((x, y) => x.key.localeCompare(y.key));

describe('meta maps', () => {
  it('converts scalars to strings and rejects nested values', () => {
    expect(metaMapInputSchema.parse({ a: 1, b: false, c: 's' })).toEqual({ a: '1', b: 'false', c: 's' });
    expect(metaMapInputSchema.parse(null)).toBeUndefined();
    expect(metaMapInputSchema.safeParse({ a: { b: 1 } }).success).toBe(false);
    expect(metaMapInputSchema.safeParse({ a: [1] }).success).toBe(false);
    expect(metaMapInputSchema.safeParse({ a: null }).success).toBe(false);
  });

  it('treats keys like __proto__ as ordinary keys', () => {
    const maps = toMetaMaps([{ key: '__proto__', value: 'p', protected: false }], true);
    expect(Object.keys(maps.meta)).toEqual(['__proto__']);
    expect(JSON.stringify(maps.meta)).toBe('{"__proto__":"p"}');
  });

  it('hides protected values from callers who may not view them', () => {
    expect(toMetaMaps(rows, true)).toEqual({ meta: { a: '1' }, protected_meta: { s: 'x' } });
    expect(toMetaMaps(rows, false)).toEqual({ meta: { a: '1' }, protected_meta: {} });
  });
});

describe('parseMetaObject', () => {
  it('accepts both casings and defaults protected to false', () => {
    expect(parseMetaObject({ value: 'v' })).toEqual({ value: 'v', protected: false });
    expect(parseMetaObject({ Value: 'v', Protected: true })).toEqual({ value: 'v', protected: true });
    expect(parseMetaObject({ value: 2.5, protected: 'true' })).toEqual({ value: '2.5', protected: true });
    expect(parseMetaObject({ Value: 'old', value: 'new' })).toEqual({ value: 'new', protected: false });
  });

  it('rejects missing or nested values', () => {
    for (const bad of [undefined, null, [], 'v', {}, { value: null }, { value: { a: 1 } }, { value: 'v', protected: 3 }]) {
      expect(() => parseMetaObject(bad)).toThrow(BadRequestError);
    }
  });
});

describe('metaForReplace', () => {
  it('keeps stored maps that are absent from the body', () => {
    expect(sorted(metaForReplace(rows, undefined, undefined, none))).toEqual(rows);
    expect(sorted(metaForReplace(rows, { b: '2' }, undefined, none))).toEqual([{ key: 'b', value: '2', protected: false }, rows[1]]);
  });

  it('replaces protected meta for viewers with the edit right, merges for blind editors', () => {
    expect(metaForReplace(rows, { a: '1' }, {}, all)).toEqual([rows[0]]);
    expect(sorted(metaForReplace(rows, { a: '1' }, {}, editOnly))).toEqual(rows);
    expect(sorted(metaForReplace(rows, { a: '1' }, { t: 'y' }, editOnly))).toEqual([...rows, { key: 't', value: 'y', protected: true }]);
  });

  it('lets callers without the edit right only repeat stored values', () => {
    expect(sorted(metaForReplace(rows, { a: '1' }, { s: 'x' }, none))).toEqual(rows);
    expect(() => metaForReplace(rows, { a: '1' }, { s: 'y' }, none)).toThrow(ForbiddenError);
    expect(() => metaForReplace(rows, { a: '1', s: 'now open' }, undefined, none)).toThrow(ForbiddenError);
  });

  it('moves keys between the maps and refuses a key in both', () => {
    expect(sorted(metaForReplace(rows, { a: '1', s: 'open' }, undefined, editOnly))).toEqual([rows[0], { key: 's', value: 'open', protected: false }]);
    expect(sorted(metaForReplace(rows, undefined, { a: 'closed', s: 'x' }, all))).toEqual([
      { key: 'a', value: 'closed', protected: true },
      rows[1],
    ]);
    expect(() => metaForReplace(rows, { k: '1' }, { k: '2' }, all)).toThrow(BadRequestError);
  });
});

describe('single-key rules', () => {
  it('reads visible keys only', () => {
    expect(readMetaKey(rows, 's', all)).toEqual({ value: 'x', protected: true });
    expect(() => readMetaKey(rows, 's', none)).toThrow(NotFoundError);
    expect(() => readMetaKey(rows, 'zz', all)).toThrow(NotFoundError);
  });

  it('creates only new keys, updates only existing ones unless asked to create', () => {
    expect(planMetaWrite(rows, 'b', { value: '2', protected: false }, 'create', false, none)).toEqual({ key: 'b', value: '2', protected: false });
    expect(() => planMetaWrite(rows, 'a', { value: '2', protected: false }, 'create', false, none)).toThrow(BadRequestError);
    expect(() => planMetaWrite(rows, 'b', { value: '2', protected: false }, 'update', false, none)).toThrow(NotFoundError);
    expect(planMetaWrite(rows, 'b', { value: '2', protected: false }, 'update', true, none)).toEqual({ key: 'b', value: '2', protected: false });
  });

  it('needs the edit right for anything protected', () => {
    expect(() => planMetaWrite(rows, 's', { value: '2', protected: false }, 'update', false, { view: true, edit: false })).toThrow(ForbiddenError);
    expect(() => planMetaWrite(rows, 'b', { value: '2', protected: true }, 'create', false, none)).toThrow(ForbiddenError);
    expect(planMetaWrite(rows, 's', { value: '2', protected: true }, 'update', false, editOnly)).toEqual({ key: 's', value: '2', protected: true });
    expect(() => planMetaDelete(rows, 's', none)).toThrow(NotFoundError);
    expect(() => planMetaDelete(rows, 's', { view: true, edit: false })).toThrow(ForbiddenError);
    expect(() => planMetaDelete(rows, 's', editOnly)).not.toThrow();
  });
});
