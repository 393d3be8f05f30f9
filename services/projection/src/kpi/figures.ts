/**
 * The KPI figures of a tally of dossiers (DOMAIN.md section 6), with Decision 766 points. Rates are null when
 * their denominator is 0 (no figure, rather than a misleading 0 or 100 %).
 */
import { workingMsToDays } from '@onestop/domain';
import type { IntakeCounts, UnitCounts } from '../read-model/contributions.js';

export interface Tally {
  readonly counts: UnitCounts;
  readonly inTime: number;
  readonly overdue: number;
  readonly intake: IntakeCounts;
}

/**
 * Maximum points per 766 indicator. 2.1, 4.1, 4.3 and 5.4 are the published ones; 4.2 is digitization's 4 of 22;
 * 3.6 is online payment's 10; the split of online services' 12 points over 3.1–3.3 is not published (research
 * Q6), so 3.3 is given a third of it.
 */
export const MAX_POINTS = {
  progress: 20,
  onlineSubmission: 4,
  onlinePayment: 10,
  electronicResult: 6,
  digitization: 4,
  reuse: 2,
  satisfaction: 6,
  /**
   * Satisfaction's 18 points are 6/6/6 over 5.2–5.4 (research §4). 5.2 (feedback handled on time) has no
   * published formula: assumed linear, 6 × on-time rate, full when no item has a stage due or done yet.
   * 5.3 (feedback satisfaction): assumed linear, 6 × rate; full when there is no feedback (published).
   */
  feedbackOnTime: 6,
  feedbackSatisfaction: 6,
} as const;

export const ratio = (part: number, whole: number) =>
  whole === 0 ? null : Math.round((part / whole) * 10_000) / 10_000;
export const points = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);
/** Linear up to `fullAt` (the rate that earns full points), capped at `max`. */
export const linear = (rate: number | null, max: number, fullAt = 1) =>
  rate === null ? null : Math.max(0, Math.min(max, (max * rate) / fullAt));

export function kpiFigures(t: Tally) {
  const c = t.counts;
  const onTimeRate = ratio(c.early + c.on_time, c.ended);
  const lateRate = ratio(c.late, c.ended);
  const dissatisfiedRate = ratio(c.dissatisfied, c.ended);
  const satisfactionRate =
    lateRate === null || dissatisfiedRate === null
      ? null
      : Math.max(0, Math.round((1 - (lateRate + dissatisfiedRate)) * 10_000) / 10_000);
  const onlineRate = ratio(c.online, c.received);
  const digitizationRate = ratio(c.digitized, c.received);
  const reuseRate = ratio(c.reused, c.received);
  const electronicResultRate = ratio(c.electronic_result, c.result_expected);
  const onlinePaymentRate = ratio(c.paid_online, c.fee_due);
  const progress = points(linear(onTimeRate, MAX_POINTS.progress));
  const score = {
    progress,
    onlineSubmission: points(linear(onlineRate, MAX_POINTS.onlineSubmission, 0.5)),
    onlinePayment: points(linear(onlinePaymentRate, MAX_POINTS.onlinePayment)),
    electronicResult: points(linear(electronicResultRate, MAX_POINTS.electronicResult)),
    digitization: points(linear(digitizationRate, MAX_POINTS.digitization, 0.8)),
    reuse: points(linear(reuseRate, MAX_POINTS.reuse, 0.8)),
    satisfaction: points(linear(satisfactionRate, MAX_POINTS.satisfaction, 0.9)),
  };
  return {
    received: c.received,
    ended: c.ended,
    early: c.early,
    onTime: c.on_time,
    late: c.late,
    open: c.received - c.ended,
    inTime: t.inTime,
    overdue: t.overdue,
    onTimeRate,
    lateWithApology: c.late_with_apology,
    lateWithoutApology: c.late_without_apology,
    secondSupplementLate: c.second_supplement_late,
    decided: c.decided,
    stopped: c.stopped,
    withdrawn: c.withdrawn,
    extended: c.extended,
    avgElapsedWorkingDays: c.ended === 0 ? null : workingMsToDays(c.elapsed_ms / c.ended),
    onlineRate,
    digitizationRate,
    componentsDigitizedRate: ratio(c.components_digitized, c.received),
    reuseRate,
    electronicResultRate,
    onlinePaymentRate,
    rated: c.rated,
    dissatisfied: c.dissatisfied,
    dissatisfiedRate,
    satisfactionRate,
    points: score,
    intake: {
      received: t.intake.received,
      refused: t.intake.refused,
      guided: t.intake.guided,
      crossBoundary: t.intake.cross_boundary,
      crossBoundaryShare: ratio(t.intake.cross_boundary, t.intake.received),
      transferred: t.intake.transferred,
      avgTransferLatencyWorkingHours:
        t.intake.transferred === 0
          ? null
          : Math.round((t.intake.transfer_latency_ms / t.intake.transferred / 3_600_000) * 100) / 100,
    },
  };
}
export type KpiFigures = ReturnType<typeof kpiFigures>;
