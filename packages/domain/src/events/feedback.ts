/**
 * Payloads of the feedback service (PAKN, phản ánh kiến nghị; stream `feedback-{feedbackId}`). Several items may
 * concern one dossier, so the stream is per item and every payload names it; the envelope's `dossierId` (the
 * Kafka key) is the dossier's id when the item is about a dossier, else the item's own id.
 *
 * No personal data: the filer appears as a pseudonymous `filerId`; what the citizen wrote (it may name people)
 * and how to reach them stay in the service's private store. Answers and reasons are the agency's own text and,
 * like the reasons on Forms 02–05, describe the matter, never the person.
 */
import { z } from 'zod';
import {
  AcceptedMediaType,
  DossierCode,
  Instant,
  ProcedureCode,
  Reason,
  Sha256,
  UnitId,
  Uuid,
} from './primitives.js';

/** The working days each stage may take (KPI 5.2, Decision 766). */
export const FEEDBACK_TIME_LIMITS = {
  /** Accept or refuse, from filing. */
  decision: 2,
  /** Ask the filer for more information, from filing. */
  infoRequest: 5,
  /** Answer, from acceptance. */
  answer: 15,
  /** Publish the answer, from the answer. */
  publication: 2,
} as const;

export const FeedbackChannel = z.enum(['online', 'phone', 'desk']);
export type FeedbackChannel = z.infer<typeof FeedbackChannel>;

/** Phản ánh (a report about how a procedure was handled) or kiến nghị (a recommendation). */
export const FeedbackCategory = z.enum(['report', 'recommendation']);
export type FeedbackCategory = z.infer<typeof FeedbackCategory>;

/** What the feedback is about; the responsible unit follows from it. */
export const FeedbackSubject = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dossier'), dossierId: Uuid, dossierCode: DossierCode }),
  z.object({ kind: z.literal('unit'), unitId: UnitId }),
  z.object({ kind: z.literal('procedure'), procedureCode: ProcedureCode }),
]);
export type FeedbackSubject = z.infer<typeof FeedbackSubject>;

/**
 * Evidence the filer attached (a photo, a scan): the file itself is in the service's document storage, found by
 * its SHA-256; its name is not recorded (names often carry personal data).
 */
export const FeedbackAttachment = z.object({
  sha256: Sha256,
  sizeBytes: z.int().positive(),
  mediaType: AcceptedMediaType.describe('sniffed from the content'),
});
export type FeedbackAttachment = z.infer<typeof FeedbackAttachment>;

/** How many files one filing may carry. */
export const MAX_FEEDBACK_ATTACHMENTS = 5;

export const FeedbackRating = z.enum(['satisfied', 'dissatisfied']);
export type FeedbackRating = z.infer<typeof FeedbackRating>;

/** Every stage with a time limit records its due and whether it was met, so lateness needs no recomputation. */
const Deadline = {
  dueAt: Instant.describe('the statutory due of this stage (working days, VN civil-service calendar)'),
  late: z.boolean().describe('true when the stage happened after dueAt'),
};

const FeedbackId = { feedbackId: Uuid.describe('the feedback item (its stream is feedback-{feedbackId})') };

export const FeedbackFiledData = z.object({
  ...FeedbackId,
  subject: FeedbackSubject,
  responsibleUnitId: UnitId,
  channel: FeedbackChannel,
  category: FeedbackCategory,
  /** Pseudonymous; never a name, a phone number or an ID number. */
  filerId: Uuid,
  /** Absent when nothing was attached (and in events recorded before attachments were taken). */
  attachments: z.array(FeedbackAttachment).min(1).max(MAX_FEEDBACK_ATTACHMENTS).optional(),
  /** When the accept-or-refuse decision is due (2 working days). */
  decisionDueAt: Instant,
  calendarVersion: z.string().min(1).max(32),
});
export const FeedbackAcceptedData = z.object({ ...FeedbackId, ...Deadline });
export const FeedbackRefusedData = z.object({ ...FeedbackId, reason: Reason, ...Deadline });
export const FeedbackInfoRequestedData = z.object({ ...FeedbackId, reason: Reason, ...Deadline });
export const FeedbackAnsweredData = z.object({
  ...FeedbackId,
  answer: z.string().trim().min(1).max(8000),
  ...Deadline,
});
export const FeedbackPublishedData = z.object({ ...FeedbackId, ...Deadline });
export const FeedbackRatedData = z.object({ ...FeedbackId, rating: FeedbackRating });
/** The filer is not content with the answer (KPI 5.3 counts it); what they wrote stays in the private store. */
export const FeedbackFollowedUpData = z.object({ ...FeedbackId });
