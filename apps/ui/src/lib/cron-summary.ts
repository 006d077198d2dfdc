// A schedule's five CRON fields in words, so a facility manager can check "0 22 * * 1-5" at a
// glance. Anything this does not understand is returned as null and the raw fields are shown.

export interface CronFields {
  minute: string;
  hour: string;
  day_of_month: string;
  month: string;
  day_of_week: string;
}

const dayNames = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const monthNames = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const dayAbbr: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const monthAbbr: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

type Part = { kind: 'value'; n: number } | { kind: 'range'; from: number; to: number; step: number } | { kind: 'every'; step: number };

function num(text: string, names: Record<string, number> | undefined, min: number, max: number): number | null {
  const t = text.trim().toLowerCase();
  const n = /^\d+$/.test(t) ? Number(t) : names?.[t.slice(0, 3)];
  if (n === undefined || n < min || n > max) return null;
  return n;
}

/** One field as a list of parts, or null when it is not valid CRON for the range. */
export function parseCronField(field: string, min: number, max: number, names?: Record<string, number>): Part[] | null {
  const parts: Part[] = [];
  for (const item of field.trim().split(',')) {
    const [base, stepText, extra] = item.split('/');
    if (extra !== undefined || base === undefined || base === '') return null;
    const step = stepText === undefined ? 1 : /^\d+$/.test(stepText) && Number(stepText) > 0 ? Number(stepText) : null;
    if (step === null) return null;
    if (base === '*') {
      parts.push({ kind: 'every', step });
      continue;
    }
    const [a, b, more] = base.split('-');
    if (more !== undefined) return null;
    const from = num(a ?? '', names, min, max);
    if (from === null) return null;
    if (b === undefined) {
      parts.push(stepText === undefined ? { kind: 'value', n: from } : { kind: 'range', from, to: max, step });
      continue;
    }
    const to = num(b, names, min, max);
    if (to === null || to < from) return null;
    parts.push({ kind: 'range', from, to, step });
  }
  return parts;
}

function joinWords(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

function listOf(parts: Part[], name: (n: number) => string): string {
  return joinWords(
    parts.map((p) => {
      if (p.kind === 'value') return name(p.n);
      if (p.kind === 'every') return `every ${p.step}`;
      const span = `${name(p.from)}–${name(p.to)}`;
      return p.step === 1 ? span : `every ${p.step} from ${span}`;
    }),
  );
}

const pad = (n: number) => String(n).padStart(2, '0');
const isAll = (parts: Part[]) => parts.length === 1 && parts[0]!.kind === 'every' && parts[0]!.step === 1;
const values = (parts: Part[]) => (parts.every((p) => p.kind === 'value') ? parts.map((p) => (p as { n: number }).n) : null);

function timePhrase(minute: Part[], hour: Part[]): string {
  const mins = values(minute);
  const hours = values(hour);
  if (mins && hours && mins.length * hours.length <= 4) {
    const times = hours.flatMap((h) => mins.map((m) => `${pad(h)}:${pad(m)}`));
    return `at ${joinWords(times)}`;
  }
  let m: string;
  if (isAll(minute)) m = 'every minute';
  else if (minute.length === 1 && minute[0]!.kind === 'every') m = `every ${minute[0]!.step} minutes`;
  else if (mins) m = `at minute ${joinWords(mins.map(String))}`;
  else m = `at minutes ${listOf(minute, String)}`;
  if (isAll(hour)) return mins ? `${m} of every hour` : m;
  if (hour.length === 1 && hour[0]!.kind === 'every') return `${m} of every ${hour[0]!.step} hours`;
  if (hours) return `${m} past ${joinWords(hours.map((h) => pad(h)))} h`;
  return `${m}, hours ${listOf(hour, pad)}`;
}

/** "At 22:00 on Monday–Friday", or null when the fields are not valid CRON. */
export function describeCron(f: CronFields): string | null {
  const minute = parseCronField(f.minute, 0, 59);
  const hour = parseCronField(f.hour, 0, 23);
  const dom = parseCronField(f.day_of_month, 1, 31);
  const month = parseCronField(f.month, 1, 12, monthAbbr);
  // 7 is Sunday too in most CRON dialects.
  const dow = parseCronField(f.day_of_week, 0, 7, dayAbbr);
  if (!minute || !hour || !dom || !month || !dow) return null;
  const dayName = (n: number) => dayNames[n % 7]!;
  const monthName = (n: number) => monthNames[n - 1]!;
  const clauses: string[] = [timePhrase(minute, hour)];
  const days: string[] = [];
  if (!isAll(dom)) days.push(`on day ${listOf(dom, String)} of the month`);
  if (!isAll(dow)) days.push(`on ${listOf(dow, dayName)}`);
  // Standard CRON: when both day fields are restricted, either one matching is enough.
  if (days.length > 0) clauses.push(days.join(' or '));
  else if (values(minute) && values(hour)) clauses.push('every day');
  if (!isAll(month)) clauses.push(`in ${listOf(month, monthName)}`);
  const text = clauses.join(' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}
