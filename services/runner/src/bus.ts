/**
 * The bus of embedded mode (DESIGN.md section 1): instead of Kafka, one catch-up subscription on the one store
 * feeds the services' reactors. Each event's reactions and the bus checkpoint commit in one SQLite transaction
 * (`startStoreConsumer`), so a reaction interrupted by a crash is redone once, never twice; the reactors are
 * idempotent besides.
 *
 * One consumer serves every reactor: each event type has at most one reactor, so one failing reaction cannot hold
 * back another service's, and one checkpoint write per event (an fsync) is half of what two consumers would cost.
 */
import type { Catalog } from '@onestop/catalog';
import { digitizationReceivedTable } from '@onestop/digitization';
import { type DossierEvent, eventSchemaOf, parseDossierEvent, parseOrThrow } from '@onestop/domain';
import type { EmbeddedEventStore, EmbeddedTransaction } from '@onestop/event-store';
import { feedbackDossiersTable, rememberFeedbackSubjectOnDossierReceived } from '@onestop/feedback';
import { deskDossiersTable } from '@onestop/intake';
import {
  type MessagingLogger,
  type StoreConsumerMetrics,
  type StoreConsumerRunner,
  startStoreConsumer,
} from '@onestop/messaging';
import {
  openCaseOnDossierTransferred,
  type ReceivedDossiers,
  rememberDossierOnDossierReceived,
  rememberWithdrawalOnDossierWithdrawn,
} from '@onestop/processing';
import { deskResultsTable, receiveResultOnResultSentToDesk } from '@onestop/result-return';
import type { IdGenerator } from '@onestop/service-kit';
import { z } from 'zod';

/** The checkpoint name of the embedded bus. */
export const BUS_CONSUMER = 'embedded-bus';

/**
 * What the bus carries: a dossier event of the catalogue, or another event of the same store (intake's
 * bookkeeping: `DossierCodeDrawn`, `IdempotencyKeyClaimed`), which no reactor wants and which is passed over.
 */
export type BusMessage =
  | { readonly kind: 'dossier'; readonly eventId: string; readonly event: DossierEvent }
  | { readonly kind: 'other'; readonly eventId: string; readonly type: string };

const Head = z.looseObject({ eventId: z.string().min(1), type: z.string().min(1) });

/**
 * Types outside the catalogue are not dossier events and are skipped; a catalogue type that fails validation is
 * a real defect and throws (the consumer dead-letters it).
 */
export function parseBusMessage(raw: unknown): BusMessage {
  const head = parseOrThrow(Head, raw, 'event envelope');
  if (eventSchemaOf(head.type) === undefined)
    return { kind: 'other', eventId: head.eventId, type: head.type };
  return { kind: 'dossier', eventId: head.eventId, event: parseDossierEvent(raw) };
}

export interface BusDeps {
  readonly store: EmbeddedEventStore;
  readonly ids: IdGenerator;
  readonly catalog: Catalog;
  readonly received: ReceivedDossiers;
  readonly logger: MessagingLogger;
}

export interface BusStatus {
  readonly caughtUp: boolean;
  /** Events in the store not yet handled by the bus. */
  readonly lag: number;
  readonly head: number;
  readonly checkpoint: number;
  readonly metrics: StoreConsumerMetrics;
}

export interface EmbeddedBus {
  status(): Promise<BusStatus>;
  stop(): Promise<void>;
  readonly runner: StoreConsumerRunner;
}

/** Every reactor of the command services, in the order they should see an event. */
function reactorsOf(
  deps: BusDeps,
): ReadonlyArray<(event: DossierEvent, tx: EmbeddedTransaction) => Promise<void>> {
  const { store, ids, catalog, received } = deps;
  const deskDossiers = deskDossiersTable(store);
  const deskResults = deskResultsTable(store);
  const feedbackDossiers = feedbackDossiersTable(store);
  const digitizationReceived = digitizationReceivedTable(store);
  return [
    (event) => rememberDossierOnDossierReceived(event, { received }),
    (event) => rememberWithdrawalOnDossierWithdrawn(event, { received }),
    (event) => openCaseOnDossierTransferred(event, { store, ids, catalog, received }),
    (event) => receiveResultOnResultSentToDesk(event, { store, ids }),
    (event) => rememberFeedbackSubjectOnDossierReceived(event, { dossiers: feedbackDossiers }),
    // The desks' lists (intake's day, result-return's waiting results): read tables of their services.
    (event, tx) => deskDossiers.apply(event, tx),
    (event, tx) => deskResults.apply(event, tx),
    // Digitization's knowledge of each receipt (who may digitize, what may be reused).
    (event, tx) => digitizationReceived.apply(event, tx),
  ];
}

const HeadRow = z.object({ head: z.number().int().nullable() });

/** Where a store consumer stands against the head of the store (readiness probes, tests). */
export async function consumerStatus(
  store: EmbeddedEventStore,
  runner: StoreConsumerRunner,
): Promise<BusStatus> {
  const { rows } = await store.query('SELECT max(global_position) AS head FROM events');
  const head = HeadRow.parse(rows[0] ?? { head: null }).head ?? 0;
  const metrics = runner.metrics();
  const checkpoint = metrics.checkpoint === undefined ? 0 : Number(metrics.checkpoint);
  return { caughtUp: runner.ready(), lag: Math.max(head - checkpoint, 0), head, checkpoint, metrics };
}

export function startEmbeddedBus(deps: BusDeps): EmbeddedBus {
  const reactors = reactorsOf(deps);
  const runner = startStoreConsumer({
    store: deps.store,
    name: BUS_CONSUMER,
    parse: parseBusMessage,
    logger: deps.logger,
    // The reactors append through the store, not through `tx`: inside the consumer's transaction the store's
    // calls join it, so their appends commit (or roll back) with the checkpoint.
    handler: async (message, tx) => {
      if (message.kind === 'other') return;
      for (const react of reactors) await react(message.event, tx);
    },
  });
  return {
    runner,
    status: () => consumerStatus(deps.store, runner),
    stop: () => runner.stop(),
  };
}
