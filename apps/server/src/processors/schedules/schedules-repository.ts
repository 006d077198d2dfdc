// Schedule rows (spec 1.13) over the AAM store. The only file of this processor that touches Prisma.
import type { AamDb } from '../../aam/store/open-store.js';

export interface ScheduleRecord {
  id: number;
  installationId: number;
  executor: string;
  active: boolean;
  dayOfWeek: string;
  dayOfMonth: string;
  month: string;
  hour: string;
  minute: string;
  topic: string;
  value: number;
  created: number;
  updated: number;
  /** Unix seconds of the minute this schedule last ran (server executor), 0 if never. */
  lastRun: number;
}

export type ScheduleData = Omit<ScheduleRecord, 'id' | 'installationId' | 'created' | 'updated' | 'lastRun'>;

/** An active `server` schedule with what the runner needs of its installation. */
export interface DueCandidate extends ScheduleRecord {
  clientId: number;
  timezone: string;
}

export class SchedulesRepository {
  constructor(private readonly db: AamDb) {}

  list(installationId: number, executor?: string): Promise<ScheduleRecord[]> {
    return this.db.schedule.findMany({ where: { installationId, ...(executor !== undefined && { executor }) }, orderBy: { id: 'asc' } });
  }

  get(installationId: number, id: number): Promise<ScheduleRecord | null> {
    return this.db.schedule.findFirst({ where: { id, installationId } });
  }

  create(installationId: number, data: ScheduleData, now: number): Promise<ScheduleRecord> {
    return this.db.schedule.create({ data: { installationId, ...data, created: now, updated: now } });
  }

  update(id: number, data: ScheduleData, updated: number): Promise<ScheduleRecord> {
    return this.db.schedule.update({ where: { id }, data: { ...data, updated } });
  }

  async delete(installationId: number, id: number): Promise<boolean> {
    const { count } = await this.db.schedule.deleteMany({ where: { id, installationId } });
    return count > 0;
  }

  async activeServerSchedules(): Promise<DueCandidate[]> {
    const rows = await this.db.schedule.findMany({
      where: { executor: 'server', active: true },
      include: { installation: { select: { clientId: true, timezone: true } } },
      orderBy: { id: 'asc' },
    });
    return rows.map(({ installation, ...row }) => ({ ...row, clientId: installation.clientId, timezone: installation.timezone }));
  }

  /**
   * Marks the schedule as run for the minute starting at `minuteStart` (Unix seconds) unless it
   * already ran for it or a later one. One conditional UPDATE, so of two runners (or a runner and
   * its restarted self) exactly one wins each minute; the winner publishes.
   */
  async claimRun(id: number, minuteStart: number): Promise<boolean> {
    const { count } = await this.db.schedule.updateMany({ where: { id, lastRun: { lt: minuteStart } }, data: { lastRun: minuteStart } });
    return count > 0;
  }
}
