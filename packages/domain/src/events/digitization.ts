/** Payloads of the digitization service (stream `digitization-{dossierId}`). */
import { z } from 'zod';
import { ComponentCode } from './intake.js';
import { Sha256 } from './primitives.js';

/**
 * `scanned`: digitized from paper at the desk; `reused`: taken over from an earlier dossier's digitized data;
 * `national_store`: fetched from a national database. The last two count for the reuse rate (KPI 4.3).
 */
export const DigitizationSource = z.enum(['scanned', 'reused', 'national_store']);
export type DigitizationSource = z.infer<typeof DigitizationSource>;

/**
 * Reuse is by reference, never by copying content into the event: `digitization-{dossierId}/{componentCode}`
 * for an earlier dossier's component, or the national store's document reference.
 */
export const ReusedFrom = z.string().min(1).max(256).describe('reference to the reused digitized document');

const digitizedFile = {
  sha256: Sha256,
  sizeBytes: z.int().positive(),
  mediaType: z.string().regex(/^[\w.+-]+\/[\w.+-]+$/, 'expected a media type like application/pdf'),
  /** Subject of the digital signature when the file is signed: a unit or certificate id, not a person's name. */
  signer: z.string().min(1).max(256).optional(),
  source: DigitizationSource,
  reusedFrom: ReusedFrom.optional(),
};

export const ComponentDigitizedData = z.object({ componentCode: ComponentCode, ...digitizedFile });
export const ResultDigitizedData = z.object(digitizedFile);
