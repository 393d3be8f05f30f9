import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import type { Decider } from './decider.js';
import { invalidTransition } from './errors.js';
import { specify } from './spec.js';

/** A counter that refuses to go above 2: enough to show the helper fails when it should. */
const counter: Decider<{ add: number }, number, { added: number }> = {
  decide: (command, state) => {
    if (state + command.add > 2) throw invalidTransition('Add', 'none', 'too many');
    return [{ added: command.add }];
  },
  evolve: (state, event) => state + event.added,
  initialState: () => 0,
};
const spec = specify(counter);

describe('given/when/then helper', () => {
  it('folds the history through evolve before deciding', () => {
    spec
      .given([{ added: 1 }])
      .when({ add: 1 })
      .thenEmits([{ added: 1 }]);
    spec
      .given([{ added: 2 }])
      .when({ add: 1 })
      .thenThrows({ code: 'DOM_INVALID_TRANSITION' });
  });

  it('fails when the events differ', () => {
    expect(() =>
      spec
        .given([])
        .when({ add: 1 })
        .thenEmits([{ added: 2 }]),
    ).toThrow(AssertionError);
    expect(() => spec.given([]).when({ add: 1 }).thenNothing()).toThrow(AssertionError);
  });

  it('fails when an error was expected but events came, or the code, message or details differ', () => {
    expect(() => spec.given([]).when({ add: 1 }).thenThrows({ code: 'DOM_INVALID_TRANSITION' })).toThrow(
      /expected DOM_INVALID_TRANSITION, but decide returned \[\{"added":1\}\]/,
    );
    const over = spec.given([{ added: 2 }]).when({ add: 1 });
    expect(() => over.thenThrows({ code: 'DOM_OTHER' })).toThrow(AssertionError);
    expect(() => over.thenThrows({ code: 'DOM_INVALID_TRANSITION', message: /nope/ })).toThrow(
      AssertionError,
    );
    expect(() => over.thenThrows({ code: 'DOM_INVALID_TRANSITION', details: { command: 'Sub' } })).toThrow(
      AssertionError,
    );
    expect(over.thenThrows({ code: 'DOM_INVALID_TRANSITION', details: { command: 'Add' } }).message).toMatch(
      /too many/,
    );
  });
});
