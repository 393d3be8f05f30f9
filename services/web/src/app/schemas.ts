/** What the app reads from the API, parsed (loosely: the services may add fields) before any screen uses it. */
import { z } from 'zod';

export const roles = ['clerk', 'specialist', 'leader', 'analyst', 'admin'] as const;
export type Role = (typeof roles)[number];

export const Unit = z.looseObject({
  id: z.string(),
  code: z.string(),
  name: z.string(),
  kind: z.string(),
  parentId: z.string().nullable(),
  validTo: z.string().nullable(),
  successorId: z.string().nullable(),
});
export type Unit = z.infer<typeof Unit>;
export const UnitList = z.object({ units: z.array(Unit) });

export const Component = z.looseObject({ code: z.string(), name: z.string(), required: z.boolean() });
export const Procedure = z.looseObject({
  code: z.string(),
  name: z.string(),
  field: z.string().optional(),
  limit: z.object({ value: z.number(), unit: z.string() }),
  competentUnitIds: z.array(z.string()),
  components: z.array(Component),
  feeVnd: z.number().optional(),
});
export type Procedure = z.infer<typeof Procedure>;
export const ProcedureList = z.object({ procedures: z.array(Procedure) });

const NamedUnit = z.looseObject({ id: z.string(), code: z.string(), name: z.string() });
export const Receipt = z.looseObject({
  form: z.string(),
  title: z.string(),
  dossierId: z.string(),
  dossierCode: z.string(),
  procedure: z.looseObject({ code: z.string(), name: z.string() }),
  applicant: z.looseObject({ type: z.number(), fullName: z.string().optional() }),
  componentsReceived: z.array(z.object({ code: z.string(), name: z.string() })),
  receivedAt: z.string(),
  dueAt: z.string(),
  receivingUnit: NamedUnit,
  competentUnit: NamedUnit,
  returningUnit: NamedUnit,
  crossBoundary: z.boolean(),
  tracking: z.looseObject({ secret: z.string(), path: z.string() }).optional(),
});
export type Receipt = z.infer<typeof Receipt>;
export const ReceiveResponse = z.looseObject({
  dossierId: z.string(),
  dossierCode: z.string(),
  dueAt: z.string(),
  receipt: Receipt,
});

export const IntakeDossier = z.looseObject({
  dossierId: z.string(),
  dossierCode: z.string().nullable(),
  status: z.number(),
  statusLabel: z.string(),
  procedure: z.looseObject({ code: z.string() }),
  units: z.looseObject({
    receiving: z.string().nullable(),
    competent: z.string().nullable(),
    transferredTo: z.string().nullable(),
  }),
  crossBoundary: z.boolean().nullable(),
  receivedAt: z.string().nullable(),
  dueAt: z.string().nullable(),
  components: z.array(z.object({ code: z.string(), provided: z.boolean(), required: z.boolean() })),
  withdrawal: z.looseObject({ at: z.string() }).nullable(),
});
export type IntakeDossier = z.infer<typeof IntakeDossier>;

export const DigitizedComponent = z.looseObject({
  code: z.string(),
  sha256: z.string(),
  sizeBytes: z.number(),
  mediaType: z.string(),
  digitizedAt: z.string(),
});
export type DigitizedComponent = z.infer<typeof DigitizedComponent>;
export const DigitizationView = z.looseObject({ components: z.array(DigitizedComponent) });

export const ReturnView = z.looseObject({
  dossierId: z.string(),
  nationalStatus: z.number(),
  returningUnitId: z.string(),
  receivedAt: z.string(),
  channel: z.string().optional(),
  returnedAt: z.string().optional(),
  rating: z.number().optional(),
});
export type ReturnView = z.infer<typeof ReturnView>;

const Classification = z.string();
export const CaseView = z.looseObject({
  dossierId: z.string(),
  version: z.number(),
  status: z.number(),
  statusLabel: z.string(),
  procedureCode: z.string(),
  competentUnitId: z.string(),
  receivingUnitId: z.string().nullable(),
  dossierCode: z.string().nullable(),
  openedAt: z.string(),
  statutoryDueAt: z.string(),
  currentStepId: z.string().nullable(),
  assignedOfficerId: z.string().nullable(),
  steps: z.array(
    z.looseObject({
      stepId: z.string(),
      name: z.string(),
      role: z.string(),
      state: z.string(),
      budgetWorkingHours: z.number(),
      usedWorkingHours: z.number(),
      overBudget: z.boolean(),
      officerId: z.string().nullable(),
    }),
  ),
  controlSheet: z.array(
    z.looseObject({
      at: z.string(),
      kind: z.string(),
      stepId: z.string(),
      officerId: z.string(),
      nextOfficerId: z.string().nullable(),
      byOfficerId: z.string(),
    }),
  ),
  consultations: z.array(
    z.looseObject({
      consultationId: z.string(),
      toUnitId: z.string(),
      dueAt: z.string(),
      answeredAt: z.string().nullable(),
    }),
  ),
  supplements: z.array(
    z.looseObject({
      requestNumber: z.number(),
      reason: z.string(),
      requestedAt: z.string(),
      receivedAt: z.string().nullable(),
    }),
  ),
  payments: z.array(
    z.looseObject({ amount: z.number(), requestedAt: z.string(), confirmedAt: z.string().nullable() }),
  ),
  extensions: z.array(
    z.looseObject({ at: z.string(), newDueAt: z.string(), reason: z.string(), issuedLate: z.boolean() }),
  ),
  decision: z.looseObject({ outcome: z.string(), reason: z.string().nullable(), at: z.string() }).nullable(),
  stopped: z.looseObject({ reason: z.string(), at: z.string() }).nullable(),
  clock: z
    .looseObject({
      statutoryDueAt: z.string(),
      appointmentDueAt: z.string(),
      paused: z.boolean(),
      pausedWorkingHours: z.number(),
      elapsedWorkingDays: z.number(),
      classification: z.looseObject({ statutory: Classification, appointment: Classification }),
    })
    .nullable(),
});
export type CaseView = z.infer<typeof CaseView>;

export const Timeline = z.looseObject({
  dossierId: z.string(),
  dossierCode: z.string().nullable(),
  nationalStatus: z.number().nullable(),
  nationalStatusLabel: z.string().nullable(),
  events: z.array(
    z.looseObject({
      eventId: z.string(),
      type: z.string(),
      source: z.string(),
      occurredAt: z.string(),
      actor: z.looseObject({ id: z.string(), role: z.string() }),
      nationalStatus: z.number().nullable(),
      nationalStatusLabel: z.string().nullable(),
    }),
  ),
});
export type Timeline = z.infer<typeof Timeline>;

const rate = z.number().nullable();
export const Kpi = z.looseObject({
  unitId: z.string(),
  units: z.array(z.string()),
  from: z.string(),
  to: z.string(),
  asOf: z.string(),
  received: z.number(),
  ended: z.number(),
  early: z.number(),
  onTime: z.number(),
  late: z.number(),
  open: z.number(),
  inTime: z.number(),
  overdue: z.number(),
  onTimeRate: rate,
  lateWithApology: z.number(),
  lateWithoutApology: z.number(),
  avgElapsedWorkingDays: rate,
  onlineRate: rate,
  digitizationRate: rate,
  componentsDigitizedRate: rate,
  onlinePaymentRate: rate,
  satisfactionRate: rate,
  points: z.record(z.string(), rate),
});
export type Kpi = z.infer<typeof Kpi>;

export const Series = z.looseObject({
  granularity: z.string(),
  points: z.array(
    z.looseObject({
      period: z.string(),
      received: z.number(),
      ended: z.number(),
      late: z.number(),
      onTimeRate: rate,
    }),
  ),
});
export type Series = z.infer<typeof Series>;

export const LateReason = z.looseObject({
  kind: z.string(),
  stepId: z.string().optional(),
  officerId: z.string().optional(),
  budgetWorkingHours: z.number().optional(),
  usedWorkingHours: z.number().optional(),
  requestCount: z.number().optional(),
  byWorkingMs: z.number().optional(),
  pausedWorkingMs: z.number().optional(),
});
export type LateReason = z.infer<typeof LateReason>;
export const DrillItem = z.looseObject({
  dossierId: z.string(),
  dossierCode: z.string(),
  procedureCode: z.string(),
  receivedAt: z.string(),
  statutoryDueAt: z.string(),
  appointmentDueAt: z.string(),
  endedAt: z.string().nullable(),
  nationalStatus: z.number(),
  classification: z.string(),
  elapsedWorkingDays: z.number(),
  lateReasons: z.array(LateReason),
});
export type DrillItem = z.infer<typeof DrillItem>;
export const DrillDown = z.looseObject({ total: z.number(), items: z.array(DrillItem) });

export const TokenResponse = z.object({ token: z.string() });

/** `GET /v1/sign-in`: dev tokens, or the identity provider's bearer token (and where its sign-in page is). */
export const SignInMethod = z.looseObject({
  method: z.enum(['dev', 'identity-provider']),
  signInUrl: z.string().nullable(),
});
export type SignInMethod = z.infer<typeof SignInMethod>;

/** `GET /v1/me`: who the bearer of a token is, as the services read it. */
export const Identity = z.looseObject({
  sub: z.string(),
  // Roles this app does not know (a newer server's) are dropped rather than refusing the sign-in.
  roles: z
    .array(z.string())
    .transform((list) => list.filter((r): r is Role => roles.some((known) => known === r))),
  unitId: z.string().nullable(),
});
export type Identity = z.infer<typeof Identity>;

/** `GET /v1/intake/units/{unitId}/received`: the centre's day, shared by every clerk device. */
export const DeskDossier = z.looseObject({
  dossierId: z.string(),
  dossierCode: z.string(),
  procedureCode: z.string(),
  procedureName: z.string(),
  receivedAt: z.string(),
  status: z.string(),
});
export type DeskDossier = z.infer<typeof DeskDossier>;
export const DeskDay = z.looseObject({ unitId: z.string(), day: z.string(), dossiers: z.array(DeskDossier) });

/** `GET /v1/return/units/{unitId}/waiting`: results at the desk not yet returned. */
export const WaitingResult = z.looseObject({
  dossierId: z.string(),
  dossierCode: z.string().nullable(),
  procedureCode: z.string().nullable(),
  receivedAt: z.string(),
});
export type WaitingResult = z.infer<typeof WaitingResult>;
export const WaitingResults = z.looseObject({ unitId: z.string(), results: z.array(WaitingResult) });

/** `GET /v1/kpi/units`: every competent unit's figures, side by side. */
export const UnitKpiRow = Kpi.omit({ from: true, to: true, asOf: true }).extend({
  code: z.string(),
  name: z.string(),
});
export type UnitKpiRow = z.infer<typeof UnitKpiRow>;
export const UnitsKpi = z.looseObject({ units: z.array(UnitKpiRow) });
