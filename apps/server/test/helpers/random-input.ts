// Seeded generators of hostile request parts (JSON values of every type and depth, odd unicode,
// huge strings, tricky path segments and query strings) for the randomized malformed-input suite.
// Everything derives from one seed, so a failing run can be repeated exactly.

/** sfc32: small, fast, and good enough to spread inputs; not for anything secret. */
export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(readonly seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    let t = (this.a + this.b) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.d = (this.d + 1) | 0;
    t = (t + this.d) | 0;
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
}

/** Characters that tend to break parsers, databases and logs. */
const oddStrings = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '😀',
  '👩‍👩‍👧‍👦',
  '\u202eevil\u202c',
  'مرحبا بالعالم',
  'שלום',
  '\u200b\u200d\ufeff',
  'Ω≈ç√∫',
  '\r\n\t',
  '../../etc/passwd',
  '%00',
  '%2e%2e%2f',
  "'; DROP TABLE users; --",
  '" OR 1=1 --',
  '${jndi:ldap://x}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  'null',
  'true',
  '-1',
  '1e309',
  'NaN',
  '0x10',
  '99999999999999999999',
  '\\',
  '/',
  '#',
  '?',
  '&',
  '=',
  '+',
];

const numbers = [0, -0, 1, -1, 0.5, -0.000001, 1e-320, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e21, 1.7976931348623157e308, 1e300, 3.14159];

export function randomString(rng: Prng, maxLength = 40): string {
  const r = rng.next();
  if (r < 0.35) return rng.pick(oddStrings);
  if (r < 0.4) return rng.pick(oddStrings).repeat(rng.int(2, 50));
  let out = '';
  const length = rng.int(0, maxLength);
  for (let i = 0; i < length; i++) {
    const kind = rng.next();
    if (kind < 0.6) out += String.fromCharCode(rng.int(0x20, 0x7e));
    else if (kind < 0.75) out += String.fromCharCode(rng.int(0x00, 0x1f));
    else if (kind < 0.85) out += String.fromCharCode(rng.int(0x80, 0xd7ff));
    else if (kind < 0.9) out += String.fromCharCode(rng.int(0xd800, 0xdfff)); // lone surrogates
    else out += String.fromCodePoint(rng.int(0x1f300, 0x1faff));
  }
  return out;
}

export function hugeString(rng: Prng): string {
  const unit = rng.pick(['x', 'é', '😀', '\u0000', '\ud800', 'ab"\\']);
  return unit.repeat(Math.ceil(rng.int(100_000, 300_000) / unit.length));
}

/** A JSON value of any type, nested up to `depth`, with keys drawn partly from `keys`. */
export function randomJson(rng: Prng, depth = rng.int(0, 6), keys: readonly string[] = []): unknown {
  const r = rng.next();
  if (depth <= 0 || r < 0.45) {
    const s = rng.next();
    if (s < 0.12) return null;
    if (s < 0.24) return rng.chance(0.5);
    if (s < 0.5) return rng.chance(0.5) ? rng.pick(numbers) : (rng.next() - 0.5) * 10 ** rng.int(0, 20);
    if (s < 0.52) return hugeString(rng);
    return randomString(rng);
  }
  if (r < 0.7) return Array.from({ length: rng.int(0, 6) }, () => randomJson(rng, depth - 1, keys));
  const obj: Record<string, unknown> = {};
  for (let i = rng.int(0, 6); i > 0; i--) {
    const key = keys.length && rng.chance(0.6) ? rng.pick(keys) : randomString(rng, 12);
    obj[key] = randomJson(rng, depth - 1, keys);
  }
  return obj;
}

/** A value of another JSON type than `type` (an OpenAPI type name), or sometimes one of it. */
export function wrongTypeFor(rng: Prng, type: string | undefined, keys: readonly string[]): unknown {
  const options: (() => unknown)[] = [
    () => null,
    () => rng.chance(0.5),
    () => rng.pick(numbers),
    () => randomString(rng),
    () => [randomJson(rng, 2, keys)],
    () => ({ [rng.pick(keys.length ? keys : ['x'])]: randomJson(rng, 2, keys) }),
  ];
  const same: Record<string, number[]> = { null: [0], boolean: [1], integer: [2], number: [2], string: [3], array: [4], object: [5] };
  const avoid = same[type ?? ''] ?? [];
  const allowed = options.filter((_, i) => !avoid.includes(i) || rng.chance(0.15));
  return rng.pick(allowed)();
}

/** Bodies that are not JSON at all, sent with a JSON content type. */
export function nonJsonBody(rng: Prng): string {
  return rng.pick<() => string>([
    () => '{',
    () => '{"a":',
    () => "{'a':1}",
    () => '[1,]',
    () => 'undefined',
    () => 'NaN',
    () => '\ufeff{"name":"bom"}',
    () => '{"a":1}{"b":2}',
    () => '{"a":1} trailing',
    () => '"\\ud800"',
    () => '"\\u0000"',
    () => '{"\\u0000":1}',
    () => '1'.repeat(400),
    () => '-',
    () => '['.repeat(rng.int(1000, 200_000)),
    () => '['.repeat(5000) + ']'.repeat(5000),
    () => '{"a":'.repeat(3000) + '1' + '}'.repeat(3000),
    () => randomString(rng, 200),
    () => String.fromCharCode(...Array.from({ length: rng.int(1, 64) }, () => rng.int(0, 255))),
  ])();
}

/** Path segments that are not plain ids. */
export const pathTricks = [
  '..',
  '.',
  '%2e%2e',
  '%2E%2E%2F',
  '-1',
  '0',
  '1e3',
  '0x10',
  '1.5',
  '+1',
  ' 1',
  '%201',
  '1%20',
  '99999999999999999999',
  '2147483648',
  '9007199254740993',
  '%00',
  '1%00',
  '%',
  '%zz',
  '%ED%A0%80',
  '%C0%AE',
  '%E2%80%AE',
  '%F0%9F%98%80',
  '١٢',
  'me',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '1%2F2',
  '%2F',
  '%5C',
  '1;2',
  '1,2',
  '[1]',
  '{id}',
  ':id',
  '*',
  '1&force=true',
  '1?x=1',
  '1#frag',
];

/**
 * encodeURIComponent that does not throw on lone surrogates: they become the bytes WTF-8 would
 * give them (e.g. %ED%A0%80), which is not UTF-8, so servers have to cope with them.
 */
export function encodeLoose(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code >= 0xd800 && code <= 0xdfff) {
      out += [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join('');
    } else out += encodeURIComponent(ch);
  }
  return out;
}

export function trickySegment(rng: Prng): string {
  const r = rng.next();
  if (r < 0.75) return rng.pick(pathTricks);
  if (r < 0.85) return rng.pick(['9', 'a', '%41', '😀', '.']).repeat(rng.int(300, 3000));
  return encodeLoose(randomString(rng, 30)) || '%20';
}

/** Query parameter names the API knows, so handlers parse what we send. */
export const knownQueryNames = [
  'silent',
  'create_missing',
  'topics',
  'from',
  'to',
  'limit',
  'offset',
  'order',
  'aggr_method',
  'aggr_interval',
  'include_total',
  'minimal',
  'assigned',
  'force',
  'type',
  'name',
  'id',
  'object_type',
  'object_id',
  'action',
];

export function randomQuery(rng: Prng, names: readonly string[]): string {
  const pairs: string[] = [];
  for (let i = rng.int(0, 5); i > 0; i--) {
    const name = rng.chance(0.8) ? rng.pick(names) : encodeLoose(randomString(rng, 10));
    const key = rng.chance(0.1) ? `${name}[]` : rng.chance(0.05) ? `${name}[a]` : name;
    const value = rng.pick<() => string>([
      () => rng.pick(['true', 'false', '1', '0', '', 'maybe', '-1', '1e3', '0x10', 'NaN', '99999999999999999999', '1.5', 'asc', 'desc', 'avg', 'percentile(101)', '1m0s', '0s', '-5m', 'a,b,,', ',']),
      () => rng.pick(pathTricks),
      () => encodeLoose(randomString(rng)),
      () => 'x'.repeat(rng.int(100, 3000)),
    ])();
    pairs.push(rng.chance(0.05) ? key : `${key}=${value}`);
  }
  if (!pairs.length) return '';
  return `?${pairs.join('&')}`;
}
