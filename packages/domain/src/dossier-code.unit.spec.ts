import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DossierCodeInputInvalid,
  DossierCodeInvalid,
  DossierSequenceOutOfRange,
  dossierReceptionDate,
  formatDossierCode,
  parseDossierCode,
  receptionDayKey,
} from './dossier-code.js';

const unitCode = '000.00.01.H34';

describe('formatDossierCode', () => {
  it('given a reception at 17:30 UTC, when formatted, then the date is the next day in Vietnam time', () => {
    // 2026-03-01T17:30Z is 00:30 on 2 March in Hồ Chí Minh City.
    expect(formatDossierCode({ unitCode, receivedAt: new Date('2026-03-01T17:30:00Z'), sequence: 1 })).toBe(
      '000.00.01.H34-260302-0001',
    );
  });

  it('given the last instant before local midnight, when formatted, then the date is still the local day', () => {
    expect(
      formatDossierCode({ unitCode, receivedAt: new Date('2026-03-01T16:59:59.999Z'), sequence: 42 }),
    ).toBe('000.00.01.H34-260301-0042');
    expect(
      formatDossierCode({ unitCode, receivedAt: new Date('2026-03-01T17:00:00.000Z'), sequence: 42 }),
    ).toBe('000.00.01.H34-260302-0042');
  });

  it('given New Year in Vietnam while UTC is still in the old year, then the code carries the new year', () => {
    expect(
      formatDossierCode({ unitCode: '22333', receivedAt: new Date('2025-12-31T18:00:00Z'), sequence: 9999 }),
    ).toBe('22333-260101-9999');
  });

  it('given a sequence outside 1..9999 or not an integer, then it is refused with the sequence named', () => {
    for (const sequence of [0, -1, 10_000, 1.5, Number.NaN]) {
      try {
        formatDossierCode({ unitCode, receivedAt: new Date('2026-03-02T02:00:00Z'), sequence });
        expect.unreachable();
      } catch (error) {
        expect(DossierSequenceOutOfRange.is(error)).toBe(true);
        expect(DossierSequenceOutOfRange.is(error) && error.details.sequence).toBe(sequence);
      }
    }
  });

  it('given a unit code that cannot prefix a code, then it is refused naming the value', () => {
    for (const bad of ['', 'KH-01', 'a b', '.56', '56.']) {
      try {
        formatDossierCode({ unitCode: bad, receivedAt: new Date('2026-03-02T02:00:00Z'), sequence: 1 });
        expect.unreachable();
      } catch (error) {
        expect(DossierCodeInputInvalid.is(error)).toBe(true);
        expect(DossierCodeInputInvalid.is(error) && error.details).toEqual({ field: 'unitCode', value: bad });
      }
    }
  });

  it('given an invalid instant or one outside 2000–2099, then it is refused', () => {
    for (const receivedAt of [
      new Date(Number.NaN),
      new Date('2100-01-01T00:00:00+07:00'),
      new Date('1999-12-31T16:59:59Z'),
    ]) {
      expect(() => formatDossierCode({ unitCode, receivedAt, sequence: 1 })).toThrow(
        expect.objectContaining({ code: DossierCodeInputInvalid.code }),
      );
    }
  });
});

describe('receptionDayKey', () => {
  it('is shared by every instant of one Vietnam day and differs across local midnight', () => {
    const start = receptionDayKey(unitCode, new Date('2026-03-01T17:00:00Z'));
    const end = receptionDayKey(unitCode, new Date('2026-03-02T16:59:59Z'));
    const next = receptionDayKey(unitCode, new Date('2026-03-02T17:00:00Z'));
    expect(start).toBe('000.00.01.H34-260302');
    expect(end).toBe(start);
    expect(next).toBe('000.00.01.H34-260303');
  });

  it('differs per receiving unit on the same day', () => {
    const at = new Date('2026-03-02T03:00:00Z');
    expect(receptionDayKey('22333', at)).not.toBe(receptionDayKey('22528', at));
  });

  it('is the prefix of every code formatted for that unit and instant', () => {
    const receivedAt = new Date('2025-07-01T09:15:00+07:00');
    expect(
      formatDossierCode({ unitCode, receivedAt, sequence: 7 }).startsWith(
        `${receptionDayKey(unitCode, receivedAt)}-`,
      ),
    ).toBe(true);
  });
});

describe('parseDossierCode', () => {
  it('splits a code into unit code, reception date and sequence', () => {
    expect(parseDossierCode('000.00.01.H34-260302-0017')).toEqual({
      unitCode: '000.00.01.H34',
      receptionDate: '2026-03-02',
      sequence: 17,
    });
  });

  it('refuses malformed codes, impossible dates and sequence 0000, naming the code', () => {
    for (const bad of [
      '',
      '56-260302-001',
      '56-260302-00001',
      '-260302-0001',
      '56-260230-0001',
      '56-261301-0001',
      '56-260302-0000',
      '56_260302_0001',
    ]) {
      try {
        parseDossierCode(bad);
        expect.unreachable();
      } catch (error) {
        expect(DossierCodeInvalid.is(error)).toBe(true);
        expect(DossierCodeInvalid.is(error) && error.details.code).toBe(bad);
      }
    }
  });

  it('accepts 29 February only in a leap year', () => {
    expect(parseDossierCode('56-280229-0001').receptionDate).toBe('2028-02-29');
    expect(() => parseDossierCode('56-270229-0001')).toThrow(
      expect.objectContaining({ code: DossierCodeInvalid.code }),
    );
  });

  it('round-trips: parse(format(x)) gives back the unit code, the Vietnam date and the sequence', () => {
    const codeArb = fc.stringMatching(/^[A-Za-z0-9]{1,4}(\.[A-Za-z0-9]{1,4}){0,3}$/);
    const instantArb = fc.date({
      min: new Date('2000-01-01T00:00:00+07:00'),
      max: new Date('2099-12-31T23:59:59+07:00'),
      noInvalidDate: true,
    });
    fc.assert(
      fc.property(codeArb, instantArb, fc.integer({ min: 1, max: 9999 }), (code, receivedAt, sequence) => {
        const parsed = parseDossierCode(formatDossierCode({ unitCode: code, receivedAt, sequence }));
        expect(parsed).toEqual({ unitCode: code, receptionDate: dossierReceptionDate(receivedAt), sequence });
        // The reception date is the UTC date of the instant shifted by +7 h, whatever the machine's zone.
        expect(parsed.receptionDate).toBe(
          new Date(receivedAt.getTime() + 7 * 3_600_000).toISOString().slice(0, 10),
        );
      }),
      { numRuns: 300 },
    );
  });
});
