/** Test harness: the result-return app on a real PostgreSQL store, with a frozen business clock. */
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import { type DossierEvent, parseDossierEvent } from '@onestop/domain';
import { type PostgresEventStore, postgresEventStore } from '@onestop/event-store';
import { type App, createTestClock, type Role, signDevToken, uuidv7, uuidv7Ids } from '@onestop/service-kit';
import type { TestSchema } from '@onestop/testing';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type ResultReturnDeps } from '../app.js';
import { deskResultsTable } from '../desk/table.js';

export const secret = 'result-return-test-secret-at-least-32-chars';
export const returningUnit = demoUnitIds.nhaTrangCentre;
export const otherUnit = demoUnitIds.camRanhCentre;
export const now = new Date('2026-03-09T03:00:00Z');

export interface Harness {
  readonly app: App;
  readonly store: PostgresEventStore;
  readonly deps: ResultReturnDeps;
  token(role: Role, unitId?: string): Promise<string>;
  post(url: string, body: unknown, token: string | null): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export async function startHarness(schema: TestSchema): Promise<Harness> {
  const store = postgresEventStore({ connectionString: schema.connectionString, schema: schema.schema });
  await store.ready();
  const deps: ResultReturnDeps = {
    store,
    clock: createTestClock(now, () => 0),
    ids: uuidv7Ids,
    catalog: demoCatalog,
  };
  const app = await buildApp(deps, { auth: { mode: 'hs256', secret }, logger: false, docs: false });
  return {
    app,
    store,
    deps,
    token: (role, unitId) =>
      signDevToken({ sub: `${role}-1`, roles: [role], ...(unitId === undefined ? {} : { unitId }) }, secret),
    post: (url, body, token) =>
      app.inject({
        method: 'POST',
        url,
        headers: {
          'content-type': 'application/json',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        payload: JSON.stringify(body),
      }),
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** A processing event as the bus delivers it (validated against the catalogue). */
export function processingEvent(dossierId: string, type: string, data: unknown): DossierEvent {
  return parseDossierEvent({
    eventId: uuidv7(),
    type,
    schemaVersion: 1,
    dossierId,
    streamId: `processing-${dossierId}`,
    streamVersion: 6,
    occurredAt: '2026-03-06T09:30:00.000Z',
    recordedAt: '2026-03-06T09:30:00.120Z',
    source: 'processing',
    correlationId: 'req-decide-1',
    causationId: 'req-decide-1',
    actor: { id: 'leader-1', role: 'leader', unitId: demoUnitIds.justice },
    data,
  });
}

/** What this service's consumer does with `event` (its desk table and the dossier statuses it keeps). */
export async function consume(h: Harness, event: DossierEvent): Promise<void> {
  const desk = deskResultsTable(h.store);
  await desk.ready();
  await h.store.withTransaction((tx) => desk.apply(event, tx));
}

/** A dossier processing has decided, as this service's consumer has seen it. */
export async function decidedDossier(h: Harness): Promise<string> {
  const id = uuidv7();
  await consume(h, processingEvent(id, 'DossierDecided', { outcome: 'approved' }));
  return id;
}

export function resultSentToDesk(dossierId: string, returningUnitId: string = returningUnit): DossierEvent {
  return processingEvent(dossierId, 'ResultSentToDesk', { returningUnitId });
}
