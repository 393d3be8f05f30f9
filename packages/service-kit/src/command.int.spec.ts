import { resultReturnDecider, streamIdFor } from '@onestop/domain';
import { type PostgresEventStore, postgresEventStore } from '@onestop/event-store';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleCommand } from './command.js';
import { uuidv7, uuidv7Ids } from './ids.js';

const schema = useTestSchema();
let store: PostgresEventStore;
beforeAll(() => {
  store = postgresEventStore({
    connectionString: schema.current.connectionString,
    schema: schema.current.schema,
  });
});
afterAll(() => store.close());

const actor = { id: 'clerk-1', role: 'clerk' as const, unitId: 'unit-a' };
const now = new Date('2026-03-02T02:00:00Z');

function run(dossierId: string, command: Parameters<typeof resultReturnDecider.decide>[0]) {
  return handleCommand({
    store,
    decider: resultReturnDecider,
    dossierId,
    streamId: streamIdFor('result-return', dossierId),
    command,
    ids: uuidv7Ids,
    trace: { correlationId: uuidv7() },
  });
}

describe('handleCommand', () => {
  it('given an empty stream, when a command decides events, then they are appended with the envelope and folded', async () => {
    const dossierId = uuidv7();
    const result = await run(dossierId, {
      type: 'ReceiveResultAtDesk',
      now,
      actor,
      returningUnitId: 'unit-a',
    });
    expect(result.version).toBe(0);
    expect(result.state).toMatchObject({ status: 9, returningUnitId: 'unit-a' });
    expect(result.appended).toHaveLength(1);
    expect(result.appended[0]).toMatchObject({
      type: 'ResultReceivedAtDesk',
      dossierId,
      source: 'result-return',
      occurredAt: now.toISOString(),
      actor,
      streamVersion: 0,
    });
  });

  it('given a repeated idempotent command, when it decides nothing, then nothing is appended', async () => {
    const dossierId = uuidv7();
    await run(dossierId, { type: 'ReceiveResultAtDesk', now, actor, returningUnitId: 'unit-a' });
    const again = await run(dossierId, {
      type: 'ReceiveResultAtDesk',
      now,
      actor,
      returningUnitId: 'unit-a',
    });
    expect(again.appended).toEqual([]);
    expect(await store.readStream(streamIdFor('result-return', dossierId))).toHaveLength(1);
  });

  it('given two concurrent ratings, when both race, then exactly one is stored and the other is refused on retry', async () => {
    const dossierId = uuidv7();
    await run(dossierId, { type: 'ReceiveResultAtDesk', now, actor, returningUnitId: 'unit-a' });
    await run(dossierId, { type: 'ReturnResult', now, actor, channel: 'desk' });
    const outcomes = await Promise.allSettled(
      [1, 4].map((rating) =>
        run(dossierId, { type: 'RateSatisfaction', now, actor, rating: rating as 1 | 4 }),
      ),
    );
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const refused = outcomes.find((o) => o.status === 'rejected');
    expect(refused?.status === 'rejected' && refused.reason).toMatchObject({
      code: 'DOM_INVALID_TRANSITION',
    });
    const events = await store.readStream(streamIdFor('result-return', dossierId));
    expect(events.filter((e) => e.type === 'SatisfactionRated')).toHaveLength(1);
  });

  it('builds the command from the current state when given a function', async () => {
    const dossierId = uuidv7();
    await run(dossierId, { type: 'ReceiveResultAtDesk', now, actor, returningUnitId: 'unit-b' });
    const seen: unknown[] = [];
    const result = await handleCommand({
      store,
      decider: resultReturnDecider,
      dossierId,
      streamId: streamIdFor('result-return', dossierId),
      command: (state, history) => {
        seen.push(state, history.length);
        return { type: 'ReturnResult' as const, now, actor, channel: 'postal' as const };
      },
      ids: uuidv7Ids,
      trace: { correlationId: uuidv7() },
    });
    expect(seen).toEqual([{ status: 9, returningUnitId: 'unit-b' }, 1]);
    expect(result.state).toMatchObject({ status: 10, channel: 'postal' });
  });
});
