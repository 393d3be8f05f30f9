import { defineError } from '../errors.js';

export interface InvalidEventIssue {
  readonly path: string;
  readonly message: string;
  /** The offending value, abbreviated, when there is one. */
  readonly value?: string;
}

/** A stored or consumed event that does not match the catalogue (unknown type, bad field, no upcaster). */
export const InvalidEvent = defineError<{
  readonly type?: string;
  readonly schemaVersion?: number;
  readonly eventId?: string;
  readonly issues: readonly InvalidEventIssue[];
}>('DOM_INVALID_EVENT', 'validation');
