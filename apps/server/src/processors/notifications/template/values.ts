// Template values and how Go sees them. JSON payloads decode as Go's `interface{}` would:
// objects are maps, arrays slices, numbers float64 (JS number). Go ints (ids, integer literals,
// `len`) are bigints, so printing keeps Go's distinction (1e+06 for a float, 1000000 for an int).
// Installation and organization are Go structs: a missing field is an error, not "<no value>".
import { goFormat } from './go-time-format.js';

export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly fields: Readonly<Record<string, Value>>,
  ) {}
}

/** A time.Time: Unix seconds plus nanoseconds, shown in the installation's timezone. */
export class GoTime {
  constructor(
    readonly seconds: number,
    readonly nanos: number,
    readonly timeZone: string,
  ) {}

  format(layout: string): string {
    return goFormat(this.seconds, this.nanos, this.timeZone, layout);
  }
}

/** `undefined` is Go's invalid value (a missing map key), printed "<no value>"; `null` is nil. */
export type Value = undefined | null | string | number | bigint | boolean | Value[] | { [key: string]: Value } | GoStruct | GoTime;

export function isMap(v: Value): v is { [key: string]: Value } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof GoStruct) && !(v instanceof GoTime);
}

export function goTypeName(v: Value): string {
  if (v === undefined || v === null) return '<nil>';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'float64';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return '[]interface {}';
  if (v instanceof GoStruct) return v.typeName;
  if (v instanceof GoTime) return 'time.Time';
  return 'map[string]interface {}';
}

/** Go's template truth: zero values and empty containers are false. */
export function truth(v: Value): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'bigint') return v !== 0n;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** Digits of a float without trailing zeros, and the decimal point position (Go's decimal). */
export function decimalDigits(x: number, significant?: number): { digits: string; dp: number } {
  const abs = Math.abs(x);
  if (abs === 0) return { digits: '0', dp: 1 };
  const exp = significant === undefined ? abs.toExponential() : abs.toExponential(Math.max(significant - 1, 0));
  const [mant, e] = exp.split('e');
  const digits = mant.replace('.', '').replace(/0+$/, '') || '0';
  return { digits, dp: Number(e) + 1 };
}

export function fmtE(neg: boolean, d: { digits: string; dp: number }, prec: number, e = 'e'): string {
  let out = neg ? '-' : '';
  out += d.digits[0];
  if (prec > 0) out += '.' + (d.digits.slice(1) + '0'.repeat(prec)).slice(0, prec);
  const exp = d.digits === '0' ? 0 : d.dp - 1;
  const sign = exp < 0 ? '-' : '+';
  const abs = Math.abs(exp);
  return `${out}${e}${sign}${abs < 10 ? '0' : ''}${abs}`;
}

function fmtF(neg: boolean, d: { digits: string; dp: number }, prec: number): string {
  let out = neg ? '-' : '';
  if (d.dp > 0) out += (d.digits + '0'.repeat(Math.max(0, d.dp - d.digits.length))).slice(0, d.dp);
  else out += '0';
  if (prec > 0) {
    out += '.';
    for (let i = 0; i < prec; i++) {
      const j = d.dp + i;
      out += j < 0 || j >= d.digits.length ? '0' : d.digits[j];
    }
  }
  return out;
}

/** strconv.FormatFloat(x, 'g', prec, 64); prec -1 is the shortest representation. */
export function formatG(x: number, prec = -1, upper = false): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  const shortest = prec < 0;
  if (prec === 0) prec = 1;
  const neg = x < 0 || Object.is(x, -0);
  const d = decimalDigits(x, shortest ? undefined : prec);
  if (shortest) prec = d.digits.length;
  let eprec = prec;
  if (eprec > d.digits.length && d.digits.length >= d.dp) eprec = d.digits.length;
  if (shortest) eprec = 6;
  const exp = d.dp - 1;
  if (exp < -4 || exp >= eprec) {
    const p = prec > d.digits.length ? d.digits.length : prec;
    return fmtE(neg, d, p - 1, upper ? 'E' : 'e');
  }
  const p = prec > d.dp ? d.digits.length : prec;
  return fmtF(neg, d, Math.max(p - d.dp, 0));
}

/** %f with a precision, rounding half to even on exact ties as Go does. */
export function formatFixed(x: number, prec: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? '+Inf' : '-Inf';
  if (Math.abs(x) >= 1e21) {
    const d = decimalDigits(x);
    return fmtF(x < 0, d, prec);
  }
  let s = x.toFixed(prec);
  const scaled = Math.abs(x) * 10 ** prec;
  // An exact .5 (representable, so x*10^p is exact): JS rounds away from zero, Go to even.
  if (prec <= 15 && scaled < 2 ** 52 && scaled - Math.floor(scaled) === 0.5) {
    const down = Math.floor(scaled);
    if (down % 2 === 0) {
      const v = down / 10 ** prec;
      s = (x < 0 ? '-' : '') + v.toFixed(prec);
    }
  }
  if (/^-0(\.0*)?$/.test(s) && !(x < 0 || Object.is(x, -0))) s = s.slice(1);
  return s;
}

/** fmt's %v. */
export function formatValue(v: Value): string {
  if (v === undefined) return '<no value>';
  if (v === null) return '<nil>';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatG(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(formatNested).join(' ')}]`;
  if (v instanceof GoStruct) return `{${Object.values(v.fields).map(formatNested).join(' ')}}`;
  if (v instanceof GoTime) return v.format('2006-01-02 15:04:05.999999999 -0700 MST');
  const keys = Object.keys(v).sort();
  return `map[${keys.map((k) => `${k}:${formatNested(v[k])}`).join(' ')}]`;
}

/** Inside containers Go prints nil interfaces as <nil>. */
function formatNested(v: Value): string {
  return v === undefined ? '<nil>' : formatValue(v);
}

/** JSON (the payload) to template values: numbers stay float64 as in Go's encoding/json. */
export function fromJson(v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(fromJson);
  if (typeof v === 'object') {
    const out: Record<string, Value> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k] = fromJson(x);
    return out;
  }
  return null;
}
