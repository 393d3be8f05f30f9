/**
 * An intake dossier as the routes show it, folded from its stream `intake-{dossierId}`. The decider's state holds
 * only what decisions need; this view adds what people read (components, custody, dates).
 */
import {
  type DossierEvent,
  dossierEventFromStored,
  type Limit,
  type NationalStatus,
  streamIdFor,
} from '@onestop/domain';
import type { EventStore } from '@onestop/event-store';

export interface CustodyEntry {
  readonly unitId: string;
  readonly at: string;
  readonly event: 'received' | 'transferred';
  readonly channel?: string;
}

export interface DossierView {
  readonly dossierId: string;
  /** Stream version of the last event (the ETag). */
  readonly version: number;
  /** National status code as intake sees it (1, 2, 3, 4 or 7). */
  readonly status: NationalStatus;
  readonly procedureCode: string;
  readonly procedureVersion?: string;
  readonly dossierCode?: string;
  readonly channel?: 'desk' | 'online' | 'postal';
  readonly receivingUnitId?: string;
  readonly competentUnitId?: string;
  /** Where the result is collected: the receiving unit (intake does not yet take another). */
  readonly returningUnitId?: string;
  readonly crossBoundary?: boolean;
  readonly applicantId?: string;
  readonly applicantType?: 1 | 2 | 3 | 4;
  readonly components: ReadonlyArray<{ code: string; provided: boolean; required: boolean }>;
  readonly limit?: Limit;
  readonly calendarVersion?: string;
  readonly receivedAt?: string;
  readonly startAt?: string;
  readonly statutoryDueAt?: string;
  readonly transferredTo?: string;
  readonly custody: readonly CustodyEntry[];
  readonly refusal?: { readonly reason: string; readonly at: string; readonly receivingUnitId: string };
  readonly withdrawal?: { readonly reason?: string; readonly at: string };
}

type Folded = { -readonly [K in keyof DossierView]: DossierView[K] };

function apply(view: Folded | undefined, event: DossierEvent, dossierId: string): Folded | undefined {
  const base = { dossierId, version: event.streamVersion };
  switch (event.type) {
    case 'DossierRegistered':
      return {
        ...base,
        status: 1,
        procedureCode: event.data.procedureCode,
        channel: event.data.channel,
        components: [],
        custody: [],
      };
    case 'DossierReceived': {
      const d = event.data;
      return {
        ...base,
        status: 2,
        procedureCode: d.procedureCode,
        procedureVersion: d.procedureVersion,
        dossierCode: d.dossierCode,
        channel: d.channel,
        receivingUnitId: d.receivingUnitId,
        competentUnitId: d.competentUnitId,
        returningUnitId: d.receivingUnitId,
        crossBoundary: d.crossBoundary,
        applicantId: d.applicantId,
        applicantType: d.applicantType,
        components: d.components,
        limit: d.limit,
        calendarVersion: d.calendarVersion,
        receivedAt: event.occurredAt,
        startAt: d.startAt,
        statutoryDueAt: d.statutoryDueAt,
        custody: [{ unitId: d.receivingUnitId, at: event.occurredAt, event: 'received' }],
      };
    }
    case 'DossierRefused':
      return {
        ...base,
        status: 3,
        procedureCode: event.data.procedureCode,
        receivingUnitId: event.data.receivingUnitId,
        components: view?.components ?? [],
        custody: view?.custody ?? [],
        refusal: {
          reason: event.data.reason,
          at: event.occurredAt,
          receivingUnitId: event.data.receivingUnitId,
        },
      };
    case 'DossierTransferred': {
      if (view === undefined) return undefined;
      // Hand-overs on the way; the first one repeats the receiving unit when it simply held the dossier until now.
      const handOvers = event.data.custody
        .filter((c, i) => !(i === 0 && c.unitId === view.custody[view.custody.length - 1]?.unitId))
        .map(
          (c): CustodyEntry => ({
            unitId: c.unitId,
            at: c.at,
            event: 'transferred',
            channel: event.data.channel,
          }),
        );
      return {
        ...view,
        ...base,
        status: 4,
        transferredTo: event.data.toUnitId,
        custody: [
          ...view.custody,
          ...handOvers,
          {
            unitId: event.data.toUnitId,
            at: event.occurredAt,
            event: 'transferred',
            channel: event.data.channel,
          },
        ],
      };
    }
    case 'DossierWithdrawn':
      if (view === undefined) return undefined;
      return {
        ...view,
        ...base,
        status: 7,
        withdrawal: {
          at: event.occurredAt,
          ...(event.data.reason === undefined ? {} : { reason: event.data.reason }),
        },
      };
    default:
      // GuidanceGiven streams are not dossiers (no dossier exists before receipt).
      return view;
  }
}

export function foldDossier(dossierId: string, events: readonly DossierEvent[]): DossierView | undefined {
  return events.reduce<Folded | undefined>((view, event) => apply(view, event, dossierId), undefined);
}

export interface ReadDossier {
  readonly view: DossierView | undefined;
  readonly events: readonly DossierEvent[];
}

export async function readDossier(store: EventStore, dossierId: string): Promise<ReadDossier> {
  const stored = await store.readStream(streamIdFor('intake', dossierId));
  const events = stored.map(dossierEventFromStored);
  return { view: foldDossier(dossierId, events), events };
}
