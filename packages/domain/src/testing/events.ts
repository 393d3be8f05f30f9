/**
 * Events as the topic (or the embedded bus) delivers them to a consuming service, for that service's specs:
 * validated against the catalogue, so a spec cannot feed its consumer an event the relay would never publish.
 */
import type { z } from 'zod';
import type { DossierEvent } from '../events/catalogue.js';
import type { DossierReceivedData } from '../events/intake.js';
import { parseDossierEvent } from '../events/parse.js';

/**
 * Intake's DossierReceived of `dossierId`: a desk receipt of procedure 2.000488 on Monday 2 March 2026, 09:00 in
 * Vietnam, by a clerk of `data.receivingUnitId`. `eventId` is the caller's (a UUIDv7). Every data field can be
 * overridden.
 */
export function dossierReceivedEvent(options: {
  readonly eventId: string;
  readonly dossierId: string;
  readonly occurredAt?: string;
  readonly data: Pick<
    z.input<typeof DossierReceivedData>,
    'receivingUnitId' | 'competentUnitId' | 'dossierCode'
  > &
    Partial<z.input<typeof DossierReceivedData>>;
}): DossierEvent {
  const occurredAt = options.occurredAt ?? '2026-03-02T02:00:00.000Z';
  return parseDossierEvent({
    eventId: options.eventId,
    type: 'DossierReceived',
    schemaVersion: 1,
    dossierId: options.dossierId,
    streamId: `intake-${options.dossierId}`,
    streamVersion: 0,
    occurredAt,
    recordedAt: occurredAt,
    source: 'intake',
    correlationId: 'req-receive',
    causationId: 'req-receive',
    actor: { id: 'clerk-1', role: 'clerk', unitId: options.data.receivingUnitId },
    data: {
      procedureCode: '2.000488',
      procedureVersion: '2025.07',
      channel: 'desk',
      crossBoundary: false,
      applicantId: '0195a000-0000-7000-8000-000000000001',
      applicantType: 1,
      components: [{ code: 'to-khai-lltp', provided: true, required: true }],
      limit: { value: 10, unit: 'working_days' },
      calendarVersion: 'vn-2026',
      startAt: occurredAt,
      statutoryDueAt: '2026-03-16T02:00:00.000Z',
      ...options.data,
    },
  });
}
