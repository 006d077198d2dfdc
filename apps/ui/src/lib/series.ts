// Turns history rows into uPlot's column data: one shared, sorted time axis and one value column
// per topic, null where a topic has no point at that time (drawn as a gap-spanning line).

export interface Point {
  topic: string;
  timestamp: number;
  value: number;
}

export type AlignedData = [number[], ...(number | null)[][]];

export function alignSeries(points: Point[], topics: string[]): AlignedData {
  const times = [...new Set(points.map((p) => p.timestamp))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const columns = topics.map(() => new Array<number | null>(times.length).fill(null));
  const col = new Map(topics.map((t, i) => [t, i]));
  for (const p of points) {
    const c = col.get(p.topic);
    if (c === undefined) continue;
    columns[c][index.get(p.timestamp)!] = Number.isFinite(p.value) ? p.value : null;
  }
  return [times, ...columns];
}
