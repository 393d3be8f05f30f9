import { randomBytes } from 'node:crypto';

/**
 * UUIDv7 (RFC 9562): 48-bit Unix ms timestamp, version 7, 74 random bits. Event ids sort by creation time, which
 * keeps the store's unique index append-friendly. Ids are generated at the edge and passed into deciders.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Where ids come from; tests inject a deterministic one. */
export interface IdGenerator {
  next(): string;
}

export const uuidv7Ids: IdGenerator = { next: () => uuidv7() };
