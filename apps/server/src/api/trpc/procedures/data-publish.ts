import { z } from 'zod';
import { protectedProcedure } from '../trpc.js';

export const dataPublishInput = z.object({
  installationId: z.number().int().positive(),
  /** Relative to the installation (`obj/lamp/write`); published on `<client_id>/<topic>`. */
  topic: z.string(),
  payload: z.string(),
  qos: z.union([z.literal(0), z.literal(1)]).default(1),
  retain: z.boolean().default(false),
});
export const dataPublishOutput = z.object({ message: z.string(), topic: z.string() });

/** Publishes as the caller would over MQTT: needs `mqtt/publish` on the installation. */
export const dataPublish = protectedProcedure
  .input(dataPublishInput)
  .output(dataPublishOutput)
  .mutation(({ ctx, input }) => ctx.services.live.publish(ctx.principal, input.installationId, input.topic, input.payload, { qos: input.qos, retain: input.retain }));
