import { describe, expect, it } from 'vitest';
import { dossierEventFromStored, InvalidEvent } from '../events/index.js';
import { emit, eventToAppend } from './decider.js';

const ids = {
  eventId: '0195a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b',
  dossierId: '0195a1b2-0000-4000-8000-0000000000aa',
  correlationId: 'req-9',
  causationId: 'req-9',
};
const command = {
  now: new Date('2025-03-12T02:30:00.000Z'),
  actor: { id: 'clerk-3', role: 'clerk' as const },
};

describe('from decided event to stored event and back', () => {
  it('given a decided event, when the service appends and the relay reads it, then it parses as a DossierEvent', () => {
    const decided = emit('ResultReturned', { channel: 'desk' }, command);
    const append = eventToAppend(decided, ids);
    expect(append.streamId).toBe(`return-${ids.dossierId}`);
    expect(append.metadata).toMatchObject({
      schemaVersion: 1,
      source: 'result-return',
      occurredAt: decided.occurredAt,
    });
    const recordedAt = new Date('2025-03-12T02:30:00.045Z');
    const event = dossierEventFromStored({ ...append, streamVersion: 1, recordedAt });
    expect(event).toEqual({
      ...ids,
      type: 'ResultReturned',
      schemaVersion: 1,
      streamId: append.streamId,
      streamVersion: 1,
      occurredAt: '2025-03-12T02:30:00.000Z',
      recordedAt: recordedAt.toISOString(),
      source: 'result-return',
      actor: command.actor,
      data: { channel: 'desk' },
    });
  });

  it('given a stored row without metadata, then DOM_INVALID_EVENT names the missing envelope fields', () => {
    const append = eventToAppend(emit('ResultReturned', { channel: 'desk' }, command), ids);
    try {
      dossierEventFromStored({ ...append, metadata: null, streamVersion: 0, recordedAt: new Date(0) });
      expect.unreachable();
    } catch (error) {
      expect(InvalidEvent.is(error) && error.details.issues.map((i) => i.path)).toEqual(
        expect.arrayContaining(['dossierId', 'occurredAt', 'source', 'actor']),
      );
    }
  });
});
