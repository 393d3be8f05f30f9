/**
 * Unit lifecycle events: how an administrator (or a decree) changes the apparatus. Folding them in date order
 * yields the effective-dated records of the registry; a reorganisation is recorded, never rewritten.
 */
import { z } from 'zod';
import { LocalDateSchema } from './dates.js';
import { UnitInvalid } from './errors.js';
import { schemaFailure } from './issues.js';
import {
  createUnitRegistry,
  UnitCodeSchema,
  UnitIdSchema,
  type UnitRecord,
  type UnitRegistry,
  unitKinds,
} from './units.js';

const UnitName = z.string().trim().min(1);

export const UnitEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('established'),
    on: LocalDateSchema,
    unit: z.object({
      id: UnitIdSchema,
      code: UnitCodeSchema,
      name: UnitName,
      kind: z.enum(unitKinds),
      parentId: UnitIdSchema.optional(),
    }),
  }),
  z.object({
    type: z.literal('renamed'),
    on: LocalDateSchema,
    unitId: UnitIdSchema,
    name: UnitName,
    code: UnitCodeSchema.optional(),
  }),
  /** Each of `unitIds` ends and hands its history to `intoId` (a new unit established the same day, or an existing one). */
  z.object({
    type: z.literal('merged'),
    on: LocalDateSchema,
    unitIds: z.array(UnitIdSchema).min(1),
    intoId: UnitIdSchema,
  }),
  /** `unitId` ends and its share goes to each of `intoIds`; `rollupToId` inherits its history for reports. */
  z.object({
    type: z.literal('split'),
    on: LocalDateSchema,
    unitId: UnitIdSchema,
    intoIds: z.array(UnitIdSchema).min(2),
    rollupToId: UnitIdSchema,
  }),
  /** `unitId` ends; with `successorId` its functions (and history) pass to that unit. */
  z.object({
    type: z.literal('dissolved'),
    on: LocalDateSchema,
    unitId: UnitIdSchema,
    successorId: UnitIdSchema.optional(),
  }),
]);
export type UnitEvent = z.output<typeof UnitEventSchema>;
export type UnitEventInput = z.input<typeof UnitEventSchema>;

interface Draft {
  id: string;
  kind: UnitRecord['kind'];
  parentId?: string;
  validFrom: string;
  validTo?: string;
  successorId?: string;
  splitInto?: string[];
  versions: [
    { from: string; code: string; name: string },
    ...Array<{ from: string; code: string; name: string }>,
  ];
}

function subjectOf(raw: unknown): string {
  const parsed = z
    .union([
      z.object({ unitId: z.string() }),
      z.object({ unit: z.object({ id: z.string() }) }),
      z.object({ intoId: z.string() }),
    ])
    .safeParse(raw);
  if (!parsed.success) return '(unknown)';
  const data = parsed.data;
  return 'unitId' in data ? data.unitId : 'unit' in data ? data.unit.id : data.intoId;
}

/** Folds lifecycle events (in date order) into unit records; refuses an event the registry at that date contradicts. */
export function unitRecordsFromEvents(events: readonly unknown[]): UnitRecord[] {
  const drafts = new Map<string, Draft>();
  let previousOn = '';
  events.forEach((raw, eventIndex) => {
    const parsed = UnitEventSchema.safeParse(raw);
    if (!parsed.success) {
      const { issues, field, value } = schemaFailure(raw, parsed.error);
      const unitId = subjectOf(raw);
      throw UnitInvalid(
        `unit event #${eventIndex} (${unitId}): ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        { details: { unitId, field, value, issues, eventIndex }, cause: parsed.error },
      );
    }
    const event = parsed.data;
    const reject = (unitId: string, field: string, value: unknown, reason: string) =>
      UnitInvalid(`unit event #${eventIndex} (${event.type} ${unitId} on ${event.on}): ${reason}`, {
        details: { unitId, field, value, eventIndex },
      });
    if (event.on < previousOn) {
      throw reject(
        subjectOf(raw),
        'on',
        event.on,
        `events must be in date order (previous event on ${previousOn})`,
      );
    }
    previousOn = event.on;

    // Events are in date order, so a unit is in force on `event.on` exactly when it exists and has not ended.
    const inForce = (id: string, field: string, subject: string): Draft => {
      const draft = drafts.get(id);
      if (draft === undefined) throw reject(subject, field, id, `${id} is not a registered unit`);
      if (draft.validTo !== undefined) throw reject(subject, field, id, `${id} ended on ${draft.validTo}`);
      return draft;
    };

    switch (event.type) {
      case 'established': {
        const { id, code, name, kind, parentId } = event.unit;
        if (drafts.has(id))
          throw reject(id, 'unit.id', id, `${id} is already registered (unit ids are never reused)`);
        if (parentId !== undefined) inForce(parentId, 'unit.parentId', id);
        drafts.set(id, {
          id,
          kind,
          ...(parentId === undefined ? {} : { parentId }),
          validFrom: event.on,
          versions: [{ from: event.on, code, name }],
        });
        return;
      }
      case 'renamed': {
        const draft = inForce(event.unitId, 'unitId', event.unitId);
        const latest = draft.versions[draft.versions.length - 1] ?? draft.versions[0];
        draft.versions.push({ from: event.on, code: event.code ?? latest.code, name: event.name });
        return;
      }
      case 'merged': {
        const into = inForce(event.intoId, 'intoId', event.intoId);
        for (const id of event.unitIds) {
          if (id === into.id) throw reject(id, 'unitIds', id, 'a unit cannot merge into itself');
          Object.assign(inForce(id, 'unitIds', id), { validTo: event.on, successorId: into.id });
        }
        return;
      }
      case 'split': {
        const draft = inForce(event.unitId, 'unitId', event.unitId);
        for (const id of event.intoIds) {
          if (id === draft.id) throw reject(draft.id, 'intoIds', id, 'a unit cannot split into itself');
          inForce(id, 'intoIds', draft.id);
        }
        if (!event.intoIds.includes(event.rollupToId)) {
          throw reject(draft.id, 'rollupToId', event.rollupToId, 'rollupToId must be one of intoIds');
        }
        Object.assign(draft, { validTo: event.on, successorId: event.rollupToId, splitInto: event.intoIds });
        return;
      }
      case 'dissolved': {
        const draft = inForce(event.unitId, 'unitId', event.unitId);
        if (event.successorId !== undefined) {
          if (event.successorId === draft.id)
            throw reject(draft.id, 'successorId', draft.id, 'a unit cannot succeed itself');
          inForce(event.successorId, 'successorId', draft.id);
        }
        Object.assign(draft, {
          validTo: event.on,
          ...(event.successorId === undefined ? {} : { successorId: event.successorId }),
        });
        return;
      }
    }
  });
  return [...drafts.values()];
}

export function createUnitRegistryFromEvents(events: readonly unknown[]): UnitRegistry {
  return createUnitRegistry(unitRecordsFromEvents(events));
}
