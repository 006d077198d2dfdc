// Delivery of one executor payload: `email` through SMTP (nodemailer), every other type as a
// webhook POST to the executor's `url`. Errors carry the reason stored as the delivery's lastError;
// a PermanentDeliveryError (bad configuration) is not retried.
import { assertAllowedLiteral, ForbiddenAddressError } from '../outbound/address-policy.js';
import { postJson, type PostResult } from '../outbound/post-json.js';
import type { ExecutorPayload } from './executor-payload.js';
import type { ExecutorRecord } from './repository.js';

export class PermanentDeliveryError extends Error {}

export interface DeliverOptions {
  timeoutMs: number;
  signal: AbortSignal;
}

export type ExecutorRunner = (executor: ExecutorRecord, payload: ExecutorPayload, opts: DeliverOptions) => Promise<void>;

/** Config problems found when an executor is saved, so a send does not fail later for them. */
export function executorConfigProblem(type: string, config: Record<string, string>): string | null {
  if (type === 'email') {
    if (!config.host) return 'an email executor needs config.host (the SMTP server)';
    if (config.port !== undefined && !/^\d{1,5}$/.test(config.port)) return `config.port "${config.port}" is not a port number`;
    if (!config.from) return 'an email executor needs config.from (the sender address)';
    return null;
  }
  if (!config.url) return `a ${type} executor needs config.url (the webhook the payload is POSTed to)`;
  try {
    const u = new URL(config.url);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') return `config.url must be http or https, not ${u.protocol}`;
    assertAllowedLiteral(u);
  } catch (err) {
    if (err instanceof ForbiddenAddressError) return `config.url is refused: ${err.message}`;
    return `config.url "${config.url}" is not a URL`;
  }
  return null;
}

async function postWebhook(executor: ExecutorRecord, payload: ExecutorPayload, opts: DeliverOptions): Promise<void> {
  const problem = executorConfigProblem(executor.type, executor.config);
  if (problem) throw new PermanentDeliveryError(problem);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (executor.secret) headers['x-api-key'] = executor.secret;
  const url = new URL(executor.config.url);
  let result: PostResult;
  try {
    result = await postJson(url, headers, JSON.stringify(payload), AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)]));
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.name === 'TimeoutError' || (e.name === 'AbortError' && !opts.signal.aborted)) throw new Error(`webhook ${executor.config.url} did not answer within ${opts.timeoutMs} ms`);
    // The address policy is configuration, not a passing outage: retrying cannot help.
    if (err instanceof ForbiddenAddressError) throw new PermanentDeliveryError(`webhook ${executor.config.url} refused: ${e.message}`);
    throw new Error(`webhook ${executor.config.url} unreachable: ${e.code ?? e.message}`);
  }
  const text = result.text.slice(0, 200);
  if (result.status < 200 || result.status > 299) throw new Error(`webhook ${executor.config.url} answered HTTP ${result.status}${text ? `: ${text}` : ''}`);
}

function receivers(output: Record<string, string>): string[] {
  return (output.receivers ?? output.to ?? '')
    .split(/[,;]/)
    .map((r) => r.trim())
    .filter(Boolean);
}

async function sendEmail(executor: ExecutorRecord, payload: ExecutorPayload, opts: DeliverOptions): Promise<void> {
  const problem = executorConfigProblem('email', executor.config);
  if (problem) throw new PermanentDeliveryError(problem);
  const to = receivers(payload.output_config);
  if (to.length === 0) throw new PermanentDeliveryError('the output has no receivers (config.receivers, comma separated, or config.to)');
  const c = executor.config;
  const tls = (c.tls ?? '').toLowerCase();
  const secure = ['true', 'ssl', 'tls', 'implicit', 'smtps'].includes(tls);
  const password = c.password || executor.secret;
  // Loaded on the first e-mail: most servers never send one, and it is ~40 modules at start-up.
  const { default: nodemailer } = await import('nodemailer');
  const transport = nodemailer.createTransport({
    host: c.host,
    port: c.port ? Number(c.port) : secure ? 465 : 587,
    secure,
    requireTLS: tls === 'starttls',
    ignoreTLS: tls === 'false' || tls === 'none',
    auth: c.user ? { user: c.user, pass: password } : undefined,
    tls: c.insecure === 'true' ? { rejectUnauthorized: false } : undefined,
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
  });
  const abort = () => transport.close();
  opts.signal.addEventListener('abort', abort, { once: true });
  try {
    await transport.sendMail({
      from: c.from,
      to,
      subject: payload.output_config.subject || c.subject || `Notification from ${payload.installation.name}`,
      text: payload.message,
    });
  } catch (err) {
    throw new Error(`SMTP ${c.host}:${c.port ?? ''} refused: ${(err as Error).message}`);
  } finally {
    opts.signal.removeEventListener('abort', abort);
    transport.close();
  }
}

export const deliverToExecutor: ExecutorRunner = (executor, payload, opts) =>
  executor.type === 'email' ? sendEmail(executor, payload, opts) : postWebhook(executor, payload, opts);
