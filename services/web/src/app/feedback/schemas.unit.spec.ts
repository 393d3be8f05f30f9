import { describe, expect, it } from 'vitest';
import { stagesOf, urgency } from './schemas.js';

const due = (iso: string, late = false) => ({ at: iso, dueAt: '2026-03-11T02:00:00.000Z', late });

describe('feedback stages on screen', () => {
  it('given an accepted item with information asked, then the stages come in legal order, done ones with their time', () => {
    const rows = stagesOf({
      accepted: due('2026-03-10T03:00:00.000Z'),
      infoRequested: { at: '2026-03-12T03:00:00.000Z', dueAt: '2026-03-16T02:00:00.000Z', late: false },
      openStages: [{ stage: 'answer', dueAt: '2026-03-31T03:00:00.000Z' }],
    });
    expect(rows).toEqual([
      {
        stage: 'decision',
        dueAt: '2026-03-11T02:00:00.000Z',
        doneAt: '2026-03-10T03:00:00.000Z',
        late: false,
      },
      {
        stage: 'infoRequest',
        dueAt: '2026-03-16T02:00:00.000Z',
        doneAt: '2026-03-12T03:00:00.000Z',
        late: false,
      },
      { stage: 'answer', dueAt: '2026-03-31T03:00:00.000Z' },
    ]);
  });

  it('given a refusal, then it is the decision stage, late when it was', () => {
    const [decision] = stagesOf({ refused: due('2026-03-11T02:01:00.000Z', true), openStages: [] });
    expect(decision).toMatchObject({ stage: 'decision', late: true });
  });

  it('given a due, then past it is late, within a day due soon, else in time', () => {
    const dueAt = '2026-03-11T02:00:00.000Z';
    const at = (iso: string) => Date.parse(iso);
    expect(urgency(dueAt, at('2026-03-11T02:00:01.000Z'))).toBe('late');
    expect(urgency(dueAt, at('2026-03-10T03:00:00.000Z'))).toBe('soon');
    expect(urgency(dueAt, at('2026-03-09T02:00:00.000Z'))).toBe('ok');
  });
});
