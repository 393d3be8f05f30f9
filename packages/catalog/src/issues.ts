/** What a schema failure says about its input: every issue, and the first offending field with its value. */
import { valueAtPath, zodIssues } from '@onestop/domain';
import type { z } from 'zod';

export interface SchemaFailure {
  readonly issues: ReadonlyArray<{ path: string; message: string }>;
  /** Dotted path of the first issue ('' for the root). */
  readonly field: string;
  /** The input's value at the first issue's path; undefined when the field is missing. */
  readonly value: unknown;
}

export function schemaFailure(raw: unknown, error: z.ZodError): SchemaFailure {
  const issues = zodIssues(error);
  const first = error.issues[0];
  return { issues, field: issues[0]?.path ?? '', value: first ? valueAtPath(raw, first.path) : undefined };
}
