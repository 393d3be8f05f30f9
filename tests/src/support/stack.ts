/**
 * The five command services on one PostgreSQL schema (as embedded mode shares one store), each as its own
 * stand-alone app, with tokens for every token state and real dossiers to act on: received and transferred through
 * intake's HTTP surface, opened as a case by the processing reactors fed with the stored events, and received at
 * the returning desk through result-return's HTTP surface; and feedback items filed through feedback's.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import {
  buildApp as buildDigitization,
  type DigitizationDeps,
  digitizationReceivedTable,
  registerDigitization,
} from '@onestop/digitization';
import { filesystemDocumentStorage } from '@onestop/documents';
import {
  dossierEventFromStored,
  feedbackFollowUpSecret,
  parseDossierEvent,
  streamIdFor,
} from '@onestop/domain';
import { type PostgresEventStore, postgresEventStore } from '@onestop/event-store';
import {
  buildApp as buildFeedback,
  type FeedbackDeps,
  feedbackDossiersTable,
  postgresFilerVault,
  registerFeedback,
} from '@onestop/feedback';
import {
  buildApp as buildIntake,
  createPseudonyms,
  type IntakeDeps,
  postgresPersonalDataVault,
  ReceiveResponse,
  registerIntake,
} from '@onestop/intake';
import {
  buildApp as buildProcessing,
  openCaseOnDossierTransferred,
  type ProcessingDeps,
  receivedDossiersTable,
  registerProcessing,
  rememberDossierOnDossierReceived,
} from '@onestop/processing';
import {
  buildApp as buildResultReturn,
  deskResultsTable,
  type ResultReturnDeps,
  registerResultReturn,
} from '@onestop/result-return';
import {
  type App,
  createTestClock,
  DEFAULT_PUBLIC_RATE_LIMIT,
  type Role,
  signDevToken,
  uuidv7,
  uuidv7Ids,
} from '@onestop/service-kit';
import type { TestSchema } from '@onestop/testing';
import { z } from 'zod';
import type { HttpMethod } from './openapi.js';

export const SECRET = 'acceptance-tests-secret-0123456789abcdef';
/** The receipts' tracking key: feedback checks dossier subjects and signs follow-up secrets with it. */
const TRACKING_KEY = 'acceptance-tests-tracking-key-0123456789abcdef';
const FORGER_SECRET = 'not-the-service-secret-0123456789abcdefgh';

/** Monday 15 September 2025, 09:00 in Vietnam: a working day under the demo catalogue. */
export const NOW = new Date('2025-09-15T02:00:00.000Z');

/** The procedure every fixture dossier follows: criminal-record certificate, Department of Justice, fee 200 000. */
export const PROCEDURE = '2.000488';

/** The units a fixture dossier touches, and units that have no part in it. */
export const UNITS = {
  desk: demoUnitIds.provincialCentre,
  competent: demoUnitIds.justice,
  otherDesk: demoUnitIds.nhaTrangCentre,
  otherCompetent: demoUnitIds.finance,
} as const;

export const serviceNames = ['intake', 'digitization', 'processing', 'result-return', 'feedback'] as const;
export type ServiceName = (typeof serviceNames)[number];

export type TokenState = 'missing' | 'forged' | 'expired' | 'valid';
export const tokenStates: readonly TokenState[] = ['missing', 'forged', 'expired', 'valid'];

export interface Caller {
  readonly role: Role;
  readonly unitId?: string;
}

/** The bearer token for `caller` in `state`; undefined when the state is "missing". */
export async function tokenFor(caller: Caller, state: TokenState): Promise<string | undefined> {
  if (state === 'missing') return undefined;
  const claims = {
    sub: `${caller.role}@${caller.unitId ?? 'none'}`,
    roles: [caller.role],
    ...(caller.unitId === undefined ? {} : { unitId: caller.unitId }),
  };
  if (state === 'forged') return signDevToken(claims, FORGER_SECRET);
  if (state === 'expired') return signDevToken({ ...claims, expiresIn: '1 minute ago' }, SECRET);
  return signDevToken(claims, SECRET);
}

export type InjectResponse = Awaited<ReturnType<App['inject']>>;

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as is; a string is sent raw (for invalid JSON), anything else as JSON. */
  readonly payload?: unknown;
}

export interface Stack {
  readonly apps: Readonly<Record<ServiceName, App>>;
  /** Each service's `register*` function bound to its deps: adds its routes to any server. */
  readonly registrars: Readonly<Record<ServiceName, (app: App) => Promise<void>>>;
  readonly store: PostgresEventStore;
  send(service: ServiceName, request: HttpRequest, bearer: string | undefined): Promise<InjectResponse>;
  /** A dossier received at the desk (status 2). */
  receivedDossier(): Promise<FixtureDossier>;
  /** A dossier received and transferred to the competent unit (status 4 in intake). */
  transferredDossier(): Promise<FixtureDossier>;
  /** A transferred dossier whose processing case is open (consumed by both processing reactors). */
  openCase(): Promise<FixtureDossier>;
  /** An open case whose result was received at the desk (status 9 in result-return). */
  resultAtDesk(): Promise<FixtureDossier>;
  /** A feedback item about the competent unit, filed by a clerk with one PDF attachment (no dossier). */
  feedbackItem(): Promise<FixtureDossier>;
  close(): Promise<void>;
}

export interface FixtureDossier {
  readonly dossierId: string;
  readonly applicantId: string;
  /** The `feedback` fixture's item, its follow-up secret and its attachment. */
  readonly feedback?: { readonly id: string; readonly secret: string; readonly attachmentSha256: string };
}

const FiledFeedback = z.object({
  feedbackId: z.uuid(),
  attachments: z.array(z.object({ sha256: z.string() })).min(1),
});

let applicants = 0;

/** A complete criminal-record dossier for a fresh applicant, received at the desk unit. */
export function receiveBody(): Record<string, unknown> {
  applicants += 1;
  const procedure = demoCatalog.procedure(PROCEDURE, NOW);
  const serial = `${process.pid}${applicants}`.padStart(9, '0').slice(-9);
  return {
    procedureCode: PROCEDURE,
    channel: 'desk',
    receivingUnitId: UNITS.desk,
    applicant: { type: 1, fullName: `Lê Văn Bình ${applicants}`, idNumber: `079${serial}` },
    components: procedure.components.map((c) => ({ code: c.code, provided: true })),
  };
}

export function idempotencyKey(): string {
  return `acceptance-${randomBytes(8).toString('hex')}`;
}

export async function startStack(schema: TestSchema): Promise<Stack> {
  const store = postgresEventStore({
    connectionString: schema.connectionString,
    schema: schema.schema,
    pool: { max: 4 },
  });
  await store.ready();
  // Frozen: every request sees the same business time.
  const clock = createTestClock(NOW, () => 0);
  const auth = { mode: 'hs256', secret: SECRET } as const;
  const masterKey = randomBytes(32);
  const documents = await mkdtemp(join(tmpdir(), 'onestop-acceptance-'));
  const attachments = await mkdtemp(join(tmpdir(), 'onestop-acceptance-feedback-'));
  const processingDeps: ProcessingDeps = {
    store,
    clock,
    ids: uuidv7Ids,
    catalog: demoCatalog,
    received: receivedDossiersTable(store),
  };
  const intakeDeps: IntakeDeps = {
    store,
    clock,
    ids: uuidv7Ids,
    catalog: demoCatalog,
    vault: postgresPersonalDataVault({ db: store, masterKey, clock }),
    pseudonyms: createPseudonyms(masterKey),
  };
  const digitizationReceived = digitizationReceivedTable(store);
  await digitizationReceived.ready();
  const digitizationDeps: DigitizationDeps = {
    store,
    clock,
    ids: uuidv7Ids,
    storage: filesystemDocumentStorage({ root: documents }),
    received: digitizationReceived,
    // The fixtures feed the receipt before any call; a sweep with a made-up id need not wait long.
    receiptWaitMs: 100,
  };
  const resultReturnDeps: ResultReturnDeps = { store, clock, ids: uuidv7Ids, catalog: demoCatalog };
  const feedbackDeps: FeedbackDeps = {
    store,
    clock,
    ids: uuidv7Ids,
    catalog: demoCatalog,
    dossiers: feedbackDossiersTable(store),
    vault: postgresFilerVault({ db: store, masterKey, clock }),
    storage: filesystemDocumentStorage({ root: attachments }),
    trackingKey: TRACKING_KEY,
    // The sweeps send thousands of requests from one address.
    publicRateLimit: { ...DEFAULT_PUBLIC_RATE_LIMIT, max: 1_000_000 },
  };
  const apps: Record<ServiceName, App> = {
    intake: await buildIntake(intakeDeps, { auth, logger: false }),
    digitization: await buildDigitization(digitizationDeps, { auth, logger: false }),
    processing: await buildProcessing(processingDeps, { auth, logger: false }),
    'result-return': await buildResultReturn(resultReturnDeps, { auth, logger: false }),
    feedback: await buildFeedback(feedbackDeps, { auth, logger: false }),
  };
  const registrars: Record<ServiceName, (app: App) => Promise<void>> = {
    intake: (app) => registerIntake(app, intakeDeps),
    digitization: (app) => registerDigitization(app, digitizationDeps),
    processing: (app) => registerProcessing(app, processingDeps),
    'result-return': (app) => registerResultReturn(app, resultReturnDeps),
    feedback: (app) => registerFeedback(app, feedbackDeps),
  };
  await Promise.all(Object.values(apps).map((app) => app.ready()));

  const send: Stack['send'] = (service, request, bearer) => {
    const json = request.payload !== undefined && typeof request.payload !== 'string';
    return apps[service].inject({
      method: request.method,
      url: request.url,
      headers: {
        ...(json ? { 'content-type': 'application/json' } : {}),
        ...request.headers,
        ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
      },
      ...(request.payload === undefined
        ? {}
        : {
            payload: typeof request.payload === 'string' ? request.payload : JSON.stringify(request.payload),
          }),
    });
  };

  const clerk = () => tokenFor({ role: 'clerk', unitId: UNITS.desk }, 'valid');

  const expectStatus = (response: InjectResponse, status: number, what: string) => {
    if (response.statusCode !== status) {
      throw new Error(`fixture: ${what} answered ${response.statusCode}: ${response.body}`);
    }
  };

  const receivedDossier = async (): Promise<FixtureDossier> => {
    const response = await send(
      'intake',
      {
        method: 'POST',
        url: '/v1/intake/dossiers',
        headers: { 'idempotency-key': idempotencyKey() },
        payload: receiveBody(),
      },
      await clerk(),
    );
    expectStatus(response, 201, 'receive');
    const { dossierId, applicantId } = ReceiveResponse.parse(response.json());
    // What digitization's consumer does with the receipt.
    const [received] = (await store.readStream(streamIdFor('intake', dossierId))).map(dossierEventFromStored);
    if (received === undefined) throw new Error('fixture: no DossierReceived');
    await store.withTransaction((tx) => digitizationReceived.apply(received, tx));
    return { dossierId, applicantId };
  };

  const transferredDossier = async (): Promise<FixtureDossier> => {
    const dossier = await receivedDossier();
    const response = await send(
      'intake',
      {
        method: 'POST',
        url: `/v1/intake/dossiers/${dossier.dossierId}/transfer`,
        payload: { toUnitId: UNITS.competent, channel: 'electronic' },
      },
      await clerk(),
    );
    expectStatus(response, 200, 'transfer');
    return dossier;
  };

  const openCase = async (): Promise<FixtureDossier> => {
    const dossier = await transferredDossier();
    const events = (await store.readStream(streamIdFor('intake', dossier.dossierId))).map(
      dossierEventFromStored,
    );
    const received = events.find((e) => e.type === 'DossierReceived');
    const transferred = events.find((e) => e.type === 'DossierTransferred');
    if (received === undefined || transferred === undefined)
      throw new Error('fixture: intake stream incomplete');
    await rememberDossierOnDossierReceived(received, processingDeps);
    await openCaseOnDossierTransferred(transferred, processingDeps);
    return dossier;
  };

  const resultAtDesk = async (): Promise<FixtureDossier> => {
    const dossier = await openCase();
    // The decision, as result-return's consumer records it: a desk receives only a decided dossier's result.
    const desk = deskResultsTable(store);
    await desk.ready();
    const decided = parseDossierEvent({
      eventId: uuidv7(),
      type: 'DossierDecided',
      schemaVersion: 1,
      dossierId: dossier.dossierId,
      streamId: streamIdFor('processing', dossier.dossierId),
      streamVersion: 1,
      occurredAt: clock.now().toISOString(),
      recordedAt: clock.now().toISOString(),
      source: 'processing',
      correlationId: 'fixture',
      causationId: 'fixture',
      actor: { id: 'leader-fixture', role: 'leader', unitId: UNITS.competent },
      data: { outcome: 'approved' },
    });
    await store.withTransaction((tx) => desk.apply(decided, tx));
    const response = await send(
      'result-return',
      {
        method: 'POST',
        url: `/v1/return/dossiers/${dossier.dossierId}/receive-result`,
        payload: { returningUnitId: UNITS.desk },
      },
      await clerk(),
    );
    expectStatus(response, 201, 'receive result at the desk');
    return dossier;
  };

  const feedbackItem = async (): Promise<FixtureDossier> => {
    const pdf = Buffer.from(`%PDF-1.7\n% ${randomBytes(8).toString('hex')}\n%%EOF\n`);
    const response = await send(
      'feedback',
      {
        method: 'POST',
        url: '/v1/feedback',
        payload: {
          subject: { kind: 'unit', unitId: UNITS.competent },
          channel: 'desk',
          content: 'Kiểm thử chấp nhận: phản ánh về bộ phận một cửa.',
          attachments: [{ contentBase64: pdf.toString('base64') }],
        },
      },
      await clerk(),
    );
    expectStatus(response, 201, 'file feedback');
    const item = FiledFeedback.parse(response.json());
    return {
      dossierId: '',
      applicantId: '',
      feedback: {
        id: item.feedbackId,
        secret: feedbackFollowUpSecret(TRACKING_KEY, item.feedbackId),
        attachmentSha256: item.attachments[0]?.sha256 ?? '',
      },
    };
  };

  return {
    apps,
    registrars,
    store,
    send,
    receivedDossier,
    transferredDossier,
    openCase,
    resultAtDesk,
    feedbackItem,
    async close() {
      await Promise.all(Object.values(apps).map((app) => app.close()));
      await store.close();
      await rm(documents, { recursive: true, force: true });
      await rm(attachments, { recursive: true, force: true });
    },
  };
}
