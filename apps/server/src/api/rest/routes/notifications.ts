// Notifications (spec 2.8): messages and outputs per installation, sending, the executors an
// installation may use, and executor administration under /api/v2/admin/notification/executor.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { messageResponseSchema, notificationExecutorSchema, notificationMessageSchema, notificationOutputSchema } from '@lynx/shared';
import type { AppServices } from '../../../services.js';
import { principalOf } from '../authenticate.js';
import { intParam } from '../params.js';
import { openApi } from './meta-routes.js';

export function registerNotificationRoutes(app: FastifyInstance, services: Pick<AppServices, 'notifications'>): void {
  const svc = services.notifications;
  const base = '/api/v2/notification/:installationId';
  const tags = ['notification'];
  const params = (properties: Record<string, unknown>) => ({ type: 'object', properties });
  const installationParams = params({ installationId: { type: 'integer' } });
  const objectParams = params({ installationId: { type: 'integer' }, id: { type: 'integer' } });
  const installationId = (r: FastifyRequest) => intParam((r.params as { installationId?: string }).installationId, 'installation id');
  const objectId = (r: FastifyRequest, noun: string) => intParam((r.params as { id?: string }).id, `${noun} id`);
  const message = openApi(notificationMessageSchema);
  const output = openApi(notificationOutputSchema);
  const executor = openApi(notificationExecutorSchema);
  const done = { 200: openApi(messageResponseSchema) };

  app.get(`${base}/message`, { schema: { summary: 'List notification messages', tags, params: installationParams, response: { 200: openApi(z.array(notificationMessageSchema)) } } }, async (r) =>
    svc.listMessages(principalOf(r), installationId(r)),
  );
  app.get(`${base}/message/:id`, { schema: { summary: 'Get a notification message', tags, params: objectParams, response: { 200: message } } }, async (r) =>
    svc.getMessage(principalOf(r), installationId(r), objectId(r, 'message')),
  );
  app.post(`${base}/message`, { schema: { summary: 'Create a notification message (text is a Go text/template)', tags, params: installationParams, response: { 200: message } } }, async (r) =>
    svc.createMessage(principalOf(r), installationId(r), r.body),
  );
  app.put(`${base}/message/:id`, { schema: { summary: 'Replace a notification message', tags, params: objectParams, response: { 200: message } } }, async (r) =>
    svc.updateMessage(principalOf(r), installationId(r), objectId(r, 'message'), r.body),
  );
  app.delete(`${base}/message/:id`, { schema: { summary: 'Delete a notification message and its outputs', tags, params: objectParams, response: done } }, async (r) =>
    svc.deleteMessage(principalOf(r), installationId(r), objectId(r, 'message')),
  );

  app.get(`${base}/output`, { schema: { summary: 'List notification outputs', tags, params: installationParams, response: { 200: openApi(z.array(notificationOutputSchema)) } } }, async (r) =>
    svc.listOutputs(principalOf(r), installationId(r)),
  );
  app.get(`${base}/output/:id`, { schema: { summary: 'Get a notification output', tags, params: objectParams, response: { 200: output } } }, async (r) =>
    svc.getOutput(principalOf(r), installationId(r), objectId(r, 'output')),
  );
  app.post(`${base}/output`, { schema: { summary: 'Create a notification output', tags, params: installationParams, response: { 200: output } } }, async (r) =>
    svc.createOutput(principalOf(r), installationId(r), r.body),
  );
  app.put(`${base}/output/:id`, { schema: { summary: 'Replace a notification output', tags, params: objectParams, response: { 200: output } } }, async (r) =>
    svc.updateOutput(principalOf(r), installationId(r), objectId(r, 'output'), r.body),
  );
  app.delete(`${base}/output/:id`, { schema: { summary: 'Delete a notification output', tags, params: objectParams, response: done } }, async (r) =>
    svc.deleteOutput(principalOf(r), installationId(r), objectId(r, 'output')),
  );
  app.post(
    `${base}/output/:id/send`,
    {
      schema: {
        summary: 'Send through an output: the body (any JSON object) becomes .payload; answers once the delivery is queued',
        tags,
        params: objectParams,
        response: { 200: openApi(messageResponseSchema.extend({ delivery_id: z.number().int() })) },
      },
    },
    async (r) => svc.send(principalOf(r), installationId(r), objectId(r, 'output'), r.body),
  );

  app.get(`${base}/executor`, { schema: { summary: "Executors the installation may use (its organization's and its ancestors')", tags, params: installationParams, response: { 200: openApi(z.array(notificationExecutorSchema)) } } }, async (r) =>
    svc.listExecutors(principalOf(r), installationId(r)),
  );
  app.get(`${base}/executor/:id`, { schema: { summary: 'Get an executor the installation may use', tags, params: objectParams, response: { 200: executor } } }, async (r) =>
    svc.getExecutor(principalOf(r), installationId(r), objectId(r, 'executor')),
  );

  const admin = '/api/v2/admin/notification/executor';
  const adminParams = params({ id: { type: 'integer' } });
  const adminTags = ['notification', 'admin'];
  app.get(admin, { schema: { summary: 'List executors of the organizations you administer (organization/update)', tags: adminTags, response: { 200: openApi(z.array(notificationExecutorSchema)) } } }, async (r) =>
    svc.adminListExecutors(principalOf(r)),
  );
  app.get(`${admin}/:id`, { schema: { summary: 'Get an executor', tags: adminTags, params: adminParams, response: { 200: executor } } }, async (r) =>
    svc.adminGetExecutor(principalOf(r), objectId(r, 'executor')),
  );
  app.post(admin, { schema: { summary: 'Create an executor (secret is write only)', tags: adminTags, response: { 200: executor } } }, async (r) => svc.adminCreateExecutor(principalOf(r), r.body));
  app.put(`${admin}/:id`, { schema: { summary: 'Replace an executor (absent or masked secret keeps the stored one)', tags: adminTags, params: adminParams, response: { 200: executor } } }, async (r) =>
    svc.adminUpdateExecutor(principalOf(r), objectId(r, 'executor'), r.body),
  );
  app.delete(`${admin}/:id`, { schema: { summary: 'Delete an executor and the outputs using it', tags: adminTags, params: adminParams, response: done } }, async (r) =>
    svc.adminDeleteExecutor(principalOf(r), objectId(r, 'executor')),
  );
}
