/** Error codes of the catalogue (procedures and units). Codes are stable; clients key on them. */
import { defineError } from '@onestop/domain';

export interface ProcedureErrorDetails {
  readonly procedureCode: string;
  readonly field: string;
  readonly value?: unknown;
  readonly issues?: ReadonlyArray<{ path: string; message: string }>;
}

/** A procedure definition is malformed (schema), e.g. a limit ≤ 0 or an unknown limit unit. */
export const ProcedureInvalid = defineError<ProcedureErrorDetails>('CATALOG_PROCEDURE_INVALID', 'validation');
/** The internal process step budgets do not add up to the procedure's time limit. */
export const ProcedureStepBudgetMismatch = defineError<
  ProcedureErrorDetails & { expectedHours: number; actualHours: number }
>('CATALOG_PROCEDURE_STEP_BUDGET_MISMATCH', 'validation');
/** The same procedure code and version appear twice, or a component code / step id repeats within one procedure. */
export const ProcedureDuplicate = defineError<ProcedureErrorDetails>(
  'CATALOG_PROCEDURE_DUPLICATE',
  'validation',
);
/**
 * A competent unit is not in the registry, not in force when the procedure version takes effect, or a centre
 * (centres receive; agencies and People's Committees decide).
 */
export const ProcedureCompetentUnitInvalid = defineError<ProcedureErrorDetails>(
  'CATALOG_PROCEDURE_COMPETENT_UNIT_INVALID',
  'validation',
);
export const ProcedureNotFound = defineError<{ procedureCode: string; at?: string }>(
  'CATALOG_PROCEDURE_NOT_FOUND',
  'not_found',
);

export interface UnitErrorDetails {
  readonly unitId: string;
  readonly field: string;
  readonly value?: unknown;
  readonly issues?: ReadonlyArray<{ path: string; message: string }>;
}

/** A unit record or lifecycle event is malformed or contradicts the registry (dates, parents, successors, codes). */
export const UnitInvalid = defineError<UnitErrorDetails & { eventIndex?: number }>(
  'CATALOG_UNIT_INVALID',
  'validation',
);
/** A unit code is used by two different units of the same level (codes are never reused). */
export const UnitCodeReused = defineError<UnitErrorDetails & { code: string; otherUnitId: string }>(
  'CATALOG_UNIT_CODE_REUSED',
  'validation',
);
/** Successor links loop back on themselves. */
export const UnitSuccessorCycle = defineError<{ unitId: string; path: readonly string[] }>(
  'CATALOG_UNIT_SUCCESSOR_CYCLE',
  'validation',
);
export const UnitNotFound = defineError<{ unitId: string }>('CATALOG_UNIT_NOT_FOUND', 'not_found');
/** The unit exists but was not in force at the instant asked about (not yet established, or already ended). */
export const UnitNotInForce = defineError<{
  unitId: string;
  at: string;
  validFrom: string;
  validTo?: string;
}>('CATALOG_UNIT_NOT_IN_FORCE', 'unprocessable');
