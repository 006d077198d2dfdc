import { describe, expect, it } from 'vitest';
import {
  blockOfCountKey,
  countKey,
  decodeLast,
  encodeLast,
  fromMicros,
  microsOfPointKey,
  msgOfPoint,
  encodePointValue,
  pointBound,
  pointKey,
  toMicros,
  valueOfPoint,
} from './keys.js';

describe('key encoding', () => {
  const micros = [-(2 ** 53 - 2), -86_400_000_001, -1, 0, 1, 2 ** 32 - 1, 2 ** 32, 1_700_000_000_123_456, 2 ** 53 - 2];

  it('sorts point keys bytewise in (series, time, sequence) order', () => {
    const keys: Buffer[] = [];
    for (const sid of [1, 2, 256]) for (const m of micros) for (const seq of [0, 1, 2 ** 32 - 1]) keys.push(pointKey(sid, m, 3, seq));
    const shuffled = [...keys].sort(() => Math.random() - 0.5);
    expect(shuffled.sort(Buffer.compare)).toEqual(keys);
    for (const m of micros) expect(microsOfPointKey(pointKey(9, m, 1, 0))).toBe(m);
  });

  it('range bounds enclose exactly the keys of a timestamp', () => {
    const k = pointKey(5, 1000, 2, 7);
    expect(Buffer.compare(pointBound(5, 1000), k)).toBe(-1);
    expect(Buffer.compare(k, pointBound(5, 1001))).toBe(-1);
    expect(Buffer.compare(pointBound(5, 999), pointKey(5, 999, 2 ** 32 - 1, 2 ** 32 - 1))).toBe(-1);
  });

  it('orders count keys by level then block, negative blocks first', () => {
    const blocks = [-2_501_999, -1, 0, 1, 19_675, 472_222];
    const keys = [0, 1].flatMap((level) => blocks.map((b) => countKey(1, level, b)));
    expect([...keys].reverse().sort(Buffer.compare)).toEqual(keys);
    expect(keys.map(blockOfCountKey)).toEqual([...blocks, ...blocks]);
  });

  it('converts seconds to microseconds and back without drift', () => {
    for (const t of [1700000000.123, 0.1, 0.000001, 4294967295.999999, 1e-7, -0]) {
      const back = fromMicros(toMicros(t));
      expect(Object.is(back, -0)).toBe(false);
      if (t >= 1e-6 || t === 0) expect(back).toBe(t === 0 ? 0 : t);
    }
  });

  it('encodes values and last values', () => {
    const v = encodePointValue(-12.5, 'ünïcode ✓');
    expect(valueOfPoint(v)).toBe(-12.5);
    expect(msgOfPoint(v)).toBe('ünïcode ✓');
    expect(msgOfPoint(encodePointValue(3, ''))).toBe('');
    expect(decodeLast(encodeLast({ micros: -5, value: 1e300, msg: 'x' }))).toEqual({ micros: -5, value: 1e300, msg: 'x' });
    expect(decodeLast(encodeLast({ micros: 7, value: 0, msg: '' }))).toEqual({ micros: 7, value: 0, msg: '' });
  });
});
