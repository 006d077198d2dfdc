// The template functions: Go's builtins we support plus `toTime`. Arguments arrive evaluated,
// except for `and`/`or`, which short-circuit as in Go 1.18+ (the evaluator handles them).
import { sprintf } from './printf.js';
import { formatValue, goTypeName, GoStruct, GoTime, isMap, truth, type Value } from './values.js';

export class EvalError extends Error {}

type Fn = (args: Value[], ctx: { timeZone: string }) => Value;

function arity(name: string, args: Value[], n: number): void {
  if (args.length !== n) throw new EvalError(`wrong number of args for ${name}: want ${n} got ${args.length}`);
}

function numeric(v: Value): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return undefined;
}

/**
 * Go's eq/lt on basic kinds. Unlike Go, an int and a float64 compare by value (Go refuses with
 * "incompatible types"): payload numbers are float64, and `gt .payload.temp 20` should just work.
 */
function compare(name: string, a: Value, b: Value): number {
  const x = numeric(a);
  const y = numeric(b);
  if (x !== undefined && y !== undefined) return x < y ? -1 : x > y ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean' && (name === 'eq' || name === 'ne')) return a === b ? 0 : 1;
  if ((name === 'eq' || name === 'ne') && (a === null || a === undefined || b === null || b === undefined)) return a == b ? 0 : 1;
  if (a === undefined || b === undefined || a === null || b === null) throw new EvalError(`invalid type for comparison`);
  if (goTypeName(a) !== goTypeName(b)) throw new EvalError(`incompatible types for comparison: ${goTypeName(a)} and ${goTypeName(b)}`);
  throw new EvalError(`invalid type for comparison: ${goTypeName(a)}`);
}

function toTime(args: Value[], ctx: { timeZone: string }): Value {
  arity('toTime', args, 1);
  let v = args[0];
  if (typeof v === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(v)) v = Number(v);
  const n = numeric(v);
  if (n === undefined || !Number.isFinite(n)) throw new EvalError(`toTime: expected Unix seconds, got ${goTypeName(v)} ${formatValue(v)}`);
  const seconds = Math.floor(n);
  const nanos = Math.round((n - seconds) * 1e9);
  return new GoTime(seconds, Math.min(nanos, 999_999_999), ctx.timeZone);
}

export const templateFunctions: Record<string, Fn> = {
  not: (args) => {
    arity('not', args, 1);
    return !truth(args[0]);
  },
  eq: (args) => {
    if (args.length < 2) throw new EvalError('missing argument for comparison');
    return args.slice(1).some((b) => compare('eq', args[0], b) === 0);
  },
  ne: (args) => {
    arity('ne', args, 2);
    return compare('ne', args[0], args[1]) !== 0;
  },
  lt: (args) => {
    arity('lt', args, 2);
    return compare('lt', args[0], args[1]) < 0;
  },
  le: (args) => {
    arity('le', args, 2);
    return compare('le', args[0], args[1]) <= 0;
  },
  gt: (args) => {
    arity('gt', args, 2);
    return compare('gt', args[0], args[1]) > 0;
  },
  ge: (args) => {
    arity('ge', args, 2);
    return compare('ge', args[0], args[1]) >= 0;
  },
  printf: (args) => {
    if (args.length < 1) throw new EvalError('wrong number of args for printf: want at least 1 got 0');
    if (typeof args[0] !== 'string') throw new EvalError(`wrong type for value; expected string; got ${goTypeName(args[0])}`);
    return sprintf(args[0], args.slice(1));
  },
  // fmt.Sprint adds spaces between operands when neither is a string.
  print: (args) => args.map((a, i) => (i > 0 && typeof a !== 'string' && typeof args[i - 1] !== 'string' ? ' ' : '') + formatValue(a)).join(''),
  println: (args) => args.map(formatValue).join(' ') + '\n',
  len: (args) => {
    arity('len', args, 1);
    const v = args[0];
    if (typeof v === 'string') return BigInt(Buffer.byteLength(v, 'utf8'));
    if (Array.isArray(v)) return BigInt(v.length);
    if (isMap(v)) return BigInt(Object.keys(v).length);
    throw new EvalError(`len of ${v === undefined || v === null ? 'nil pointer' : `type ${goTypeName(v)}`}`);
  },
  index: (args) => {
    if (args.length < 1) throw new EvalError('wrong number of args for index: want at least 1 got 0');
    let v = args[0];
    for (const key of args.slice(1)) {
      if (Array.isArray(v) || typeof v === 'string') {
        const k = numeric(key);
        if (k === undefined || typeof key === 'number') throw new EvalError(`cannot index slice/array with type ${goTypeName(key)}`);
        if (k < 0 || k >= v.length) throw new EvalError(`error calling index: index out of range: ${k}`);
        v = typeof v === 'string' ? BigInt(Buffer.from(v, 'utf8')[k] ?? 0) : v[k];
      } else if (isMap(v)) {
        if (typeof key !== 'string') throw new EvalError(`value has type ${goTypeName(key)}; should be string`);
        v = Object.hasOwn(v, key) ? v[key] : undefined;
      } else if (v === undefined || v === null) {
        throw new EvalError('index of untyped nil');
      } else {
        throw new EvalError(`can't index item of type ${goTypeName(v)}`);
      }
    }
    return v;
  },
  html: (args) =>
    templateFunctions.print(args, { timeZone: 'UTC' })!
      .toString()
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&#34;')
      .replace(/'/g, '&#39;'),
  urlquery: (args) => encodeURIComponent(templateFunctions.print(args, { timeZone: 'UTC' }) as string).replace(/%20/g, '+'),
  toTime,
};

/** `and`/`or` are evaluated lazily by the evaluator; they are listed so the parser accepts them. */
export const functionNames: ReadonlySet<string> = new Set([...Object.keys(templateFunctions), 'and', 'or']);

export { GoStruct };
