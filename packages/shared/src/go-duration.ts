// Go duration strings (time.ParseDuration): "1m0s", "10m", "1h30m", "1.5h", "300ms". Lynx clients
// send `aggr_interval` in this syntax (spec 2.7).

const unitSeconds: Record<string, number> = {
  ns: 1e-9,
  us: 1e-6,
  'µs': 1e-6,
  'μs': 1e-6,
  ms: 1e-3,
  s: 1,
  m: 60,
  h: 3600,
};

/** Returns the duration in seconds, or null when the text is not a Go duration. */
export function parseGoDuration(text: string): number | null {
  const s = text.trim();
  if (s === '0') return 0;
  const m = /^([+-]?)((?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+$/.exec(s);
  if (!m) return null;
  const sign = m[1] === '-' ? -1 : 1;
  let total = 0;
  for (const part of s.slice(m[1].length).matchAll(/(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g)) {
    total += Number(part[1]) * unitSeconds[part[2]];
  }
  return sign * total;
}

/** Formats seconds the way Go's Duration.String() does for whole seconds ("1h0m0s", "10m0s", "30s"). */
export function formatGoDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const neg = seconds < 0;
  let rest = Math.abs(seconds);
  const h = Math.floor(rest / 3600);
  rest -= h * 3600;
  const m = Math.floor(rest / 60);
  rest -= m * 60;
  const sec = Number(rest.toFixed(9)).toString();
  const out = h > 0 ? `${h}h${m}m${sec}s` : m > 0 ? `${m}m${sec}s` : `${sec}s`;
  return neg ? `-${out}` : out;
}
