import { defineError } from '../errors.js';
import { NATIONAL_STATUS_LABELS, type NationalStatus } from '../events/index.js';

/** A status as a decider sees it: `'none'` before the aggregate's first event. */
export type AggregateStatus = NationalStatus | 'none';

export function describeStatus(status: AggregateStatus): string {
  return status === 'none' ? 'no events yet' : `status ${status} (${NATIONAL_STATUS_LABELS[status]})`;
}

/** The command is not allowed in the aggregate's current status (DOMAIN.md section 3). */
export const InvalidTransition = defineError<{
  readonly command: string;
  readonly currentStatus: AggregateStatus;
  readonly reason?: string;
}>('DOM_INVALID_TRANSITION', 'conflict');

/** Well-formed and allowed in this status, but refused by a business rule; `rule` is a stable id. */
export const RuleViolated = defineError<{ readonly command: string; readonly rule: string }>(
  'DOM_RULE_VIOLATED',
  'unprocessable',
);

/** A dossier is received only when complete; an incomplete one gets guidance instead (GuidanceGiven). */
export const IncompleteDossier = defineError<{ readonly missingComponents: readonly string[] }>(
  'DOM_INCOMPLETE_DOSSIER',
  'unprocessable',
);

export function invalidTransition(command: string, currentStatus: AggregateStatus, reason?: string) {
  return InvalidTransition(
    `cannot ${command}: the dossier is in ${describeStatus(currentStatus)}${reason ? `; ${reason}` : ''}`,
    { details: { command, currentStatus, ...(reason === undefined ? {} : { reason }) } },
  );
}

export function ruleViolated(command: string, rule: string, message: string) {
  return RuleViolated(`cannot ${command}: ${message}`, { details: { command, rule } });
}
