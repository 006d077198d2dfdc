import { describe, expect, it } from 'vitest';
import { goFormat, isValidTimeZone } from './go-time-format.js';

// Go's reference time, Mon Jan 2 15:04:05 MST 2006, is 1136239445.
const ref = 1136239445;

describe('goFormat', () => {
  it('renders the reference layout back in MST (America/Denver)', () => {
    expect(goFormat(ref, 0, 'America/Denver', 'Mon Jan 2 15:04:05 MST 2006')).toBe('Mon Jan 2 15:04:05 MST 2006');
    expect(goFormat(ref, 0, 'America/Denver', 'Monday January 02 03:04:05PM -07:00 Z07:00')).toBe('Monday January 02 03:04:05PM -07:00 -07:00');
  });
  it('renders Go constants (RFC3339, Kitchen, ANSIC, RFC1123Z) in UTC', () => {
    expect(goFormat(ref, 0, 'UTC', '2006-01-02T15:04:05Z07:00')).toBe('2006-01-02T22:04:05Z');
    expect(goFormat(ref, 0, 'UTC', '3:04PM')).toBe('10:04PM');
    expect(goFormat(ref, 0, 'UTC', 'Mon Jan _2 15:04:05 2006')).toBe('Mon Jan  2 22:04:05 2006');
    expect(goFormat(ref, 0, 'UTC', 'Mon, 02 Jan 2006 15:04:05 -0700')).toBe('Mon, 02 Jan 2006 22:04:05 +0000');
  });
  it('numeric month, day, hour forms, two-digit year, year day', () => {
    expect(goFormat(1700000000, 0, 'UTC', '1/2/06 3 4 5 pm 002 __2')).toBe('11/14/23 10 13 20 pm 318 318');
  });
  it('fractional seconds: fixed .000 and trimmed .999, comma separator', () => {
    expect(goFormat(ref, 120_000_000, 'UTC', '05.000 05.999 05,000000 .9')).toBe('05.120 05.12 05,120000 .1');
    expect(goFormat(ref, 0, 'UTC', '05.999|')).toBe('05|');
  });
  it('leaves words that only start like a chunk alone (Month, Janet)', () => {
    expect(goFormat(ref, 0, 'UTC', 'Month Janet')).toBe('Month Janet');
  });
  it('zone forms and abbreviations', () => {
    expect(goFormat(1700000000, 0, 'Europe/Stockholm', 'MST -07 -0700 -07:00 Z0700 -07:00:00')).toBe('CET +01 +0100 +01:00 +0100 +01:00:00');
    expect(goFormat(1690000000, 0, 'Europe/Stockholm', 'MST')).toBe('CEST');
    expect(goFormat(1700000000, 0, 'Asia/Kolkata', '15:04 MST')).toBe('03:43 +0530');
    expect(goFormat(1700000000, 0, 'America/Los_Angeles', 'MST')).toBe('PST');
  });
  it('knows valid zones', () => {
    expect(isValidTimeZone('Europe/Stockholm')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});
