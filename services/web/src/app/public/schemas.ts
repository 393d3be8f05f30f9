/** What the public routes answer (`/v1/public/...`), parsed before use like every other API answer. */
import { z } from 'zod';

export const PublicUnit = z.looseObject({
  unitId: z.string(),
  code: z.string(),
  name: z.string(),
  received: z.number(),
  ended: z.number(),
  late: z.number(),
  overdue: z.number(),
  onTimeRate: z.number().nullable(),
  avgElapsedWorkingDays: z.number().nullable(),
  satisfactionRate: z.number().nullable(),
  feedback: z.looseObject({
    filed: z.number(),
    answered: z.number(),
    onTimeRate: z.number().nullable(),
    satisfactionRate: z.number().nullable(),
  }),
});
export type PublicUnit = z.infer<typeof PublicUnit>;
export const PublicUnits = z.looseObject({ from: z.string(), to: z.string(), units: z.array(PublicUnit) });

export const PublicStep = z.looseObject({
  type: z.string(),
  label: z.string(),
  detail: z.string().nullable(),
  at: z.string(),
  unitName: z.string().nullable(),
  nationalStatus: z.number().nullable(),
});
export type PublicStep = z.infer<typeof PublicStep>;

export const PublicDossier = z.looseObject({
  dossierCode: z.string(),
  procedure: z.looseObject({ code: z.string(), name: z.string() }),
  receivingUnitName: z.string(),
  competentUnitName: z.string(),
  nationalStatus: z.looseObject({ code: z.number(), label: z.string(), labelEn: z.string() }),
  receivedAt: z.string(),
  statutoryDueAt: z.string(),
  appointmentDueAt: z.string(),
  endedAt: z.string().nullable(),
  progress: z.looseObject({ classification: z.string(), label: z.string() }),
  steps: z.array(PublicStep),
});
export type PublicDossier = z.infer<typeof PublicDossier>;
