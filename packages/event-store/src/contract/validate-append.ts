/**
 * Input rules of `appendToStream`, shared by every adapter so that all of them reject the same inputs with the
 * same `InvalidAppend` field names (the contract suite checks them). Runs before anything touches storage.
 */
import { type EventToAppend, type ExpectedVersion, InvalidAppend } from '../port.js';

// jsonb rejects \u0000 and unpaired surrogates; SQLite would store them. Rejecting them here keeps adapters equal.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const unsafe = (text: string) => text.includes('\u0000') || loneSurrogate.test(text);

function invalid(field: string, reason: string): never {
  throw InvalidAppend(`invalid append: ${field} ${reason}`, { details: { field, reason } });
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Throws `InvalidAppend` unless `value` survives `JSON.stringify`/`JSON.parse` unchanged: plain objects, arrays,
 * finite numbers, strings without \u0000 or lone surrogates, booleans and null. Rejects what JSON would silently
 * drop or rewrite (undefined, functions, NaN, Dates, Maps) and what it cannot encode (BigInt, cycles).
 */
function checkJson(value: unknown, field: string, ancestors: object[]): void {
  switch (typeof value) {
    case 'string':
      if (unsafe(value)) invalid(field, 'contains \\u0000 or an unpaired surrogate');
      return;
    case 'number':
      if (!Number.isFinite(value)) invalid(field, 'is not a finite number');
      return;
    case 'boolean':
      return;
    case 'object': {
      if (value === null) return;
      if (ancestors.includes(value)) invalid(field, 'is circular');
      ancestors.push(value);
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) checkJson(value[i], `${field}[${i}]`, ancestors);
      } else {
        if (!isPlainObject(value)) invalid(field, 'is not a plain object');
        for (const [key, item] of Object.entries(value)) {
          if (unsafe(key)) invalid(`${field}.${key}`, 'key contains \\u0000 or an unpaired surrogate');
          checkJson(item, `${field}.${key}`, ancestors);
        }
      }
      ancestors.pop();
      return;
    }
    default:
      invalid(field, `is not JSON (${typeof value})`);
  }
}

function checkObject(value: unknown, field: string): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    invalid(field, 'must be a JSON object');
  checkJson(value, field, []);
}

// Stream id and event id together form a unique btree key; PostgreSQL caps a key at ~2,700 bytes (4 per char).
const maxLength = { streamId: 400, eventId: 200, type: 200 } as const;

function checkName(value: unknown, field: string, max: number): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) invalid(field, 'must be a non-empty string');
  if (value.length > max) invalid(field, `is longer than ${max} characters`);
  if (unsafe(value)) invalid(field, 'contains \\u0000 or an unpaired surrogate');
}

/** Validates every argument of an append; throws `InvalidAppend` naming the first bad field. */
export function validateAppend(
  streamId: unknown,
  events: readonly EventToAppend[],
  expectedVersion: ExpectedVersion,
): void {
  checkName(streamId, 'streamId', maxLength.streamId);
  if (
    expectedVersion !== 'any' &&
    expectedVersion !== 'no_stream' &&
    !(Number.isSafeInteger(expectedVersion) && expectedVersion >= 0)
  ) {
    invalid('expectedVersion', "must be an integer >= 0, 'no_stream' or 'any'");
  }
  if (!Array.isArray(events) || events.length === 0) invalid('events', 'must be a non-empty array');
  const ids = new Set<string>();
  events.forEach((event: unknown, i) => {
    const field = `events[${i}]`;
    if (typeof event !== 'object' || event === null) invalid(field, 'must be an object');
    // Read as unknown: callers outside TypeScript (or with casts) can pass anything.
    const eventId: unknown = Reflect.get(event, 'eventId');
    checkName(eventId, `${field}.eventId`, maxLength.eventId);
    if (ids.has(eventId)) invalid(`${field}.eventId`, 'is repeated in the same append');
    ids.add(eventId);
    checkName(Reflect.get(event, 'type'), `${field}.type`, maxLength.type);
    checkObject(Reflect.get(event, 'data'), `${field}.data`);
    const metadata: unknown = Reflect.get(event, 'metadata');
    if (metadata !== undefined) checkObject(metadata, `${field}.metadata`);
  });
}
