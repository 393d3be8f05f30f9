import { describe, expect, it } from 'vitest';
import { csvFileContent, toCsv } from './csv.js';
import { fieldErrorsOf, missingComponentsOf } from './errors.js';
import {
  formatDate,
  formatDateTime,
  formatRate,
  isoToLocalInput,
  localInputToIso,
  vnDayKey,
} from './format.js';
import { areaOf, fold } from './text.js';

describe('dates in Vietnam time', () => {
  it('given an instant in UTC, when formatted, then it reads dd/MM/yyyy HH:mm at +07:00', () => {
    expect(formatDateTime('2026-03-09T02:00:00Z')).toBe('09/03/2026 09:00');
    expect(formatDateTime('2026-03-09T18:30:00Z')).toBe('10/03/2026 01:30');
    expect(formatDate('2025-12-31T17:00:00Z')).toBe('01/01/2026');
    expect(vnDayKey('2025-12-31T16:59:00Z')).toBe('2025-12-31');
  });
  it('given no date, when formatted, then it is a dash', () => {
    expect(formatDateTime(null)).toBe('—');
    expect(formatDateTime('not a date')).toBe('—');
  });
  it('given a datetime-local value, when converted both ways, then it round-trips through +07:00', () => {
    expect(localInputToIso('2026-03-24T16:30')).toBe('2026-03-24T16:30:00+07:00');
    expect(localInputToIso('24/03/2026')).toBeUndefined();
    expect(isoToLocalInput('2026-03-24T09:30:00Z')).toBe('2026-03-24T16:30');
  });
  it('given rates, when formatted per language, then Vietnamese uses a decimal comma', () => {
    expect(formatRate(0.875, 'vi')).toBe('87,5 %');
    expect(formatRate(0.875, 'en')).toBe('87.5%');
    expect(formatRate(null, 'en')).toBe('—');
  });
});

describe('server errors', () => {
  it('given validation issues, when mapped, then each lands on its field without the request-part prefix', () => {
    const details = {
      issues: [
        { path: 'body.applicant.idNumber', message: 'Too small' },
        { path: 'body.applicant.idNumber', message: 'second message' },
        { path: 'body', message: 'required' },
      ],
    };
    expect(fieldErrorsOf(details)).toEqual({ 'applicant.idNumber': 'Too small', _: 'required' });
    expect(fieldErrorsOf({ other: 1 })).toEqual({});
  });
  it('given an incomplete-dossier answer, when read, then the missing components are listed', () => {
    expect(missingComponentsOf({ missingComponents: ['giay-chung-sinh'] })).toEqual(['giay-chung-sinh']);
    expect(missingComponentsOf(undefined)).toEqual([]);
  });
});

describe('csv', () => {
  it('given cells with commas, quotes, newlines and formulas, when written, then they are quoted and defused', () => {
    expect(
      toCsv(
        ['a', 'b'],
        [
          ['x,y', 'say "hi"'],
          ['line\nbreak', '=SUM(A1)'],
          [-3, null],
        ],
      ),
    ).toBe('a,b\r\n"x,y","say ""hi"""\r\n"line\nbreak",\'=SUM(A1)\r\n-3,');
    expect(csvFileContent(['Mã'], [['HS-1']]).startsWith('\uFEFFMã\r\n')).toBe(true);
  });
});

describe('text', () => {
  it('given Vietnamese with diacritics, when folded, then it matches the unaccented query', () => {
    expect(fold('Đăng ký Hộ tịch')).toBe('dang ky ho tich');
  });
  it('given units, when their area is taken, then centres and departments belong to their parent', () => {
    expect(areaOf({ id: 'kh.p-nha-trang.ttpvhcc', kind: 'commune_centre', parentId: 'kh.p-nha-trang' })).toBe(
      'kh.p-nha-trang',
    );
    expect(areaOf({ id: 'kh.p-nha-trang', kind: 'commune', parentId: 'kh' })).toBe('kh.p-nha-trang');
  });
});
