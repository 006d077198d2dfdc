// Notification messages, outputs and executors (spec 1.11, 2.8), and sending: a send renders the
// message and the output config with the template engine, writes an outbox row and returns; the
// DeliveryWorker calls the executor. Permission checks go through the AccessPolicy (404 for an
// installation the caller cannot see, 403 for one it sees but may not act on).
import { z } from 'zod';
import {
  maskedSecret,
  type MessageResponse,
  type NotificationDeliveries,
  type NotificationDelivery,
  type NotificationExecutor,
  type NotificationMessage,
  type NotificationOutput,
} from '@lynx/shared';
import { noAudit, type Audit, type TraceAction, type TraceObjectType } from '../../aam/audit.js';
import { BadRequestError, NotFoundError } from '../../aam/errors.js';
import type { OrganizationTree } from '../../aam/organization-tree.js';
import type { Principal } from '../../aam/principal.js';
import type { AccessPolicy } from '../../aam/services/access-policy.js';
import { parseInput } from '../../aam/services/parse-input.js';
import { maxStoredInt } from '../../aam/services/stored-values.js';
import type { DeliveryWorker } from './delivery-worker.js';
import { installationJson, organizationJson, templateData, type ExecutorPayload } from './executor-payload.js';
import { executorConfigProblem } from './executors.js';
import type { ConfigMap, DeliveryRecord, ExecutorRecord, MessageRecord, NotificationsRepository, OutputRecord } from './repository.js';
import { compileTemplate, fromJson, isValidTimeZone, renderTemplate, TemplateError } from './template/index.js';

export interface NotificationsServiceOptions {
  repo: NotificationsRepository;
  policy: AccessPolicy;
  organizations: OrganizationTree;
  /** Woken after each send; absent in specs that only look at the outbox. */
  worker?: Pick<DeliveryWorker, 'wake'>;
  audit?: Audit;
  now?: () => number;
}

/** Permission that administers executors of the organizations in the caller's subtree. */
export const executorAdminPermission = 'organization/update';

const id = z.number().int().positive().max(maxStoredInt);
// Go clients send every field, zero ids included.
const optionalId = z
  .number()
  .int()
  .nonnegative()
  .max(maxStoredInt)
  .nullish()
  .transform((v) => v || undefined);
const name = z.string().trim().min(1, 'must not be empty').max(255);
const config = z
  .record(z.string().max(255), z.string().max(65_536))
  .nullish()
  .transform((v) => v ?? {});

const messageBody = z.object({ name, text: z.string().max(65_536), installation_id: optionalId });
const outputBody = z.object({
  name,
  installation_id: optionalId,
  notification_output_executor_id: id,
  notification_message_id: id,
  config,
});
const executorBody = z.object({
  type: z.string().trim().min(1, 'must not be empty').max(64),
  name,
  organization_id: id,
  config,
  secret: z.string().max(4096).nullish(),
});

function compileOrThrow(what: string, text: string) {
  try {
    return compileTemplate(text);
  } catch (err) {
    if (err instanceof TemplateError) throw new BadRequestError(`invalid ${what}: ${err.message}`);
    throw err;
  }
}

function messageJson(r: MessageRecord): NotificationMessage {
  return { id: r.id, installation_id: r.installationId, name: r.name, text: r.text };
}

function outputJson(r: OutputRecord): NotificationOutput {
  return {
    id: r.id,
    name: r.name,
    installation_id: r.installationId,
    notification_output_executor_id: r.executorId,
    notification_message_id: r.messageId,
    config: r.config,
  };
}

function executorJson(r: ExecutorRecord): NotificationExecutor {
  return { id: r.id, type: r.type, name: r.name, organization_id: r.organizationId, config: r.config, secret: r.secret ? maskedSecret : '' };
}

function deliveryJson(r: DeliveryRecord): NotificationDelivery {
  let message = '';
  try {
    message = String((JSON.parse(r.request) as ExecutorPayload).message ?? '');
  } catch {
    // Shown without text rather than failing the list.
  }
  return {
    id: r.id,
    output_id: r.outputId,
    installation_id: r.installationId,
    status: r.status,
    attempts: r.attempts,
    next_attempt: r.nextAttempt,
    last_error: r.lastError,
    message,
    created: r.created,
    updated: r.updated,
  };
}

export class NotificationsService {
  private readonly repo: NotificationsRepository;
  private readonly policy: AccessPolicy;
  private readonly organizations: OrganizationTree;
  private readonly worker?: Pick<DeliveryWorker, 'wake'>;
  private readonly audit: Audit;
  private readonly now: () => number;

  constructor(opts: NotificationsServiceOptions) {
    this.repo = opts.repo;
    this.policy = opts.policy;
    this.organizations = opts.organizations;
    this.worker = opts.worker;
    this.audit = opts.audit ?? noAudit;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }
  /** Housekeeping: forgets finished deliveries older than `keepDays` (0 = keep all); pending ones always stay. */
  async pruneDeliveries(keepDays: number): Promise<number> {
    if (keepDays <= 0) return 0;
    return this.repo.pruneDeliveries(this.now() - keepDays * 86_400);
  }


  // Messages

  async listMessages(p: Principal, installationId: number): Promise<NotificationMessage[]> {
    this.policy.require(p, 'notification/message/list', installationId);
    return (await this.repo.messages(installationId)).map(messageJson);
  }

  async getMessage(p: Principal, installationId: number, messageId: number): Promise<NotificationMessage> {
    this.policy.require(p, 'notification/message/list', installationId);
    return messageJson(await this.loadMessage(installationId, messageId));
  }

  async createMessage(p: Principal, installationId: number, body: unknown): Promise<NotificationMessage> {
    const inst = this.policy.require(p, 'notification/message/create_delete', installationId);
    const input = this.parseMessage(body, installationId);
    const record = await this.repo.createMessage({ installationId, name: input.name, text: input.text }, this.now());
    await this.trace('create', 'notification_message', record.id, `notification message ${record.id} "${record.name}" created`, inst.id);
    return messageJson(record);
  }

  async updateMessage(p: Principal, installationId: number, messageId: number, body: unknown): Promise<NotificationMessage> {
    const inst = this.policy.require(p, 'notification/message/update', installationId);
    const input = this.parseMessage(body, installationId);
    await this.loadMessage(installationId, messageId);
    const record = await this.repo.updateMessage(messageId, { name: input.name, text: input.text }, this.now());
    await this.trace('update', 'notification_message', messageId, `notification message ${messageId} updated`, inst.id);
    return messageJson(record);
  }

  async deleteMessage(p: Principal, installationId: number, messageId: number): Promise<MessageResponse> {
    const inst = this.policy.require(p, 'notification/message/create_delete', installationId);
    if (!(await this.repo.deleteMessage(installationId, messageId))) throw this.missing('message', installationId, messageId);
    await this.trace('delete', 'notification_message', messageId, `notification message ${messageId} deleted (with its outputs)`, inst.id);
    return { message: `notification message ${messageId} deleted` };
  }

  // Outputs

  async listOutputs(p: Principal, installationId: number): Promise<NotificationOutput[]> {
    this.policy.require(p, 'notification/output/list', installationId);
    return (await this.repo.outputs(installationId)).map(outputJson);
  }

  async getOutput(p: Principal, installationId: number, outputId: number): Promise<NotificationOutput> {
    this.policy.require(p, 'notification/output/list', installationId);
    return outputJson(await this.loadOutput(installationId, outputId));
  }

  async createOutput(p: Principal, installationId: number, body: unknown): Promise<NotificationOutput> {
    const inst = this.policy.require(p, 'notification/output/create_delete', installationId);
    const input = await this.parseOutput(body, installationId, inst.organizationId);
    const record = await this.repo.createOutput({ installationId, ...input }, this.now());
    await this.trace('create', 'notification_output', record.id, `notification output ${record.id} "${record.name}" created`, inst.id);
    return outputJson(record);
  }

  async updateOutput(p: Principal, installationId: number, outputId: number, body: unknown): Promise<NotificationOutput> {
    const inst = this.policy.require(p, 'notification/output/update', installationId);
    const input = await this.parseOutput(body, installationId, inst.organizationId);
    await this.loadOutput(installationId, outputId);
    const record = await this.repo.updateOutput(outputId, input, this.now());
    await this.trace('update', 'notification_output', outputId, `notification output ${outputId} updated`, inst.id);
    return outputJson(record);
  }

  async deleteOutput(p: Principal, installationId: number, outputId: number): Promise<MessageResponse> {
    const inst = this.policy.require(p, 'notification/output/create_delete', installationId);
    if (!(await this.repo.deleteOutput(installationId, outputId))) throw this.missing('output', installationId, outputId);
    await this.trace('delete', 'notification_output', outputId, `notification output ${outputId} deleted`, inst.id);
    return { message: `notification output ${outputId} deleted` };
  }

  /**
   * Renders now (so template errors answer 400 to the sender) and queues the delivery; the answer
   * does not wait for the executor.
   */
  async send(p: Principal, installationId: number, outputId: number, body: unknown): Promise<MessageResponse & { delivery_id: number }> {
    const inst = this.policy.require(p, 'notification/output/send', installationId);
    const payload = body ?? {};
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw new BadRequestError('invalid body: expected a JSON object (it becomes .payload of the message)');
    const output = await this.loadOutput(installationId, outputId);
    const [message, executor, ctx] = await Promise.all([
      this.repo.message(installationId, output.messageId),
      this.repo.executor(output.executorId),
      this.repo.sendContext(installationId),
    ]);
    if (!message || !ctx) throw this.missing('output', installationId, outputId);
    if (!executor) throw new NotFoundError(`executor ${output.executorId} of output ${outputId} not found`);
    const timeZone = isValidTimeZone(ctx.installation.timezone) ? ctx.installation.timezone : 'UTC';
    const data = templateData(ctx, fromJson(payload));
    const render = (what: string, text: string) => {
      try {
        return renderTemplate(text, data, timeZone);
      } catch (err) {
        if (err instanceof TemplateError) throw new BadRequestError(`cannot render ${what}: ${err.message}`);
        throw err;
      }
    };
    const outputConfig: ConfigMap = {};
    for (const [key, value] of Object.entries(output.config)) outputConfig[key] = render(`output config "${key}"`, value);
    const request: ExecutorPayload = {
      message: render(`message ${message.id}`, message.text),
      output_config: outputConfig,
      executor_config: executor.config,
      organization: organizationJson(ctx),
      installation: installationJson(ctx),
      payload,
    };
    const delivery = await this.repo.createDelivery({ outputId, installationId, request: JSON.stringify(request) }, this.now());
    this.worker?.wake();
    await this.trace('execute', 'notification_output', outputId, `notification output ${outputId} sent (delivery ${delivery.id})`, inst.id);
    return { message: `notification queued for delivery (${delivery.id})`, delivery_id: delivery.id };
  }

  /** Recent deliveries with status and reason, and counts by status for the overview. */
  async deliveries(p: Principal, installationId: number, limit = 50): Promise<NotificationDeliveries> {
    this.policy.require(p, 'notification/output/list', installationId);
    const take = Math.max(1, Math.min(500, Math.floor(limit)));
    const [rows, counts] = await Promise.all([this.repo.recentDeliveries(installationId, take), this.repo.countByStatus(installationId)]);
    return { deliveries: rows.map(deliveryJson), counts };
  }

  // Executors usable by an installation: its organization's and its ancestors'.

  async listExecutors(p: Principal, installationId: number): Promise<NotificationExecutor[]> {
    const inst = this.policy.require(p, 'notification/executor/list', installationId);
    return (await this.repo.executors(this.ancestry(inst.organizationId))).map(executorJson);
  }

  async getExecutor(p: Principal, installationId: number, executorId: number): Promise<NotificationExecutor> {
    const inst = this.policy.require(p, 'notification/executor/list', installationId);
    const record = await this.repo.executor(executorId);
    if (!record || !this.ancestry(inst.organizationId).includes(record.organizationId)) {
      throw new NotFoundError(`executor ${executorId} not found for installation ${installationId}`);
    }
    return executorJson(record);
  }

  // Executor administration: organizations in the caller's subtree, with `organization/update`.

  async adminListExecutors(p: Principal): Promise<NotificationExecutor[]> {
    this.policy.requirePermission(p, executorAdminPermission);
    return (await this.repo.executors([...this.organizations.subtree(p.organizationIds)])).map(executorJson);
  }

  async adminGetExecutor(p: Principal, executorId: number): Promise<NotificationExecutor> {
    this.policy.requirePermission(p, executorAdminPermission);
    return executorJson(await this.loadAdminExecutor(p, executorId));
  }

  async adminCreateExecutor(p: Principal, body: unknown): Promise<NotificationExecutor> {
    this.policy.requirePermission(p, executorAdminPermission);
    const input = this.parseExecutor(p, body);
    const record = await this.repo.createExecutor({ ...input, secret: input.secret ?? '' }, this.now());
    await this.trace('create', 'output_executor', record.id, `notification executor ${record.id} "${record.name}" (${record.type}) created`, null, record.organizationId);
    return executorJson(record);
  }

  async adminUpdateExecutor(p: Principal, executorId: number, body: unknown): Promise<NotificationExecutor> {
    this.policy.requirePermission(p, executorAdminPermission);
    const current = await this.loadAdminExecutor(p, executorId);
    const input = this.parseExecutor(p, body);
    // Absent or the mask keeps the stored secret; "" clears it.
    const secret = input.secret === undefined || input.secret === null || input.secret === maskedSecret ? current.secret : input.secret;
    const record = await this.repo.updateExecutor(executorId, { ...input, secret }, this.now());
    await this.trace('update', 'output_executor', executorId, `notification executor ${executorId} updated`, null, record.organizationId);
    return executorJson(record);
  }

  async adminDeleteExecutor(p: Principal, executorId: number): Promise<MessageResponse> {
    this.policy.requirePermission(p, executorAdminPermission);
    const current = await this.loadAdminExecutor(p, executorId);
    await this.repo.deleteExecutor(executorId);
    await this.trace('delete', 'output_executor', executorId, `notification executor ${executorId} deleted (with its outputs)`, null, current.organizationId);
    return { message: `notification executor ${executorId} deleted` };
  }

  // Helpers

  private ancestry(organizationId: number): number[] {
    const out: number[] = [];
    for (let cur: number | null = organizationId; cur !== null && out.length < 10_000; cur = this.organizations.parent(cur)) out.push(cur);
    return out;
  }

  private parseMessage(body: unknown, installationId: number) {
    const input = parseInput(messageBody, body ?? {});
    if (input.installation_id !== undefined && input.installation_id !== installationId) {
      throw new BadRequestError(`installation_id ${input.installation_id} in the body does not match installation ${installationId} in the path`);
    }
    compileOrThrow('text', input.text);
    return input;
  }

  private async parseOutput(body: unknown, installationId: number, organizationId: number) {
    const input = parseInput(outputBody, body ?? {});
    if (input.installation_id !== undefined && input.installation_id !== installationId) {
      throw new BadRequestError(`installation_id ${input.installation_id} in the body does not match installation ${installationId} in the path`);
    }
    for (const [key, value] of Object.entries(input.config)) compileOrThrow(`config.${key}`, value);
    if (!(await this.repo.message(installationId, input.notification_message_id))) {
      throw new BadRequestError(`invalid notification_message_id: message ${input.notification_message_id} not found in installation ${installationId}`);
    }
    const executor = await this.repo.executor(input.notification_output_executor_id);
    if (!executor || !this.ancestry(organizationId).includes(executor.organizationId)) {
      throw new BadRequestError(`invalid notification_output_executor_id: executor ${input.notification_output_executor_id} is not available to installation ${installationId}`);
    }
    return { name: input.name, executorId: executor.id, messageId: input.notification_message_id, config: input.config };
  }

  private parseExecutor(p: Principal, body: unknown) {
    const input = parseInput(executorBody, body ?? {});
    if (!this.organizations.subtree(p.organizationIds).has(input.organization_id)) {
      throw new NotFoundError(`organization ${input.organization_id} not found`);
    }
    const problem = executorConfigProblem(input.type, input.config);
    if (problem) throw new BadRequestError(`invalid config: ${problem}`);
    return { organizationId: input.organization_id, type: input.type, name: input.name, config: input.config, secret: input.secret };
  }

  private async loadAdminExecutor(p: Principal, executorId: number): Promise<ExecutorRecord> {
    const record = await this.repo.executor(executorId);
    if (!record || !this.organizations.subtree(p.organizationIds).has(record.organizationId)) throw new NotFoundError(`executor ${executorId} not found`);
    return record;
  }

  private async loadMessage(installationId: number, messageId: number): Promise<MessageRecord> {
    const record = await this.repo.message(installationId, messageId);
    if (!record) throw this.missing('message', installationId, messageId);
    return record;
  }

  private async loadOutput(installationId: number, outputId: number): Promise<OutputRecord> {
    const record = await this.repo.output(installationId, outputId);
    if (!record) throw this.missing('output', installationId, outputId);
    return record;
  }

  private missing(kind: string, installationId: number, objectId: number): NotFoundError {
    return new NotFoundError(`notification ${kind} ${objectId} not found in installation ${installationId}`);
  }

  private trace(action: TraceAction, objectType: TraceObjectType, objectId: number, description: string, installationId: number | null, organizationId?: number) {
    return this.audit.record({ action, objectType, objectId, description, installationId, organizationId });
  }
}

