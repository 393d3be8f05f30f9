import { describe, expect, it } from 'vitest';
import { createCatalog } from './catalog.js';
import { demoCatalog, demoProcedures, demoUnitIds as ids } from './demo/index.js';
import {
  ProcedureCompetentUnitInvalid,
  ProcedureDuplicate,
  ProcedureInvalid,
  ProcedureNotFound,
  ProcedureStepBudgetMismatch,
} from './errors.js';
import {
  loadProcedures,
  type ProcedureInput,
  requiredBudgetHours,
  WORKING_HOURS_PER_DAY,
} from './procedures.js';
import { foldVietnamese } from './search.js';

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  return expect.unreachable('expected an error');
}

function demo(code: string): ProcedureInput {
  const found = demoProcedures.find((p) => p.code === code);
  if (found === undefined) throw new Error(`no demo procedure ${code}`);
  return structuredClone(found);
}

const judicialRecord = '2.000488';

describe('demo procedures', () => {
  it('all load, with step budgets adding up to each limit', () => {
    const procedures = demoCatalog.procedures();
    expect(procedures).toHaveLength(demoProcedures.length);
    expect(procedures.length).toBeGreaterThanOrEqual(12);
    for (const procedure of procedures) {
      const budget = procedure.steps.reduce((sum, step) => sum + step.budgetWorkingHours, 0);
      expect(budget, procedure.code).toBeCloseTo(requiredBudgetHours(procedure.limit), 9);
    }
  });

  it('span working hours, working days from 0.5 to 30 and calendar days', () => {
    const limits = demoCatalog.procedures().map((p) => p.limit);
    const workingDays = limits.filter((l) => l.unit === 'working_days').map((l) => l.value);
    expect(Math.min(...workingDays)).toBe(0.5);
    expect(Math.max(...workingDays)).toBe(30);
    expect(limits.some((l) => l.unit === 'working_hours')).toBe(true);
    expect(limits.some((l) => l.unit === 'calendar_days')).toBe(true);
  });

  it('charge the merged department for land and the ward for civil status', () => {
    expect(demoCatalog.procedure('1.012756').competentUnitIds).toEqual([ids.agricultureEnvironment]);
    expect(demoCatalog.procedure('1.001193').competentUnitIds).toContain(ids.phanRangWard);
    expect(demoCatalog.procedure(judicialRecord)).toMatchObject({
      limit: { value: 10, unit: 'working_days' },
    });
  });

  it('default pausesOnPayment to true unless a definition says otherwise', () => {
    const explicit = new Set(
      demoProcedures.filter((p) => p.pausesOnPayment !== undefined).map((p) => p.code),
    );
    for (const procedure of demoCatalog.procedures()) {
      if (!explicit.has(procedure.code)) expect(procedure.pausesOnPayment, procedure.code).toBe(true);
    }
    expect(demoCatalog.procedure('1.009972').pausesOnPayment).toBe(false);
  });
});

describe('requiredBudgetHours', () => {
  it('converts working days at 8 h and keeps working hours as they are', () => {
    expect(requiredBudgetHours({ value: 2.5, unit: 'working_days' })).toBe(2.5 * WORKING_HOURS_PER_DAY);
    expect(requiredBudgetHours({ value: 6, unit: 'working_hours' })).toBe(6);
  });

  it('gives a calendar-day limit the fewest working days it can hold in a week without holidays', () => {
    // Brute force: for each start weekday, count Mon–Fri days in (start, start + N], the due day pushed to a weekday.
    const isWeekday = (day: number) => day % 7 < 5; // day 0 is a Monday
    for (let n = 1; n <= 60; n += 1) {
      let fewest = Number.POSITIVE_INFINITY;
      for (let start = 0; start < 7; start += 1) {
        let due = start + n;
        while (!isWeekday(due)) due += 1;
        let count = 0;
        for (let day = start + 1; day <= due; day += 1) if (isWeekday(day)) count += 1;
        fewest = Math.min(fewest, count);
      }
      expect(requiredBudgetHours({ value: n, unit: 'calendar_days' }), `N=${n}`).toBe(
        fewest * WORKING_HOURS_PER_DAY,
      );
    }
    expect(requiredBudgetHours({ value: 20, unit: 'calendar_days' })).toBe(112);
  });
});

describe('loading procedure definitions', () => {
  const load = (procedures: ProcedureInput[]) => loadProcedures(procedures, demoCatalog);

  it('given step budgets that do not add up, then it names the procedure, the field and both sums', () => {
    const bad = demo(judicialRecord);
    bad.steps = bad.steps.map((step, index) =>
      index === 0 ? { ...step, budgetWorkingHours: step.budgetWorkingHours + 1 } : step,
    );
    const error = caught(() => load([bad]));
    expect(ProcedureStepBudgetMismatch.is(error) && error.details).toMatchObject({
      procedureCode: judicialRecord,
      field: 'steps',
      expectedHours: 80,
      actualHours: 81,
    });
  });

  it('given the same code and version twice, then it names the duplicate', () => {
    const error = caught(() => load([demo(judicialRecord), demo(judicialRecord)]));
    expect(ProcedureDuplicate.is(error) && error.details).toEqual({
      procedureCode: judicialRecord,
      field: 'version',
      value: '2025.07',
    });
  });

  it('given two versions of a code effective the same day, then it refuses the ambiguity', () => {
    const error = caught(() => load([demo(judicialRecord), { ...demo(judicialRecord), version: '2025.08' }]));
    expect(ProcedureDuplicate.is(error) && error.details).toMatchObject({
      procedureCode: judicialRecord,
      field: 'effectiveFrom',
    });
  });

  it('given a component code listed twice, then it names the component field', () => {
    const bad = demo(judicialRecord);
    const first = bad.components[0];
    if (first === undefined) throw new Error('demo procedure without components');
    bad.components.push({ ...first });
    const error = caught(() => load([bad]));
    expect(ProcedureDuplicate.is(error) && error.details).toEqual({
      procedureCode: judicialRecord,
      field: `components.${bad.components.length - 1}.code`,
      value: first.code,
    });
  });

  it.each([
    ['an unknown unit', 'kh.so-khong-co'],
    ['a unit dissolved before the version takes effect', ids.agricultureRuralDevelopment],
    ['a centre, which receives but does not decide', ids.provincialCentre],
  ])('given %s as competent unit, then it names the procedure, field and unit', (_, unitId) => {
    const bad = { ...demo(judicialRecord), competentUnitIds: [ids.justice, unitId] };
    const error = caught(() => load([bad]));
    expect(ProcedureCompetentUnitInvalid.is(error) && error.details).toEqual({
      procedureCode: judicialRecord,
      field: 'competentUnitIds.1',
      value: unitId,
    });
  });

  it.each<[string, Partial<ProcedureInput>, string, unknown]>([
    ['a zero limit', { limit: { value: 0, unit: 'working_days' } }, 'limit.value', 0],
    ['a negative limit', { limit: { value: -3, unit: 'working_hours' } }, 'limit.value', -3],
    ['a fractional calendar-day limit', { limit: { value: 2.5, unit: 'calendar_days' } }, 'limit.value', 2.5],
    ['a negative fee', { feeVnd: -1 }, 'feeVnd', -1],
    ['no competent unit', { competentUnitIds: [] }, 'competentUnitIds', []],
  ])('given %s, then it is refused naming the procedure, field and value', (_, change, field, value) => {
    const error = caught(() => load([{ ...demo(judicialRecord), ...change }]));
    expect(ProcedureInvalid.is(error) && error.details).toMatchObject({
      procedureCode: judicialRecord,
      field,
      value,
    });
  });

  it('given an unknown limit unit or step role (untyped input), then it names the value', () => {
    const weeks: unknown = { ...demo(judicialRecord), limit: { value: 2, unit: 'weeks' } };
    const weeksError = caught(() => loadProcedures([weeks], demoCatalog));
    expect(ProcedureInvalid.is(weeksError) && weeksError.details).toMatchObject({
      field: 'limit.unit',
      value: 'weeks',
    });
    const source = demo(judicialRecord);
    const janitor: unknown = {
      ...source,
      steps: [{ ...source.steps[0], role: 'janitor' }, ...source.steps.slice(1)],
    };
    const roleError = caught(() => loadProcedures([janitor], demoCatalog));
    expect(ProcedureInvalid.is(roleError) && roleError.details).toMatchObject({
      field: 'steps.0.role',
      value: 'janitor',
    });
  });

  it('given a malformed procedure code, then the error carries the code as given', () => {
    const error = caught(() => load([{ ...demo(judicialRecord), code: '2000488' }]));
    expect(ProcedureInvalid.is(error) && error.details).toMatchObject({
      procedureCode: '2000488',
      field: 'code',
    });
  });
});

describe('catalog lookups', () => {
  it('given versions with different effective dates, then procedure(code, at) picks the one in force', () => {
    const v1 = demo(judicialRecord);
    const v2 = { ...demo(judicialRecord), version: '2026.01', effectiveFrom: '2026-01-01', feeVnd: 250000 };
    const catalog = createCatalog({ units: demoCatalog, procedures: [v2, v1] });
    expect(catalog.procedure(judicialRecord, new Date('2025-12-31T16:59:59Z')).version).toBe('2025.07');
    expect(catalog.procedure(judicialRecord, new Date('2025-12-31T17:00:00Z')).version).toBe('2026.01');
    expect(catalog.procedure(judicialRecord).feeVnd).toBe(250000);
    expect(catalog.procedureVersions(judicialRecord).map((p) => p.version)).toEqual(['2025.07', '2026.01']);
    const early = caught(() => catalog.procedure(judicialRecord, new Date('2025-06-01T00:00:00Z')));
    expect(ProcedureNotFound.is(early) && early.details).toEqual({
      procedureCode: judicialRecord,
      at: '2025-06-01T00:00:00.000Z',
    });
    expect(catalog.procedures(new Date('2025-06-01T00:00:00Z'))).toEqual([]);
  });

  it('given an unknown code, then not-found names it', () => {
    const error = caught(() => demoCatalog.procedure('9.999999'));
    expect(ProcedureNotFound.is(error) && error.details).toEqual({ procedureCode: '9.999999' });
  });
});

describe('searchProcedures', () => {
  const codesOf = (query: string) => demoCatalog.searchProcedures(query).map((p) => p.code);

  it('given "ho tich" without diacritics, then it finds every procedure of the field "Hộ tịch"', () => {
    const civilStatus = demoCatalog
      .procedures()
      .filter((p) => p.field === 'Hộ tịch')
      .map((p) => p.code);
    expect(civilStatus.length).toBeGreaterThanOrEqual(3);
    expect(codesOf('ho tich')).toEqual(civilStatus);
    expect(codesOf('HỘ TỊCH')).toEqual(civilStatus);
    expect(codesOf('  Ho   Tich ')).toEqual(civilStatus);
  });

  it('treats đ/Đ as d in both query and text', () => {
    const land = codesOf('dat dai');
    expect(land).toContain('1.012756');
    expect(codesOf('Đất đai')).toEqual(land);
    expect(codesOf('ĐĂNG KÝ KẾT HÔN')).toEqual(['1.000894']);
    expect(codesOf('dang ky ket hon')).toEqual(['1.000894']);
  });

  it('needs every word to match, finds by code, and returns everything for an empty query', () => {
    expect(codesOf('ly lich tu phap')).toEqual([judicialRecord]);
    expect(codesOf(judicialRecord)).toEqual([judicialRecord]);
    expect(codesOf('ket hon xay dung')).toEqual([]);
    expect(codesOf('')).toHaveLength(demoCatalog.procedures().length);
  });
});

describe('foldVietnamese', () => {
  it('strips tones and vowel marks, maps đ, lower-cases and squeezes spaces', () => {
    expect(foldVietnamese('  Đăng ký   KHAI SINH ')).toBe('dang ky khai sinh');
    expect(foldVietnamese('Ưu tiên ổn định, ợ, ỹ')).toBe('uu tien on dinh, o, y');
    // Precomposed (NFC) and decomposed (NFD) input fold the same way.
    expect(foldVietnamese('Hộ tịch'.normalize('NFD'))).toBe(foldVietnamese('Hộ tịch'.normalize('NFC')));
  });
});
