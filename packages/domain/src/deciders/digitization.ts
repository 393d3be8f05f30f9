/**
 * Digitization (stream `digitization-{dossierId}`): components and the result, scanned or reused by reference.
 *
 * This stream carries no national status. The handler checks, from its view of intake and processing events,
 * that the dossier was received (components) or decided (result) before it calls `decide`.
 */
import { z } from 'zod';
import { ComponentCode, DigitizationSource, ReusedFrom, Sha256 } from '../events/index.js';
import { parseOrThrow } from '../validation.js';
import { CommandBase, type DecidedEvent, type Decider, emit } from './decider.js';

const file = {
  ...CommandBase,
  sha256: Sha256,
  sizeBytes: z.int().positive(),
  mediaType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'expected a media type like application/pdf'),
  signer: z.string().min(1).max(256).optional(),
  source: DigitizationSource,
  reusedFrom: ReusedFrom.optional(),
};

/** Reuse is by reference: a reused or fetched document must say where from; a scanned one must not. */
const referenceMatchesSource = (command: { source: DigitizationSource; reusedFrom?: string | undefined }) =>
  command.source === 'scanned' ? command.reusedFrom === undefined : command.reusedFrom !== undefined;
const referenceRule = {
  path: ['reusedFrom'],
  message: 'required when source is reused or national_store, and absent when scanned',
};

export const DigitizeComponent = z
  .object({ type: z.literal('DigitizeComponent'), componentCode: ComponentCode, ...file })
  .refine(referenceMatchesSource, referenceRule);
export const DigitizeResult = z
  .object({ type: z.literal('DigitizeResult'), ...file })
  .refine(referenceMatchesSource, referenceRule);

export const DigitizationCommand = z.discriminatedUnion('type', [DigitizeComponent, DigitizeResult]);
export type DigitizationCommand = z.input<typeof DigitizationCommand>;

export type DigitizationEvent = DecidedEvent<'ComponentDigitized' | 'ResultDigitized'>;

export interface DigitizationState {
  /** componentCode → SHA-256 of its latest digitized file. */
  readonly components: Readonly<Record<string, string>>;
  readonly resultSha256?: string;
}

function fileData(
  command: Pick<
    z.output<typeof DigitizeResult>,
    'sha256' | 'sizeBytes' | 'mediaType' | 'signer' | 'source' | 'reusedFrom'
  >,
) {
  const { sha256, sizeBytes, mediaType, signer, source, reusedFrom } = command;
  return {
    sha256,
    sizeBytes,
    mediaType,
    source,
    ...(signer === undefined ? {} : { signer }),
    ...(reusedFrom === undefined ? {} : { reusedFrom }),
  };
}

function decide(input: DigitizationCommand, state: DigitizationState): DigitizationEvent[] {
  const command = parseOrThrow(DigitizationCommand, input, 'digitization command');
  // Same content again is a retry (or a double click): nothing new happened. Different content replaces it.
  switch (command.type) {
    case 'DigitizeComponent':
      if (state.components[command.componentCode] === command.sha256) return [];
      return [
        emit('ComponentDigitized', { componentCode: command.componentCode, ...fileData(command) }, command),
      ];
    case 'DigitizeResult':
      if (state.resultSha256 === command.sha256) return [];
      return [emit('ResultDigitized', fileData(command), command)];
  }
}

function evolve(state: DigitizationState, event: DigitizationEvent): DigitizationState {
  switch (event.type) {
    case 'ComponentDigitized':
      return { ...state, components: { ...state.components, [event.data.componentCode]: event.data.sha256 } };
    case 'ResultDigitized':
      return { ...state, resultSha256: event.data.sha256 };
  }
}

export const digitizationDecider: Decider<DigitizationCommand, DigitizationState, DigitizationEvent> = {
  decide,
  evolve,
  initialState: () => ({ components: {} }),
};
