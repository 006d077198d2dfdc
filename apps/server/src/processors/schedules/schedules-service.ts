// Schedules (spec 1.13, 2.10): CRUD with the installation's schedule/* permissions, cron fields
// checked on every write, a `schedule/updated` event after each change (unless silent) and a trace
// entry. The `server` executor's runs are the runner's business (schedule-runner.ts).
import { z } from 'zod';
import type { MessageResponse, Schedule } from '@lynx/shared';
import { noAudit, type Audit, type TraceAction } from '../../aam/audit.js';
import { BadRequestError, NotFoundError } from '../../aam/errors.js';
import type { ChangePublisher } from '../../aam/events.js';
import type { IndexedInstallation } from '../../aam/installation-index.js';
import type { Principal } from '../../aam/principal.js';
import type { AccessPolicy } from '../../aam/services/access-policy.js';
import { parseInput } from '../../aam/services/parse-input.js';
import type { AamDb } from '../../aam/store/open-store.js';
import { CronFieldError, parseCron } from './cron.js';
import { SchedulesRepository, type ScheduleData, type ScheduleRecord } from './schedules-repository.js';

export interface SchedulesServiceDeps {
  db: AamDb;
  policy: AccessPolicy;
  changes: ChangePublisher;
  audit?: Audit;
  /** Unix seconds. */
  now?: () => number;
}

export interface ScheduleWriteOptions {
  /** Do not publish `<client_id>/evt/schedule/updated`. */
  silent?: boolean;
}

const nullish = <T>(v: T | null | undefined): T | undefined => v ?? undefined;
const cronText = z.string().max(200, 'is longer than 200 characters').nullish().transform(nullish);

// Go clients send every field, zero values included; node-lynx types `value` as a string.
const bodySchema = z.object({
  installation_id: z
    .number()
    .int()
    .nonnegative()
    .nullish()
    .transform((v) => v || undefined),
  executor: z.string().max(100, 'is longer than 100 characters').nullish().transform((v) => v || undefined),
  active: z.boolean().nullish().transform(nullish),
  day_of_week: cronText,
  day_of_month: cronText,
  month: cronText,
  hour: cronText,
  minute: cronText,
  topic: z.string().max(1000, 'is longer than 1000 characters').nullish().transform(nullish),
  value: z
    .union([z.number(), z.string().trim().min(1, 'must be a number').transform(Number)])
    .nullish()
    .transform(nullish)
    .refine((v) => v === undefined || Number.isFinite(v), 'must be a finite number (or a numeric string)'),
});

type Body = z.infer<typeof bodySchema>;

/** A relative topic: `<client_id>/` is stripped when a client sends the full form. */
function checkTopic(topic: string, clientId: number): string {
  const prefix = `${clientId}/`;
  const relative = topic.startsWith(prefix) ? topic.slice(prefix.length) : topic;
  if (relative === '') throw new BadRequestError('invalid topic: must not be empty');
  if (/[+#]/.test(relative)) throw new BadRequestError('invalid topic: wildcards (+, #) cannot be published to');
  if (relative.startsWith('/') || relative.startsWith('$')) throw new BadRequestError('invalid topic: must be relative to the installation (like set/obj/light)');
  return relative;
}

export function toScheduleJson(r: ScheduleRecord): Schedule {
  return {
    id: r.id,
    installation_id: r.installationId,
    executor: r.executor,
    active: r.active,
    day_of_week: r.dayOfWeek,
    day_of_month: r.dayOfMonth,
    month: r.month,
    hour: r.hour,
    minute: r.minute,
    topic: r.topic,
    value: r.value,
    created_at: r.created,
    updated_at: r.updated,
  };
}

export class SchedulesService {
  private readonly repo: SchedulesRepository;
  private readonly now: () => number;
  private readonly audit: Audit;

  constructor(private readonly deps: SchedulesServiceDeps) {
    this.repo = new SchedulesRepository(deps.db);
    this.now = deps.now ?? (() => Math.floor(Date.now() / 1000));
    this.audit = deps.audit ?? noAudit;
  }

  async list(p: Principal, installationId: number, opts: { executor?: string } = {}): Promise<Schedule[]> {
    this.deps.policy.require(p, 'schedule/list', installationId);
    const executor = opts.executor === '' ? undefined : opts.executor;
    return (await this.repo.list(installationId, executor)).map(toScheduleJson);
  }

  async get(p: Principal, installationId: number, id: number): Promise<Schedule> {
    this.deps.policy.require(p, 'schedule/list', installationId);
    return toScheduleJson(await this.load(installationId, id));
  }

  async create(p: Principal, installationId: number, body: unknown, opts: ScheduleWriteOptions = {}): Promise<Schedule> {
    const inst = this.deps.policy.require(p, 'schedule/create_delete', installationId);
    const input = this.parseBody(body, installationId);
    if (!input.topic) throw new BadRequestError('invalid topic: required (relative, like set/obj/light)');
    if (input.value === undefined) throw new BadRequestError('invalid value: required (a number or a numeric string)');
    const data = this.complete(input, inst, {
      executor: 'server',
      active: true,
      dayOfWeek: '*',
      dayOfMonth: '*',
      month: '*',
      hour: '*',
      minute: '*',
      topic: input.topic,
      value: input.value,
    });
    const record = await this.repo.create(installationId, data, this.now());
    this.publish(inst, opts);
    await this.trace('create', inst, record.id, `schedule ${record.id} created (${describe(record)})`);
    return toScheduleJson(record);
  }

  /** Full-object PUT; absent fields (and Go's empty strings) keep their stored values. */
  async update(p: Principal, installationId: number, id: number, body: unknown, opts: ScheduleWriteOptions = {}): Promise<Schedule> {
    const inst = this.deps.policy.require(p, 'schedule/update', installationId);
    const input = this.parseBody(body, installationId);
    const current = await this.load(installationId, id);
    const data = this.complete(input, inst, current);
    // Clients compare updated_at to notice changes; two changes in one second must still differ.
    const record = await this.repo.update(id, data, Math.max(this.now(), current.updated + 1));
    this.publish(inst, opts);
    await this.trace('update', inst, id, `schedule ${id} updated (${describe(record)})`);
    return toScheduleJson(record);
  }

  async delete(p: Principal, installationId: number, id: number, opts: ScheduleWriteOptions = {}): Promise<MessageResponse> {
    const inst = this.deps.policy.require(p, 'schedule/create_delete', installationId);
    if (!(await this.repo.delete(installationId, id))) throw this.notFound(installationId, id);
    this.publish(inst, opts);
    await this.trace('delete', inst, id, `schedule ${id} deleted`);
    return { message: `schedule ${id} deleted` };
  }

  private parseBody(body: unknown, installationId: number): Body {
    const input = parseInput(bodySchema, body ?? {});
    if (input.installation_id !== undefined && input.installation_id !== installationId) {
      throw new BadRequestError(`installation_id ${input.installation_id} in the body does not match installation ${installationId} in the path`);
    }
    return input;
  }

  /** The stored fields after applying `input` over `base`, with the cron fields checked together. */
  private complete(input: Body, inst: IndexedInstallation, base: ScheduleData): ScheduleData {
    const data: ScheduleData = {
      executor: input.executor ?? base.executor,
      active: input.active ?? base.active,
      dayOfWeek: input.day_of_week?.trim() || base.dayOfWeek,
      dayOfMonth: input.day_of_month?.trim() || base.dayOfMonth,
      month: input.month?.trim() || base.month,
      hour: input.hour?.trim() || base.hour,
      minute: input.minute?.trim() || base.minute,
      topic: checkTopic(input.topic || base.topic, inst.clientId),
      value: input.value ?? base.value,
    };
    try {
      parseCron({ minute: data.minute, hour: data.hour, day_of_month: data.dayOfMonth, month: data.month, day_of_week: data.dayOfWeek });
    } catch (err) {
      if (err instanceof CronFieldError) throw new BadRequestError(err.message);
      throw err;
    }
    return data;
  }

  private async load(installationId: number, id: number): Promise<ScheduleRecord> {
    const record = await this.repo.get(installationId, id);
    if (!record) throw this.notFound(installationId, id);
    return record;
  }

  private notFound(installationId: number, id: number): NotFoundError {
    return new NotFoundError(`schedule ${id} not found in installation ${installationId}`);
  }

  private publish(inst: IndexedInstallation, opts: ScheduleWriteOptions): void {
    if (!opts.silent) this.deps.changes.changed(inst.clientId, 'schedule');
  }

  private trace(action: TraceAction, inst: IndexedInstallation, id: number, description: string): Promise<void> {
    return this.audit.record({ action, objectType: 'schedule', objectId: id, description, installationId: inst.id, organizationId: inst.organizationId });
  }
}

function describe(r: ScheduleRecord): string {
  const cron = [r.minute, r.hour, r.dayOfMonth, r.month, r.dayOfWeek].join(' ');
  return `${r.executor}${r.active ? '' : ', inactive'}, "${cron}", ${JSON.stringify(r.topic)} = ${r.value}`;
}
