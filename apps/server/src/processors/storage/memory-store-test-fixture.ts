// In-memory TimeSeriesStore for bus and processor specs: slow or failing durable writes on demand.
import type { Point, SeriesPage, TimeSeriesStore } from '../../tsdb/types.js';

export class MemoryStore implements TimeSeriesStore {
  points: Point[] = [];
  /** While set, appends wait for it: stands in for a slow durable write. */
  gate: Promise<void> | null = null;
  /** Every append takes this long, so writes overlap the way real ones do. */
  delayMs = 0;
  /** The next this-many appends fail, as a full disk would. */
  failures = 0;

  async append(points: Point[]): Promise<void> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.gate) await this.gate;
    if (this.failures > 0) {
      this.failures--;
      throw new Error('disk full');
    }
    this.points.push(...points);
  }
  async latest(): Promise<Point[]> {
    return [];
  }
  async query(): Promise<SeriesPage> {
    return { total: 0, last: 0, count: 0, data: [] };
  }
  async deleteInstallation(): Promise<void> {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}
