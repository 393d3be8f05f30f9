/**
 * The effective-dated unit registry (DOMAIN.md section 7). A unit is in force from `validFrom` (inclusive) to
 * `validTo` (exclusive), both Vietnam calendar dates; it may be renamed along the way (`versions`), and when it
 * ends its `successorId` says where its history rolls up. Events keep the unit ids in force when they happened,
 * so history is never rewritten: reports choose between the unit as it was and its current successor.
 */
import { dossierUnitCodePattern, ValidationFailed } from '@onestop/domain';
import { z } from 'zod';
import { LocalDateSchema, vietnamDayStart } from './dates.js';
import { UnitCodeReused, UnitInvalid, UnitNotFound, UnitNotInForce, UnitSuccessorCycle } from './errors.js';
import { schemaFailure } from './issues.js';

export const unitKinds = [
  'province',
  'provincial_centre',
  'commune_centre',
  'department',
  'commune',
] as const;
export type UnitKind = (typeof unitKinds)[number];

export const UnitIdSchema = z
  .string()
  .regex(/^[a-z0-9]+(?:[.-][a-z0-9]+)*$/, 'a unit id is a lower-case slug such as kh.so-tu-phap');

/** Every unit code must be able to prefix a dossier code, since any centre may receive. */
export const UnitCodeSchema = z
  .string()
  .regex(dossierUnitCodePattern, 'a unit code is digits or a dotted e-identifier such as 000.00.01.H34');

// Administrative units have national codes of a fixed width; agencies and centres carry e-identifiers.
const codeShapeByKind: Partial<Record<UnitKind, { pattern: RegExp; rule: string }>> = {
  province: { pattern: /^\d{2}$/, rule: 'a province code has 2 digits' },
  commune: { pattern: /^\d{5}$/, rule: 'a commune code has 5 digits' },
};

/** Codes are unique within a level: provinces, communes, and agencies/centres each have their own code space. */
function codeLevel(kind: UnitKind): string {
  return kind === 'province' || kind === 'commune' ? kind : 'agency';
}

export const UnitVersionSchema = z.object({
  from: LocalDateSchema,
  code: UnitCodeSchema,
  name: z.string().trim().min(1),
});
export type UnitVersion = z.output<typeof UnitVersionSchema>;

export const UnitRecordSchema = z
  .object({
    id: UnitIdSchema,
    kind: z.enum(unitKinds),
    parentId: UnitIdSchema.optional(),
    validFrom: LocalDateSchema,
    validTo: LocalDateSchema.optional(),
    /** Where the unit's history rolls up once it has ended (merger, transfer of functions, primary split heir). */
    successorId: UnitIdSchema.optional(),
    /** For a split: every unit that took a share; `successorId` is the one that inherits the history. */
    splitInto: z.array(UnitIdSchema).min(2).optional(),
    /** Code and name over time, oldest first; the first version starts at `validFrom`. */
    versions: z.tuple([UnitVersionSchema], UnitVersionSchema),
  })
  .superRefine((unit, ctx) => {
    const issue = (path: Array<string | number>, message: string) =>
      ctx.addIssue({ code: 'custom', path, message });
    if (unit.validTo !== undefined && unit.validTo <= unit.validFrom)
      issue(['validTo'], 'validTo must be after validFrom');
    if (unit.versions[0].from !== unit.validFrom)
      issue(['versions', 0, 'from'], 'the first version starts at validFrom');
    unit.versions.forEach((version, index) => {
      const previous = unit.versions[index - 1];
      if (previous && version.from <= previous.from)
        issue(['versions', index, 'from'], 'versions must be in date order');
      if (unit.validTo !== undefined && version.from >= unit.validTo) {
        issue(['versions', index, 'from'], 'a version must start before validTo');
      }
      const shape = codeShapeByKind[unit.kind];
      if (shape && !shape.pattern.test(version.code)) issue(['versions', index, 'code'], shape.rule);
    });
    if (unit.successorId !== undefined && unit.validTo === undefined) {
      issue(['successorId'], 'only a unit that has ended (validTo) has a successor');
    }
    if (unit.successorId === unit.id) issue(['successorId'], 'a unit cannot succeed itself');
    if (unit.parentId === unit.id) issue(['parentId'], 'a unit cannot be its own parent');
    if (
      unit.splitInto !== undefined &&
      (unit.successorId === undefined || !unit.splitInto.includes(unit.successorId))
    ) {
      issue(['splitInto'], 'a split names which of its parts (successorId) inherits the history');
    }
  });
export type UnitRecord = z.output<typeof UnitRecordSchema>;

/** A unit as seen at some instant: the record plus the code and name of the version in force then. */
export type Unit = UnitRecord & { readonly code: string; readonly name: string };

export type RollupMode = 'current' | 'historical';

export interface UnitRegistry {
  /** The unit with its latest code and name; CATALOG_UNIT_NOT_FOUND if unknown. */
  unit(id: string): Unit;
  /** Every unit ever registered (in force or not), with latest code and name, in registration order. */
  units(): readonly Unit[];
  /** The unit as it was at `at`; CATALOG_UNIT_NOT_IN_FORCE if it had not been established or had ended. */
  unitAt(id: string, at: Date): Unit;
  unitsInForce(at: Date): readonly Unit[];
  /**
   * Follows successor links from `id` to the unit that now carries its history. With `asOf`, only hand-overs
   * that had taken effect by then are followed (the successor as of that instant).
   */
  currentSuccessor(id: string, asOf?: Date): Unit;
  /** The unit id a report groups `id` under: itself (`historical`) or its current successor (`current`). */
  rollupTarget(id: string, mode: RollupMode, asOf?: Date): string;
  /** Every unit id whose history rolls up to `id` (itself included): what a `current` report of `id` covers. */
  rolledUpFrom(id: string, asOf?: Date): readonly string[];
  /** The plain records the registry was built from (what `GET /v1/catalog/units` serves). */
  records(): readonly UnitRecord[];
}

function rawId(value: unknown): string {
  const parsed = z.object({ id: z.string() }).safeParse(value);
  return parsed.success ? parsed.data.id : '(unknown)';
}

function checkInstant(at: Date, what: string): void {
  if (Number.isNaN(at.getTime())) {
    throw ValidationFailed(`${what} is not a valid instant`, {
      details: { issues: [{ path: what, message: 'invalid date' }] },
    });
  }
}

function inForce(record: UnitRecord, at: Date): boolean {
  return (
    vietnamDayStart(record.validFrom) <= at &&
    (record.validTo === undefined || at < vietnamDayStart(record.validTo))
  );
}

/** The version in force at `at`, or the latest one; before the unit existed, its first version. */
function view(record: UnitRecord, at?: Date): Unit {
  let chosen = record.versions[0];
  for (const version of record.versions) {
    if (at === undefined || vietnamDayStart(version.from) <= at) chosen = version;
  }
  return { ...record, code: chosen.code, name: chosen.name };
}

/** Validates plain unit records (schema, references, code reuse, successor chains) and indexes them. */
export function createUnitRegistry(input: readonly unknown[]): UnitRegistry {
  const byId = new Map<string, UnitRecord>();
  for (const raw of input) {
    const parsed = UnitRecordSchema.safeParse(raw);
    const unitId = rawId(raw);
    if (!parsed.success) {
      const { issues, field, value } = schemaFailure(raw, parsed.error);
      throw UnitInvalid(`unit ${unitId}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, {
        details: { unitId, field, value, issues },
        cause: parsed.error,
      });
    }
    if (byId.has(parsed.data.id)) {
      throw UnitInvalid(`unit ${unitId} is registered twice`, {
        details: { unitId, field: 'id', value: unitId },
      });
    }
    byId.set(parsed.data.id, parsed.data);
  }

  const get = (id: string): UnitRecord => {
    const record = byId.get(id);
    if (record === undefined) throw UnitNotFound(`unknown unit ${id}`, { details: { unitId: id } });
    return record;
  };

  const codeOwners = new Map<string, string>();
  for (const record of byId.values()) {
    const references: Array<[field: string, ref: string | undefined]> = [
      ['parentId', record.parentId],
      ['successorId', record.successorId],
      ...(record.splitInto ?? []).map((id): [string, string] => ['splitInto', id]),
    ];
    for (const [field, ref] of references) {
      if (ref !== undefined && !byId.has(ref)) {
        throw UnitInvalid(`unit ${record.id}: ${field} ${ref} is not a registered unit`, {
          details: { unitId: record.id, field, value: ref },
        });
      }
    }
    for (const { code } of record.versions) {
      const key = `${codeLevel(record.kind)}:${code}`;
      const owner = codeOwners.get(key);
      if (owner !== undefined && owner !== record.id) {
        throw UnitCodeReused(`unit code ${code} of ${record.id} is already used by ${owner}`, {
          details: { unitId: record.id, field: 'code', code, otherUnitId: owner },
        });
      }
      codeOwners.set(key, record.id);
    }
  }

  // Cycles are refused here, once, so that every later walk along successor links terminates.
  for (const start of byId.values()) {
    const path = [start.id];
    for (let record = start; record.successorId !== undefined; ) {
      record = get(record.successorId);
      if (path.includes(record.id)) {
        throw UnitSuccessorCycle(`successor links of ${start.id} loop: ${[...path, record.id].join(' → ')}`, {
          details: { unitId: start.id, path: [...path, record.id] },
        });
      }
      path.push(record.id);
    }
  }

  for (const record of byId.values()) {
    if (record.successorId === undefined || record.validTo === undefined) continue;
    // The heir must exist on the day of the hand-over, or the history would roll up into a void.
    if (!inForce(get(record.successorId), vietnamDayStart(record.validTo))) {
      throw UnitInvalid(
        `unit ${record.id}: successor ${record.successorId} is not in force on ${record.validTo}, when ${record.id} ends`,
        { details: { unitId: record.id, field: 'successorId', value: record.successorId } },
      );
    }
  }

  const records = [...byId.values()];

  const currentSuccessor = (id: string, asOf?: Date): Unit => {
    if (asOf !== undefined) checkInstant(asOf, 'asOf');
    let record = get(id);
    while (
      record.successorId !== undefined &&
      record.validTo !== undefined &&
      (asOf === undefined || vietnamDayStart(record.validTo) <= asOf)
    ) {
      record = get(record.successorId);
    }
    return view(record, asOf);
  };

  const rollupTarget = (id: string, mode: RollupMode, asOf?: Date): string =>
    mode === 'historical' ? get(id).id : currentSuccessor(id, asOf).id;

  return {
    unit: (id) => view(get(id)),
    units: () => records.map((record) => view(record)),
    unitAt: (id, at) => {
      checkInstant(at, 'at');
      const record = get(id);
      if (!inForce(record, at)) {
        const span = `${record.validFrom} – ${record.validTo ?? 'now'}`;
        throw UnitNotInForce(`unit ${id} is not in force at ${at.toISOString()} (in force ${span})`, {
          details: {
            unitId: id,
            at: at.toISOString(),
            validFrom: record.validFrom,
            ...(record.validTo === undefined ? {} : { validTo: record.validTo }),
          },
        });
      }
      return view(record, at);
    },
    unitsInForce: (at) => {
      checkInstant(at, 'at');
      return records.filter((record) => inForce(record, at)).map((record) => view(record, at));
    },
    currentSuccessor,
    rollupTarget,
    rolledUpFrom: (id, asOf) => {
      const target = get(id).id;
      return records.filter((record) => rollupTarget(record.id, 'current', asOf) === target).map((r) => r.id);
    },
    records: () => records,
  };
}
