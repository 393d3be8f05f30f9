import { parseDossierEvent } from '@onestop/domain';
import { eventWithRawData, rawDataOf, type StoredEvent } from '@onestop/event-store';
import { describe, expect, it } from 'vitest';
import { inDossierCatalogue, partitionKeyOf, toEventEnvelope, toRelayMessage } from './envelope.js';
import { registeredEvents } from './fixtures/dossier-events.js';

function stored(overrides: Partial<StoredEvent> = {}): StoredEvent {
  const [sample] = registeredEvents(1, 1);
  if (sample === undefined) throw new Error('fixture');
  return {
    eventId: sample.event.eventId,
    type: sample.event.type,
    data: sample.event.data,
    metadata: sample.event.metadata ?? {},
    streamId: sample.streamId,
    streamVersion: 3,
    globalPosition: 42n,
    recordedAt: new Date('2025-11-03T02:00:00.000Z'),
    ...overrides,
  };
}

describe('the wire form of a stored event', () => {
  it('given a catalogue event stored as data + metadata, when relayed, then the value parses against the catalogue and the headers name it', () => {
    const event = stored();
    const message = toRelayMessage(event, 'fallback');
    const parsed = parseDossierEvent(JSON.parse(message.value));
    expect(parsed).toMatchObject({
      eventId: event.eventId,
      streamId: event.streamId,
      streamVersion: 3,
      recordedAt: '2025-11-03T02:00:00.000Z',
      dossierId: event.metadata.dossierId,
      data: event.data,
    });
    expect(message.key).toBe(event.metadata.dossierId);
    expect(message.headers).toEqual({
      'event-id': event.eventId,
      'event-type': 'DossierRegistered',
      'schema-version': '1',
      source: 'intake',
    });
  });

  it('given metadata that tries to override store-owned fields, when relayed, then the store wins', () => {
    const event = stored({ metadata: { streamVersion: 99, eventId: 'forged', dossierId: 'd-1' } });
    const value = JSON.parse(toRelayMessage(event, 'intake').value);
    expect(value.streamVersion).toBe(3);
    expect(value.eventId).toBe(event.eventId);
  });

  it('given an event without dossierId or source, when relayed, then it is keyed by stream and sourced from the relay', () => {
    const event = stored({ metadata: {} });
    const message = toRelayMessage(event, 'processing');
    expect(partitionKeyOf(event)).toBe(event.streamId);
    expect(message.key).toBe(event.streamId);
    expect(message.headers.source).toBe('processing');
    expect(message.headers).not.toHaveProperty('schema-version');
  });
});

describe('the wire form of an event whose store kept the payload text', () => {
  const withText = (event: StoredEvent, text = JSON.stringify(event.data)) => {
    const { data: _parsedLater, ...fields } = event;
    return eventWithRawData(fields, text);
  };

  it('given the payload text, when relayed, then the text goes out verbatim as the last field of the envelope', () => {
    const event = stored();
    // A space JSON.stringify never writes: parsing and re-serializing the payload would drop it.
    const kept = withText(event, '{"unparsed": true}');
    const value = toRelayMessage(kept, 'intake').value;
    expect(value.endsWith(',"data":{"unparsed": true}}')).toBe(true);
    expect(JSON.parse(value)).toEqual({ ...toEventEnvelope(event), data: { unparsed: true } });
    expect(rawDataOf(kept)).toBe('{"unparsed": true}');
  });

  it('given a real payload text, when relayed, then the value equals the one built from the parsed event', () => {
    const event = stored();
    expect(toRelayMessage(withText(event), 'intake')).toEqual(toRelayMessage(event, 'intake'));
  });

  it('given metadata that names data or store-owned fields, when relayed from text, then the store and the payload win', () => {
    const event = stored({ metadata: { data: 'forged', eventId: 'forged', dossierId: 'd-1' } });
    const value = JSON.parse(toRelayMessage(withText(event), 'intake').value);
    expect(value.data).toEqual(event.data);
    expect(value.eventId).toBe(event.eventId);
  });

  it('given a copy of such an event with another payload, when relayed, then the copy’s payload goes out, not the kept text', () => {
    const kept = withText(stored());
    const changed: StoredEvent = { ...kept, data: { replaced: true } };
    expect(rawDataOf(changed)).toBeUndefined();
    expect(JSON.parse(toRelayMessage(changed, 'intake').value).data).toEqual({ replaced: true });
  });
});

describe('the catalogue filter of the relay', () => {
  it('given catalogue and bookkeeping types, when filtered, then only the catalogue types pass', () => {
    expect(inDossierCatalogue(stored())).toBe(true);
    expect(inDossierCatalogue(stored({ type: 'DossierTransferred' }))).toBe(true);
    expect(inDossierCatalogue(stored({ type: 'DossierCodeDrawn' }))).toBe(false);
    expect(inDossierCatalogue(stored({ type: 'IdempotencyKeyClaimed' }))).toBe(false);
  });
});
