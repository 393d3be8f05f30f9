/**
 * `GET /v1/dossiers/{id}/timeline`: the dossier's lifecycle merged from all four services, in business-time
 * order, with the national (DVCQG) status code after each event (DOMAIN.md section 3).
 */
import {
  type DossierEvent,
  NATIONAL_STATUS_ENTERED,
  NATIONAL_STATUS_LABELS,
  type NationalStatus,
  NotFound,
  nationalStatusAt,
} from '@onestop/domain';
import type { App } from '@onestop/service-kit';
import { z } from 'zod';
import { requireReader, requireUnitReader } from '../access.js';
import type { ProjectionDeps } from '../app.js';
import { readProjection } from '../kpi/report.js';
import { loadDossierEvents } from '../read-model/handler.js';

const STATUS_BY_EVENT: Readonly<Record<string, NationalStatus | undefined>> = NATIONAL_STATUS_ENTERED;

const TimelineEntry = z.object({
  eventId: z.string(),
  type: z.string(),
  source: z.string(),
  occurredAt: z.string(),
  recordedAt: z.string(),
  actor: z.object({ id: z.string(), role: z.string(), unitId: z.string().optional() }),
  nationalStatus: z.number().nullable().describe('national status code after this event'),
  nationalStatusLabel: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
});

const TimelineResponse = z.object({
  dossierId: z.string(),
  dossierCode: z.string().nullable(),
  nationalStatus: z.number().nullable().describe('national status code now'),
  nationalStatusLabel: z.string().nullable(),
  events: z.array(TimelineEntry),
});

/** Stable sort by business time (ties keep arrival order), as the clock replays them. */
function byBusinessTime(events: readonly DossierEvent[]): DossierEvent[] {
  return events
    .map((e, i) => ({ e, i }))
    .sort((a, b) => Date.parse(a.e.occurredAt) - Date.parse(b.e.occurredAt) || a.i - b.i)
    .map(({ e }) => e);
}

const label = (status: NationalStatus | null) => (status === null ? null : NATIONAL_STATUS_LABELS[status]);

export async function registerTimelineRoute(app: App, deps: ProjectionDeps): Promise<void> {
  app.get(
    '/v1/dossiers/:id/timeline',
    {
      preHandler: requireReader,
      schema: {
        summary: 'Merged lifecycle of a dossier',
        description:
          'Every event of the dossier from intake, digitization, processing and result-return, in business-time ' +
          'order, each with the national status code after it. Analysts and admins read any dossier; leaders ' +
          'and specialists those their unit received, decides or returns.',
        params: z.object({ id: z.uuid() }),
        response: { 200: TimelineResponse },
      },
    },
    async (request) => {
      const { id } = request.params;
      const events = byBusinessTime(
        await readProjection(deps, (ctx) => loadDossierEvents(ctx.tx, ctx.tables, id)),
      );
      if (events.length === 0) {
        throw NotFound(`no events of dossier ${id}`, { details: { resource: 'dossier', id } });
      }
      const units = new Set<string>();
      for (const event of events) {
        if (event.actor.unitId !== undefined) units.add(event.actor.unitId);
        if (event.type === 'DossierReceived') {
          units.add(event.data.receivingUnitId);
          units.add(event.data.competentUnitId);
        }
      }
      requireUnitReader(request, deps.catalog, [...units]);

      let status: NationalStatus | null = null;
      const entries = events.map((event) => {
        status = STATUS_BY_EVENT[event.type] ?? status;
        return {
          eventId: event.eventId,
          type: event.type,
          source: event.source,
          occurredAt: event.occurredAt,
          recordedAt: event.recordedAt,
          actor: event.actor,
          nationalStatus: status,
          nationalStatusLabel: label(status),
          data: event.data,
        };
      });
      const now = nationalStatusAt(events, deps.clock.now());
      const received = events.find((e) => e.type === 'DossierReceived');
      return {
        dossierId: id,
        dossierCode: received?.type === 'DossierReceived' ? received.data.dossierCode : null,
        nationalStatus: now,
        nationalStatusLabel: label(now),
        events: entries,
      };
    },
  );
}
