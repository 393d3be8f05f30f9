import {
  type DossierEvent,
  dossierEventFromStored,
  type EventsOfSource,
  processingDecider,
  streamIdFor,
  vnCivilServiceCalendar,
} from '@onestop/domain';
import { type App, authOf, UnitForbidden } from '@onestop/service-kit';
import type { ProcessingDeps } from '../app.js';
import { caseNotFound } from './command.js';
import { CaseParams, CasePath, caseResponses } from './http.js';
import { caseView } from './view.js';

function isProcessingEvent(event: DossierEvent): event is EventsOfSource<'processing'> {
  return event.source === 'processing';
}

/** `GET /v1/processing/cases/{dossierId}`: the case, the Form 06 control sheet and the clock as of now. */
export async function registerCaseQuery(app: App, deps: ProcessingDeps): Promise<void> {
  app.get(
    CasePath,
    {
      schema: {
        summary: 'Read a processing case',
        description:
          'Status, steps with budget and used working hours, assignments and hand-overs (Form 06), ' +
          'consultations, supplements, payments, extensions, the statutory and appointment due, and the ' +
          'classification now. Specialists and leaders of the competent unit, clerks of the receiving unit, ' +
          'analysts and admins may read. The ETag is the stream version.',
        params: CaseParams,
        response: caseResponses,
      },
    },
    async (request, reply) => {
      const { dossierId } = request.params;
      const stored = await deps.store.readStream(streamIdFor('processing', dossierId));
      const history = stored.map(dossierEventFromStored);
      const state = history
        .filter(isProcessingEvent)
        .reduce(processingDecider.evolve, processingDecider.initialState());
      if (state.status === 'none') throw caseNotFound(dossierId);
      const received = await deps.received.find(dossierId);
      const auth = authOf(request);
      const reads =
        auth.roles.some((role) => role === 'admin' || role === 'analyst') ||
        (auth.unitId === state.competentUnitId &&
          auth.roles.some((r) => r === 'specialist' || r === 'leader')) ||
        (auth.unitId === received?.data.receivingUnitId && auth.roles.includes('clerk'));
      if (!reads) {
        throw UnitForbidden(`acts only for unit ${auth.unitId ?? '(none)'}, not ${state.competentUnitId}`, {
          details: { unitId: state.competentUnitId },
        });
      }
      const version = stored.length - 1;
      reply.header('etag', `"${version}"`);
      return caseView({
        dossierId,
        state,
        history,
        version,
        received,
        asOf: deps.clock.now(),
        calendar: deps.calendar ?? vnCivilServiceCalendar,
      });
    },
  );
}
