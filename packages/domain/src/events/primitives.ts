/**
 * Building blocks shared by every event payload. Instants travel as ISO-8601 strings with an explicit offset
 * (JSON has no date type, and an offset makes the instant unambiguous across the UTC+7 business zone).
 */
import { z } from 'zod';

export const Instant = z.iso.datetime({ offset: true }).describe('ISO-8601 instant with offset');
export type Instant = z.infer<typeof Instant>;

export const Uuid = z.uuid();
export const UuidV7 = z.uuidv7();

/** Unit ids are opaque registry ids (units are effective-dated; events keep the id in force at the time). */
export const UnitId = z.string().min(1).max(64).describe('unit id from the unit registry');

/** Procedure codes look like `1.004227` or `2.000908`. */
export const ProcedureCode = z
  .string()
  .regex(/^\d\.\d{6}$/, 'expected a procedure code like 1.004227')
  .describe('national procedure code');

/** `{receivingUnitCode}-{yyMMdd}-{NNNN}` (DOMAIN.md section 4). */
export const DossierCode = z
  .string()
  .regex(/^[A-Za-z0-9.]+-\d{6}-\d{4}$/, 'expected {receivingUnitCode}-{yyMMdd}-{NNNN}')
  .describe('dossier code assigned at receipt');

/** Free-text reasons are shown on Forms 02–05; they describe the dossier, never the person. */
export const Reason = z.string().trim().min(1).max(2000);

export const Sha256 = z
  .string()
  .regex(/^[0-9a-f]{64}$/, 'expected a lowercase hex SHA-256')
  .describe('SHA-256 of the file content');

/** The document formats the system accepts (sniffed from the content by `@onestop/documents`). */
export const AcceptedMediaType = z.enum(['application/pdf', 'image/jpeg', 'image/png', 'image/tiff']);
export type AcceptedMediaType = z.infer<typeof AcceptedMediaType>;

export const LimitUnit = z.enum(['working_days', 'working_hours', 'calendar_days']);
export type LimitUnit = z.infer<typeof LimitUnit>;
export const Limit = z
  .object({ value: z.number().positive(), unit: LimitUnit })
  .describe('statutory time limit');
export type Limit = z.infer<typeof Limit>;

export const ActorRole = z.enum(['clerk', 'specialist', 'leader', 'analyst', 'admin', 'system']);
export type ActorRole = z.infer<typeof ActorRole>;

/** Who caused an event: an officer id (from the JWT `sub`) or `system` for reactors; never a citizen. */
export const Actor = z.object({
  id: z.string().min(1).max(128),
  role: ActorRole,
  unitId: UnitId.optional(),
});
export type Actor = z.infer<typeof Actor>;

export const Source = z.enum(['intake', 'digitization', 'processing', 'result-return', 'feedback']);
export type Source = z.infer<typeof Source>;

/** National (DVCQG) status codes 1–10, DOMAIN.md section 3. */
export const NATIONAL_STATUS_LABELS = {
  1: 'newly registered',
  2: 'received',
  3: 'not received',
  4: 'processing',
  5: 'supplement requested',
  6: 'financial obligation requested',
  7: 'withdrawn',
  8: 'processing stopped',
  9: 'processed',
  10: 'result returned',
} as const;
export type NationalStatus = keyof typeof NATIONAL_STATUS_LABELS;
export const NationalStatus = z.literal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
