/**
 * Form 01 (Giấy tiếp nhận hồ sơ và hẹn trả kết quả): the receipt handed to the applicant, as data (JSON) and as
 * a self-contained printable HTML page (inline styles, no external assets).
 */
import type { Catalog, Procedure } from '@onestop/catalog';
import { trackingPath, trackingSecret } from '@onestop/domain';
import { z } from 'zod';
import type { DossierView } from '../dossier/view.js';

const UnitRef = z.object({ id: z.string(), code: z.string(), name: z.string() });

export const Receipt = z
  .object({
    form: z.literal('01'),
    title: z.string(),
    dossierId: z.uuid(),
    dossierCode: z.string(),
    procedure: z.object({ code: z.string(), name: z.string(), version: z.string() }),
    applicant: z.object({
      type: z.literal([1, 2, 3, 4]),
      /** Shown only where the caller already holds it (the receipt response) or read it from the vault. */
      fullName: z.string().optional(),
    }),
    componentsReceived: z.array(z.object({ code: z.string(), name: z.string() })),
    receivedAt: z.string().describe('ISO-8601 instant'),
    receivedAtLocal: z.string().describe('dd/MM/yyyy HH:mm, Vietnam time'),
    dueAt: z.string().describe('ISO-8601 instant: the statutory due'),
    dueAtLocal: z.string().describe('dd/MM/yyyy HH:mm, Vietnam time'),
    receivingUnit: UnitRef,
    competentUnit: UnitRef,
    /** Where to collect the result. */
    returningUnit: UnitRef,
    crossBoundary: z.boolean(),
    /** Present when the service has a tracking key (`ONESTOP_TRACKING_KEY`); nothing personal. */
    tracking: z
      .object({
        secret: z.string().describe('12 characters: with the dossier code, opens the public tracking page'),
        path: z
          .string()
          .describe('`/tracking?code=…&secret=…` on the public site (what the QR code encodes)'),
      })
      .optional(),
  })
  .meta({ id: 'Receipt' });
export type Receipt = z.infer<typeof Receipt>;

const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

/** `dd/MM/yyyy HH:mm` in Vietnam time (UTC+7, no daylight saving). */
export function formatVietnamTime(instant: Date): string {
  const local = new Date(instant.getTime() + VIETNAM_OFFSET_MS);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(local.getUTCDate())}/${p(local.getUTCMonth() + 1)}/${local.getUTCFullYear()} ${p(local.getUTCHours())}:${p(local.getUTCMinutes())}`;
}

function unitRef(catalog: Catalog, id: string, at: Date) {
  let unit: { id: string; code: string; name: string };
  try {
    unit = catalog.unitAt(id, at);
  } catch {
    // A unit that has since ended is still shown, under its latest name.
    unit = catalog.unit(id);
  }
  return { id: unit.id, code: unit.code, name: unit.name };
}

function procedureOf(catalog: Catalog, code: string, version: string | undefined, at: Date): Procedure {
  return catalog.procedureVersions(code).find((p) => p.version === version) ?? catalog.procedure(code, at);
}

export interface ReceiptOptions {
  /** Printed only where the caller already holds it (the receipt response) or read it from the vault. */
  readonly applicantName?: string | undefined;
  /** The key of the tracking secret; without it the receipt has no tracking secret. */
  readonly trackingKey?: string | undefined;
}

/** The receipt of a received dossier; undefined for a dossier that was never received (refused, registered). */
export function buildReceipt(
  catalog: Catalog,
  view: DossierView,
  options: ReceiptOptions = {},
): Receipt | undefined {
  const { applicantName, trackingKey } = options;
  const { dossierCode, receivedAt, statutoryDueAt, receivingUnitId, competentUnitId, applicantType } = view;
  if (
    dossierCode === undefined ||
    receivedAt === undefined ||
    statutoryDueAt === undefined ||
    receivingUnitId === undefined ||
    competentUnitId === undefined ||
    applicantType === undefined
  ) {
    return undefined;
  }
  const at = new Date(receivedAt);
  const procedure = procedureOf(catalog, view.procedureCode, view.procedureVersion, at);
  const names = new Map(procedure.components.map((c) => [c.code, c.name]));
  return {
    form: '01',
    title: 'Giấy tiếp nhận hồ sơ và hẹn trả kết quả',
    dossierId: view.dossierId,
    dossierCode,
    procedure: { code: procedure.code, name: procedure.name, version: procedure.version },
    applicant: {
      type: applicantType,
      ...(applicantName === undefined ? {} : { fullName: applicantName }),
    },
    componentsReceived: view.components
      .filter((c) => c.provided)
      .map((c) => ({ code: c.code, name: names.get(c.code) ?? c.code })),
    receivedAt: at.toISOString(),
    receivedAtLocal: formatVietnamTime(at),
    dueAt: new Date(statutoryDueAt).toISOString(),
    dueAtLocal: formatVietnamTime(new Date(statutoryDueAt)),
    receivingUnit: unitRef(catalog, receivingUnitId, at),
    competentUnit: unitRef(catalog, competentUnitId, at),
    returningUnit: unitRef(catalog, view.returningUnitId ?? receivingUnitId, at),
    crossBoundary: view.crossBoundary ?? false,
    ...(trackingKey === undefined ? {} : { tracking: trackingOf(trackingKey, dossierCode) }),
  };
}

function trackingOf(key: string, dossierCode: string) {
  const secret = trackingSecret(key, dossierCode);
  return { secret, path: trackingPath(dossierCode, secret) };
}

const entities: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => entities[c] ?? c);
}

const applicantTypes: Readonly<Record<1 | 2 | 3 | 4, string>> = {
  1: 'Công dân',
  2: 'Doanh nghiệp',
  3: 'Cơ quan, tổ chức',
  4: 'Khác',
};

/** The printable Form 01. Every value is escaped: names and reasons come from people. */
export function renderReceiptHtml(receipt: Receipt): string {
  const e = escapeHtml;
  const row = (label: string, value: string) => `<tr><th>${e(label)}</th><td>${value}</td></tr>`;
  const components = receipt.componentsReceived
    .map((c, i) => `<li>${i + 1}. ${e(c.name)} <span class="code">(${e(c.code)})</span></li>`)
    .join('');
  const applicant =
    receipt.applicant.fullName === undefined
      ? e(applicantTypes[receipt.applicant.type])
      : `${e(receipt.applicant.fullName)} (${e(applicantTypes[receipt.applicant.type])})`;
  return `<!doctype html>
<html lang="vi">
<head>
<meta charset="utf-8">
<title>${e(receipt.title)} — ${e(receipt.dossierCode)}</title>
<style>
body { font-family: "Times New Roman", serif; max-width: 800px; margin: 2em auto; color: #000; }
.header { display: flex; justify-content: space-between; text-align: center; }
h1 { text-align: center; font-size: 1.3em; margin: 1.5em 0 0.2em; }
.form { text-align: right; font-style: italic; }
table { width: 100%; border-collapse: collapse; margin-top: 1em; }
th, td { text-align: left; vertical-align: top; padding: 0.4em; border-bottom: 1px solid #ccc; }
th { width: 35%; }
ul { list-style: none; padding: 0; margin: 0; }
.code { color: #555; font-size: 0.9em; }
@media print { body { margin: 0; } }
</style>
</head>
<body>
<p class="form">Mẫu số 01</p>
<div class="header">
<div><strong>${e(receipt.receivingUnit.name)}</strong></div>
<div><strong>CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM</strong><br>Độc lập - Tự do - Hạnh phúc</div>
</div>
<h1>${e(receipt.title.toUpperCase())}</h1>
<p style="text-align:center">Mã hồ sơ: <strong>${e(receipt.dossierCode)}</strong></p>
<table>
${row('Thủ tục hành chính', `${e(receipt.procedure.name)} <span class="code">(${e(receipt.procedure.code)})</span>`)}
${row('Người nộp hồ sơ', applicant)}
${row('Thành phần hồ sơ đã nhận', `<ul>${components}</ul>`)}
${row('Thời gian nhận hồ sơ', e(receipt.receivedAtLocal))}
${row('Thời gian trả kết quả', e(receipt.dueAtLocal))}
${row('Cơ quan giải quyết', e(receipt.competentUnit.name))}
${row('Nơi nhận kết quả', e(receipt.returningUnit.name))}
${receipt.crossBoundary ? row('Hình thức tiếp nhận', 'Tiếp nhận không phụ thuộc địa giới hành chính') : ''}
${receipt.tracking === undefined ? '' : row('Mã tra cứu hồ sơ', `<strong class="secret">${e(receipt.tracking.secret)}</strong><br><span class="code">Tra cứu tiến độ tại trang công khai: ${e(receipt.tracking.path)}</span>`)}
</table>
<p><em>Mọi thắc mắc xin liên hệ bộ phận một cửa nơi nhận hồ sơ.</em></p>
<p style="text-align:right"><strong>NGƯỜI TIẾP NHẬN HỒ SƠ</strong><br><em>(Ký và ghi rõ họ tên)</em></p>
</body>
</html>
`;
}
