/**
 * Shared set-up of the processing integration specs: a real PostgreSQL store in a schema of its own, the app on a
 * frozen test clock, tokens for the demo units, and dossiers received and transferred through the intake decider
 * so the reactors consume real catalogue events.
 */
import { randomUUID } from 'node:crypto';
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import {
  computeDueAt,
  type DossierEvent,
  dossierEventFromStored,
  intakeDecider,
  streamIdFor,
  vnCivilServiceCalendar,
} from '@onestop/domain';
import { type PostgresEventStore, postgresEventStore } from '@onestop/event-store';
import {
  type App,
  createTestClock,
  handleCommand,
  type Role,
  signDevToken,
  type TestClock,
  uuidv7Ids,
} from '@onestop/service-kit';
import { useTestSchema } from '@onestop/testing';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { buildApp, type ProcessingDeps } from '../app.js';
import { openCaseOnDossierTransferred } from '../open-case/reactor.js';
import { rememberDossierOnDossierReceived } from '../received/reactors.js';
import { receivedDossiersTable } from '../received/received-dossiers.js';

export const SECRET = 'processing-int-spec-secret-0123456789abcdef';
export const JUSTICE = demoUnitIds.justice;
export const FINANCE = demoUnitIds.finance;
export const CENTRE = demoUnitIds.provincialCentre;
/** Cấp Phiếu lý lịch tư pháp: 10 working days, Department of Justice, steps 4 (desk) / 60 / 8 / 8 h, fee 200 000. */
export const CRIMINAL_RECORD = '2.000488';

/** Monday 15 Sep 2025, 09:00 in Vietnam. */
export const MONDAY_0900 = new Date('2025-09-15T02:00:00Z');

export interface Processing {
  readonly app: App;
  readonly store: PostgresEventStore;
  readonly clock: TestClock;
  readonly deps: ProcessingDeps;
}

export function useProcessing(): { readonly current: Processing } {
  const schema = useTestSchema('proc');
  let current: Processing | undefined;
  beforeAll(async () => {
    const store = postgresEventStore({
      connectionString: schema.current.connectionString,
      schema: schema.current.schema,
      pool: { max: 4 },
    });
    await store.ready();
    // Frozen: business time moves only when a test sets it.
    const clock = createTestClock(MONDAY_0900, () => 0);
    const deps: ProcessingDeps = {
      store,
      clock,
      ids: uuidv7Ids,
      catalog: demoCatalog,
      received: receivedDossiersTable(store),
    };
    const app = await buildApp(deps, { auth: { mode: 'hs256', secret: SECRET }, logger: false });
    current = { app, store, clock, deps };
  });
  // Every test starts on Monday 09:00 and moves the clock itself.
  beforeEach(() => {
    current?.clock.set(MONDAY_0900);
  });
  afterAll(async () => {
    await current?.app.close();
    await current?.store.close();
  });
  return {
    get current(): Processing {
      if (current === undefined) throw new Error('useProcessing: read .current inside a test or hook');
      return current;
    },
  };
}

export function token(
  roles: readonly Role[],
  unitId?: string,
  sub = `${roles.join('+')}@${unitId ?? 'all'}`,
) {
  return signDevToken({ sub, roles, ...(unitId === undefined ? {} : { unitId }) }, SECRET);
}

export const tokens = {
  leader: () => token(['leader'], JUSTICE, 'leader-justice'),
  specialist: () => token(['specialist'], JUSTICE, 'specialist-justice'),
  otherSpecialist: () => token(['specialist'], FINANCE, 'specialist-finance'),
  otherLeader: () => token(['leader'], FINANCE, 'leader-finance'),
  clerk: () => token(['clerk'], CENTRE, 'clerk-centre'),
  otherClerk: () => token(['clerk'], demoUnitIds.nhaTrangCentre, 'clerk-nha-trang'),
  analyst: () => token(['analyst'], undefined, 'analyst'),
  admin: () => token(['admin'], undefined, 'admin'),
};

let sequence = 0;

export interface ReceivedAndTransferred {
  readonly dossierId: string;
  readonly received: DossierEvent;
  readonly transferred: DossierEvent;
}

/**
 * Receives a complete criminal-record dossier at the provincial centre at the clock's time and transfers it to
 * the Department of Justice at `transferAt`, through the intake decider; returns the two real events.
 */
export async function receiveAndTransfer(p: Processing, transferAt?: Date): Promise<ReceivedAndTransferred> {
  const dossierId = randomUUID();
  const streamId = streamIdFor('intake', dossierId);
  const procedure = demoCatalog.procedure(CRIMINAL_RECORD);
  const receivedAt = p.clock.now();
  const due = computeDueAt({ receivedAt, limit: procedure.limit, calendar: vnCivilServiceCalendar });
  const clerk = { id: 'clerk-centre', role: 'clerk' as const, unitId: CENTRE };
  sequence += 1;
  await handleCommand({
    store: p.store,
    decider: intakeDecider,
    dossierId,
    streamId,
    command: {
      type: 'ReceiveDossier',
      now: receivedAt,
      actor: clerk,
      dossierCode: `000.00.01.H34-250915-${String(sequence).padStart(4, '0')}`,
      procedureCode: procedure.code,
      procedureVersion: procedure.version,
      channel: 'desk',
      receivingUnitId: CENTRE,
      competentUnitId: JUSTICE,
      crossBoundary: false,
      applicantId: randomUUID(),
      applicantType: 1,
      components: procedure.components.map((c) => ({ code: c.code, provided: true, required: c.required })),
      limit: procedure.limit,
      calendarVersion: due.calendarVersion,
      startAt: due.startAt,
      statutoryDueAt: due.dueAt,
    },
    ids: uuidv7Ids,
    trace: { correlationId: `receive-${dossierId}` },
  });
  await handleCommand({
    store: p.store,
    decider: intakeDecider,
    dossierId,
    streamId,
    command: {
      type: 'TransferDossier',
      now: transferAt ?? receivedAt,
      actor: clerk,
      toUnitId: JUSTICE,
      channel: 'electronic',
    },
    ids: uuidv7Ids,
    trace: { correlationId: `transfer-${dossierId}` },
  });
  const [received, transferred] = (await p.store.readStream(streamId)).map(dossierEventFromStored);
  if (received === undefined || transferred === undefined) throw new Error('intake stream is incomplete');
  return { dossierId, received, transferred };
}

/** A dossier received and transferred, consumed by both reactors: its case is open (status 4). */
export async function openCase(p: Processing, transferAt?: Date): Promise<ReceivedAndTransferred> {
  const dossier = await receiveAndTransfer(p, transferAt);
  await rememberDossierOnDossierReceived(dossier.received, p.deps);
  await openCaseOnDossierTransferred(dossier.transferred, p.deps);
  return dossier;
}

/** POSTs a JSON command with a bearer token (absent: no Authorization header). */
export async function command(
  p: Processing,
  dossierId: string,
  action: string,
  body: unknown,
  bearer?: string,
) {
  return p.app.inject({
    method: 'POST',
    url: `/v1/processing/cases/${dossierId}/${action}`,
    headers: {
      'content-type': 'application/json',
      ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
    },
    payload: JSON.stringify(body),
  });
}

export async function getCase(p: Processing, dossierId: string, bearer: string) {
  return p.app.inject({
    method: 'GET',
    url: `/v1/processing/cases/${dossierId}`,
    headers: { authorization: `Bearer ${bearer}` },
  });
}
