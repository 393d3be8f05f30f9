import { type DossierEvent, resultReturnDecider, streamIdFor } from '@onestop/domain';
import type { EventStore } from '@onestop/event-store';
import { handleCommand, type IdGenerator } from '@onestop/service-kit';

export interface ReceiveResultReactorDeps {
  readonly store: EventStore;
  readonly ids: IdGenerator;
}

/**
 * Processing sent the result to the returning unit's desk (electronically): record that the desk has it.
 * Idempotent: a redelivered event finds the result already received and appends nothing (the decider's rule), and
 * a concurrent manual receive is resolved by the stream's optimistic concurrency.
 *
 * The business time is the cause's `occurredAt`, not the consumer's clock: electronic hand-over is instant, and a
 * consumer that lags (or replays) must not make the desk look late.
 */
export async function receiveResultOnResultSentToDesk(
  event: DossierEvent,
  deps: ReceiveResultReactorDeps,
): Promise<void> {
  if (event.type !== 'ResultSentToDesk') return;
  const { returningUnitId } = event.data;
  await handleCommand({
    store: deps.store,
    decider: resultReturnDecider,
    dossierId: event.dossierId,
    streamId: streamIdFor('result-return', event.dossierId),
    command: {
      type: 'ReceiveResultAtDesk',
      now: new Date(event.occurredAt),
      actor: { id: 'result-return', role: 'system', unitId: returningUnitId },
      returningUnitId,
    },
    ids: deps.ids,
    trace: { correlationId: event.correlationId, causationId: event.eventId },
  });
}
