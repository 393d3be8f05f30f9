/** Payloads of the result-return service (stream `return-{dossierId}`). */
import { z } from 'zod';
import { UnitId } from './primitives.js';

export const ResultReceivedAtDeskData = z.object({ returningUnitId: UnitId });

export const ReturnChannel = z.enum(['desk', 'postal', 'online']);
export const ResultReturnedData = z.object({ channel: ReturnChannel });

/** 1 very satisfied, 2 satisfied, 3 dissatisfied, 4 very dissatisfied (KPI 5.4 counts 3 and 4). */
export const SatisfactionRating = z.literal([1, 2, 3, 4]);
export const SatisfactionRatedData = z.object({ rating: SatisfactionRating });
