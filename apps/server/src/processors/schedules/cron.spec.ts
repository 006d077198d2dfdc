import { describe, expect, it } from 'vitest';
import { CronFieldError, cronMatches, parseCron, parseCronField, type CronFields, type LocalFields } from './cron.js';

const sorted = (s: Set<number>) => [...s].sort((a, b) => a - b);
const every = (field: Partial<CronFields>): CronFields => ({ minute: '*', hour: '*', day_of_month: '*', month: '*', day_of_week: '*', ...field });
const at = (t: Partial<LocalFields>): LocalFields => ({ minute: 0, hour: 0, day: 1, month: 1, weekday: 0, ...t });

describe('parseCronField', () => {
  it('reads stars, values, ranges, steps and lists', () => {
    expect(parseCronField('minute', '*').size).toBe(60);
    expect(sorted(parseCronField('minute', '5'))).toEqual([5]);
    expect(sorted(parseCronField('hour', '1-4'))).toEqual([1, 2, 3, 4]);
    expect(sorted(parseCronField('minute', '*/15'))).toEqual([0, 15, 30, 45]);
    expect(sorted(parseCronField('minute', '10-30/10'))).toEqual([10, 20, 30]);
    expect(sorted(parseCronField('minute', '50/4'))).toEqual([50, 54, 58]);
    expect(sorted(parseCronField('hour', '1,3, 5-6,22-23'))).toEqual([1, 3, 5, 6, 22, 23]);
    expect(sorted(parseCronField('day_of_month', '*/10'))).toEqual([1, 11, 21, 31]);
  });

  it('reads month and weekday names in any case, and 7 as Sunday', () => {
    expect(sorted(parseCronField('month', 'jan,MAR-May'))).toEqual([1, 3, 4, 5]);
    expect(sorted(parseCronField('day_of_week', 'MON-FRI'))).toEqual([1, 2, 3, 4, 5]);
    expect(sorted(parseCronField('day_of_week', 'sat,7'))).toEqual([0, 6]);
    expect(sorted(parseCronField('day_of_week', '5-7'))).toEqual([0, 5, 6]);
  });

  it.each([
    ['minute', '60', /60 is outside 0-59/],
    ['hour', '24', /outside 0-23/],
    ['day_of_month', '0', /outside 1-31/],
    ['month', '13', /outside 1-12/],
    ['day_of_week', '8', /outside 0-7/],
    ['minute', '', /must not be empty/],
    ['minute', 'x', /not a number/],
    ['hour', 'MON', /not a number/],
    ['month', 'MON', /not a number or a name/],
    ['minute', '*/0', /step "0"/],
    ['minute', '5-1', /runs backwards/],
    ['minute', '1-2-3', /not a range/],
    ['minute', '1,,2', /not a value/],
    ['minute', '-5', /not a number/],
    ['minute', '1.5', /not a number/],
    ['minute', '*/x', /step "x"/],
  ] as const)('refuses %s %j naming the field', (field, text, problem) => {
    let error: unknown;
    try {
      parseCronField(field, text);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CronFieldError);
    expect((error as CronFieldError).field).toBe(field);
    expect((error as Error).message).toMatch(new RegExp(`^invalid ${field}: `));
    expect((error as Error).message).toMatch(problem);
  });
});

describe('cronMatches', () => {
  it('needs minute, hour and month to match', () => {
    const spec = parseCron(every({ minute: '30', hour: '7', month: 'JUN' }));
    expect(cronMatches(spec, at({ minute: 30, hour: 7, month: 6 }))).toBe(true);
    expect(cronMatches(spec, at({ minute: 31, hour: 7, month: 6 }))).toBe(false);
    expect(cronMatches(spec, at({ minute: 30, hour: 8, month: 6 }))).toBe(false);
    expect(cronMatches(spec, at({ minute: 30, hour: 7, month: 7 }))).toBe(false);
  });

  it('matches either day field when both are restricted (standard cron)', () => {
    // The 13th of the month, or any Friday.
    const spec = parseCron(every({ minute: '0', hour: '0', day_of_month: '13', day_of_week: 'FRI' }));
    expect(cronMatches(spec, at({ day: 13, weekday: 2 }))).toBe(true);
    expect(cronMatches(spec, at({ day: 20, weekday: 5 }))).toBe(true);
    expect(cronMatches(spec, at({ day: 20, weekday: 4 }))).toBe(false);
  });

  it('lets the restricted day field decide when the other is a star', () => {
    const fridays = parseCron(every({ day_of_week: '5' }));
    expect(cronMatches(fridays, at({ day: 13, weekday: 4 }))).toBe(false);
    expect(cronMatches(fridays, at({ day: 14, weekday: 5 }))).toBe(true);
    const thirteenth = parseCron(every({ day_of_month: '13' }));
    expect(cronMatches(thirteenth, at({ day: 13, weekday: 4 }))).toBe(true);
    expect(cronMatches(thirteenth, at({ day: 14, weekday: 5 }))).toBe(false);
    // A field starting with * counts as unrestricted (Vixie cron): both must hold.
    const oddDaysOnMondays = parseCron(every({ day_of_month: '*/2', day_of_week: 'MON' }));
    expect(cronMatches(oddDaysOnMondays, at({ day: 3, weekday: 1 }))).toBe(true);
    expect(cronMatches(oddDaysOnMondays, at({ day: 4, weekday: 1 }))).toBe(false);
    expect(cronMatches(oddDaysOnMondays, at({ day: 3, weekday: 2 }))).toBe(false);
  });

  it('treats Sunday as 0 and 7', () => {
    expect(cronMatches(parseCron(every({ day_of_week: '7' })), at({ weekday: 0 }))).toBe(true);
    expect(cronMatches(parseCron(every({ day_of_week: 'SUN' })), at({ weekday: 0 }))).toBe(true);
    expect(cronMatches(parseCron(every({ day_of_week: '0' })), at({ weekday: 6 }))).toBe(false);
  });
});
