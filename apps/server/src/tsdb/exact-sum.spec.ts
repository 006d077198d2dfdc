import { describe, expect, it } from 'vitest';
import { addToPartials, ExactSum, partialsValue } from './exact-sum.js';

function exactSum(values: number[]): number {
  const s = new ExactSum();
  for (const v of values) s.add(v);
  return s.value();
}

describe('ExactSum', () => {
  it('gives the correctly rounded sum where naive addition drifts', () => {
    expect(exactSum(Array.from({ length: 10 }, () => 0.1))).toBe(1);
    expect(exactSum([1e100, 1, -1e100])).toBe(1);
    expect(exactSum([1, 1e-16, 1e-16])).toBe(1.0000000000000002);
    expect(exactSum([0.1, 0.2, 0.3])).toBe(0.6);
    expect(exactSum([])).toBe(0);
  });

  it('rounds half-way cases to even using the lower partials', () => {
    // 2^53 + 1 is exactly half-way between two doubles; the tiny extra decides the direction.
    expect(exactSum([2 ** 53, 1, 1e-10])).toBe(2 ** 53 + 2);
    expect(exactSum([2 ** 53, 1, -1e-10])).toBe(2 ** 53);
    expect(exactSum([2 ** 53, 1])).toBe(2 ** 53);
  });

  it('does not depend on order or grouping (merged partials)', () => {
    let seed = 42;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let round = 0; round < 200; round++) {
      const values = Array.from({ length: 1 + Math.floor(rnd() * 60) }, () => (rnd() - 0.5) * 10 ** Math.floor(rnd() * 30 - 10));
      const whole = exactSum(values);
      expect(exactSum([...values].reverse())).toBe(whole);
      const cut = Math.floor(rnd() * values.length);
      const a: number[] = [];
      const b: number[] = [];
      values.slice(0, cut).forEach((v) => addToPartials(a, v));
      values.slice(cut).forEach((v) => addToPartials(b, v));
      for (const p of a) addToPartials(b, p);
      expect(partialsValue(b)).toBe(whole);
    }
  });
});
