// Which range and aggregation a history chart asks for. The interval keeps any range near
// `targetPoints` buckets, so a month of one-second data comes back as ~1,000 points, not 2.6M.

export type RangePreset = 'hour' | 'day' | 'week' | 'month';
export interface TimeRange {
  /** Unix seconds. */
  from: number;
  to: number;
}

export const presetSeconds: Record<RangePreset, number> = { hour: 3600, day: 86_400, week: 7 * 86_400, month: 30 * 86_400 };

export function rangeForPreset(preset: RangePreset, nowSeconds: number): TimeRange {
  return { from: nowSeconds - presetSeconds[preset], to: nowSeconds };
}

// Intervals a person reads easily on an axis.
const niceIntervals = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 2 * 86_400, 7 * 86_400, 30 * 86_400];

/** Bucket length in seconds for the range, or 0 when raw points are few enough to show as they are. */
export function aggregationInterval(range: TimeRange, targetPoints = 1000): number {
  const span = Math.max(0, range.to - range.from);
  const wanted = span / targetPoints;
  if (wanted <= 1) return 0;
  return niceIntervals.find((i) => i >= wanted) ?? niceIntervals[niceIntervals.length - 1];
}

/** "5 min" for 300: how the chosen interval is shown beside the chart. */
export function describeInterval(seconds: number): string {
  if (seconds === 0) return 'raw values';
  if (seconds % 86_400 === 0) return `${seconds / 86_400} d`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}
