/** What the services' vault routes read from a query string, under the same rules in intake and feedback. */
import { z } from 'zod';

/** Why an admin erases an owner's data (the erase routes' `reason`): recorded in the access log. */
export const ErasureReason = z
  .string()
  .trim()
  .min(3)
  .max(200)
  .default('erasure request')
  .describe('recorded in the access log');

/** How many access-log entries to answer (the access-log routes' `limit`), as `accessLog` bounds it. */
export const AccessLogLimit = z.coerce.number().int().min(1).max(1000).default(100);
