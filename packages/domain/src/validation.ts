import type { z } from 'zod';
import { ValidationFailed } from './errors.js';

/** Flattens zod issues into `{ path, message }` pairs with dotted paths (`applicant.idNumber`, `components.0.code`). */
export function zodIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
  }));
}

/** The value at a zod issue's `path` inside `root`, or undefined where the path leads nowhere (a missing field). */
export function valueAtPath(root: unknown, path: readonly PropertyKey[]): unknown {
  let node = root;
  for (const key of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = Reflect.get(node, key);
  }
  return node;
}

/** Parses at an edge: returns the typed value or throws COMMON_VALIDATION_FAILED naming every bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issues = zodIssues(result.error);
  const summary = issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join('; ');
  throw ValidationFailed(`invalid ${what}: ${summary}`, { details: { issues }, cause: result.error });
}
