/** A small HTTP client for the runner's specs: real requests with `fetch`, tokens signed for the demo units. */
import { randomBytes } from 'node:crypto';
import { demoUnitIds } from '@onestop/catalog';
import { ReceiveResponse } from '@onestop/intake';
import { type Role, signDevToken } from '@onestop/service-kit';
import type { EmbeddedSystem } from '../embedded.js';

export interface Reply {
  readonly status: number;
  readonly headers: Headers;
  /** The parsed JSON body (`undefined` when the body is empty or not JSON). */
  readonly body: unknown;
}

export interface Client {
  readonly baseUrl: string;
  token(role: Role, unitId?: string, sub?: string): Promise<string>;
  get(path: string, token?: string): Promise<Reply>;
  post(path: string, body: unknown, token?: string, headers?: Record<string, string>): Promise<Reply>;
}

export function client(baseUrl: string, jwtSecret: string): Client {
  const send = async (
    method: string,
    path: string,
    init: { body?: unknown; token?: string; headers?: Record<string, string> },
  ) => {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token !== undefined) headers.authorization = `Bearer ${init.token}`;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, {
      method,
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const text = await response.text();
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      body = undefined;
    }
    return { status: response.status, headers: response.headers, body };
  };
  return {
    baseUrl,
    token: (role, unitId, sub) =>
      signDevToken(
        {
          sub: sub ?? `${role}@${unitId ?? 'all'}`,
          roles: [role],
          ...(unitId === undefined ? {} : { unitId }),
        },
        jwtSecret,
      ),
    get: (path, token) => send('GET', path, token === undefined ? {} : { token }),
    post: (path, body, token, headers) =>
      send('POST', path, {
        body,
        ...(token === undefined ? {} : { token }),
        ...(headers === undefined ? {} : { headers }),
      }),
  };
}

/** Polls `probe` until it returns a value (not `undefined`), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A tiny but well-formed PDF: the digitization service sniffs `%PDF-` and refuses anything else as a PDF. */
export function tinyPdf(label: string): Buffer {
  return Buffer.from(
    `%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n` +
      `% ${label}\ntrailer<</Root 1 0 R>>\n%%EOF\n`,
    'latin1',
  );
}

export function idempotencyKey(): string {
  return `key-${randomBytes(8).toString('hex')}`;
}

/** Cấp Phiếu lý lịch tư pháp (10 working days), received at a ward centre for the provincial Justice department. */
export const CRIMINAL_RECORD = '2.000488';

/** A complete receipt of a criminal-record request at `receivingUnitId`, for applicant number `n`. */
export function criminalRecordReceipt(receivingUnitId: string, competentUnitId: string, n: number) {
  return {
    procedureCode: CRIMINAL_RECORD,
    channel: 'desk',
    receivingUnitId,
    competentUnitId,
    applicant: { type: 1, fullName: `Nguyễn Văn ${n}`, idNumber: `0561${String(n).padStart(8, '0')}` },
    components: [
      { code: 'to-khai-lltp', provided: true },
      { code: 'giay-to-tuy-than', provided: true },
    ],
  };
}

/**
 * Receives criminal-record request `n` at the Nha Trang ward centre for the Justice department, through the
 * system's own routes (no server needed) as a clerk of the centre: the receipt, parsed.
 */
export async function receiveCriminalRecord(
  system: Pick<EmbeddedSystem, 'app' | 'jwtSecret'>,
  idempotencyKey: string,
  n: number,
) {
  const centre = demoUnitIds.nhaTrangCentre;
  const clerk = await signDevToken({ sub: 'c1', roles: ['clerk'], unitId: centre }, system.jwtSecret);
  const received = await system.app.inject({
    method: 'POST',
    url: '/v1/intake/dossiers',
    headers: { authorization: `Bearer ${clerk}`, 'idempotency-key': idempotencyKey },
    payload: criminalRecordReceipt(centre, demoUnitIds.justice, n),
  });
  if (received.statusCode !== 201) {
    throw new Error(`receiving dossier ${n} answered ${received.statusCode}: ${received.body}`);
  }
  return ReceiveResponse.parse(received.json());
}
