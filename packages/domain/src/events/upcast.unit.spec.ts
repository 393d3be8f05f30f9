import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { streamIdFor } from './catalogue.js';
import { InvalidEvent } from './invalid-event.js';
import { parseDossierEvent } from './parse.js';
import { defineUpcaster, SATISFACTION_V1_TO_V2, upcast } from './upcast.js';

const dossierId = '0195a1b2-0000-4000-8000-0000000000aa';

function ratedV(schemaVersion: number, data: unknown) {
  return {
    eventId: '0195a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b',
    type: 'SatisfactionRated',
    schemaVersion,
    dossierId,
    streamId: streamIdFor('result-return', dossierId),
    streamVersion: 2,
    occurredAt: '2024-11-05T03:00:00.000Z',
    recordedAt: '2024-11-05T03:00:00.050Z',
    source: 'result-return',
    correlationId: 'kiosk-1',
    causationId: 'kiosk-1',
    actor: { id: 'kiosk', role: 'system' },
    data,
  };
}

function thrown(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (InvalidEvent.is(error)) return error;
    throw error;
  }
  throw new Error('expected DOM_INVALID_EVENT');
}

describe('upcasting SatisfactionRated v1 → v2', () => {
  it.each([
    ['satisfied', 2],
    ['neutral', 2],
    ['dissatisfied', 3],
  ] as const)('given a stored v1 score %s, when parsed, then it reads as v2 rating %i', (score, rating) => {
    const event = parseDossierEvent(ratedV(1, { score }));
    expect(event.schemaVersion).toBe(2);
    expect(event.type === 'SatisfactionRated' && event.data).toEqual({ rating });
    expect(event.streamVersion).toBe(2);
  });

  it('keeps the dissatisfied share of v1 data: only dissatisfied maps to 3 or 4', () => {
    const dissatisfied = Object.entries(SATISFACTION_V1_TO_V2).filter(([, rating]) => rating >= 3);
    expect(dissatisfied.map(([score]) => score)).toEqual(['dissatisfied']);
  });

  it('given a current v2 event, then upcasting leaves it unchanged', () => {
    const raw = ratedV(2, { rating: 4 });
    expect(upcast(raw)).toEqual(raw);
    expect(parseDossierEvent(raw)).toEqual(raw);
  });

  it('given a v1 event with a score v1 never had, then the error names the event, data.score and the value', () => {
    const error = thrown(() => parseDossierEvent(ratedV(1, { score: 'delighted' })));
    expect(error.details).toMatchObject({
      type: 'SatisfactionRated',
      schemaVersion: 1,
      eventId: '0195a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b',
    });
    expect(error.details.issues).toEqual([
      expect.objectContaining({ path: 'data.score', value: '"delighted"' }),
    ]);
    expect(error.message).toMatch(
      /^invalid SatisfactionRated v1 0195a1b2-3c4d-7e5f-8a9b-0c1d2e3f4a5b: data\.score: .*\(got "delighted"\)$/,
    );
  });

  it('given a v1 event without its score, then the error says data.score is missing', () => {
    const error = thrown(() => parseDossierEvent(ratedV(1, {})));
    expect(error.details.issues).toEqual([
      expect.objectContaining({ path: 'data.score', message: expect.stringMatching(/^missing/) }),
    ]);
  });

  it('given a version newer than this build, then it asks for the newer consumer', () => {
    const error = thrown(() => parseDossierEvent(ratedV(3, { rating: 1, comment: 'x' })));
    expect(error.message).toMatch(/SatisfactionRated v3 is newer than this build knows \(v2\)/);
  });

  it('given a registry with a gap, then the missing step is named', () => {
    const error = thrown(() => upcast(ratedV(1, { score: 'neutral' }), []));
    expect(error.message).toBe('no upcaster for SatisfactionRated from v1 to v2');
  });

  it('applies a chain one version at a time, each step validating its input', () => {
    const calls: string[] = [];
    const steps = [
      defineUpcaster({
        type: 'SatisfactionRated',
        fromVersion: 1,
        from: z.object({ stars: z.int() }),
        up: ({ stars }) => {
          calls.push(`1:${stars}`);
          return { rating: 5 - stars };
        },
      }),
    ];
    expect(upcast(ratedV(1, { stars: 4 }), steps)).toMatchObject({ schemaVersion: 2, data: { rating: 1 } });
    expect(calls).toEqual(['1:4']);
  });
});
