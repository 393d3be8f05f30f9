import { randomUUID } from 'node:crypto';
import { parseDossierEvent } from '@onestop/domain';
import { uuidv7 } from '@onestop/service-kit';
import { describe, expect, it } from 'vitest';
import { deskDossiersTable } from '../desk/table.js';
import { birthRegistration, newKey, units, useIntakeHarness } from '../fixtures/harness.js';

const h = useIntakeHarness();

async function auth(role: Parameters<typeof h.current.token>[0], unitId?: string) {
  return { authorization: `Bearer ${await h.current.token(role, unitId)}` };
}

async function clerk() {
  return auth('clerk', units.nhaTrangCentre);
}

async function receive(): Promise<string> {
  const response = await h.current.app.inject({
    method: 'POST',
    url: '/v1/intake/dossiers',
    headers: { ...(await clerk()), 'idempotency-key': newKey() },
    payload: birthRegistration(),
  });
  expect(response.statusCode).toBe(201);
  return response.json().dossierId;
}

async function command(
  id: string,
  action: 'transfer' | 'withdraw',
  payload: object,
  headers?: Record<string, string>,
) {
  return h.current.app.inject({
    method: 'POST',
    url: `/v1/intake/dossiers/${id}/${action}`,
    headers: headers ?? (await clerk()),
    payload,
  });
}

describe('transfer', () => {
  it('given a received dossier, when the clerk transfers it, then it is processing (4) with its custody chain', async () => {
    const id = await receive();
    const response = await command(id, 'transfer', { toUnitId: units.nhaTrangWard, channel: 'paper' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body).toMatchObject({ status: 4, units: { transferredTo: units.nhaTrangWard }, version: 1 });
    expect(body.custody.map((c: { unitId: string; event: string }) => [c.unitId, c.event])).toEqual([
      [units.nhaTrangCentre, 'received'],
      [units.nhaTrangWard, 'transferred'],
    ]);
    expect(body.custody[1].channel).toBe('paper');
    expect(response.headers.etag).toBe('"1"');
  });

  it('given a transferred dossier, when transferred again, then 409 naming status 4', async () => {
    const id = await receive();
    await command(id, 'transfer', { toUnitId: units.nhaTrangWard, channel: 'electronic' });
    const again = await command(id, 'transfer', { toUnitId: units.nhaTrangWard, channel: 'electronic' });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('DOM_INVALID_TRANSITION');
    expect(again.json().details.currentStatus).toBe(4);
    expect(again.json().message).toContain('status 4');
  });

  it('given a clerk of another centre, then 403; an analyst, then 403', async () => {
    const id = await receive();
    const other = await command(
      id,
      'transfer',
      { toUnitId: units.nhaTrangWard, channel: 'electronic' },
      await auth('clerk', units.camRanhCentre),
    );
    expect(other.statusCode).toBe(403);
    const analyst = await command(
      id,
      'transfer',
      { toUnitId: units.nhaTrangWard, channel: 'electronic' },
      await auth('analyst'),
    );
    expect(analyst.statusCode).toBe(403);
  });

  it('given a bad channel or no toUnitId, then 400 naming the field', async () => {
    const id = await receive();
    const channel = await command(id, 'transfer', { toUnitId: units.nhaTrangWard, channel: 'pigeon' });
    expect(channel.statusCode).toBe(400);
    expect(channel.json().details.issues[0].path).toBe('body.channel');
    const to = await command(id, 'transfer', { channel: 'paper' });
    expect(to.statusCode).toBe(400);
    expect(to.json().details.issues[0].path).toBe('body.toUnitId');
  });

  it('given a destination other than the competent unit, then 422 naming the unit allowed, and nothing is recorded', async () => {
    const id = await receive();
    const response = await command(id, 'transfer', { toUnitId: units.camRanhWard, channel: 'electronic' });
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      code: 'INTAKE_TRANSFER_DESTINATION_INVALID',
      details: {
        toUnitId: units.camRanhWard,
        competentUnitId: units.nhaTrangWard,
        allowed: [units.nhaTrangWard],
      },
    });
    expect((await h.current.store.readStream(`intake-${id}`)).map((e) => e.type)).toEqual([
      'DossierReceived',
    ]);
  });

  it('given an unknown destination unit, then 404 naming it', async () => {
    const id = await receive();
    const response = await command(id, 'transfer', { toUnitId: 'kh.atlantis', channel: 'paper' });
    expect(response.statusCode).toBe(404);
    expect(response.json().message).toContain('kh.atlantis');
  });
});

describe('withdraw', () => {
  it('given a received dossier, when withdrawn, then status 7 with the reason; withdrawn again, then 409 naming status 7', async () => {
    const id = await receive();
    const response = await command(id, 'withdraw', { reason: 'Người nộp rút hồ sơ' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ status: 7, withdrawal: { reason: 'Người nộp rút hồ sơ' } });
    const again = await command(id, 'withdraw', {});
    expect(again.statusCode).toBe(409);
    expect(again.json().details.currentStatus).toBe(7);
    expect(again.json().message).toContain('status 7');
  });

  it('given a transferred dossier, when withdrawn, then status 7', async () => {
    const id = await receive();
    await command(id, 'transfer', { toUnitId: units.nhaTrangWard, channel: 'electronic' });
    const response = await command(id, 'withdraw', {});
    expect(response.json().status).toBe(7);
  });

  it('given a transferred dossier that processing has decided or stopped, when withdrawn, then 409 naming that status; while awaiting a supplement, then 7', async () => {
    const desk = deskDossiersTable(h.current.store);
    await desk.ready();
    /** What intake's consumer does with a processing event about the dossier. */
    const consume = (dossierId: string, type: string, data: unknown) =>
      h.current.store.withTransaction((tx) =>
        desk.apply(
          parseDossierEvent({
            eventId: uuidv7(),
            type,
            schemaVersion: 1,
            dossierId,
            streamId: `processing-${dossierId}`,
            streamVersion: 3,
            occurredAt: h.current.clock.now().toISOString(),
            recordedAt: h.current.clock.now().toISOString(),
            source: 'processing',
            correlationId: 'spec',
            causationId: 'spec',
            actor: { id: 'leader-1', role: 'leader', unitId: units.nhaTrangWard },
            data,
          }),
          tx,
        ),
      );
    const transferred = async () => {
      const id = await receive();
      await command(id, 'transfer', { toUnitId: units.nhaTrangWard, channel: 'electronic' });
      return id;
    };

    const decided = await transferred();
    await consume(decided, 'DossierDecided', { outcome: 'approved' });
    const refused = await command(decided, 'withdraw', {});
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('DOM_INVALID_TRANSITION');
    expect(refused.json().details.currentStatus).toBe(9);

    const stopped = await transferred();
    await consume(stopped, 'ProcessingStopped', { reason: 'Hồ sơ giả mạo' });
    expect((await command(stopped, 'withdraw', {})).json().details.currentStatus).toBe(8);

    const waiting = await transferred();
    await consume(waiting, 'SupplementRequested', { reason: 'Thiếu bản sao CCCD', requestNumber: 1 });
    const withdrawn = await command(waiting, 'withdraw', {});
    expect(withdrawn.statusCode).toBe(200);
    expect(withdrawn.json().status).toBe(7);
  });

  it('given an empty reason, then 400 naming body.reason', async () => {
    const id = await receive();
    const response = await command(id, 'withdraw', { reason: '   ' });
    expect(response.statusCode).toBe(400);
    expect(response.json().details.issues[0].path).toBe('body.reason');
  });

  it('given no token, then 401', async () => {
    const id = await receive();
    const response = await command(id, 'withdraw', {}, {});
    expect(response.statusCode).toBe(401);
  });
});

describe('refusals', () => {
  it('given an out-of-scope dossier, when the clerk refuses it, then a refused dossier (3) with Form 03 data', async () => {
    const response = await h.current.app.inject({
      method: 'POST',
      url: '/v1/intake/refusals',
      headers: await clerk(),
      payload: {
        procedureCode: '1.001193',
        receivingUnitId: units.nhaTrangCentre,
        reason: 'Không đủ điều kiện',
      },
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body).toMatchObject({
      status: 3,
      refusal: { form: '03', reason: 'Không đủ điều kiện', procedure: { code: '1.001193' } },
    });
    const dossier = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/dossiers/${body.dossierId}`,
      headers: await clerk(),
    });
    expect(dossier.json()).toMatchObject({
      status: 3,
      dossierCode: null,
      refusal: { reason: 'Không đủ điều kiện' },
    });
    const transfer = await command(body.dossierId, 'transfer', {
      toUnitId: units.nhaTrangWard,
      channel: 'paper',
    });
    expect(transfer.statusCode).toBe(409);
    expect(transfer.json().details.currentStatus).toBe(3);
  });

  it('given an Idempotency-Key, when the refusal is retried, then the first refusal answers and only one is recorded', async () => {
    const key = newKey();
    const payload = {
      procedureCode: '1.001193',
      receivingUnitId: units.nhaTrangCentre,
      reason: 'Sai thẩm quyền',
    };
    const refuse = async (body: object) =>
      h.current.app.inject({
        method: 'POST',
        url: '/v1/intake/refusals',
        headers: { ...(await clerk()), 'idempotency-key': key },
        payload: body,
      });
    const first = await refuse(payload);
    const retried = await refuse(payload);
    expect(first.statusCode).toBe(201);
    expect(retried.statusCode).toBe(200);
    expect(retried.headers['idempotent-replayed']).toBe('true');
    expect(retried.json()).toEqual(first.json());
    const stream = await h.current.store.readStream(`intake-${first.json().dossierId}`);
    expect(stream.map((e) => e.type)).toEqual(['DossierRefused']);

    const other = await refuse({ ...payload, reason: 'Lý do khác' });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('INTAKE_IDEMPOTENCY_KEY_REUSED');
  });

  it('given no reason, then 400 naming body.reason; another centre’s clerk, then 403', async () => {
    const missing = await h.current.app.inject({
      method: 'POST',
      url: '/v1/intake/refusals',
      headers: await clerk(),
      payload: { procedureCode: '1.001193', receivingUnitId: units.nhaTrangCentre },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().details.issues[0].path).toBe('body.reason');
    const other = await h.current.app.inject({
      method: 'POST',
      url: '/v1/intake/refusals',
      headers: await auth('clerk', units.camRanhCentre),
      payload: { procedureCode: '1.001193', receivingUnitId: units.nhaTrangCentre, reason: 'x' },
    });
    expect(other.statusCode).toBe(403);
  });
});

describe('GET /v1/intake/dossiers/{id}', () => {
  it('given a received dossier, then its state with the ETag', async () => {
    const id = await receive();
    const response = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/dossiers/${id}`,
      headers: await auth('analyst'),
    });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      dossierId: id,
      status: 2,
      statusLabel: 'received',
      procedure: { code: '1.001193', version: '2025.07' },
      channel: 'desk',
      units: {
        receiving: units.nhaTrangCentre,
        competent: units.nhaTrangWard,
        returning: units.nhaTrangCentre,
      },
      limit: { value: 4, unit: 'working_hours' },
      version: 0,
    });
    expect(response.json().components).toHaveLength(3);
    expect(response.headers.etag).toBe('"0"');
  });

  it('given an unknown id, then 404; a malformed id, then 400', async () => {
    const unknown = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/dossiers/${randomUUID()}`,
      headers: await auth('admin'),
    });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().code).toBe('INTAKE_DOSSIER_NOT_FOUND');
    const malformed = await h.current.app.inject({
      method: 'GET',
      url: '/v1/intake/dossiers/not-a-uuid',
      headers: await auth('admin'),
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().details.issues[0].path).toBe('params.id');
  });

  it('given a specialist of another unit, then 403; of the competent unit, then 200', async () => {
    const id = await receive();
    const other = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/dossiers/${id}`,
      headers: await auth('specialist', units.camRanhWard),
    });
    expect(other.statusCode).toBe(403);
    const competent = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/dossiers/${id}`,
      headers: await auth('specialist', units.nhaTrangWard),
    });
    expect(competent.statusCode).toBe(200);
  });
});

describe('receipt (Form 01)', () => {
  it('given a received dossier, then JSON by default and printable HTML with Accept: text/html or .html', async () => {
    const id = await receive();
    const json = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/dossiers/${id}/receipt`,
      headers: await clerk(),
    });
    expect(json.statusCode).toBe(200);
    const receipt = json.json();
    expect(receipt).toMatchObject({ form: '01', dossierId: id, procedure: { name: 'Đăng ký khai sinh' } });

    const html = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/dossiers/${id}/receipt`,
      headers: { ...(await clerk()), accept: 'text/html' },
    });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toContain('text/html');
    for (const text of [
      receipt.dossierCode,
      receipt.dueAtLocal,
      receipt.receivedAtLocal,
      'Thời gian trả kết quả',
      'Nơi nhận kết quả',
    ]) {
      expect(html.body).toContain(text);
    }
    expect(html.body).not.toMatch(/<(script|link)|src=|https?:\/\//);

    const suffixed = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/dossiers/${id}/receipt.html`,
      headers: await clerk(),
    });
    expect(suffixed.headers['content-type']).toContain('text/html');
    expect(suffixed.body).toBe(html.body);
  });

  it('given includeApplicantName, then the desk gets the name and the vault read is logged; an analyst gets 403', async () => {
    const response = await h.current.app.inject({
      method: 'POST',
      url: '/v1/intake/dossiers',
      headers: { ...(await clerk()), 'idempotency-key': newKey() },
      payload: birthRegistration({
        applicant: { type: 1, fullName: 'Lê Văn Tám', idNumber: '056099887766' },
      }),
    });
    const { dossierId, applicantId } = response.json();
    const named = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/dossiers/${dossierId}/receipt?includeApplicantName=true`,
      headers: await clerk(),
    });
    expect(named.json().applicant.fullName).toBe('Lê Văn Tám');
    const log = await h.current.vault.accessLog({ applicantId });
    expect(log[0]).toMatchObject({ action: 'read', purpose: 'reprint receipt (Form 01)', dossierId });
    const analyst = await h.current.app.inject({
      method: 'GET',
      url: `/v1/intake/dossiers/${dossierId}/receipt?includeApplicantName=true`,
      headers: await auth('analyst'),
    });
    expect(analyst.statusCode).toBe(403);
  });
});
