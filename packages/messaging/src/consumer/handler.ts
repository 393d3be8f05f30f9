/**
 * One handler interface for both transports: `(event, tx)`. The handler writes its effects through `tx`; the
 * runner commits them together with its own bookkeeping (inbox + offsets on Kafka, checkpoint on a store), so
 * an effect is applied exactly once even though delivery is at-least-once.
 */
import { parseOrThrow } from '@onestop/domain';
import { z } from 'zod';

export type SqlParam = string | number | bigint | boolean | Date | Buffer | null;

/**
 * The statements a handler may run in the runner's transaction. PostgreSQL (Kafka transport, search_path set
 * to the consumer's schema) and the embedded store's transaction both have this shape.
 */
export interface SqlTransaction {
  query(
    sql: string,
    params?: readonly SqlParam[],
  ): Promise<{ rows: Record<string, unknown>[]; rowCount: number | null }>;
}

export type EventHandler<E, Tx = SqlTransaction> = (event: E, tx: Tx) => Promise<void>;

/**
 * Validates (and upcasts) a raw event; throws to reject it (the message is dead-lettered). For the dossier
 * topic pass the catalogue's `parseDossierEvent` from `@onestop/domain`.
 */
export type EventParser<E extends { readonly eventId: string }> = (raw: unknown) => E;

const Envelope = z.looseObject({
  eventId: z.string().min(1),
  type: z.string().min(1),
  streamId: z.string().min(1),
  streamVersion: z.int().nonnegative(),
  data: z.record(z.string(), z.unknown()),
});
export type Envelope = z.infer<typeof Envelope>;

/**
 * Checks only what the runner itself relies on (an event id, a type, a stream position, a payload object). Use
 * it for topics outside the dossier catalogue; for the dossier topic inject the catalogue's parser.
 */
export function parseEnvelope(raw: unknown): Envelope {
  return parseOrThrow(Envelope, raw, 'event envelope');
}
