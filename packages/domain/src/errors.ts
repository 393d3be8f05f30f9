/**
 * The one error taxonomy of onestop. Every failure that crosses a module boundary is a `DomainError` with a
 * stable string `code` (clients and dashboards key on it, so a code is never renamed) and a `kind` that the
 * HTTP layer maps to a status. Messages are for people; `details` is for machines (field paths, versions).
 */

/** What kind of failure this is; service-kit maps each kind to one HTTP status. */
export type ErrorKind =
  | 'validation' // 400: the input is malformed
  | 'unauthorized' // 401: no or bad credentials
  | 'forbidden' // 403: authenticated, not allowed
  | 'not_found' // 404
  | 'conflict' // 409: the state does not allow it (wrong status, duplicate)
  | 'precondition_failed' // 412: an expected version (If-Match) did not hold
  | 'unprocessable' // 422: well-formed but refused by a business rule (e.g. missing components)
  | 'too_many_requests' // 429
  | 'unavailable' // 503: a dependency is down; retry later
  | 'internal'; // 500: a bug; details are logged, never sent

// Symbol.for so that two copies of this module (e.g. two installs in one process) still recognise each other:
// a brand check instead of `instanceof`.
const brand = Symbol.for('onestop.DomainError');

export interface DomainErrorOptions {
  readonly details?: unknown;
  readonly cause?: unknown;
}

export class DomainError extends Error {
  readonly [brand] = true;
  readonly code: string;
  readonly kind: ErrorKind;
  readonly details: unknown;

  constructor(code: string, kind: ErrorKind, message: string, options: DomainErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.code = code;
    this.kind = kind;
    this.details = options.details;
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[brand] === true;
}

/**
 * Declares an error code once, next to the module that raises it, and returns a factory. Codes are
 * SCREAMING_SNAKE and prefixed by their area (`ES_` event store, `DOM_` domain, `HTTP_` transport, ...).
 */
export function defineError<TDetails = undefined>(code: string, kind: ErrorKind) {
  if (!/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)+$/.test(code)) throw new Error(`invalid error code: ${code}`);
  const make = (message: string, options: { details?: TDetails; cause?: unknown } = {}) =>
    new DomainError(code, kind, message, options);
  return Object.assign(make, {
    code,
    kind,
    /** True when `value` is a DomainError with this code. */
    is: (value: unknown): value is DomainError & { details: TDetails } =>
      isDomainError(value) && value.code === code,
  });
}

/** Common codes used across packages. */
export const ValidationFailed = defineError<{ issues: ReadonlyArray<{ path: string; message: string }> }>(
  'COMMON_VALIDATION_FAILED',
  'validation',
);
export const NotFound = defineError<{ resource: string; id: string }>('COMMON_NOT_FOUND', 'not_found');
