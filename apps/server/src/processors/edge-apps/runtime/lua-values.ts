// Conversions at the Lua/JS boundary and the pattern helpers the Lua packages call. wasmoon turns
// a Lua sequence into an object with keys "1".."n" and refuses JS null inside tables, so values
// are normalised here in both directions.

/** A Lua value as wasmoon hands it over → plain JSON-able data (sequences become arrays). */
export function fromLua(value: unknown, depth = 0): unknown {
  if (depth > 64) throw new Error('value nested too deeply');
  if (value === null || value === undefined) return null;
  if (typeof value === 'function') return undefined;
  if (Array.isArray(value)) return value.map((v) => fromLua(v, depth + 1) ?? null);
  if (typeof value === 'object') {
    const keys = Object.keys(value);
    const record = value as Record<string, unknown>;
    if (keys.length > 0 && keys.every((k, i) => k === String(i + 1))) return keys.map((k) => fromLua(record[k], depth + 1) ?? null);
    const out: Record<string, unknown> = {};
    for (const k of keys) {
      const v = fromLua(record[k], depth + 1);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  return value;
}

/** JSON-able data → something wasmoon can push: object nulls are dropped (nil), array nulls become false. */
export function toLua(value: unknown, depth = 0): unknown {
  if (depth > 64) throw new Error('value nested too deeply');
  if (value === null || value === undefined) return undefined;
  if (Array.isArray(value)) return value.map((v) => (v === null || v === undefined ? false : toLua(v, depth + 1)));
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== null && v !== undefined) out[k] = toLua(v, depth + 1);
    return out;
  }
  return value;
}

/** MQTT filter match (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return i === f.length - 1;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** A filter an app may subscribe to: no empty filter, `#` only last, wildcards whole levels, no `$`. */
export function validFilter(filter: string): boolean {
  if (filter.length === 0 || filter.length > 1024 || filter.startsWith('$') || filter.includes('\0')) return false;
  const levels = filter.split('/');
  return levels.every((l, i) => (l.includes('#') ? l === '#' && i === levels.length - 1 : !l.includes('+') || l === '+'));
}

export function validTopic(topic: string): boolean {
  return topic.length > 0 && topic.length <= 1024 && !/[#+\0]/.test(topic) && !topic.startsWith('$');
}

const patternCache = new Map<string, RegExp>();

/**
 * fnmatch with extended globs, as the edge package's criteria use: `*`, `?`, `[...]`, and
 * `@(a|b)`, `?(..)`, `*(..)`, `+(..)`, `!(..)`.
 */
export function fnmatch(pattern: string, value: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(`^${globToRegex(pattern)}$`, 's');
    if (patternCache.size > 500) patternCache.clear();
    patternCache.set(pattern, re);
  }
  return re.test(value);
}

function globToRegex(glob: string): string {
  let out = '';
  const groups: string[] = [];
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    const next = glob[i + 1];
    if ('@?*+!'.includes(c) && next === '(') {
      groups.push(c);
      out += c === '!' ? '(?:(?!(?:' : '(?:';
      i++;
    } else if (c === ')' && groups.length) {
      const kind = groups.pop();
      out += kind === '@' ? ')' : kind === '?' ? ')?' : kind === '*' ? ')*' : kind === '+' ? ')+' : ')$).*?)';
    } else if (c === '|' && groups.length) out += '|';
    else if (c === '*') out += '.*';
    else if (c === '?') out += '.';
    else if (c === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) out += '\\[';
      else {
        let body = glob.slice(i + 1, end).replace(/\\/g, '\\\\');
        if (body.startsWith('!')) body = `^${body.slice(1)}`;
        out += `[${body}]`;
        i = end;
      }
    } else out += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  while (groups.length) {
    groups.pop();
    out += ')';
  }
  return out;
}
