import { randomBytes } from 'node:crypto';

// Random bytes drawn 4 KiB at a time and handed out 16 at a time (as node's own randomUUID caches its entropy):
// one randomBytes call per id was ~2 % of a receipt's CPU. Each slice is handed out once.
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let poolOffset = POOL_BYTES;

function randomSlice(): Buffer {
  if (poolOffset + 16 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    poolOffset = 0;
  }
  const slice = pool.subarray(poolOffset, poolOffset + 16);
  poolOffset += 16;
  return slice;
}

/**
 * UUIDv7 (RFC 9562): 48-bit Unix ms timestamp, version 7, 74 random bits. Event ids sort by creation time, which
 * keeps the store's unique index append-friendly. Ids are generated at the edge and passed into deciders.
 */
export function uuidv7(now: number = Date.now()): string {
  const bytes = randomSlice();
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
