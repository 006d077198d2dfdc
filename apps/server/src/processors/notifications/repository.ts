// SQL access for notifications: executors, messages, outputs and the delivery outbox. The only
// notification code that touches Prisma; it returns plain records with config maps decoded.
import type { OrganizationRecord } from '../../aam/repositories/organizations.js';
import type { AamDb } from '../../aam/store/open-store.js';

export type ConfigMap = Record<string, string>;

export interface ExecutorRecord {
  id: number;
  organizationId: number;
  type: string;
  name: string;
  config: ConfigMap;
  secret: string;
  created: number;
  updated: number;
}

export interface MessageRecord {
  id: number;
  installationId: number;
  name: string;
  text: string;
  created: number;
  updated: number;
}

export interface OutputRecord {
  id: number;
  installationId: number;
  name: string;
  executorId: number;
  messageId: number;
  config: ConfigMap;
  created: number;
  updated: number;
}

export type DeliveryStatus = 'pending' | 'sent' | 'failed';

export interface DeliveryRecord {
  id: number;
  outputId: number;
  installationId: number;
  status: DeliveryStatus;
  attempts: number;
  nextAttempt: number;
  request: string;
  lastError: string;
  created: number;
  updated: number;
}

/** What the executor payload needs about the installation and its organization. */
export interface SendContext {
  installation: { id: number; clientId: number; name: string; timezone: string; organizationId: number };
  organization: Omit<OrganizationRecord, 'created' | 'updated' | 'children' | 'meta'>;
}

function decodeMap(text: string): ConfigMap {
  try {
    const v: unknown = JSON.parse(text);
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, String(x)]));
    }
  } catch {
    // Rows are only written by this repository; a broken one reads as empty rather than failing lists.
  }
  return {};
}

const executor = (r: { id: number; organizationId: number; type: string; name: string; config: string; secret: string; created: number; updated: number }): ExecutorRecord => ({
  ...r,
  config: decodeMap(r.config),
});
const output = (r: { id: number; installationId: number; name: string; executorId: number; messageId: number; config: string; created: number; updated: number }): OutputRecord => ({
  ...r,
  config: decodeMap(r.config),
});
const delivery = (r: Omit<DeliveryRecord, 'status'> & { status: string }): DeliveryRecord => ({ ...r, status: r.status as DeliveryStatus });

export class NotificationsRepository {
  constructor(private readonly db: AamDb) {}

  // Executors

  async executors(organizationIds: readonly number[]): Promise<ExecutorRecord[]> {
    const rows = await this.db.notificationExecutor.findMany({ where: { organizationId: { in: [...organizationIds] } }, orderBy: { id: 'asc' } });
    return rows.map(executor);
  }

  async executor(id: number): Promise<ExecutorRecord | null> {
    const row = await this.db.notificationExecutor.findUnique({ where: { id } });
    return row ? executor(row) : null;
  }

  async createExecutor(data: { organizationId: number; type: string; name: string; config: ConfigMap; secret: string }, now: number): Promise<ExecutorRecord> {
    const row = await this.db.notificationExecutor.create({ data: { ...data, config: JSON.stringify(data.config), created: now, updated: now } });
    return executor(row);
  }

  async updateExecutor(id: number, data: { organizationId: number; type: string; name: string; config: ConfigMap; secret: string }, now: number): Promise<ExecutorRecord> {
    const row = await this.db.notificationExecutor.update({ where: { id }, data: { ...data, config: JSON.stringify(data.config), updated: now } });
    return executor(row);
  }

  async deleteExecutor(id: number): Promise<boolean> {
    return (await this.db.notificationExecutor.deleteMany({ where: { id } })).count > 0;
  }

  // Messages

  async messages(installationId: number): Promise<MessageRecord[]> {
    return this.db.notificationMessage.findMany({ where: { installationId }, orderBy: { id: 'asc' } });
  }

  async message(installationId: number, id: number): Promise<MessageRecord | null> {
    return this.db.notificationMessage.findFirst({ where: { id, installationId } });
  }

  async createMessage(data: { installationId: number; name: string; text: string }, now: number): Promise<MessageRecord> {
    return this.db.notificationMessage.create({ data: { ...data, created: now, updated: now } });
  }

  async updateMessage(id: number, data: { name: string; text: string }, now: number): Promise<MessageRecord> {
    return this.db.notificationMessage.update({ where: { id }, data: { ...data, updated: now } });
  }

  async deleteMessage(installationId: number, id: number): Promise<boolean> {
    return (await this.db.notificationMessage.deleteMany({ where: { id, installationId } })).count > 0;
  }

  // Outputs

  async outputs(installationId: number): Promise<OutputRecord[]> {
    return (await this.db.notificationOutput.findMany({ where: { installationId }, orderBy: { id: 'asc' } })).map(output);
  }

  async output(installationId: number, id: number): Promise<OutputRecord | null> {
    const row = await this.db.notificationOutput.findFirst({ where: { id, installationId } });
    return row ? output(row) : null;
  }

  async outputById(id: number): Promise<OutputRecord | null> {
    const row = await this.db.notificationOutput.findUnique({ where: { id } });
    return row ? output(row) : null;
  }

  async createOutput(data: { installationId: number; name: string; executorId: number; messageId: number; config: ConfigMap }, now: number): Promise<OutputRecord> {
    return output(await this.db.notificationOutput.create({ data: { ...data, config: JSON.stringify(data.config), created: now, updated: now } }));
  }

  async updateOutput(id: number, data: { name: string; executorId: number; messageId: number; config: ConfigMap }, now: number): Promise<OutputRecord> {
    return output(await this.db.notificationOutput.update({ where: { id }, data: { ...data, config: JSON.stringify(data.config), updated: now } }));
  }

  async deleteOutput(installationId: number, id: number): Promise<boolean> {
    return (await this.db.notificationOutput.deleteMany({ where: { id, installationId } })).count > 0;
  }

  /** Installation, timezone and the full organization row for the executor payload. */
  async sendContext(installationId: number): Promise<SendContext | null> {
    const row = await this.db.installation.findUnique({
      where: { id: installationId },
      select: { id: true, clientId: true, name: true, timezone: true, organizationId: true, organization: true },
    });
    if (!row) return null;
    const { organization: o, ...installation } = row;
    return {
      installation,
      organization: {
        id: o.id,
        name: o.name,
        parentId: o.parentId,
        email: o.email,
        phone: o.phone,
        notes: o.notes,
        street: o.street,
        city: o.city,
        country: o.country,
        zip: o.zip,
        forceSmsLogin: o.forceSmsLogin,
        passwordValidDays: o.passwordValidDays,
      },
    };
  }

  // Deliveries (outbox)

  async createDelivery(data: { outputId: number; installationId: number; request: string }, now: number): Promise<DeliveryRecord> {
    return delivery(await this.db.notificationDelivery.create({ data: { ...data, status: 'pending', attempts: 0, nextAttempt: now, created: now, updated: now } }));
  }

  /** Removes finished (sent or failed) deliveries last changed before `seconds`; pending ones stay. */
  async pruneDeliveries(seconds: number): Promise<number> {
    return (await this.db.notificationDelivery.deleteMany({ where: { status: { in: ['sent', 'failed'] }, updated: { lt: seconds } } })).count;
  }

  /** Pending deliveries due by `nowSeconds`, earliest first. */
  async dueDeliveries(nowSeconds: number, limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.db.notificationDelivery.findMany({
      where: { status: 'pending', nextAttempt: { lte: nowSeconds } },
      orderBy: [{ nextAttempt: 'asc' }, { id: 'asc' }],
      take: limit,
    });
    return rows.map(delivery);
  }

  async delivery(id: number): Promise<DeliveryRecord | null> {
    const row = await this.db.notificationDelivery.findUnique({ where: { id } });
    return row ? delivery(row) : null;
  }

  /** Returns false when the row is gone (its output was deleted meanwhile). */
  async updateDelivery(id: number, data: { status: DeliveryStatus; attempts: number; nextAttempt: number; lastError: string }, now: number): Promise<boolean> {
    return (await this.db.notificationDelivery.updateMany({ where: { id }, data: { ...data, updated: now } })).count > 0;
  }

  async recentDeliveries(installationId: number, limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.db.notificationDelivery.findMany({ where: { installationId }, orderBy: [{ created: 'desc' }, { id: 'desc' }], take: limit });
    return rows.map(delivery);
  }

  async countByStatus(installationId: number): Promise<Record<DeliveryStatus, number>> {
    const groups = await this.db.notificationDelivery.groupBy({ by: ['status'], where: { installationId }, _count: { _all: true } });
    const out: Record<DeliveryStatus, number> = { pending: 0, sent: 0, failed: 0 };
    for (const g of groups) if (g.status in out) out[g.status as DeliveryStatus] = g._count._all;
    return out;
  }
}
