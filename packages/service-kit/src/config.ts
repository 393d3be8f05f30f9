import { defineError } from '@onestop/domain';
import type { z } from 'zod';

export const ConfigInvalid = defineError<{ issues: ReadonlyArray<{ path: string; message: string }> }>(
  'CONFIG_INVALID',
  'validation',
);

/**
 * Parses the environment through one schema at startup and fails fast, naming every bad or missing variable on
 * its own line. Values are never echoed: they may be secrets.
 *
 * @example
 * const config = loadConfig(z.object({ PORT: z.coerce.number().int().default(3000), DATABASE_URL: z.url() }));
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Readonly<Record<string, string | undefined>> = process.env,
): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => {
    const path = issue.path.map(String).join('.');
    const missing = issue.path.length === 1 && env[path] === undefined;
    return { path: path === '' ? '(environment)' : path, message: missing ? 'missing' : issue.message };
  });
  const lines = issues.map((i) => `  - ${i.path}: ${i.message}`);
  throw ConfigInvalid(`invalid configuration:\n${lines.join('\n')}`, {
    details: { issues },
    cause: result.error,
  });
}
