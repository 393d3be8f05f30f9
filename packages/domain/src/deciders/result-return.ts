/**
 * Result return (stream `return-{dossierId}`): the returning unit receives the result (the dossier is in 9),
 * hands it to the applicant (10), and the applicant may rate the service once, after the return.
 */
import { z } from 'zod';
import { ReturnChannel, SatisfactionRating, UnitId } from '../events/index.js';
import { parseOrThrow } from '../validation.js';
import { CommandBase, type DecidedEvent, type Decider, emit } from './decider.js';
import { invalidTransition } from './errors.js';
import { assertTransition } from './lifecycle.js';

/** Sent by the reactor that consumes ResultSentToDesk. */
export const ReceiveResultAtDesk = z.object({
  type: z.literal('ReceiveResultAtDesk'),
  ...CommandBase,
  returningUnitId: UnitId,
});
export const ReturnResult = z.object({
  type: z.literal('ReturnResult'),
  ...CommandBase,
  channel: ReturnChannel,
});
export const RateSatisfaction = z.object({
  type: z.literal('RateSatisfaction'),
  ...CommandBase,
  rating: SatisfactionRating,
});

export const ResultReturnCommand = z.discriminatedUnion('type', [
  ReceiveResultAtDesk,
  ReturnResult,
  RateSatisfaction,
]);
export type ResultReturnCommand = z.input<typeof ResultReturnCommand>;

export type ResultReturnEvent = DecidedEvent<'ResultReceivedAtDesk' | 'ResultReturned' | 'SatisfactionRated'>;

export type ResultReturnState =
  | { readonly status: 'none' }
  | { readonly status: 9; readonly returningUnitId: string }
  | {
      readonly status: 10;
      readonly returningUnitId: string;
      readonly channel: 'desk' | 'postal' | 'online';
      readonly rating?: 1 | 2 | 3 | 4;
    };

function decide(input: ResultReturnCommand, state: ResultReturnState): ResultReturnEvent[] {
  const command = parseOrThrow(ResultReturnCommand, input, 'result-return command');
  switch (command.type) {
    case 'ReceiveResultAtDesk':
      // A redelivered ResultSentToDesk must not receive the result twice.
      if (state.status !== 'none') return [];
      return [emit('ResultReceivedAtDesk', { returningUnitId: command.returningUnitId }, command)];

    case 'ReturnResult':
      if (state.status === 'none') {
        throw invalidTransition(command.type, 'none', 'the returning unit has not received the result');
      }
      assertTransition(command.type, state.status, 10);
      return [emit('ResultReturned', { channel: command.channel }, command)];

    case 'RateSatisfaction':
      if (state.status !== 10) {
        throw invalidTransition(
          command.type,
          state.status,
          'a rating is given only after the result is returned',
        );
      }
      if (state.rating !== undefined) {
        throw invalidTransition(command.type, state.status, `already rated ${state.rating}`);
      }
      return [emit('SatisfactionRated', { rating: command.rating }, command)];
  }
}

function evolve(state: ResultReturnState, event: ResultReturnEvent): ResultReturnState {
  switch (event.type) {
    case 'ResultReceivedAtDesk':
      return { status: 9, returningUnitId: event.data.returningUnitId };
    case 'ResultReturned':
      return state.status === 'none' ? state : { ...state, status: 10, channel: event.data.channel };
    case 'SatisfactionRated':
      return state.status === 10 ? { ...state, rating: event.data.rating } : state;
  }
}

export const resultReturnDecider: Decider<ResultReturnCommand, ResultReturnState, ResultReturnEvent> = {
  decide,
  evolve,
  initialState: () => ({ status: 'none' }),
};
