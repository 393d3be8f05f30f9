/**
 * Stack mode end to end: `services/stack/src/main.ts` as a real process (it starts each service as its own
 * process), on non-default ports, a schema prefix of its own in the test database, the shared broker, and the test
 * clock. One cross-boundary dossier goes through its whole lifecycle over HTTP through the gateway; the services
 * learn of each other only through the topic, which must carry the dossier's events in causal order.
 */
import { randomBytes } from 'node:crypto';
import { demoUnitIds } from '@onestop/catalog';
import { EVENT_TYPES_BY_SOURCE, eventSchemaOf, parseDossierEvent } from '@onestop/domain';
import { DOSSIER_EVENTS_TOPIC } from '@onestop/messaging';
import { type Role, signDevToken } from '@onestop/service-kit';
import { kafkaBrokers } from '@onestop/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alive,
  type LaunchedStack,
  launchStack,
  listeningAddresses,
  stackPrefix,
} from './testing/launch-stack.js';

const SECRET = `stack-e2e-${randomBytes(16).toString('hex')}`;
const PREFIX = stackPrefix('e2e');
const RECEIVING = demoUnitIds.nhaTrangCentre; // a ward's centre …
const COMPETENT = demoUnitIds.justice; // … receiving for a provincial department: cross-boundary
const CRIMINAL_RECORD = '2.000488';
const MONDAY_0900 = '2025-09-15T09:00:00+07:00';
const WEDNESDAY_1400 = '2025-09-17T14:00:00+07:00';

let launched: LaunchedStack | undefined;

function stack(): LaunchedStack {
  if (launched === undefined) throw new Error('the stack is not running');
  return launched;
}

const tokens = {
  clerk: () => token('clerk', RECEIVING),
  specialist: () => token('specialist', COMPETENT),
  leader: () => token('leader', COMPETENT),
  admin: () => token('admin'),
};

function token(role: Role, unitId?: string) {
  return signDevToken(
    { sub: `${role}-e2e`, roles: [role], ...(unitId === undefined ? {} : { unitId }) },
    SECRET,
  );
}

async function call(
  method: 'GET' | 'POST',
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
) {
  const response = await fetch(`${stack().gateway}${path}`, {
    method,
    headers: {
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // kept as text
  }
  return { status: response.status, body };
}

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  launched = await launchStack({ prefix: PREFIX, secret: SECRET });
}, 100_000);

afterAll(async () => {
  await launched?.stop();
}, 30_000);

let dossierId = '';
const idempotencyKey = `stack-e2e-${randomBytes(8).toString('hex')}`;

describe('stack mode', () => {
  it('given the stack is up, then every service runs in its own process behind one gateway and the test clock is set in all of them', async () => {
    const { services } = stack();
    expect(services.map((s) => s.name)).toEqual(
      expect.arrayContaining(['intake', 'digitization', 'processing', 'result-return']),
    );
    expect(new Set(services.map((s) => s.pid)).size).toBe(services.length);
    expect(services.every((s) => alive(s.pid))).toBe(true);
    // The launcher binds everything to the loopback address (HOST=127.0.0.1): no service listens beyond it.
    const listening = listeningAddresses();
    for (const service of services) {
      expect(listening.get(Number(new URL(service.url).port)), service.name).toEqual(['127.0.0.1']);
    }

    const ready = await call('GET', '/health/ready');
    expect(ready.status).toBe(200);

    const clock = await call('POST', '/v1/dev/clock', { body: { now: MONDAY_0900 } });
    expect(clock.status).toBe(200);
    const perService = (clock.body as { services: Record<string, { now: string }> }).services;
    // Every service that keeps business time; the web server keeps none.
    expect(Object.keys(perService).sort()).toEqual(
      services
        .map((s) => s.name)
        .filter((name) => name !== 'web')
        .sort(),
    );
    for (const { now } of Object.values(perService)) expect(now).toMatch(/^2025-09-15T02:00:0/);

    // Each service's own metrics carry the messaging gauges.
    const processing = services.find((s) => s.name === 'processing');
    const metrics = await (await fetch(`${processing?.url}/metrics`)).text();
    expect(metrics).toMatch(/^onestop_relay_lag_events \d+$/m);
    expect(metrics).toMatch(/^onestop_consumer_lag_messages\{group="[^"]+processing"\} \d+$/m);
    expect(metrics).toMatch(/^onestop_dlq_messages \d+$/m);
    expect(metrics).toMatch(/^onestop_watermark_lag_events \d+$/m);
  });

  it('given a cross-boundary dossier, when it goes through its whole lifecycle over the gateway, then every service reaches its final state', async () => {
    const clerk = await tokens.clerk();
    const received = await call('POST', '/v1/intake/dossiers', {
      token: clerk,
      headers: { 'idempotency-key': idempotencyKey },
      body: {
        procedureCode: CRIMINAL_RECORD,
        channel: 'desk',
        receivingUnitId: RECEIVING,
        competentUnitId: COMPETENT,
        applicant: { type: 1, fullName: 'Lê Văn Bình', idNumber: `056${Date.now() % 1e9}`.padEnd(12, '0') },
        components: [
          { code: 'to-khai-lltp', provided: true },
          { code: 'giay-to-tuy-than', provided: true },
        ],
      },
    });
    expect(received.status, JSON.stringify(received.body)).toBe(201);
    dossierId = (received.body as { dossierId: string }).dossierId;

    for (const code of ['to-khai-lltp', 'giay-to-tuy-than']) {
      const digitized = await call('POST', `/v1/digitization/dossiers/${dossierId}/components`, {
        token: clerk,
        body: {
          code,
          fileName: `${code}.pdf`,
          mediaType: 'application/pdf',
          contentBase64: Buffer.from(`%PDF-1.4 ${code} of ${dossierId}`).toString('base64'),
        },
      });
      expect(digitized.status, JSON.stringify(digitized.body)).toBe(201);
    }

    const transferred = await call('POST', `/v1/intake/dossiers/${dossierId}/transfer`, {
      token: clerk,
      body: { toUnitId: COMPETENT, channel: 'electronic' },
    });
    expect(transferred.status, JSON.stringify(transferred.body)).toBe(200);

    // Intake's consumer keeps the centre's day from the topic: the dossier is listed on Monday, transferred.
    const listed = await waitFor('the desk list to show the transfer', async () => {
      const day = await call('GET', `/v1/intake/units/${RECEIVING}/received`, { token: clerk });
      const entries =
        (day.body as { dossiers?: Array<{ dossierId: string; status: string }> }).dossiers ?? [];
      return entries.find((d) => d.dossierId === dossierId && d.status === 'transferred');
    });
    expect(listed).toMatchObject({
      procedureCode: CRIMINAL_RECORD,
      competentUnitId: COMPETENT,
      crossBoundary: true,
    });

    // Processing opens the case when it consumes DossierTransferred from the topic.
    const leader = await tokens.leader();
    const opened = await waitFor('the case to open', async () => {
      const c = await call('GET', `/v1/processing/cases/${dossierId}`, { token: leader });
      return c.status === 200 ? c.body : undefined;
    });
    expect(opened).toMatchObject({ status: 4, competentUnitId: COMPETENT, receivingUnitId: RECEIVING });

    const specialist = await tokens.specialist();
    const steps: Array<[string, string, unknown]> = [
      ['assign', leader, { officerId: 'specialist-e2e' }],
      ['request-supplement', specialist, { reason: 'Bản chụp giấy tờ tùy thân bị mờ' }],
      ['receive-supplement', specialist, {}],
    ];
    for (const [command, by, body] of steps) {
      const done = await call('POST', `/v1/processing/cases/${dossierId}/${command}`, { token: by, body });
      expect(done.status, `${command}: ${JSON.stringify(done.body)}`).toBe(200);
    }
    // Business time moves in every process at once: the decision is dated by the processing service's clock.
    expect((await call('POST', '/v1/dev/clock', { body: { now: WEDNESDAY_1400 } })).status).toBe(200);
    const decided = await call('POST', `/v1/processing/cases/${dossierId}/decide`, {
      token: leader,
      body: { outcome: 'approved' },
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(200);
    expect(decided.body).toMatchObject({
      status: 9,
      decision: { outcome: 'approved' },
      resultSent: { returningUnitId: RECEIVING },
    });
    expect((decided.body as { decision: { at: string } }).decision.at).toMatch(/^2025-09-17T07:00:0/);

    // Result-return records the result at the desk when it consumes ResultSentToDesk.
    const atDesk = await waitFor('the result at the desk', async () => {
      const r = await call('GET', `/v1/return/dossiers/${dossierId}`, { token: clerk });
      return r.status === 200 ? r.body : undefined;
    });
    expect(atDesk).toMatchObject({ nationalStatus: 9, returningUnitId: RECEIVING, receivedBy: 'system' });
    const waitingIds = async () => {
      const answer = await call('GET', `/v1/return/units/${RECEIVING}/waiting`, { token: clerk });
      return ((answer.body as { results?: Array<{ dossierId: string }> }).results ?? []).map(
        (r) => r.dossierId,
      );
    };
    await waitFor('the result in the desk’s waiting list', async () =>
      (await waitingIds()).includes(dossierId) ? true : undefined,
    );

    const returned = await call('POST', `/v1/return/dossiers/${dossierId}/return`, {
      token: clerk,
      body: { channel: 'desk' },
    });
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    const rated = await call('POST', `/v1/return/dossiers/${dossierId}/rate`, {
      token: clerk,
      body: { rating: 1 },
    });
    expect(rated.status, JSON.stringify(rated.body)).toBe(200);
    await waitFor('the returned result to leave the waiting list', async () =>
      (await waitingIds()).includes(dossierId) ? undefined : true,
    );

    // Each service's own view of the dossier.
    const admin = await tokens.admin();
    const intake = await call('GET', `/v1/intake/dossiers/${dossierId}`, { token: admin });
    expect(intake.body).toMatchObject({
      status: 4,
      crossBoundary: true,
      units: { receiving: RECEIVING, competent: COMPETENT },
    });
    const digitization = await call('GET', `/v1/digitization/dossiers/${dossierId}`, { token: admin });
    expect(
      (digitization.body as { components: Array<{ code: string }> }).components.map((c) => c.code).sort(),
    ).toEqual(['giay-to-tuy-than', 'to-khai-lltp']);
    const processing = await call('GET', `/v1/processing/cases/${dossierId}`, { token: admin });
    expect(processing.body).toMatchObject({ status: 9, decision: { outcome: 'approved' } });
    const resultReturn = await call('GET', `/v1/return/dossiers/${dossierId}`, { token: admin });
    expect(resultReturn.body).toMatchObject({ nationalStatus: 10, channel: 'desk', rating: 1 });
  });

  it('given the lifecycle is done, when the topic is read from the beginning, then the dossier’s events are there once each, in causal order, with their headers', async () => {
    expect(dossierId).not.toBe('');
    const kafka = new Kafka({ clientId: 'stack-e2e', brokers: kafkaBrokers(), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `stack-e2e-check-${randomBytes(6).toString('hex')}` });
    const messages: Array<{ key: string; headers: Record<string, string>; value: string }> = [];
    let bookkeeping = 0;
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: DOSSIER_EVENTS_TOPIC, fromBeginning: true });
      await consumer.run({
        eachMessage: async ({ message }) => {
          const key = message.key?.toString() ?? '';
          if (key === `idempotency-intake-${idempotencyKey}`) bookkeeping++;
          if (key !== dossierId) return;
          const headers = Object.fromEntries(
            Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(Array.isArray(v) ? v[0] : v)]),
          );
          messages.push({ key, headers, value: message.value?.toString() ?? '' });
        },
      });
      await waitFor(
        'SatisfactionRated on the topic',
        async () =>
          messages.some((m) => m.headers['event-type'] === 'SatisfactionRated') ? true : undefined,
        30_000,
      );
    } finally {
      await consumer.disconnect();
    }

    const events = messages.map((m) => parseDossierEvent(JSON.parse(m.value)));
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    expect(bookkeeping).toBe(0);
    for (const [i, m] of messages.entries()) {
      const event = events[i];
      if (event === undefined) continue;
      expect(eventSchemaOf(event.type)).toBeDefined();
      expect(m.headers).toEqual({
        'event-id': event.eventId,
        'event-type': event.type,
        'schema-version': String(event.schemaVersion),
        source: event.source,
      });
      expect(EVENT_TYPES_BY_SOURCE[event.source] as readonly string[]).toContain(event.type);
    }

    // Digitization's events are concurrent with intake's (no causal link through the topic); all else is a chain.
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === 'ComponentDigitized')).toHaveLength(2);
    expect(types.filter((t) => t !== 'ComponentDigitized')).toEqual([
      'DossierReceived',
      'DossierTransferred',
      'CaseOpened',
      'CaseAssigned',
      'SupplementRequested',
      'SupplementReceived',
      'DossierDecided',
      'ResultSentToDesk',
      'ResultReceivedAtDesk',
      'ResultReturned',
      'SatisfactionRated',
    ]);
    const byType = (type: string) => events.find((e) => e.type === type);
    // The reactions name their causes: the consumed event's id.
    expect(byType('CaseOpened')?.causationId).toBe(byType('DossierTransferred')?.eventId);
    expect(byType('ResultReceivedAtDesk')?.causationId).toBe(byType('ResultSentToDesk')?.eventId);
  });

  it('when the launcher is stopped, then every service process has exited', async () => {
    const { child, services } = stack();
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(services.filter((s) => alive(s.pid)).map((s) => s.name)).toEqual([]);
  });
});
