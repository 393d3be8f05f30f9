/**
 * `POST /v1/digitization/dossiers/{id}/components` and `.../result`: store the scanned file (or take an earlier
 * dossier's document by reference) and record ComponentDigitized / ResultDigitized.
 *
 * Who may digitize: a clerk of the unit that received the dossier, or an admin. This service knows that unit from
 * intake's DossierReceived as its consumer has seen it (`received`); a command for a dossier it does not know yet
 * waits a moment for the receipt (a clerk scans right after receiving), then is 404 DIGI_DOSSIER_NOT_RECEIVED.
 * A reuse reference must name another dossier of the same applicant.
 */
import multipart from '@fastify/multipart';
import {
  ACCEPTED_MEDIA_TYPES,
  canonicalMediaType,
  DocumentTooLarge,
  isAcceptedMediaType,
  sniffMediaType,
} from '@onestop/documents';
import {
  type Actor,
  type DigitizationCommand,
  digitizationDecider,
  streamIdFor,
  ValidationFailed,
} from '@onestop/domain';
import {
  type App,
  type AuthContext,
  errorResponseSchema,
  handleCommand,
  requireRole,
  requireUnit,
} from '@onestop/service-kit';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { DigitizationDeps } from '../app.js';
import type { ReceivedDossier } from '../dossier/received.js';
import {
  type DigitizationView,
  DigitizedComponent,
  DigitizedDocument,
  digitizationView,
  loadDigitizationView,
  reuseReference,
} from '../dossier/view.js';
import {
  DossierNotReceived,
  MediaTypeMismatch,
  ReuseSourceInvalid,
  ReuseSourceNotFound,
  UnsupportedDocumentType,
} from '../errors.js';
import {
  ComponentBody,
  type DigitizeInput,
  inputFromJson,
  inputFromMultipart,
  ResultBody,
  type ReuseInput,
  type UploadInput,
} from './input.js';

/** 20 MiB: a multi-page A4 scan at 300 dpi fits; larger files are usually a wrong setting on the scanner. */
export const DEFAULT_MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

const Params = z.object({ id: z.uuid().describe('dossier id') });

const ComponentResponse = DigitizedComponent.extend({ dossierId: z.uuid(), version: z.int() });
const ResultResponse = DigitizedDocument.extend({ dossierId: z.uuid(), version: z.int() });

/** A minimal PDF, base64: the sniffer recognises it, so the examples below can be sent as they are. */
const pdfBase64 = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
).toString('base64');

/** An uploaded scan, and the same component reused from the applicant's earlier dossier (demo procedure 2.000488). */
const componentExamples: ComponentBody[] = [
  {
    code: 'to-khai-lltp',
    fileName: 'to-khai-lltp.pdf',
    mediaType: 'application/pdf',
    contentBase64: pdfBase64,
  },
  {
    code: 'giay-to-tuy-than',
    reusedFrom: { dossierId: '01994c2a-7b3e-7c41-9a2f-3d5e8b1c4f60', componentCode: 'giay-to-tuy-than' },
  },
];

/** The signed criminal-record certificate issued by the Department of Justice. */
const resultExamples: ResultBody[] = [
  {
    fileName: 'phieu-lltp.pdf',
    mediaType: 'application/pdf',
    contentBase64: pdfBase64,
    signer: 'kh.so-tu-phap',
  },
];

const errors = {
  400: errorResponseSchema,
  401: errorResponseSchema,
  403: errorResponseSchema,
  404: errorResponseSchema,
  413: errorResponseSchema,
  422: errorResponseSchema,
};

type FileFacts = Pick<
  DigitizationCommand,
  'sha256' | 'sizeBytes' | 'mediaType' | 'signer' | 'source' | 'reusedFrom'
>;

function actorOf(auth: AuthContext): Actor {
  const role = auth.roles.includes('clerk') ? 'clerk' : 'admin';
  return { id: auth.sub, role, ...(auth.unitId === undefined ? {} : { unitId: auth.unitId }) };
}

function missingBody() {
  return ValidationFailed('invalid request: body: send JSON or multipart/form-data', {
    details: { issues: [{ path: 'body', message: 'required (JSON or multipart/form-data)' }] },
  });
}

async function uploadedFile(
  input: UploadInput,
  deps: DigitizationDeps,
  maxBytes: number,
): Promise<FileFacts> {
  if (input.bytes.length > maxBytes) throw new DocumentTooLarge(maxBytes);
  const detected = sniffMediaType(input.bytes);
  if (!isAcceptedMediaType(detected)) {
    throw UnsupportedDocumentType(
      `the content is ${detected}; only ${ACCEPTED_MEDIA_TYPES.join(', ')} are accepted`,
      { details: { detected, accepted: ACCEPTED_MEDIA_TYPES } },
    );
  }
  // Refused rather than overridden: a mismatch usually means the wrong file was picked, and the clerk should see it.
  const declared =
    input.declaredMediaType === undefined ? undefined : canonicalMediaType(input.declaredMediaType);
  if (declared !== undefined && declared !== detected) {
    throw MediaTypeMismatch(`declared ${declared} but the content is ${detected}`, {
      details: { declared, detected },
    });
  }
  const stored = await deps.storage.put(input.bytes);
  return {
    sha256: stored.sha256,
    sizeBytes: stored.size,
    mediaType: detected,
    source: 'scanned',
    ...(input.signer === undefined ? {} : { signer: input.signer }),
  };
}

/** The dossier's receipt as this service has seen it, waiting up to `receiptWaitMs` for one just recorded. */
async function receiptOf(deps: DigitizationDeps, dossierId: string): Promise<ReceivedDossier> {
  // Wall-clock time: how long to wait for the consumer, not business time.
  const deadline = Date.now() + (deps.receiptWaitMs ?? 5_000);
  for (;;) {
    const found = await deps.received.find(dossierId);
    if (found !== undefined) return found;
    if (Date.now() >= deadline) {
      throw DossierNotReceived(
        `no receipt of dossier ${dossierId} has reached digitization (it arrives within seconds of the receipt)`,
        { details: { dossierId } },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function reusedFile(
  input: ReuseInput,
  deps: DigitizationDeps,
  target: { dossierId: string; receipt: ReceivedDossier },
): Promise<FileFacts> {
  // Reuse is of a document already on file for the applicant: from another of their dossiers, never from this one
  // (that would count a scan as a reuse) nor from someone else's.
  // A source dossier this service has no receipt of (received before it kept them) is taken on trust.
  const origin = await deps.received.find(input.dossierId);
  const reason =
    input.dossierId === target.dossierId
      ? 'a dossier cannot reuse its own documents'
      : origin !== undefined && origin.applicantId !== target.receipt.applicantId
        ? 'the source dossier is another applicant’s'
        : undefined;
  if (reason !== undefined) {
    throw ReuseSourceInvalid(`cannot reuse from dossier ${input.dossierId}: ${reason}`, {
      details: { dossierId: input.dossierId, reason },
    });
  }
  const view = await loadDigitizationView(deps.store, input.dossierId);
  const source =
    input.componentCode === 'result'
      ? view.result
      : view.components.find((c) => c.code === input.componentCode);
  if (source === null || source === undefined) {
    const what = input.componentCode === 'result' ? 'result' : `component ${input.componentCode}`;
    throw ReuseSourceNotFound(`dossier ${input.dossierId} has no digitized ${what} to reuse`, {
      details: { dossierId: input.dossierId, componentCode: input.componentCode },
    });
  }
  const signer = input.signer ?? source.signer;
  return {
    sha256: source.sha256,
    sizeBytes: source.sizeBytes,
    mediaType: source.mediaType,
    source: 'reused',
    reusedFrom: reuseReference(input.dossierId, input.componentCode),
    ...(signer === undefined ? {} : { signer }),
  };
}

async function digitize(
  request: FastifyRequest,
  deps: DigitizationDeps,
  maxBytes: number,
  dossierId: string,
  input: DigitizeInput,
): Promise<{ view: DigitizationView; created: boolean }> {
  // Before anything is stored: the caller must act for the unit that received the dossier.
  const receipt = await receiptOf(deps, dossierId);
  const actor = actorOf(requireUnit(request, receipt.receivingUnitId));
  const file =
    input.kind === 'upload'
      ? await uploadedFile(input, deps, maxBytes)
      : await reusedFile(input, deps, { dossierId, receipt });
  const base = { now: deps.clock.now(), actor, ...file };
  const command: DigitizationCommand =
    input.code === undefined
      ? { type: 'DigitizeResult', ...base }
      : { type: 'DigitizeComponent', componentCode: input.code, ...base };
  const handled = await handleCommand({
    store: deps.store,
    decider: digitizationDecider,
    dossierId,
    streamId: streamIdFor('digitization', dossierId),
    command,
    ids: deps.ids,
    trace: { correlationId: request.id },
  });
  return { view: digitizationView(dossierId, handled.history), created: handled.appended.length > 0 };
}

const description =
  "Send JSON (the file base64-encoded, or `reusedFrom` to take an earlier dossier's document by reference) or " +
  'multipart/form-data (text fields plus one file part). The media type is sniffed from the content: only PDF, ' +
  'JPEG, PNG and TIFF are accepted (422 DIGI_UNSUPPORTED_MEDIA_TYPE), and a declared type that disagrees is ' +
  'refused (422 DIGI_MEDIA_TYPE_MISMATCH). Over the size limit: 413 HTTP_PAYLOAD_TOO_LARGE. 201 when recorded, ' +
  '200 when the same content was already recorded (a retry). Only a clerk of the unit that received the dossier ' +
  '(or an admin) digitizes it (403 otherwise); a dossier whose receipt has not reached this service within a few ' +
  'seconds is 404 DIGI_DOSSIER_NOT_RECEIVED; `reusedFrom` names another dossier of the same applicant (422 ' +
  'DIGI_REUSE_SOURCE_INVALID otherwise).';

export async function digitizeRoutes(app: App, deps: DigitizationDeps): Promise<void> {
  const maxBytes = deps.maxDocumentBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  await app.register(multipart, {
    limits: { fileSize: maxBytes, files: 1, fields: 8, fieldSize: 4096, parts: 9 },
    throwFileSizeLimit: true,
  });
  // base64 takes 4 bytes per 3, plus room for the other fields; the decoded size is checked again exactly.
  const bodyLimit = Math.ceil(maxBytes / 3) * 4 + 64 * 1024;
  const guard = requireRole('clerk', 'admin');

  app.post(
    '/v1/digitization/dossiers/:id/components',
    {
      bodyLimit,
      onRequest: guard,
      schema: {
        summary: 'Digitize a dossier component',
        description,
        tags: ['digitization'],
        params: Params,
        body: ComponentBody.nullish().meta({ examples: componentExamples }),
        response: { 200: ComponentResponse, 201: ComponentResponse, ...errors },
      },
    },
    async (request, reply) => {
      const input = request.isMultipart()
        ? await inputFromMultipart(request, true)
        : inputFromJson(request.body ?? throwMissingBody());
      const { view, created } = await digitize(request, deps, maxBytes, request.params.id, input);
      const component = view.components.find((c) => c.code === input.code);
      if (component === undefined) throw new Error('the digitized component is missing from its stream');
      return reply
        .status(created ? 201 : 200)
        .header('etag', `"${view.version}"`)
        .send({ dossierId: view.dossierId, version: view.version, ...component });
    },
  );

  app.post(
    '/v1/digitization/dossiers/:id/result',
    {
      bodyLimit,
      onRequest: guard,
      schema: {
        summary: 'Digitize the result document',
        description,
        tags: ['digitization'],
        params: Params,
        body: ResultBody.nullish().meta({ examples: resultExamples }),
        response: { 200: ResultResponse, 201: ResultResponse, ...errors },
      },
    },
    async (request, reply) => {
      const input = request.isMultipart()
        ? await inputFromMultipart(request, false)
        : inputFromJson(request.body ?? throwMissingBody());
      const { view, created } = await digitize(request, deps, maxBytes, request.params.id, input);
      if (view.result === null) throw new Error('the digitized result is missing from its stream');
      return reply
        .status(created ? 201 : 200)
        .header('etag', `"${view.version}"`)
        .send({ dossierId: view.dossierId, version: view.version, ...view.result });
    },
  );
}

function throwMissingBody(): never {
  throw missingBody();
}
