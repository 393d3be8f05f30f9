import { InvalidEvent } from '@onestop/domain';
import { describe, expect, it } from 'vitest';
import { parseBusMessage } from './bus.js';

describe('parseBusMessage', () => {
  it('given an event type outside the catalogue (intake bookkeeping), then it is passed over, not rejected', () => {
    const message = parseBusMessage({ eventId: 'e-1', type: 'DossierCodeDrawn', data: { sequence: 1 } });
    expect(message).toEqual({ kind: 'other', eventId: 'e-1', type: 'DossierCodeDrawn' });
  });

  it('given a catalogue type with an invalid payload, then it throws DOM_INVALID_EVENT (the bus dead-letters it)', () => {
    expect(() => parseBusMessage({ eventId: 'e-2', type: 'DossierReceived', data: {} })).toThrow(
      expect.objectContaining({ code: InvalidEvent.code }),
    );
  });

  it('given no type or event id, then it throws naming the field', () => {
    expect(() => parseBusMessage({ eventId: 'e-3' })).toThrow(/type/);
  });
});
