/**
 * What a filing is about, and so which unit must handle it: a dossier's competent unit, the named unit, or the
 * procedure's competent unit. Clerks name a dossier by id; citizens by its code and the receipt's tracking secret
 * (`public/route.ts`). Units and procedures are checked the same way for both.
 */
import type { Catalog } from '@onestop/catalog';
import {
  type FeedbackSubject,
  isDomainError,
  ProcedureCode,
  UnitId,
  ValidationFailed,
} from '@onestop/domain';
import { z } from 'zod';
import { SubjectUnknown, UnitNotCompetent } from '../errors.js';

export const UnitSubjectInput = z.strictObject({ kind: z.literal('unit'), unitId: UnitId });
export const ProcedureSubjectInput = z.strictObject({
  kind: z.literal('procedure'),
  procedureCode: ProcedureCode,
  unitId: UnitId.optional().describe('which competent unit, when the procedure has several'),
});

export type UnitOrProcedureSubject = z.infer<typeof UnitSubjectInput> | z.infer<typeof ProcedureSubjectInput>;

export interface ResolvedSubject {
  readonly subject: FeedbackSubject;
  readonly responsibleUnitId: string;
}

/** A unit or procedure subject, checked against the catalogue in force `now`. */
export function resolveUnitOrProcedure(
  input: UnitOrProcedureSubject,
  catalog: Catalog,
  now: Date,
): ResolvedSubject {
  if (input.kind === 'unit') {
    known(() => catalog.unitAt(input.unitId, now), 'body.subject.unitId', input.unitId);
    return { subject: input, responsibleUnitId: input.unitId };
  }
  const procedure = known(
    () => catalog.procedure(input.procedureCode, now),
    'body.subject.procedureCode',
    input.procedureCode,
  );
  const subject = { kind: 'procedure', procedureCode: input.procedureCode } as const;
  const units = procedure.competentUnitIds;
  if (input.unitId !== undefined) {
    if (!units.includes(input.unitId)) {
      throw UnitNotCompetent(`unit ${input.unitId} does not handle procedure ${input.procedureCode}`, {
        details: { field: 'body.subject.unitId', unitId: input.unitId, procedureCode: input.procedureCode },
      });
    }
    return { subject, responsibleUnitId: input.unitId };
  }
  const [only, ...others] = units;
  if (only === undefined || others.length > 0) {
    const message = `required: procedure ${input.procedureCode} is handled by ${units.join(', ')}`;
    throw ValidationFailed(`invalid request: body.subject.unitId: ${message}`, {
      details: { issues: [{ path: 'body.subject.unitId', message }] },
    });
  }
  return { subject, responsibleUnitId: only };
}

/** Runs a catalogue look-up; an unknown or no longer valid id is the caller's mistake, named by its field. */
function known<T>(lookup: () => T, field: string, value: string): T {
  try {
    return lookup();
  } catch (error) {
    if (!isDomainError(error) || !['not_found', 'unprocessable', 'validation'].includes(error.kind))
      throw error;
    throw SubjectUnknown(`${field}: ${error.message}`, { details: { field, value }, cause: error });
  }
}
