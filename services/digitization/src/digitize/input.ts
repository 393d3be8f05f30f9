/**
 * What a digitize request carries, from either transport: a JSON body (file as base64, or a reuse reference) or
 * multipart/form-data (fields plus one file part, for large scans without the base64 overhead).
 */
import { ComponentCode, ValidationFailed, zodIssues } from '@onestop/domain';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';

export interface UploadInput {
  readonly kind: 'upload';
  readonly bytes: Buffer;
  /** What the client says the file is; checked against the content, never trusted. */
  readonly declaredMediaType?: string;
  readonly signer?: string;
}

export interface ReuseInput {
  readonly kind: 'reuse';
  readonly dossierId: string;
  readonly componentCode: string;
  readonly signer?: string;
}

export type DigitizeInput = (UploadInput | ReuseInput) & { readonly code?: string };

const Signer = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .describe('subject of the digital signature: a unit or certificate id, not a person');

const ReuseReference = z
  .object({
    dossierId: z.uuid().describe('the earlier dossier'),
    componentCode: ComponentCode.describe("its component's code, or 'result' for its result"),
  })
  .describe('reuse an earlier digitized document by reference instead of uploading it');

const fileFields = {
  fileName: z
    .string()
    .trim()
    .min(1)
    .max(255)
    .describe('original file name; not recorded (names often carry personal data)')
    .optional(),
  mediaType: z.string().min(1).max(255).describe('declared media type; must match the content').optional(),
  contentBase64: z.base64().min(1).describe('the file, base64-encoded').optional(),
  signer: Signer.optional(),
  reusedFrom: ReuseReference.optional(),
};

type FileFields = {
  fileName?: string | undefined;
  mediaType?: string | undefined;
  contentBase64?: string | undefined;
  reusedFrom?: unknown;
};

/** Either an upload (fileName, mediaType, contentBase64) or a reuse reference, never both or neither. */
function uploadOrReuse(body: FileFields, ctx: z.RefinementCtx): void {
  const uploadKeys = (['fileName', 'mediaType', 'contentBase64'] as const).filter(
    (k) => body[k] !== undefined,
  );
  if (body.reusedFrom !== undefined) {
    for (const key of uploadKeys) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'not allowed together with reusedFrom' });
    }
    return;
  }
  for (const key of ['fileName', 'mediaType', 'contentBase64'] as const) {
    if (body[key] === undefined) {
      ctx.addIssue({ code: 'custom', path: [key], message: 'required for an upload (or give reusedFrom)' });
    }
  }
}

export const ComponentBody = z
  .object({ code: ComponentCode.describe('component code from the procedure'), ...fileFields })
  .superRefine(uploadOrReuse)
  .meta({ id: 'DigitizeComponentBody' });
export type ComponentBody = z.infer<typeof ComponentBody>;

export const ResultBody = z.object(fileFields).superRefine(uploadOrReuse).meta({ id: 'DigitizeResultBody' });
export type ResultBody = z.infer<typeof ResultBody>;

/** A JSON body (already validated by the route schema) as a digitize input. */
export function inputFromJson(body: ComponentBody | ResultBody): DigitizeInput {
  const code = 'code' in body ? { code: body.code } : {};
  const signer = body.signer === undefined ? {} : { signer: body.signer };
  if (body.reusedFrom !== undefined) {
    return { kind: 'reuse', ...body.reusedFrom, ...signer, ...code };
  }
  // The route schema's refinement guarantees an upload has content; this is the type's proof of it.
  if (body.contentBase64 === undefined) throw invalidBody([{ path: 'contentBase64', message: 'required' }]);
  return {
    kind: 'upload',
    bytes: Buffer.from(body.contentBase64, 'base64'),
    ...(body.mediaType === undefined ? {} : { declaredMediaType: body.mediaType }),
    ...signer,
    ...code,
  };
}

/** Validation errors shaped like the kit's request-validation errors: paths start with `body.`. */
function invalidBody(issues: ReadonlyArray<{ path: string; message: string }>) {
  const prefixed = issues.map((i) => ({
    path: i.path === '' ? 'body' : `body.${i.path}`,
    message: i.message,
  }));
  const summary = prefixed.map((i) => `${i.path}: ${i.message}`).join('; ');
  return ValidationFailed(`invalid request: ${summary}`, { details: { issues: prefixed } });
}

const MultipartFields = z.object({
  code: ComponentCode.optional(),
  mediaType: z.string().min(1).max(255).optional(),
  signer: Signer.optional(),
});

// Browsers and curl label a file they cannot identify this way: it declares nothing.
const undeclared = 'application/octet-stream';

/**
 * Reads a multipart request: text fields and exactly one file part (any field name). Size limits are enforced
 * by the multipart parser while streaming (413), so an oversized file is never held in memory whole.
 */
export async function inputFromMultipart(
  request: FastifyRequest,
  needsCode: boolean,
): Promise<DigitizeInput> {
  const fields: Record<string, string> = {};
  let file: { bytes: Buffer; mimetype: string } | undefined;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      file = { bytes: await part.toBuffer(), mimetype: part.mimetype };
    } else if (typeof part.value === 'string') {
      fields[part.fieldname] = part.value;
    }
  }
  const parsed = MultipartFields.safeParse(fields);
  const issues = parsed.success ? [] : zodIssues(parsed.error);
  if (needsCode && fields.code === undefined) issues.push({ path: 'code', message: 'required' });
  if (file === undefined) issues.push({ path: 'file', message: 'a file part is required' });
  else if (file.bytes.length === 0) issues.push({ path: 'file', message: 'the file is empty' });
  if (!parsed.success || issues.length > 0 || file === undefined) throw invalidBody(issues);
  const { code, mediaType, signer } = parsed.data;
  const declared = mediaType ?? (file.mimetype === undeclared ? undefined : file.mimetype);
  return {
    kind: 'upload',
    bytes: file.bytes,
    ...(declared === undefined ? {} : { declaredMediaType: declared }),
    ...(signer === undefined ? {} : { signer }),
    ...(needsCode && code !== undefined ? { code } : {}),
  };
}
