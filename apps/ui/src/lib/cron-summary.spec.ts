import { describe, expect, it } from 'vitest';
import { describeCron, parseCronField } from './cron-summary.js';

const cron = (text: string) => {
  const [minute, hour, day_of_month, month, day_of_week] = text.split(' ') as [string, string, string, string, string];
  return describeCron({ minute, hour, day_of_month, month, day_of_week });
};

describe('describeCron', () => {
  it('reads a daily time', () => expect(cron('0 22 * * *')).toBe('At 22:00 every day'));
  it('reads weekdays as a range', () => expect(cron('30 7 * * 1-5')).toBe('At 07:30 on Monday–Friday'));
  it('reads named days and months', () => expect(cron('0 8 * dec sat,sun')).toBe('At 08:00 on Saturday and Sunday in December'));
  it('reads every minute', () => expect(cron('* * * * *')).toBe('Every minute'));
  it('reads minute steps', () => expect(cron('*/15 * * * *')).toBe('Every 15 minutes'));
  it('reads a minute of every hour', () => expect(cron('5 * * * *')).toBe('At minute 5 of every hour'));
  it('reads several times', () => expect(cron('0 6,18 * * *')).toBe('At 06:00 and 18:00 every day'));
  it('reads a day of the month', () => expect(cron('0 0 1 * *')).toBe('At 00:00 on day 1 of the month'));
  it('treats 7 as Sunday', () => expect(cron('0 9 * * 7')).toBe('At 09:00 on Sunday'));
  it('joins both day fields with or, as CRON does', () => expect(cron('0 12 15 * 1')).toBe('At 12:00 on day 15 of the month or on Monday'));
  it('refuses out-of-range values', () => {
    expect(cron('60 * * * *')).toBeNull();
    expect(cron('0 24 * * *')).toBeNull();
    expect(cron('0 0 0 * *')).toBeNull();
  });
  it('refuses malformed fields', () => {
    expect(cron('a * * * *')).toBeNull();
    expect(cron('*/0 * * * *')).toBeNull();
    expect(cron('5-1 * * * *')).toBeNull();
    expect(cron(' * * * *')).toBeNull();
  });
});

describe('parseCronField', () => {
  it('parses a stepped range', () => expect(parseCronField('0-30/10', 0, 59)).toEqual([{ kind: 'range', from: 0, to: 30, step: 10 }]));
  it('parses a start with a step to the end', () => expect(parseCronField('5/20', 0, 59)).toEqual([{ kind: 'range', from: 5, to: 59, step: 20 }]));
});
