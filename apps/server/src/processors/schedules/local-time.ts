// Wall-clock fields of a UTC minute in an IANA timezone, through Intl (no timezone database of our
// own). The scheduler walks UTC minutes, so a local time that does not exist (spring forward) is
// never produced, and `isRepeatedLocalMinute` tells the second pass over a local hour that occurs
// twice (fall back) so it is not run again.
import type { LocalFields } from './cron.js';

export interface LocalMinute extends LocalFields {
  year: number;
  /** Minutes the zone is ahead of UTC at that minute (Stockholm: 60 in winter, 120 in summer). */
  offset: number;
}

const weekdays: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      weekday: 'short',
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isTimeZone(name: string): boolean {
  try {
    formatter(name);
    return true;
  } catch {
    return false;
  }
}

/** `epochMinute` is Unix time in whole minutes (ms / 60000). Throws for an unknown zone. */
export function localMinute(epochMinute: number, timeZone: string): LocalMinute {
  const parts: Record<string, string> = {};
  for (const p of formatter(timeZone).formatToParts(new Date(epochMinute * 60_000))) parts[p.type] = p.value;
  const year = Number(parts.year);
  const month = Number(parts.month);
  const day = Number(parts.day);
  const hour = Number(parts.hour);
  const minute = Number(parts.minute);
  const asUtcMinute = Date.UTC(year, month - 1, day, hour, minute) / 60_000;
  return { year, month, day, hour, minute, weekday: weekdays[parts.weekday] ?? 0, offset: asUtcMinute - epochMinute };
}

/** Longest span looked back for a backward clock change; real zones shift by at most an hour or two. */
const lookBackMinutes = 180;

/**
 * True when the local wall time of `epochMinute` was already shown by an earlier UTC minute: the
 * minutes right after a backward change (Stockholm's last Sunday of October, 03:00 CEST -> 02:00
 * CET, repeats 02:00-02:59). Only the first occurrence runs.
 */
export function isRepeatedLocalMinute(epochMinute: number, timeZone: string, here = localMinute(epochMinute, timeZone)): boolean {
  const before = localMinute(epochMinute - lookBackMinutes, timeZone).offset;
  if (here.offset >= before) return false;
  // The offset dropped by `shift` somewhere in the look-back window: find the first minute with
  // the new offset; the `shift` minutes from there repeat local times already passed.
  const shift = before - here.offset;
  let lo = epochMinute - lookBackMinutes; // old offset
  let hi = epochMinute; // new offset
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (localMinute(mid, timeZone).offset === here.offset) hi = mid;
    else lo = mid;
  }
  return epochMinute - hi < shift;
}
