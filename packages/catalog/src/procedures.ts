/**
 * Procedure definitions of the provincial catalogue. Each is a versioned rule set with an effective date; a
 * dossier is judged by the version in force when it was received. Definitions are validated as a whole at load:
 * schema, uniqueness, step budgets against the time limit, and competent units against the unit registry.
 */
import { isDomainError } from '@onestop/domain';
import { z } from 'zod';
import { LocalDateSchema, vietnamDayStart } from './dates.js';
import {
  ProcedureCompetentUnitInvalid,
  ProcedureDuplicate,
  ProcedureInvalid,
  ProcedureStepBudgetMismatch,
} from './errors.js';
import { schemaFailure } from './issues.js';
import { UnitIdSchema, type UnitKind, type UnitRegistry } from './units.js';

/** One working day is 8 working hours (07:00–11:30, 13:30–17:00; DOMAIN.md section 5). */
export const WORKING_HOURS_PER_DAY = 8;

export const limitUnits = ['working_days', 'working_hours', 'calendar_days'] as const;
export type LimitUnit = (typeof limitUnits)[number];

export const TimeLimitSchema = z
  .object({ value: z.number().positive().finite(), unit: z.enum(limitUnits) })
  .refine((limit) => limit.unit !== 'calendar_days' || Number.isInteger(limit.value), {
    path: ['value'],
    message: 'a calendar-day limit is a whole number of days',
  });
export type TimeLimit = z.output<typeof TimeLimitSchema>;

export const stepRoles = ['clerk', 'specialist', 'leader', 'signer'] as const;
export type StepRole = (typeof stepRoles)[number];

const Slug = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'a lower-case kebab-case code');

export const ComponentSchema = z.object({
  code: Slug,
  name: z.string().trim().min(1),
  required: z.boolean(),
  /** Must be scanned and signed at intake (Circular 01/2023); counts toward the digitization KPI (4.2). */
  mustDigitize: z.boolean(),
});
export type ProcedureComponent = z.output<typeof ComponentSchema>;

export const ProcessStepSchema = z.object({
  stepId: Slug,
  name: z.string().trim().min(1),
  role: z.enum(stepRoles),
  budgetWorkingHours: z.number().positive().finite(),
});
export type ProcessStep = z.output<typeof ProcessStepSchema>;

export const ProcedureSchema = z.object({
  /** National procedure code, e.g. 1.001193. */
  code: z.string().regex(/^\d\.\d{6}$/, 'a procedure code looks like 1.004227'),
  /** Catalogue version of this definition; several versions of one code may coexist with different dates. */
  version: z.string().trim().min(1),
  effectiveFrom: LocalDateSchema,
  name: z.string().trim().min(1),
  /** Field (lĩnh vực), e.g. "Hộ tịch". */
  field: z.string().trim().min(1),
  limit: TimeLimitSchema,
  competentUnitIds: z.array(UnitIdSchema).min(1),
  components: z.array(ComponentSchema).min(1),
  /** Fee and charges in VND; 0 means free. */
  feeVnd: z.number().int().nonnegative(),
  /** The internal process (quy trình nội bộ), in order; budgets add up to the time limit. */
  steps: z.array(ProcessStepSchema).min(1),
  /** On the province's list for intake at any centre regardless of administrative boundaries. */
  crossBoundaryEligible: z.boolean(),
  onlineLevel: z.enum(['partial', 'full']),
  /** The result is a document (so an electronic result counts toward KPI 4.1). */
  resultIsDocument: z.boolean(),
  /** Whether a financial-obligation wait (status 6) pauses the clock; configurable, on by default. */
  pausesOnPayment: z.boolean().default(true),
});
export type Procedure = z.output<typeof ProcedureSchema>;
export type ProcedureInput = z.input<typeof ProcedureSchema>;

/**
 * The working hours the internal process must budget for a limit.
 *
 * Working days and hours convert exactly (8 h a day). A calendar-day limit is due at 17:00 on start date + N
 * (pushed to the next working day), so the working time it holds depends on weekends and holidays. The
 * process is planned against the fewest working days N calendar days can hold when there is no holiday: 5 per
 * full week, plus the r leftover days less a weekend, but at least the due day itself, which is always a working
 * day (r = 0: 0; r = 1 or 2: 1; r ≥ 3: r − 2). For 20 days: 14 working days, 112 h.
 */
export function requiredBudgetHours(limit: TimeLimit): number {
  switch (limit.unit) {
    case 'working_hours':
      return limit.value;
    case 'working_days':
      return limit.value * WORKING_HOURS_PER_DAY;
    case 'calendar_days': {
      const weeks = Math.floor(limit.value / 7);
      const rest = limit.value % 7;
      const guaranteedDays = 5 * weeks + (rest === 0 ? 0 : Math.max(1, rest - 2));
      return guaranteedDays * WORKING_HOURS_PER_DAY;
    }
  }
}

const competentKinds: readonly UnitKind[] = ['department', 'commune', 'province'];

function rawCode(value: unknown): string {
  const parsed = z.object({ code: z.string() }).safeParse(value);
  return parsed.success ? parsed.data.code : '(unknown)';
}

function firstDuplicate<T>(items: readonly T[], key: (item: T) => string): number {
  const seen = new Set<string>();
  return items.findIndex((item) => {
    const k = key(item);
    if (seen.has(k)) return true;
    seen.add(k);
    return false;
  });
}

function parseProcedure(raw: unknown): Procedure {
  const parsed = ProcedureSchema.safeParse(raw);
  if (parsed.success) return parsed.data;
  const procedureCode = rawCode(raw);
  const { issues, field, value } = schemaFailure(raw, parsed.error);
  throw ProcedureInvalid(
    `procedure ${procedureCode}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    { details: { procedureCode, field, value, issues }, cause: parsed.error },
  );
}

function checkProcedure(procedure: Procedure, units: UnitRegistry): void {
  const { code } = procedure;
  const duplicateComponent = firstDuplicate(procedure.components, (c) => c.code);
  if (duplicateComponent >= 0) {
    const value = procedure.components[duplicateComponent]?.code;
    throw ProcedureDuplicate(`procedure ${code}: component ${value} is listed twice`, {
      details: { procedureCode: code, field: `components.${duplicateComponent}.code`, value },
    });
  }
  const duplicateStep = firstDuplicate(procedure.steps, (s) => s.stepId);
  if (duplicateStep >= 0) {
    const value = procedure.steps[duplicateStep]?.stepId;
    throw ProcedureDuplicate(`procedure ${code}: step ${value} is listed twice`, {
      details: { procedureCode: code, field: `steps.${duplicateStep}.stepId`, value },
    });
  }

  const expectedHours = requiredBudgetHours(procedure.limit);
  const actualHours = procedure.steps.reduce((sum, step) => sum + step.budgetWorkingHours, 0);
  // Budgets may be fractional (0.5 h); compare with a tolerance for floating-point sums.
  if (Math.abs(actualHours - expectedHours) > 1e-9) {
    throw ProcedureStepBudgetMismatch(
      `procedure ${code}: step budgets sum to ${actualHours} working hours, the limit of ${procedure.limit.value} ${procedure.limit.unit} requires ${expectedHours}`,
      { details: { procedureCode: code, field: 'steps', value: actualHours, expectedHours, actualHours } },
    );
  }

  const effective = vietnamDayStart(procedure.effectiveFrom);
  procedure.competentUnitIds.forEach((unitId, index) => {
    const field = `competentUnitIds.${index}`;
    let kind: UnitKind;
    try {
      kind = units.unitAt(unitId, effective).kind;
    } catch (error) {
      if (!isDomainError(error)) throw error;
      throw ProcedureCompetentUnitInvalid(`procedure ${code}: competent unit ${unitId}: ${error.message}`, {
        details: { procedureCode: code, field, value: unitId },
        cause: error,
      });
    }
    if (!competentKinds.includes(kind)) {
      throw ProcedureCompetentUnitInvalid(
        `procedure ${code}: ${unitId} is a ${kind}, which receives but does not decide`,
        {
          details: { procedureCode: code, field, value: unitId },
        },
      );
    }
  });
}

/** Parses and validates every definition; the first failure throws a typed error naming the procedure and field. */
export function loadProcedures(input: readonly unknown[], units: UnitRegistry): Procedure[] {
  const procedures = input.map(parseProcedure);
  const versionKeys = new Map<string, Procedure>();
  for (const procedure of procedures) {
    checkProcedure(procedure, units);
    for (const [field, key] of [
      ['version', `${procedure.code}@${procedure.version}`],
      ['effectiveFrom', `${procedure.code}#${procedure.effectiveFrom}`],
    ] as const) {
      if (versionKeys.has(key)) {
        throw ProcedureDuplicate(
          `procedure ${procedure.code} is defined twice with ${field} ${procedure[field]} (one definition per code and ${field})`,
          { details: { procedureCode: procedure.code, field, value: procedure[field] } },
        );
      }
      versionKeys.set(key, procedure);
    }
  }
  return procedures;
}
