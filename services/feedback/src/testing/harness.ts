/**
 * Test harness: the feedback app on a real PostgreSQL store, with a business clock the tests move, the filer vault
 * under a fresh master key, attachments in a temporary directory, and the public routes (limit high enough that
 * tests never meet it, unless they set their own).
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import { filesystemDocumentStorage } from '@onestop/documents';
import type { DossierEvent } from '@onestop/domain';
import { dossierReceivedEvent } from '@onestop/domain/testing';
import { type PostgresEventStore, postgresEventStore } from '@onestop/event-store';
import {
  type App,
  createTestClock,
  DEFAULT_PUBLIC_RATE_LIMIT,
  type PublicRateLimit,
  type Role,
  signDevToken,
  type TestClock,
  uuidv7,
  uuidv7Ids,
} from '@onestop/service-kit';
import type { TestSchema } from '@onestop/testing';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type FeedbackDeps } from '../app.js';
import { type FilerVault, postgresFilerVault } from '../filer/vault.js';
import { type FeedbackDossiers, feedbackDossiersTable } from '../records/tables.js';
import { rememberFeedbackSubjectOnDossierReceived } from '../subject/reactor.js';

export const secret = 'feedback-test-secret-at-least-32-characters';
/** The receipts' tracking key (shared with intake in real deployments). */
export const trackingKey = 'feedback-test-tracking-key-0123456789abcdef';
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
  readonly vault: FilerVault;
  readonly deps: FeedbackDeps;
  token(role: Role, unitId?: string): Promise<string>;
  post(url: string, body: unknown, token: string | null): Promise<LightMyRequestResponse>;
  get(url: string, token: string | null): Promise<LightMyRequestResponse>;
  /** An app over the same store with its own public rate limit (the harness's own is never met). */
  withRateLimit(limit: Partial<PublicRateLimit>): Promise<App>;
  /** A dossier of `competentUnitId` the service has heard of (through its reactor). */
  receivedDossier(competentUnitId?: string): Promise<{ dossierId: string; dossierCode: string }>;
  /**
   * Items in the index (read in a transaction, so at once: `readAll` shows an append only once every older
   * transaction in the cluster has ended, too late for "nothing was filed").
   */
  itemCount(): Promise<number>;
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
  const vault = postgresFilerVault({ db: store, masterKey: randomBytes(32), clock });
  const root = await mkdtemp(join(tmpdir(), 'onestop-feedback-'));
  const deps: FeedbackDeps = {
    store,
    clock,
    ids: uuidv7Ids,
    catalog: demoCatalog,
    dossiers,
    vault,
    storage: filesystemDocumentStorage({ root }),
    maxAttachmentBytes: 64 * 1024,
    trackingKey,
    publicRateLimit: { ...DEFAULT_PUBLIC_RATE_LIMIT, max: 100_000 },
  };
  const options = { auth: { mode: 'hs256', secret }, logger: false, docs: false } as const;
  const app = await buildApp(deps, options);
  const limited: App[] = [];
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
    vault,
    deps,
    token,
    post,
    get: (url, t) => app.inject({ method: 'GET', url, headers: auth(t) }),
    async withRateLimit(limit) {
      const other = await buildApp(
        { ...deps, publicRateLimit: { ...DEFAULT_PUBLIC_RATE_LIMIT, ...limit } },
        options,
      );
      limited.push(other);
      return other;
    },
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
    async itemCount() {
      const { rows } = await store.withTransaction((tx) =>
        tx.query(`select count(*)::int as n from "${store.schema}".feedback_items`),
      );
      return Number(rows[0]?.n);
    },
    async file(body = aboutUnit) {
      clock.set(filedAt);
      const res = await post('/v1/feedback', body, await token('clerk', desk));
      if (res.statusCode !== 201) throw new Error(`filing failed: ${res.statusCode} ${res.body}`);
      return String(res.json().feedbackId);
    },
    close: async () => {
      await Promise.all([app, ...limited].map((a) => a.close()));
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** Intake's DossierReceived as the bus delivers it (validated against the catalogue). */
export function dossierReceived(
  dossierId: string,
  dossierCode: string,
  competentUnitId: string,
): DossierEvent {
  return dossierReceivedEvent({
    eventId: uuidv7(),
    dossierId,
    occurredAt: '2026-03-05T02:00:00.000Z',
    data: {
      dossierCode,
      receivingUnitId: desk,
      competentUnitId,
      applicantId: randomUUID(),
      components: [{ code: 'to-khai', provided: true, required: true }],
      limit: { value: 3, unit: 'working_days' },
      calendarVersion: 'vn-2026.1',
      statutoryDueAt: '2026-03-10T02:00:00.000Z',
    },
  });
}

/** Moves business time to a Vietnam-local instant (`2026-03-11T09:00:00`). */
export function setLocal(clock: TestClock, local: string): void {
  clock.set(new Date(`${local}+07:00`));
}
