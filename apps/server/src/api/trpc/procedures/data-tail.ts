import { z } from 'zod';
import { mapStreamErrors } from '../stream-errors.js';
import { protectedProcedure } from '../trpc.js';

export const dataTailInput = z.object({
  installationId: z.number().int().positive(),
  /** MQTT filter relative to the installation (`obj/#`, `+/dev1/#`); default every topic. */
  filter: z.string().max(1024).default('#'),
  /** Messages beyond this rate are counted in `{kind: 'skipped'}` events instead of sent. */
  maxPerSecond: z.number().int().min(1).max(500).default(50),
});

/** Live messages of an installation as the broker receives them, needing MQTT subscribe rights. */
export const dataTail = protectedProcedure
  .input(dataTailInput)
  .subscription(({ ctx, input, signal }) =>
    mapStreamErrors(ctx.services.live.tail(ctx.principal, input.installationId, { filter: input.filter, maxPerSecond: input.maxPerSecond }, signal)),
  );
