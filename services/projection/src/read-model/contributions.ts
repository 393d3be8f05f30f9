/**
 * What one dossier adds to each aggregate table. The handler stores a dossier's contributions with its row and,
 * on every event, applies (new − old) to the aggregates; the as-of queries sum the same contributions over
 * recomputed dossiers. One function, so both paths count alike.
 */
import { z } from 'zod';
import type { DossierSummary } from './summary.js';
import type { IntakeCounter, StepCounter, UnitCounter } from './tables.js';

export type UnitCounts = Record<UnitCounter, number>;
export type IntakeCounts = Record<IntakeCounter, number>;
export type StepCounts = Record<StepCounter, number>;

export interface Contributions {
  readonly unitDaily: {
    readonly key: { competent_unit_id: string; day: string; procedure_code: string };
    readonly counts: UnitCounts;
  };
  readonly intakeDaily: {
    readonly key: { receiving_unit_id: string; day: string };
    readonly counts: IntakeCounts;
  };
  readonly officerSteps: ReadonlyArray<{
    readonly key: { competent_unit_id: string; officer_id: string; step_id: string };
    readonly counts: StepCounts;
  }>;
}

const flag = (value: boolean) => (value ? 1 : 0);

export function contributionsOf(d: DossierSummary): Contributions {
  const ended = d.endedAtMs !== null;
  const late = ended && d.classification === 'late';
  const resultExpected = d.decidedOutcome === 'approved' && d.resultIsDocument;
  const stepTotals = new Map<string, Contributions['officerSteps'][number]>();
  for (const step of d.steps) {
    const id = `${step.officerId}\u0000${step.stepId}`;
    const before = stepTotals.get(id)?.counts ?? { done: 0, late: 0, working_ms: 0 };
    stepTotals.set(id, {
      key: { competent_unit_id: d.competentUnitId, officer_id: step.officerId, step_id: step.stepId },
      counts: {
        done: before.done + 1,
        late: before.late + flag(step.late),
        working_ms: before.working_ms + step.workingMs,
      },
    });
  }
  return {
    unitDaily: {
      key: { competent_unit_id: d.competentUnitId, day: d.receivedDay, procedure_code: d.procedureCode },
      counts: {
        received: 1,
        ended: flag(ended),
        early: flag(ended && d.classification === 'early'),
        on_time: flag(ended && d.classification === 'on_time'),
        late: flag(late),
        late_with_apology: flag(late && d.apologyCount > 0),
        late_without_apology: flag(late && d.apologyCount === 0),
        second_supplement_late: flag(late && d.secondSupplement),
        decided: flag(d.endedBy === 'DossierDecided'),
        stopped: flag(d.endedBy === 'ProcessingStopped'),
        withdrawn: flag(d.endedBy === 'DossierWithdrawn'),
        extended: flag(d.apologyCount > 0),
        elapsed_ms: ended ? d.elapsedWorkingMs : 0,
        digitized: flag(d.digitized),
        components_digitized: flag(d.allRequiredDigitized),
        reused: flag(d.anyReused),
        online: flag(d.channel === 'online'),
        fee_due: flag(d.hasFee),
        paid_online: flag(d.hasFee && d.paidOnline),
        result_expected: flag(resultExpected),
        electronic_result: flag(resultExpected && d.electronicResult),
        rated: flag(d.rating !== null),
        dissatisfied: flag(d.rating !== null && d.rating >= 3),
      },
    },
    intakeDaily: {
      key: { receiving_unit_id: d.receivingUnitId, day: d.receivedDay },
      counts: {
        received: 1,
        refused: 0,
        guided: 0,
        cross_boundary: flag(d.crossBoundary),
        transferred: flag(d.transferLatencyMs !== null),
        transfer_latency_ms: d.transferLatencyMs ?? 0,
      },
    },
    officerSteps: [...stepTotals.values()],
  };
}

const counts = z.record(z.string(), z.number());
/** Contributions as stored with the dossier row (JSON); parsed back loosely since only sums are taken. */
export const StoredContributions = z.object({
  unitDaily: z.object({ key: z.record(z.string(), z.string()), counts }),
  intakeDaily: z.object({ key: z.record(z.string(), z.string()), counts }),
  officerSteps: z.array(z.object({ key: z.record(z.string(), z.string()), counts })),
});
export type StoredContributions = z.infer<typeof StoredContributions>;

/** Adds `sign` × `source` into `into` for each counter in `names` (missing counters count as 0). */
export function addCounts<K extends string>(
  names: readonly K[],
  into: Record<K, number>,
  source: Partial<Record<K, number>>,
  sign = 1,
): void {
  for (const name of names) into[name] += sign * (source[name] ?? 0);
}

export function zeroCounts<K extends string>(names: readonly K[]): Record<K, number> {
  return Object.fromEntries(names.map((name) => [name, 0])) as Record<K, number>;
}
