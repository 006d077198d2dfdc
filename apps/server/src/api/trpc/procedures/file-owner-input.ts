// The owner of a file, as the UI names it: an installation or an organization.
import { z } from 'zod';

export const fileOwnerInput = z.object({
  kind: z.enum(['installation', 'organization']),
  id: z.number().int().positive(),
});
