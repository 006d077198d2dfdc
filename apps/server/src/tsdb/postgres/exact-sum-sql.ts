// Exact sums in SQL. `sum(value::numeric)` is not exact: PostgreSQL converts float8 to numeric with
// 15 significant digits, so 0.1 + 0.2 summed that way rounds differently from the LevelDB exact sum.
// Instead each double is split into its integer significand and binary exponent (from its IEEE bits);
// the significands are summed as integers (int8 sums are numeric, hence exact) per exponent group of
// 8 binades, and the client turns those few exact integers back into Shewchuk partials
// (exact-sum.ts), which rounds the exact total once: the same bits as the LevelDB backend.

import { addToPartials } from '../exact-sum.js';

/** The IEEE-754 bits of the float8 column `col`, as int8. */
export function bitsOf(col: string): string {
  return `('x' || encode(float8send(${col}), 'hex'))::bit(64)::int8`;
}

/**
 * Columns `g` (exponent group) and `m` (significand shifted within its group, so value = m * 2^(8g - 1075))
 * from the int8 column `bits` (bitsOf). Only finite values are stored (the store rejects others).
 */
export function significandColumns(bits: string): string {
  // Subnormals (biased exponent 0) scale like exponent 1, as in IEEE; the shift < 8 keeps m below 2^61.
  const e1 = `greatest((${bits} >> 52) & 2047, 1)`;
  const hidden = `CASE WHEN (${bits} >> 52) & 2047 = 0 THEN 0 ELSE 4503599627370496 END`;
  return `(${e1} >> 3)::int AS g,
    ((CASE WHEN ${bits} < 0 THEN -1 ELSE 1 END) * ((${bits} & 4503599627370495) | ${hidden})) << (${e1} & 7)::int AS m`;
}

const MASK52 = (1n << 52n) - 1n;

/** Multiplies by 2^e exactly whenever the result is representable (2 ** e alone under/overflows). */
function scale(x: number, e: number): number {
  if (e < -1074) return (x / 2 ** (-1074 - e)) * 2 ** -1074;
  if (e > 1023) return x * 2 ** 1023 * 2 ** (e - 1023);
  return x * 2 ** e;
}

/** Partials of Σ_i sums[i] * 2^(8 groups[i] - 1075), `sums` being exact integers in decimal text. */
export function partialsOfGroups(groups: readonly number[], sums: readonly string[]): number[] {
  const partials: number[] = [];
  for (let i = 0; i < groups.length; i++) {
    let big = BigInt(sums[i]);
    if (big === 0n) continue;
    const sign = big < 0n ? -1 : 1;
    if (big < 0n) big = -big;
    let e = 8 * groups[i] - 1075;
    while (big > 0n) {
      // Chunks of 52 bits are exact doubles; group 0 sums are even (shift >= 1), so e = -1075 halves exactly.
      const chunk = Number(big & MASK52);
      if (chunk !== 0) addToPartials(partials, sign * scale(chunk, e));
      big >>= 52n;
      e += 52;
    }
  }
  return partials;
}
