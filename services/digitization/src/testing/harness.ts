/** Test harness: the digitization app on a real PostgreSQL store and a temporary document directory. */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demoUnitIds } from '@onestop/catalog';
import { filesystemDocumentStorage } from '@onestop/documents';
import { dossierReceivedEvent } from '@onestop/domain/testing';
import { postgresEventStore } from '@onestop/event-store';
import { type App, createTestClock, type Role, signDevToken, uuidv7, uuidv7Ids } from '@onestop/service-kit';
import type { TestSchema } from '@onestop/testing';
import { buildApp } from '../app.js';
import { receivedDossiersTable } from '../dossier/received.js';

export const secret = 'digitization-test-secret-at-least-32-chars';
export const receivingUnit = demoUnitIds.nhaTrangCentre;

let serial = 0;

export interface Harness {
  readonly app: App;
  readonly root: string;
  token(role: Role, unitId?: string): Promise<string>;
  /**
   * A dossier received at `unitId` (default `receivingUnit`) for `applicantId` (default: a new one), as this
   * service's consumer records intake's DossierReceived. Returns its id.
   */
  dossier(options?: { unitId?: string; applicantId?: string; dossierId?: string }): Promise<string>;
  /** Every file under the document root (relative paths), temporary ones included. */
  files(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startHarness(schema: TestSchema, options: { maxDocumentBytes?: number } = {}) {
  const root = await mkdtemp(join(tmpdir(), 'onestop-docs-'));
  const store = postgresEventStore({ connectionString: schema.connectionString, schema: schema.schema });
  await store.ready();
  const received = receivedDossiersTable(store);
  await received.ready();
  const app = await buildApp(
    {
      store,
      // Frozen (a constant wall clock), so recorded times are exact.
      clock: createTestClock(new Date('2026-03-02T02:00:00Z'), () => 0),
      ids: uuidv7Ids,
      storage: filesystemDocumentStorage({ root }),
      received,
      // Short: a test of an unknown dossier need not wait the production default.
      receiptWaitMs: 300,
      ...options,
    },
    { auth: { mode: 'hs256', secret }, logger: false, docs: false },
  );
  const harness: Harness = {
    app,
    root,
    token: (role, unitId) =>
      signDevToken({ sub: `${role}-1`, roles: [role], ...(unitId === undefined ? {} : { unitId }) }, secret),
    dossier: async ({ unitId = receivingUnit, applicantId = randomUUID(), dossierId = uuidv7() } = {}) => {
      serial += 1;
      const event = dossierReceivedEvent({
        eventId: uuidv7(),
        dossierId,
        data: {
          dossierCode: `000.22333.H34-260302-${String(serial).padStart(4, '0')}`,
          receivingUnitId: unitId,
          competentUnitId: demoUnitIds.justice,
          applicantId,
        },
      });
      await store.withTransaction((tx) => received.apply(event, tx));
      return dossierId;
    },
    files: async () => {
      const entries = await readdir(root, { recursive: true, withFileTypes: true });
      return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1));
    },
    close: async () => {
      await app.close();
      await store.close();
      await rm(root, { recursive: true, force: true });
    },
  };
  return harness;
}

/** A minimal PDF: what matters to the service is the `%PDF-` magic and distinct content per call. */
export function pdf(label = randomBytes(8).toString('hex')): Buffer {
  return Buffer.from(`%PDF-1.7\n% ${label}\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n`);
}

export function png(label = randomBytes(8).toString('hex')): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(label)]);
}

/** A multipart/form-data body as a browser would send it. */
export function multipart(
  fields: Readonly<Record<string, string>>,
  file?: {
    readonly name?: string;
    readonly fileName: string;
    readonly contentType: string;
    readonly bytes: Buffer;
  },
): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----onestop${randomBytes(8).toString('hex')}`;
  const parts: Buffer[] = [];
  for (const [name, value] of Object.entries(fields)) {
    parts.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`),
    );
  }
  if (file !== undefined) {
    parts.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${file.name ?? 'file'}"; filename="${file.fileName}"\r\n` +
          `Content-Type: ${file.contentType}\r\n\r\n`,
      ),
      file.bytes,
      Buffer.from('\r\n'),
    );
  }
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(parts),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}
