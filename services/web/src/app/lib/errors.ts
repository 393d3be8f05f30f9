import { z } from 'zod';

/** The common error body of every service: `{ code, message, details? }`. */
export const ErrorBody = z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() });
export type ErrorBody = z.infer<typeof ErrorBody>;

const Issues = z.object({
  issues: z.array(z.object({ path: z.string(), message: z.string() })),
});
const Missing = z.object({ missingComponents: z.array(z.string()) });

/**
 * Field errors keyed by the form field's name: `body.applicant.idNumber` → `applicant.idNumber` (the request part
 * prefix is dropped so forms can name fields by their JSON path). The first message per field wins.
 */
export function fieldErrorsOf(details: unknown): Record<string, string> {
  const parsed = Issues.safeParse(details);
  if (!parsed.success) return {};
  const errors: Record<string, string> = {};
  for (const issue of parsed.data.issues) {
    const field = issue.path.replace(/^(body|querystring|params|headers)\.?/, '') || '_';
    errors[field] ??= issue.message;
  }
  return errors;
}

/** The components a 422 incomplete-dossier answer names (empty for any other error). */
export function missingComponentsOf(details: unknown): string[] {
  const parsed = Missing.safeParse(details);
  return parsed.success ? parsed.data.missingComponents : [];
}
