/**
 * What the public tracking page shows of a dossier, from its merged events: the national status, the dues and
 * the steps with their dates and the agency that took them. Built field by field from an allow-list, so nothing
 * personal can slip through: no applicant id, no officer id, no free-text reason, no amount, no rating.
 */
import type { Catalog } from '@onestop/catalog';
import {
  type Calendar,
  type DossierEvent,
  evaluateClock,
  NATIONAL_STATUS_ENTERED,
  NATIONAL_STATUS_LABELS,
  type NationalStatus,
  nationalStatusAt,
} from '@onestop/domain';
import type { z } from 'zod';
import { CLASSIFICATION_LABELS_VI, NATIONAL_STATUS_LABELS_VI, PUBLIC_STEP_LABELS } from './labels.js';
import type { PublicDossierResponse } from './schemas.js';

const STATUS_BY_EVENT: Readonly<Record<string, NationalStatus | undefined>> = NATIONAL_STATUS_ENTERED;

export type PublicDossier = z.infer<typeof PublicDossierResponse>;
export type PublicStep = PublicDossier['steps'][number];

function unitName(catalog: Catalog, unitId: string | undefined, at: Date): string | null {
  if (unitId === undefined) return null;
  try {
    return catalog.unitAt(unitId, at).name;
  } catch {
    try {
      return catalog.unit(unitId).name;
    } catch {
      return null;
    }
  }
}

function procedureName(catalog: Catalog, code: string, at: Date): string {
  try {
    return catalog.procedure(code, at).name;
  } catch {
    return code;
  }
}

/** Stable sort by business time (ties keep arrival order), as the clock replays them. */
function byBusinessTime(events: readonly DossierEvent[]): DossierEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => Date.parse(a.e.occurredAt) - Date.parse(b.e.occurredAt) || a.i - b.i)
    .map(({ e }) => e);
}

/**
 * The public view of a received dossier as of `now`; undefined when it has not been received by then (a dossier
 * registered online and not yet received has no code and no receipt to track it by).
 */
export function publicDossierView(
  events: readonly DossierEvent[],
  context: { catalog: Catalog; calendar: Calendar; now: Date },
): PublicDossier | undefined {
  const { catalog, calendar, now } = context;
  const known = byBusinessTime(events).filter((e) => Date.parse(e.occurredAt) <= now.getTime());
  const received = known.find((e) => e.type === 'DossierReceived');
  const status = nationalStatusAt(known, now);
  if (received?.type !== 'DossierReceived' || status === null) return undefined;
  const clock = evaluateClock(known, { calendar, asOf: now });
  const receivedAt = new Date(received.occurredAt);

  const stepNames = new Map<string, string>();
  let current: NationalStatus | null = null;
  const steps: PublicStep[] = [];
  for (const event of known) {
    current = STATUS_BY_EVENT[event.type] ?? current;
    if (event.type === 'CaseOpened') {
      for (const step of event.data.steps) stepNames.set(step.stepId, step.name);
    }
    const label = PUBLIC_STEP_LABELS[event.type];
    if (label === undefined) continue;
    const stepId =
      event.type === 'CaseAssigned' || event.type === 'StepCompleted' ? event.data.stepId : undefined;
    const at = new Date(event.occurredAt);
    steps.push({
      type: event.type,
      label,
      detail: stepId === undefined ? null : (stepNames.get(stepId) ?? null),
      at: at.toISOString(),
      unitName: unitName(catalog, event.actor.unitId, at),
      nationalStatus: current,
    });
  }

  return {
    dossierCode: received.data.dossierCode,
    procedure: {
      code: received.data.procedureCode,
      name: procedureName(catalog, received.data.procedureCode, receivedAt),
    },
    receivingUnitName: unitName(catalog, received.data.receivingUnitId, receivedAt) ?? '',
    competentUnitName: unitName(catalog, received.data.competentUnitId, receivedAt) ?? '',
    nationalStatus: {
      code: status,
      label: NATIONAL_STATUS_LABELS_VI[status],
      labelEn: NATIONAL_STATUS_LABELS[status],
    },
    receivedAt: receivedAt.toISOString(),
    statutoryDueAt: clock.statutoryDueAt.toISOString(),
    appointmentDueAt: clock.appointmentDueAt.toISOString(),
    endedAt: clock.endedAt === undefined ? null : clock.endedAt.toISOString(),
    progress: {
      classification: clock.classification,
      label: CLASSIFICATION_LABELS_VI[clock.classification],
    },
    steps,
    asOf: now.toISOString(),
  };
}
