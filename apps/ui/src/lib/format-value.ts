// Display of a function's value per the Lynx meta conventions (spec 1.9): a named state wins
// (`state_on: "1"` + `text_on: "On"`), then `format_<key>` / `format` (printf style), then the unit.
import type { MetaMap } from '@lynx/shared';

/** A small printf: the conversions Lynx formats use (%d %i %f %e %g %s %x %%) with flags, width, precision. */
export function sprintf(format: string, value: number | string): string {
  let used = false;
  return format.replace(/%([-+ 0#]*)(\d+)?(?:\.(\d+))?([diufeEgGsxX%])/g, (_all, flags: string, width?: string, precision?: string, conv?: string) => {
    if (conv === '%') return '%';
    // One value per format: later conversions have nothing to show.
    if (used) return '';
    used = true;
    const n = typeof value === 'number' ? value : Number(value);
    let out: string;
    switch (conv) {
      case 'd':
      case 'i':
      case 'u':
        out = Number.isFinite(n) ? Math.trunc(n).toString() : String(value);
        break;
      case 'f':
        out = Number.isFinite(n) ? n.toFixed(precision === undefined ? 6 : Number(precision)) : String(value);
        break;
      case 'e':
      case 'E':
        out = Number.isFinite(n) ? n.toExponential(precision === undefined ? 6 : Number(precision)) : String(value);
        if (conv === 'E') out = out.toUpperCase();
        break;
      case 'g':
      case 'G':
        out = Number.isFinite(n) ? String(Number(n.toPrecision(precision === undefined ? 6 : Math.max(1, Number(precision))))) : String(value);
        break;
      case 'x':
      case 'X':
        out = Number.isFinite(n) ? Math.trunc(n).toString(16) : String(value);
        if (conv === 'X') out = out.toUpperCase();
        break;
      default:
        out = precision === undefined ? String(value) : String(value).slice(0, Number(precision));
    }
    if (flags.includes('+') && Number.isFinite(n) && n >= 0 && conv !== 's') out = `+${out}`;
    const w = width ? Number(width) : 0;
    if (out.length < w) {
      if (flags.includes('-')) out = out.padEnd(w);
      else if (flags.includes('0') && conv !== 's') {
        const sign = /^[+-]/.test(out) ? out[0] : '';
        out = sign + out.slice(sign.length).padStart(w - sign.length, '0');
      } else out = out.padStart(w);
    }
    return out;
  });
}

/** The named state whose `state_<name>` equals the value, if any. */
export function stateOf(value: number, meta: MetaMap): string | undefined {
  for (const [key, raw] of Object.entries(meta)) {
    if (!key.startsWith('state_') || raw.trim() === '') continue;
    if (Number(raw) === value) return key.slice('state_'.length);
  }
  return undefined;
}

/**
 * How a value reads in the UI. `topicKey` is the suffix of the topic meta key the value came from
 * (`read` for `topic_read`, `red` for `topic_read_red`), which selects `format_<topicKey>`.
 */
export function formatValue(value: number | null | undefined, meta: MetaMap, topicKey = 'read'): string {
  if (value === null || value === undefined || Number.isNaN(value)) return '—';
  const state = stateOf(value, meta);
  if (state !== undefined) return meta[`text_${state}`] || state;
  const format = meta[`format_${topicKey}`] || meta.format;
  if (format && format.includes('%')) return sprintf(format, value);
  const unit = meta.unit?.trim();
  const shown = Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(10)));
  return unit ? `${shown} ${unit}` : shown;
}

/** Read topics of a function: `topic_read` → "read", `topic_read_red` → "red". */
export function readTopics(meta: MetaMap): { key: string; topic: string }[] {
  return Object.entries(meta)
    .filter(([k, v]) => (k === 'topic_read' || k.startsWith('topic_read_')) && v.trim() !== '')
    .map(([k, v]) => ({ key: k === 'topic_read' ? 'read' : k.slice('topic_read_'.length), topic: v.trim() }));
}
