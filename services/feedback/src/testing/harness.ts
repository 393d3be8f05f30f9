/** Test harness: the feedback app on a real PostgreSQL store, with a business clock the tests move. */
import { randomInt, randomUUID } from 'node:crypto';
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import { type DossierEvent, parseDossierEvent } from '@onestop/domain';
import { type PostgresEventStore, postgresEventStore } from '@onestop/event-store';
import {
  type App,
  createTestClock,
  type Role,
  signDevToken,
  type TestClock,
  uuidv7,
  uuidv7Ids,
} from '@onestop/service-kit';
import type { TestSchema } from '@onestop/testing';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type FeedbackDeps } from '../app.js';
import { type FeedbackDossiers, feedbackDossiersTable } from '../records/tables.js';
import { rememberFeedbackSubjectOnDossierReceived } from '../subject/reactor.js';

export const secret = 'feedback-test-secret-at-least-32-characters';
/** The responsible unit of most tests, and a unit that is not. */
export const unit = demoUnitIds.justice;
export const otherUnit = demoUnitIds.finance;
export const desk = demoUnitIds.provincialCentre;
/** Monday 9 March 2026, 09:00 in Vietnam. */
export const filedAt = new Date('2026-03-09T02:00:00Z');

export interface Harness {
  readonly app: App;
  readonly store: PostgresEventStore;
  readonly clock: TestClock;
  readonly dossiers: FeedbackDossiers;
  readonly deps: FeedbackDeps;
  token(role: Role, unitId?: string): Promise<string>;
  post(url: string, body: unknown, token: string | null): Promise<LightMyRequestResponse>;
  get(url: string, token: string | null): Promise<LightMyRequestResponse>;
  /** A dossier of `competentUnitId` the service has heard of (through its reactor). */
  receivedDossier(competentUnitId?: string): Promise<{ dossierId: string; dossierCode: string }>;
  /** Files feedback about `unit` at `filedAt` and returns its id. */
  file(body?: Record<string, unknown>): Promise<string>;
  close(): Promise<void>;
}

export const aboutUnit = {
  subject: { kind: 'unit', unitId: unit },
  channel: 'phone',
  category: 'report',
  content: 'The desk asked me, Nguyễn Văn A (0905 123 456), for a paper the procedure does not list.',
} as const;

export async function startHarness(schema: TestSchema): Promise<Harness> {
  const store = postgresEventStore({ connectionString: schema.connectionString, schema: schema.schema });
  await store.ready();
  const clock = createTestClock(filedAt, () => 0);
  const dossiers = feedbackDossiersTable(store);
  const deps: FeedbackDeps = { store, clock, ids: uuidv7Ids, catalog: demoCatalog, dossiers };
  const app = await buildApp(deps, { auth: { mode: 'hs256', secret }, logger: false, docs: false });
  const token = (role: Role, unitId?: string) =>
    signDevToken({ sub: `${role}-1`, roles: [role], ...(unitId === undefined ? {} : { unitId }) }, secret);
  const auth = (t: string | null) => (t === null ? {} : { authorization: `Bearer ${t}` });
  const post = (url: string, body: unknown, t: string | null) =>
    app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...auth(t) },
      payload: JSON.stringify(body),
    });
  return {
    app,
    store,
    clock,
    dossiers,
    deps,
    token,
    post,
    get: (url, t) => app.inject({ method: 'GET', url, headers: auth(t) }),
    async receivedDossier(competentUnitId = unit) {
      const dossierId = randomUUID();
      const dossierCode = `000.00.01.H34-260305-${String(randomInt(10_000)).padStart(4, '0')}`;
      await rememberFeedbackSubjectOnDossierReceived(
        dossierReceived(dossierId, dossierCode, competentUnitId),
        {
          dossiers,
        },
      );
      return { dossierId, dossierCode };
    },
    async file(body = aboutUnit) {
      clock.set(filedAt);
      const res = await post('/v1/feedback', body, await token('clerk', desk));
      if (res.statusCode !== 201) throw new Error(`filing failed: ${res.statusCode} ${res.body}`);
      return String(res.json().feedbackId);
    },
    close: async () => {
      await app.close();
      await store.close();
    },
  };
}

/** Intake's DossierReceived as the bus delivers it (validated against the catalogue). */
export function dossierReceived(
  dossierId: string,
  dossierCode: string,
  competentUnitId: string,
): DossierEvent {
  return parseDossierEvent({
    eventId: uuidv7(),
    type: 'DossierReceived',
    schemaVersion: 1,
    dossierId,
    streamId: `intake-${dossierId}`,
    streamVersion: 0,
    occurredAt: '2026-03-05T02:00:00.000Z',
    recordedAt: '2026-03-05T02:00:00.120Z',
    source: 'intake',
    correlationId: 'req-receive-1',
    causationId: 'req-receive-1',
    actor: { id: 'clerk-9', role: 'clerk', unitId: desk },
    data: {
      dossierCode,
      procedureCode: '2.000488',
      procedureVersion: '2025.07',
      channel: 'desk',
      receivingUnitId: desk,
      competentUnitId,
      crossBoundary: false,
      applicantId: randomUUID(),
      applicantType: 1,
      components: [{ code: 'to-khai', provided: true, required: true }],
      limit: { value: 3, unit: 'working_days' },
      calendarVersion: 'vn-2026.1',
      startAt: '2026-03-05T02:00:00.000Z',
      statutoryDueAt: '2026-03-10T02:00:00.000Z',
    },
  });
}

/** Moves business time to a Vietnam-local instant (`2026-03-11T09:00:00`). */
export function setLocal(clock: TestClock, local: string): void {
  clock.set(new Date(`${local}+07:00`));
}
