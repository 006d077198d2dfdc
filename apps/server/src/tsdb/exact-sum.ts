// Exact floating-point summation (Shewchuk's non-overlapping partials, the algorithm behind Python's
// math.fsum). The result is the exact sum correctly rounded once, so it does not depend on the order
// or grouping of the additions: a sum merged from rollup cells equals the sum over the raw points bit
// for bit, which a plain `a + b` loop cannot promise. Partials are plain arrays so rollup cells can
// store them as they are; there are usually one or two.
//
// Limitation: a sum whose exact value overflows float64 (beyond ~1.8e308) gives ±Infinity or NaN.

/** Adds `x` to `partials` (increasing magnitude, non-overlapping) in place. */
export function addToPartials(partials: number[], x: number): void {
  let i = 0;
  for (let j = 0; j < partials.length; j++) {
    let y = partials[j];
    if (Math.abs(x) < Math.abs(y)) {
      const t = x;
      x = y;
      y = t;
    }
    const hi = x + y;
    const lo = y - (hi - x);
    if (lo !== 0) partials[i++] = lo;
    x = hi;
  }
  // Setting length is slow in V8 even when unchanged; it rarely changes.
  if (i !== partials.length) partials.length = i;
  partials.push(x);
}

/** The exact sum of the partials, rounded to the nearest float64 (ties to even); 0 when empty. */
export function partialsValue(partials: readonly number[]): number {
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  // Half-way case: the rest of the partials decides which way to round.
  if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi || 0;
}

export class ExactSum {
  readonly partials: number[] = [];
  add(x: number): void {
    addToPartials(this.partials, x);
  }
  value(): number {
    return partialsValue(this.partials);
  }
}
