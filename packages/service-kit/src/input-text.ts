import { ValidationFailed } from '@onestop/domain';
import type { FastifyInstance } from 'fastify';

/**
 * Text no request field may carry: C0 control characters other than tab, line feed and carriage return, DEL,
 * bidirectional overrides and isolates (they make a name or a reason display differently from what is stored:
 * a spoofing vector on receipts and reports), and unpaired UTF-16 surrogates (not valid Unicode; PostgreSQL
 * refuses them and NUL with an error, which used to surface as a 500).
 */
const unsafe =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\u202A-\u202E\u2066-\u2069]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function describe(ch: string): string {
  const code = ch.codePointAt(0) ?? 0;
  const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  if (code >= 0xd800 && code <= 0xdfff) return `an unpaired surrogate (${hex})`;
  if (code >= 0x202a) return `a bidirectional control character (${hex})`;
  return `a control character (${hex})`;
}

/** The first string (or object key) under `value` that carries unsafe text, with its dotted path. */
export function findUnsafeText(value: unknown, path: string): { path: string; message: string } | undefined {
  if (typeof value === 'string') {
    const match = unsafe.exec(value);
    return match === null ? undefined : { path, message: `contains ${describe(match[0])}` };
  }
  if (Array.isArray(value)) {
    for (const [i, item] of value.entries()) {
      const found = findUnsafeText(item, `${path}.${i}`);
      if (found !== undefined) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null && isPlainRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      const keyMatch = unsafe.exec(key);
      if (keyMatch !== null)
        return { path: `${path}.${key}`, message: `name contains ${describe(keyMatch[0])}` };
      const found = findUnsafeText(item, `${path}.${key}`);
      if (found !== undefined) return found;
    }
  }
  return undefined;
}

// Parsed JSON and query strings — fastify's query parser builds objects whose prototype is a bare
// `Object.create(null)` — but not Buffers, streams or multipart files.
function isPlainRecord(value: object): value is Record<string, unknown> {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null || Object.getPrototypeOf(proto) === null;
}

/** Refuses unsafe text in body, query and path parameters with a 400 naming the field, before validation. */
export function installInputTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request) => {
    for (const [where, value] of [
      ['params', request.params],
      ['querystring', request.query],
      ['body', request.body],
    ] as const) {
      const found = findUnsafeText(value, where);
      if (found !== undefined) {
        throw ValidationFailed(`invalid request: ${found.path}: ${found.message}`, {
          details: { issues: [found] },
        });
      }
    }
  });
}
