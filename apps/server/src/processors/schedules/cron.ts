// The five cron fields of a schedule (spec 1.13), parsed once into the set of values each allows,
// and matched against a minute's local calendar fields. Syntax as in Vixie cron: `*`, numbers,
// ranges `a-b`, steps `*/n`, `a-b/n` and `a/n` (a to the field's maximum), comma lists, and names
// (JAN-DEC, SUN-SAT, any case). Day of week 0 and 7 are both Sunday.

export const cronFieldNames = ['minute', 'hour', 'day_of_month', 'month', 'day_of_week'] as const;
export type CronFieldName = (typeof cronFieldNames)[number];
export type CronFields = Record<CronFieldName, string>;

/** A field that is not cron syntax; `field` is the JSON key, so a 400 can name it. */
export class CronFieldError extends Error {
  constructor(
    readonly field: CronFieldName,
    readonly problem: string,
  ) {
    super(`invalid ${field}: ${problem}`);
  }
}

interface FieldRule {
  min: number;
  max: number;
  names?: readonly string[];
}

const rules: Record<CronFieldName, FieldRule> = {
  minute: { min: 0, max: 59 },
  hour: { min: 0, max: 23 },
  day_of_month: { min: 1, max: 31 },
  month: { min: 1, max: 12, names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'] },
  // 7 is accepted as Sunday and folded onto 0 after parsing.
  day_of_week: { min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
};

/** Longest field text accepted: enough for any real list, small enough to bound the work. */
const maxFieldLength = 200;

export interface CronSpec {
  minute: ReadonlySet<number>;
  hour: ReadonlySet<number>;
  dayOfMonth: ReadonlySet<number>;
  month: ReadonlySet<number>;
  /** 0 = Sunday ... 6 = Saturday. */
  dayOfWeek: ReadonlySet<number>;
  /**
   * Vixie cron: when both day fields are restricted (neither starts with `*`), a day matches if
   * either does; when one is `*`, the other alone decides.
   */
  dayOfMonthStar: boolean;
  dayOfWeekStar: boolean;
}

/** Local calendar fields of one minute (see local-time.ts). */
export interface LocalFields {
  minute: number;
  hour: number;
  day: number;
  month: number;
  /** 0 = Sunday. */
  weekday: number;
}

function parseValue(text: string, field: CronFieldName, rule: FieldRule): number {
  let value: number;
  if (/^[0-9]{1,2}$/.test(text)) value = Number(text);
  else {
    const index = rule.names?.indexOf(text.toUpperCase()) ?? -1;
    if (index < 0) throw new CronFieldError(field, `${JSON.stringify(text)} is not a number${rule.names ? ' or a name' : ''}`);
    // Month names count from 1, weekday names from 0 (Sunday).
    value = index + rule.min;
  }
  if (value < rule.min || value > rule.max) throw new CronFieldError(field, `${value} is outside ${rule.min}-${rule.max}`);
  return value;
}

export function parseCronField(field: CronFieldName, raw: string): Set<number> {
  const rule = rules[field];
  const text = raw.trim();
  if (text === '') throw new CronFieldError(field, 'must not be empty');
  if (text.length > maxFieldLength) throw new CronFieldError(field, `longer than ${maxFieldLength} characters`);
  const values = new Set<number>();
  for (const part of text.split(',')) {
    const m = /^([^/]+)(?:\/(.*))?$/.exec(part.trim());
    if (!m) throw new CronFieldError(field, `${JSON.stringify(part)} is not a value, range or step`);
    const [, base, stepText] = m;
    let step = 1;
    if (stepText !== undefined) {
      if (!/^[0-9]{1,2}$/.test(stepText) || Number(stepText) === 0) throw new CronFieldError(field, `step ${JSON.stringify(stepText)} must be a positive number`);
      step = Number(stepText);
    }
    let from: number;
    let to: number;
    if (base === '*') {
      from = rule.min;
      to = rule.max;
    } else if (base.includes('-')) {
      const [a, b, ...rest] = base.split('-');
      if (rest.length) throw new CronFieldError(field, `${JSON.stringify(base)} is not a range`);
      from = parseValue(a, field, rule);
      to = parseValue(b, field, rule);
      if (from > to) throw new CronFieldError(field, `range ${base} runs backwards`);
    } else {
      from = parseValue(base, field, rule);
      // `a/n` runs from a to the maximum; a plain value is just itself.
      to = stepText === undefined ? from : rule.max;
    }
    for (let v = from; v <= to; v += step) values.add(field === 'day_of_week' && v === 7 ? 0 : v);
  }
  return values;
}

/** Parses all five fields; throws CronFieldError for the first bad one. */
export function parseCron(fields: CronFields): CronSpec {
  return {
    minute: parseCronField('minute', fields.minute),
    hour: parseCronField('hour', fields.hour),
    dayOfMonth: parseCronField('day_of_month', fields.day_of_month),
    month: parseCronField('month', fields.month),
    dayOfWeek: parseCronField('day_of_week', fields.day_of_week),
    dayOfMonthStar: fields.day_of_month.trim().startsWith('*'),
    dayOfWeekStar: fields.day_of_week.trim().startsWith('*'),
  };
}

export function cronMatches(spec: CronSpec, t: LocalFields): boolean {
  if (!spec.minute.has(t.minute) || !spec.hour.has(t.hour) || !spec.month.has(t.month)) return false;
  const dom = spec.dayOfMonth.has(t.day);
  const dow = spec.dayOfWeek.has(t.weekday);
  if (spec.dayOfMonthStar || spec.dayOfWeekStar) return dom && dow;
  return dom || dow;
}
