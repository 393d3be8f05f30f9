import { describe, expect, it } from 'vitest';
import { ValidationFailed } from '../errors.js';
import type { Actor, EventData } from '../events/index.js';
import type { Decided } from './decider.js';
import { type ResultReturnCommand, type ResultReturnEvent, resultReturnDecider } from './result-return.js';
import { specify } from './spec.js';

const spec = specify(resultReturnDecider);
const now = new Date('2025-03-12T02:30:00.000Z');
const clerk: Actor = { id: 'clerk-3', role: 'clerk', unitId: 'unit-hn-01' };
const base = { now, actor: clerk };

function event<T extends ResultReturnEvent['type']>(type: T, data: EventData<T>): Decided<T> {
  return { type, data, occurredAt: now.toISOString(), actor: clerk };
}

const atDesk = event('ResultReceivedAtDesk', { returningUnitId: 'unit-hn-01' });
const returned = event('ResultReturned', { channel: 'postal' });
const rated = event('SatisfactionRated', { rating: 1 });

const HISTORY = {
  none: [],
  atDesk: [atDesk],
  returned: [atDesk, returned],
  rated: [atDesk, returned, rated],
} as const;
type Stage = keyof typeof HISTORY;
const STAGES: Stage[] = ['none', 'atDesk', 'returned', 'rated'];
const STATUS_OF: Record<Stage, 'none' | 9 | 10> = { none: 'none', atDesk: 9, returned: 10, rated: 10 };

const COMMANDS: ReadonlyArray<{
  command: ResultReturnCommand;
  expected: ResultReturnEvent;
  allowedIn: Stage[];
  reason: RegExp;
}> = [
  {
    command: { type: 'ReturnResult', ...base, channel: 'postal' },
    expected: returned,
    allowedIn: ['atDesk'],
    reason: /not received the result|cannot move to status 10/,
  },
  {
    command: { type: 'RateSatisfaction', ...base, rating: 1 },
    expected: rated,
    allowedIn: ['returned'],
    reason: /only after the result is returned|already rated 1/,
  },
];

describe('result-return decider: 9→10, then one rating', () => {
  const cases = COMMANDS.flatMap(({ command, expected, allowedIn, reason }) =>
    STAGES.map((stage) => ({
      name: command.type,
      command,
      expected,
      stage,
      reason,
      allowed: allowedIn.includes(stage),
    })),
  );

  it.each(cases.filter((c) => c.allowed))(
    'given $stage, when $name, then it is recorded',
    ({ command, expected, stage }) => {
      spec.given(HISTORY[stage]).when(command).thenEmits([expected]);
    },
  );

  it.each(cases.filter((c) => !c.allowed))(
    'given $stage, when $name, then DOM_INVALID_TRANSITION',
    ({ command, stage, reason }) => {
      const error = spec
        .given(HISTORY[stage])
        .when(command)
        .thenThrows({ code: 'DOM_INVALID_TRANSITION', message: reason });
      expect(error.details).toMatchObject({ command: command.type, currentStatus: STATUS_OF[stage] });
    },
  );

  it.each(STAGES)(
    'given %s, when the result arrives at the desk, then only the first arrival emits',
    (stage) => {
      const command = { type: 'ReceiveResultAtDesk', ...base, returningUnitId: 'unit-hn-01' } as const;
      if (stage === 'none') spec.given([]).when(command).thenEmits([atDesk]);
      else spec.given(HISTORY[stage]).when(command).thenNothing();
    },
  );

  it('given a rating before the return, then the error says a rating comes after the return', () => {
    spec
      .given([atDesk])
      .when({ type: 'RateSatisfaction', ...base, rating: 4 })
      .thenThrows({
        code: 'DOM_INVALID_TRANSITION',
        message: /status 9 \(processed\); a rating is given only after/,
      });
  });

  it('given a second rating, then the error names the first', () => {
    spec
      .given(HISTORY.rated)
      .when({ type: 'RateSatisfaction', ...base, rating: 3 })
      .thenThrows({
        code: 'DOM_INVALID_TRANSITION',
        message: /already rated 1/,
        details: { currentStatus: 10 },
      });
  });

  it.each([0, 5, 2.5])('when rating %s, then a validation error names rating', (rating) => {
    spec
      .given(HISTORY.returned)
      .when({ type: 'RateSatisfaction', ...base, rating } as ResultReturnCommand)
      .thenThrows({ code: ValidationFailed.code, message: /rating/ });
  });
});
