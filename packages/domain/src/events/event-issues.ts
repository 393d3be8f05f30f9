/**
 * Turns zod issues about a raw event into `InvalidEventIssue`s that name each offending field and show its value
 * (abbreviated), or say that it is missing. Shared by parsing and upcasting; not part of the package's API.
 */
import type { z } from 'zod';
import { valueAtPath } from '../validation.js';
import type { InvalidEventIssue } from './invalid-event.js';

/** True when the parent at `path` is an object that lacks the last key: the field is absent, not malformed. */
function isMissing(root: unknown, path: readonly PropertyKey[]): boolean {
  const key = path.at(-1);
  if (key === undefined) return false;
  const parent = valueAtPath(root, path.slice(0, -1));
  return typeof parent === 'object' && parent !== null && !Object.hasOwn(parent, key);
}

function show(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/**
 * `root` is what was validated; `prefix` is prepended to each issue's path (an upcaster validates only `data`,
 * yet its issues must name `data.…` like the parser's).
 */
export function eventIssues(
  root: unknown,
  issues: readonly z.core.$ZodIssue[],
  prefix: readonly string[] = [],
): InvalidEventIssue[] {
  return issues.map((issue) => {
    const value = show(valueAtPath(root, issue.path));
    // A missing field has no value to show; say so, or "expected one of …" reads like a bad value.
    const missing = value === undefined && isMissing(root, issue.path);
    return {
      path: [...prefix, ...issue.path.map(String)].join('.'),
      message: missing ? `missing (${issue.message})` : issue.message,
      ...(value === undefined ? {} : { value }),
    };
  });
}

/** `path: message (got value)` for each issue, for error messages. */
export function summarizeIssues(issues: readonly InvalidEventIssue[]): string {
  return issues
    .map((i) => `${i.path || '(root)'}: ${i.message}${i.value === undefined ? '' : ` (got ${i.value})`}`)
    .join('; ');
}
