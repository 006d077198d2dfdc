// Go's fmt.Sprintf for template values: verbs v s d f F e E g G x X o b q t c and %%, flags
// - + # 0 space, width and precision. Mismatches print Go's own markers (%!d(string=x),
// %!d(MISSING), %!(EXTRA ...)) rather than failing, as fmt does.
import { decimalDigits, fmtE, formatFixed, formatG, formatValue, goTypeName, GoTime, type Value } from './values.js';

interface Spec {
  minus: boolean;
  plus: boolean;
  sharp: boolean;
  zero: boolean;
  space: boolean;
  width?: number;
  prec?: number;
  verb: string;
}

function padTo(s: string, spec: Spec, numeric: boolean): string {
  if (spec.width === undefined || [...s].length >= spec.width) return s;
  const fill = spec.width - [...s].length;
  if (spec.minus) return s + ' '.repeat(fill);
  if (spec.zero && numeric) {
    const sign = /^[+\- ]/.test(s) ? s[0] : '';
    return sign + '0'.repeat(fill) + s.slice(sign.length);
  }
  return ' '.repeat(fill) + s;
}

function bad(spec: Spec, v: Value): string {
  return `%!${spec.verb}(${goTypeName(v)}=${formatValue(v)})`;
}

function signed(s: string, spec: Spec): string {
  if (s.startsWith('-')) return s;
  if (spec.plus) return '+' + s;
  if (spec.space) return ' ' + s;
  return s;
}

function quote(s: string): string {
  // Go's strconv.Quote for printable text matches JSON's escaping closely enough here.
  return JSON.stringify(s).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function formatInt(n: bigint, spec: Spec): string {
  const neg = n < 0n;
  const abs = neg ? -n : n;
  let body: string;
  switch (spec.verb) {
    case 'd':
    case 'v':
      body = abs.toString(10);
      break;
    case 'x':
      body = (spec.sharp ? '0x' : '') + abs.toString(16);
      break;
    case 'X':
      body = (spec.sharp ? '0X' : '') + abs.toString(16).toUpperCase();
      break;
    case 'o':
      body = (spec.sharp ? '0' : '') + abs.toString(8);
      break;
    case 'b':
      body = abs.toString(2);
      break;
    case 'c':
      return padTo(String.fromCodePoint(Number(n)), spec, false);
    case 'q':
      return padTo(`'${String.fromCodePoint(Number(n))}'`, spec, false);
    default:
      return bad(spec, n);
  }
  if (spec.prec !== undefined && body.length < spec.prec) body = '0'.repeat(spec.prec - body.length) + body;
  return padTo(signed((neg ? '-' : '') + body, spec), spec, spec.prec === undefined);
}

function formatFloat(x: number, spec: Spec): string {
  let s: string;
  switch (spec.verb) {
    case 'v':
    case 'g':
      s = formatG(x, spec.prec ?? -1);
      break;
    case 'G':
      s = formatG(x, spec.prec ?? -1, true);
      break;
    case 'f':
    case 'F':
      s = formatFixed(x, spec.prec ?? 6);
      break;
    case 'e':
    case 'E': {
      const prec = spec.prec ?? 6;
      s = Number.isFinite(x) ? fmtE(x < 0, decimalDigits(x, prec + 1), prec, spec.verb) : formatG(x);
      break;
    }
    default:
      return bad(spec, x);
  }
  if (!s.startsWith('-') && !s.startsWith('+')) s = signed(s, spec);
  return padTo(s, spec, Number.isFinite(x));
}

function formatString(s: string, spec: Spec): string {
  switch (spec.verb) {
    case 'v':
    case 's':
      if (spec.prec !== undefined) s = [...s].slice(0, spec.prec).join('');
      return padTo(s, spec, false);
    case 'q':
      return padTo(quote(s), spec, false);
    case 'x':
    case 'X': {
      const hex = Buffer.from(s, 'utf8').toString('hex');
      return padTo(spec.verb === 'X' ? hex.toUpperCase() : hex, spec, false);
    }
    default:
      return bad(spec, s);
  }
}

export function formatOne(v: Value, spec: Spec): string {
  if (typeof v === 'bigint') return formatInt(v, spec);
  if (typeof v === 'number') return formatFloat(v, spec);
  if (typeof v === 'string') return formatString(v, spec);
  if (typeof v === 'boolean') return spec.verb === 'v' || spec.verb === 't' ? padTo(String(v), spec, false) : bad(spec, v);
  if (v instanceof GoTime && (spec.verb === 's' || spec.verb === 'v')) return padTo(formatValue(v), spec, false);
  if (spec.verb === 'v') return padTo(formatValue(v), spec, false);
  if (spec.verb === 's' && (v === null || v === undefined)) return '%!s(<nil>)';
  return bad(spec, v);
}

export function sprintf(format: string, args: readonly Value[]): string {
  let out = '';
  let argi = 0;
  let i = 0;
  while (i < format.length) {
    const c = format[i];
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    i++;
    if (format[i] === '%') {
      out += '%';
      i++;
      continue;
    }
    const spec: Spec = { minus: false, plus: false, sharp: false, zero: false, space: false, verb: '' };
    for (; i < format.length; i++) {
      const f = format[i];
      if (f === '-') spec.minus = true;
      else if (f === '+') spec.plus = true;
      else if (f === '#') spec.sharp = true;
      else if (f === '0') spec.zero = !spec.minus;
      else if (f === ' ') spec.space = true;
      else break;
    }
    const width = /^\d+/.exec(format.slice(i));
    if (width) {
      spec.width = Number(width[0]);
      i += width[0].length;
    }
    if (format[i] === '.') {
      i++;
      const prec = /^\d+/.exec(format.slice(i));
      spec.prec = prec ? Number(prec[0]) : 0;
      if (prec) i += prec[0].length;
    }
    if (i >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    spec.verb = String.fromCodePoint(format.codePointAt(i)!);
    i += spec.verb.length;
    if (argi >= args.length) {
      out += `%!${spec.verb}(MISSING)`;
      continue;
    }
    out += formatOne(args[argi++], spec);
  }
  if (argi < args.length) {
    out += `%!(EXTRA ${args
      .slice(argi)
      .map((a) => `${goTypeName(a)}=${formatValue(a)}`)
      .join(', ')})`;
  }
  return out;
}
