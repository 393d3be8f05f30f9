import { ValidationFailed } from '@onestop/domain';
import { describe, expect, it } from 'vitest';
import { ReformReportQuery, resolveReportPeriod } from './period.js';

describe('the reform report period', () => {
  it.each([
    ['2026', '2026-01-01', '2027-01-01', 'Năm 2026'],
    ['2026-Q1', '2026-01-01', '2026-04-01', 'Quý I năm 2026'],
    ['2026-Q4', '2026-10-01', '2027-01-01', 'Quý IV năm 2026'],
    ['2026-03', '2026-03-01', '2026-04-01', 'Tháng 3 năm 2026'],
    ['2026-12', '2026-12-01', '2027-01-01', 'Tháng 12 năm 2026'],
  ])('given %s, then it covers [%s, %s) and is titled %s', (period, from, to, label) => {
    expect(resolveReportPeriod(ReformReportQuery.parse({ period }))).toEqual({
      key: period,
      label,
      from,
      to,
    });
  });

  it('given explicit days, then to is exclusive and the title names the last day', () => {
    expect(resolveReportPeriod({ from: '2026-01-15', to: '2026-03-01' })).toEqual({
      key: '2026-01-15_2026-03-01',
      label: 'Từ ngày 15/01/2026 đến ngày 28/02/2026',
      from: '2026-01-15',
      to: '2026-03-01',
    });
    expect(() => resolveReportPeriod({ from: '2026-03-01', to: '2026-03-01' })).toThrow(
      expect.objectContaining({ code: ValidationFailed.code }),
    );
  });

  it.each([
    [{ period: '2026-Q5' }, 'period'],
    [{ period: '2026-00' }, 'period'],
    [{}, 'period'],
    [{ from: '2026-01-01' }, 'to'],
    [{ to: '2026-01-01' }, 'from'],
    [{ period: '2026', from: '2026-01-01' }, 'period'],
  ])('given %j, then the issue names %s', (query, field) => {
    const result = ReformReportQuery.safeParse(query);
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual([field]);
  });
});
