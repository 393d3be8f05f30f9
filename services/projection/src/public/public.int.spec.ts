/**
 * Given dossiers and feedback in the read models, then the public routes (no sign-in) publish each unit's
 * figures, feedback included, exactly as the KPI API computes them, and track a dossier by code + receipt secret without leaking anything personal or
 * letting anyone tell an unknown code from a wrong secret. "Now" is Wed 17 Sep 2025 12:00.
 */
import { demoCatalog, demoUnitIds } from '@onestop/catalog';
import { trackingSecret } from '@onestop/domain';
import { type App, DEFAULT_PUBLIC_RATE_LIMIT, type PublicRateLimit } from '@onestop/service-kit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../app.js';
import { FeedbackScenario } from '../feedback/testing.js';
import { BACKENDS, get, SECRET, token, useProjection } from '../testing/harness.js';
import { DossierScenario, vn } from '../testing/scenario.js';

const KEY = 'public-int-spec-tracking-key-0123456789abcdef';
const AG_ENV = demoUnitIds.agricultureEnvironment;
const NOW = vn('2025-09-17T12:00');
const WEEK = 'from=2025-09-15&to=2025-09-22';

function dossiers() {
  const tracked = new DossierScenario({ receivedAt: '2025-09-15T09:00' })
    .transferAndOpen('2025-09-15T09:30')
    .assign('2025-09-15T09:40', 'appraise', 'officer-nguyen-van-a')
    .requestSupplement('2025-09-15T10:00')
    .receiveSupplement('2025-09-15T14:00')
    .requestPayment('2025-09-15T15:00')
    .confirmPayment('2025-09-15T15:30', true)
    .completeStep('2025-09-16T08:00', 'appraise', 'officer-nguyen-van-a', 'sign')
    .completeStep('2025-09-16T08:30', 'sign', 'officer-tran-thi-b')
    .decide('2025-09-16T09:00')
    .returnResult('2025-09-16T10:00', 4);
  const late = new DossierScenario({ receivedAt: '2025-09-15T09:00' })
    .transferAndOpen('2025-09-15T09:00')
    .decide('2025-09-16T15:00');
  const open = new DossierScenario({ receivedAt: '2025-09-16T09:00' }).transferAndOpen('2025-09-16T09:00');
  const justice = new DossierScenario({ receivedAt: '2025-09-15T10:00', procedureCode: '2.000488' })
    .transferAndOpen('2025-09-15T10:30')
    .decide('2025-09-16T10:00')
    .returnResult('2025-09-16T11:00', 1);
  return { tracked, late, open, justice };
}

/**
 * In the week, Ag-Env has one item handled on time and liked, one handled on time and disliked, and one not
 * decided by now (due two working days after filing, Wed 09:00: overdue); one more was filed the week before.
 */
function feedback() {
  return [
    new FeedbackScenario(AG_ENV, '2025-09-15T09:00').handledOnTime('2025-09-15', 'satisfied'),
    new FeedbackScenario(AG_ENV, '2025-09-15T09:10').handledOnTime('2025-09-15', 'dissatisfied'),
    new FeedbackScenario(AG_ENV, '2025-09-15T09:20'),
    new FeedbackScenario(AG_ENV, '2025-09-12T09:00').handledOnTime('2025-09-12', 'satisfied'),
    new FeedbackScenario(demoUnitIds.justice, '2025-09-16T09:00').handledOnTime('2025-09-16'),
  ];
}

const codeOf = (d: DossierScenario) => {
  const received = d.events[0];
  if (received?.type !== 'DossierReceived') throw new Error('scenario without a receipt');
  return received.data.dossierCode;
};

describe.each(BACKENDS)('public routes on %s', (backend) => {
  const p = useProjection(backend, new Date(NOW));
  const d = dossiers();
  let app: App;

  const publicApp = (limit: Partial<PublicRateLimit> = {}) =>
    buildApp(
      {
        db: p.current.db,
        clock: p.current.clock,
        catalog: demoCatalog,
        trackingKey: KEY,
        publicRateLimit: { ...DEFAULT_PUBLIC_RATE_LIMIT, max: 10_000, ...limit },
      },
      { auth: { mode: 'hs256', secret: SECRET }, logger: false },
    );
  const call = async (
    target: App,
    url: string,
    headers: Record<string, string> = {},
    remoteAddress?: string,
  ) => {
    const response = await target.inject({
      method: 'GET',
      url,
      headers,
      ...(remoteAddress === undefined ? {} : { remoteAddress }),
    });
    return {
      status: response.statusCode,
      body: response.json(),
      text: response.body,
      headers: response.headers,
    };
  };
  const track = (code: string, secret: string) =>
    call(app, `/v1/public/dossiers/${encodeURIComponent(code)}?secret=${encodeURIComponent(secret)}`);

  beforeAll(async () => {
    await p.current.apply([...Object.values(d), ...feedback()].flatMap((s) => s.events));
    app = await publicApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  it('given the receipt secret, when tracking, then the status, dues and dated steps show, with nothing personal', async () => {
    const code = codeOf(d.tracked);
    const { status, body, text } = await track(code, trackingSecret(KEY, code));
    expect(status).toBe(200);
    expect(body).toMatchObject({
      dossierCode: code,
      procedure: { code: '1.012839' },
      nationalStatus: { code: 10, label: 'Đã trả kết quả', labelEn: 'result returned' },
      receivedAt: new Date(vn('2025-09-15T09:00')).toISOString(),
      endedAt: new Date(vn('2025-09-16T09:00')).toISOString(),
    });
    const received = d.tracked.events[0];
    expect(received?.type === 'DossierReceived' && body.statutoryDueAt).not.toBe(
      received?.type === 'DossierReceived' && received.data.statutoryDueAt,
    ); // moved by the supplement and payment pauses
    expect(Date.parse(body.appointmentDueAt)).toBe(Date.parse(body.statutoryDueAt));
    expect(
      body.steps.map((s: { type: string; nationalStatus: number }) => [s.type, s.nationalStatus]),
    ).toEqual([
      ['DossierReceived', 2],
      ['DossierTransferred', 4],
      ['CaseAssigned', 4],
      ['SupplementRequested', 5],
      ['SupplementReceived', 4],
      ['PaymentRequested', 6],
      ['PaymentConfirmed', 4],
      ['StepCompleted', 4],
      ['StepCompleted', 4],
      ['DossierDecided', 9],
      ['ResultSentToDesk', 9],
      ['ResultReceivedAtDesk', 9],
      ['ResultReturned', 10],
    ]);
    expect(body.steps[2]).toMatchObject({ label: 'Phân công xử lý', detail: 'Thẩm định hồ sơ' });
    expect(body.steps[0].unitName).toBe(demoCatalog.unit(demoUnitIds.provincialCentre).name);

    // Nothing personal or internal: no applicant pseudonym, officer or actor id, reason, amount, rating, or ids.
    const personal = d.tracked.events.flatMap((e) => [
      e.dossierId,
      e.eventId,
      e.actor.id,
      ...(e.type === 'DossierReceived' ? [e.data.applicantId] : []),
      ...(e.type === 'CaseAssigned' || e.type === 'StepCompleted' ? [e.data.officerId] : []),
      ...(e.type === 'SupplementRequested' ? [e.data.reason] : []),
      ...(e.type === 'PaymentRequested' ? [String(e.data.amount)] : []),
    ]);
    expect(personal.length).toBeGreaterThan(10);
    for (const value of new Set(personal)) expect(text).not.toContain(value);
    expect(text).not.toMatch(/SatisfactionRated|rating|officer|applicant/i);
  });

  it('given an open dossier past its due, when tracked with the secret in lower case, then it is processing and overdue', async () => {
    const code = codeOf(d.open);
    const { status, body } = await track(code, trackingSecret(KEY, code).toLowerCase());
    expect(status).toBe(200);
    expect(body).toMatchObject({
      nationalStatus: { code: 4, label: 'Đang xử lý' },
      endedAt: null,
      progress: { classification: 'overdue', label: 'Đang quá hạn' },
    });
  });

  it('given a wrong secret, an unknown code, another applicant’s code or malformed input, then all get the same 404, never a 5xx', async () => {
    const code = codeOf(d.tracked);
    const other = codeOf(d.late);
    const reference = await track(code, trackingSecret(KEY, other));
    expect(reference.status).toBe(404);
    expect(reference.body.code).toBe('PUBLIC_DOSSIER_NOT_FOUND');
    expect(reference.text).not.toContain(code);

    const unknown = '000.00.01.H34-250915-9999';
    const urls = [
      // A valid secret of a code that was never received (only the key holder can make one).
      `/v1/public/dossiers/${unknown}?secret=${trackingSecret(KEY, unknown)}`,
      `/v1/public/dossiers/${unknown}?secret=${trackingSecret(KEY, code)}`,
      `/v1/public/dossiers/${code}?secret=${trackingSecret(`${KEY}-other`, code)}`,
      `/v1/public/dossiers/${code}`,
      `/v1/public/dossiers/${code}?secret=`,
      `/v1/public/dossiers/${code}?secret=${'A'.repeat(10_000)}`,
      `/v1/public/dossiers/${code}?secret=a&secret=b`,
      `/v1/public/dossiers/${code}?secret=${encodeURIComponent('秘密秘密秘密秘密秘密秘密')}`,
      `/v1/public/dossiers/not-a-code?secret=${trackingSecret(KEY, 'not-a-code')}`,
      `/v1/public/dossiers/000.00.01.H34-251345-0001?secret=${trackingSecret(KEY, '000.00.01.H34-251345-0001')}`,
      `/v1/public/dossiers/${'9'.repeat(10_000)}?secret=AAAAAAAAAAAA`,
      `/v1/public/dossiers/${encodeURIComponent('Hồ sơ 💥 ملف 文件 \u202E')}?secret=AAAAAAAAAAAA`,
      `/v1/public/dossiers/${encodeURIComponent('\u0000\u0007')}?secret=${encodeURIComponent('\u0000')}`,
      `/v1/public/dossiers/${encodeURIComponent("' or 1=1 --")}?secret=AAAAAAAAAAAA`,
      '/v1/public/dossiers/a/b/../../c?secret=AAAAAAAAAAAA',
      '/v1/public/dossiers/?secret=AAAAAAAAAAAA',
    ];
    for (const url of urls) {
      const answer = await call(app, url);
      expect({ url: url.slice(0, 80), status: answer.status }).toEqual({
        url: url.slice(0, 80),
        status: 404,
      });
      expect(answer.text).toBe(reference.text);
    }
  });

  it('given the period, then every published unit has exactly the figures of GET /v1/kpi/units, feedback included', async () => {
    const analyst = await token(['analyst']);
    const { status, body } = await call(app, `/v1/public/units?${WEEK}`);
    expect(status).toBe(200);
    const ids = body.units.map((u: { unitId: string }) => u.unitId);
    expect(ids).toContain(AG_ENV);
    expect(ids).toContain(demoUnitIds.justice);
    expect(ids).not.toContain(demoUnitIds.naturalResourcesEnvironment); // merged away: rolled into AG_ENV
    for (const unit of body.units) {
      const kpi = await get(p.current, `/v1/kpi/units/${unit.unitId}?${WEEK}`, analyst);
      expect(kpi.status).toBe(200);
      const { unitId, code, name, kind, feedback: published, ...figures } = unit;
      for (const [field, value] of Object.entries(figures)) {
        expect({ unitId, field, value }).toEqual({ unitId, field, value: kpi.body[field] });
      }
      expect(Object.keys(published)).toEqual(['filed', 'answered', 'onTimeRate', 'satisfactionRate']);
      for (const [field, value] of Object.entries(published)) {
        expect({ unitId, feedback: field, value }).toEqual({
          unitId,
          feedback: field,
          value: kpi.body.feedback[field],
        });
      }
      expect(body.from).toBe(kpi.body.from);
      expect(body.to).toBe(kpi.body.to);
    }
    const agEnv = body.units.find((u: { unitId: string }) => u.unitId === AG_ENV);
    expect(agEnv).toMatchObject({ received: 3, ended: 2, late: 1, dissatisfied: 1 });
    // Only the week's items; the overdue one is judged late and is not satisfied, the disliked one not satisfied.
    expect(agEnv.feedback).toEqual({ filed: 3, answered: 2, onTimeRate: 0.6667, satisfactionRate: 0.3333 });
    const justice = body.units.find((u: { unitId: string }) => u.unitId === demoUnitIds.justice);
    expect(justice.feedback).toEqual({ filed: 1, answered: 1, onTimeRate: 1, satisfactionRate: 1 });

    const one = await call(app, `/v1/public/units/${AG_ENV}?${WEEK}`);
    expect(one.status).toBe(200);
    expect(one.body).toEqual({ ...agEnv, from: body.from, to: body.to, asOf: body.asOf });
  });

  it('given bad periods or an unknown unit, then 400 and 404, never 5xx', async () => {
    const bad = await call(app, '/v1/public/units?from=2025-09-22&to=2025-09-15');
    expect([bad.status, bad.body.code]).toEqual([400, 'COMMON_VALIDATION_FAILED']);
    const instant = await call(app, '/v1/public/units?from=2025-09-15T10:00:00Z');
    expect([instant.status, instant.body.details.issues[0].path]).toEqual([400, 'querystring.from']);
    const unknown = await call(app, '/v1/public/units/no.such-unit');
    expect([unknown.status, unknown.body.code]).toEqual([404, 'CATALOG_UNIT_NOT_FOUND']);
    const long = await call(app, `/v1/public/units/${'x'.repeat(5000)}`);
    expect(long.status).toBeLessThan(500);
  });

  it('given N requests a minute per address, when one more comes, then 429 in the error shape; another address is still served', async () => {
    const limited = await publicApp({ max: 3, timeWindowMs: 60_000 });
    try {
      const url = `/v1/public/dossiers/${codeOf(d.late)}?secret=AAAAAAAAAAAA`;
      for (let i = 0; i < 3; i++) expect((await call(limited, url, {}, '203.0.113.7')).status).toBe(404);
      const refused = await call(limited, '/v1/public/units', {}, '203.0.113.7');
      expect(refused.status).toBe(429);
      expect(refused.body).toMatchObject({ code: 'PUBLIC_RATE_LIMITED', details: { retryAfterSeconds: 60 } });
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect((await call(limited, '/v1/public/units', {}, '198.51.100.9')).status).toBe(200);
      // Signed-in routes are not limited by it.
      const analyst = await token(['analyst']);
      const kpi = await call(
        limited,
        `/v1/kpi/units/${AG_ENV}`,
        { authorization: `Bearer ${analyst}` },
        '203.0.113.7',
      );
      expect(kpi.status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('given a gateway in front, when clients differ only in X-Forwarded-For, then each has its own allowance', async () => {
    const behindGateway = await publicApp({ max: 2, timeWindowMs: 60_000, trustedProxyHops: 1 });
    try {
      const from = (client: string) =>
        call(behindGateway, '/v1/public/units', { 'x-forwarded-for': `10.9.9.9, ${client}` }, '127.0.0.1');
      expect((await from('203.0.113.1')).status).toBe(200);
      expect((await from('203.0.113.1')).status).toBe(200);
      expect((await from('203.0.113.1')).status).toBe(429);
      // A client cannot dodge by forging the first hop: only the gateway's own entry counts.
      expect(
        (await call(behindGateway, '/v1/public/units', { 'x-forwarded-for': '1.2.3.4, 203.0.113.1' })).status,
      ).toBe(429);
      expect((await from('203.0.113.2')).status).toBe(200);
    } finally {
      await behindGateway.close();
    }
  });
});
