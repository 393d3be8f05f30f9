/**
 * Given/when/then for deciders: `specify(decider).given(events).when(command).thenEmits(events)` or
 * `.thenThrows({ code, ... })`. Uses `node:assert`, so specs of any test runner (and services' HTTP-level
 * specs) can use it.
 */
import { AssertionError, deepStrictEqual, match } from 'node:assert/strict';
import { type DomainError, isDomainError } from '../errors.js';
import type { Decider } from './decider.js';

export interface ExpectedError {
  readonly code: string;
  readonly message?: RegExp;
  /** Compared key by key: only the keys given here must match. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export function specify<Command, State, Event>(decider: Decider<Command, State, Event>) {
  return {
    given(history: readonly Event[]) {
      return {
        when(command: Command) {
          const run = () => decider.decide(command, history.reduce(decider.evolve, decider.initialState()));
          return {
            thenEmits(expected: readonly Event[]): void {
              deepStrictEqual(run(), expected);
            },
            thenNothing(): void {
              deepStrictEqual(run(), []);
            },
            thenThrows(expected: ExpectedError): DomainError {
              let emitted: Event[];
              try {
                emitted = run();
              } catch (error) {
                if (!isDomainError(error)) throw error;
                deepStrictEqual(
                  error.code,
                  expected.code,
                  `expected ${expected.code}, got ${error.code}: ${error.message}`,
                );
                if (expected.message) match(error.message, expected.message);
                for (const [key, value] of Object.entries(expected.details ?? {})) {
                  const actual: unknown =
                    typeof error.details === 'object' && error.details !== null
                      ? Reflect.get(error.details, key)
                      : undefined;
                  deepStrictEqual(actual, value, `details.${key}`);
                }
                return error;
              }
              throw new AssertionError({
                message: `expected ${expected.code}, but decide returned ${JSON.stringify(emitted)}`,
              });
            },
          };
        },
      };
    },
  };
}
