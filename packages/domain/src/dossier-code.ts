/**
 * Dossier codes: `{receivingUnitCode}-{yyMMdd}-{NNNN}` (DOMAIN.md section 4). The date is the reception date in
 * Vietnam time and NNNN a sequence per receiving unit per reception day, from 0001. The code is assigned at receipt
 * and never reused; it says where and when a dossier was received, never who decides it.
 */
import { defineError } from './errors.js';

export const DossierCodeInvalid = defineError<{ code: string; reason: string }>(
  'DOM_DOSSIER_CODE_INVALID',
  'validation',
);
export const DossierCodeInputInvalid = defineError<{ field: 'unitCode' | 'receivedAt'; value: string }>(
  'DOM_DOSSIER_CODE_INPUT_INVALID',
  'validation',
);
export const DossierSequenceOutOfRange = defineError<{ sequence: number; min: number; max: number }>(
  'DOM_DOSSIER_SEQUENCE_OUT_OF_RANGE',
  'validation',
);

/**
 * What a receiving unit code may look like so that it can prefix a dossier code: digits (`56`, `22333`) or a
 * dotted agency e-identifier (`000.00.01.H34`). No `-`, so the code splits back into its parts unambiguously.
 */
const unitCodeSource = '[A-Za-z0-9]+(?:\\.[A-Za-z0-9]+)*';
export const dossierUnitCodePattern = new RegExp(`^${unitCodeSource}$`);

export const MIN_DOSSIER_SEQUENCE = 1;
export const MAX_DOSSIER_SEQUENCE = 9999;

// Vietnam has had no daylight saving time since 1975, so a fixed offset is exact and independent of the
// machine's time zone and of the ICU data Node happens to ship with.
const VIETNAM_OFFSET_MS = 7 * 60 * 60 * 1000;

export interface DossierCodeParts {
  readonly unitCode: string;
  /** Reception date in Vietnam time, `YYYY-MM-DD`. */
  readonly receptionDate: string;
  readonly sequence: number;
}

function pad(value: number, width: number): string {
  return String(value).padStart(width, '0');
}

function checkUnitCode(unitCode: string): void {
  if (!dossierUnitCodePattern.test(unitCode)) {
    throw DossierCodeInputInvalid(
      `receiving unit code ${JSON.stringify(unitCode)} cannot prefix a dossier code`,
      {
        details: { field: 'unitCode', value: unitCode },
      },
    );
  }
}

/** The reception date of `receivedAt` in Vietnam time as `YYYY-MM-DD`. */
export function dossierReceptionDate(receivedAt: Date): string {
  const time = receivedAt.getTime();
  if (Number.isNaN(time)) {
    throw DossierCodeInputInvalid('receivedAt is not a valid instant', {
      details: { field: 'receivedAt', value: String(receivedAt) },
    });
  }
  const local = new Date(time + VIETNAM_OFFSET_MS);
  const year = local.getUTCFullYear();
  // yyMMdd only has two year digits; outside 2000–2099 the code would silently alias another century.
  if (year < 2000 || year > 2099) {
    throw DossierCodeInputInvalid(`reception year ${year} cannot be written as yy`, {
      details: { field: 'receivedAt', value: receivedAt.toISOString() },
    });
  }
  return `${year}-${pad(local.getUTCMonth() + 1, 2)}-${pad(local.getUTCDate(), 2)}`;
}

function yyMMdd(receptionDate: string): string {
  return receptionDate.slice(2).replaceAll('-', '');
}

/**
 * The key under which intake keeps the per-unit-per-day sequence. It is the dossier code without its sequence,
 * so a sequence drawn under this key always yields codes with exactly this prefix.
 */
export function receptionDayKey(unitCode: string, receivedAt: Date): string {
  checkUnitCode(unitCode);
  return `${unitCode}-${yyMMdd(dossierReceptionDate(receivedAt))}`;
}

export function formatDossierCode(input: { unitCode: string; receivedAt: Date; sequence: number }): string {
  const { sequence } = input;
  if (!Number.isInteger(sequence) || sequence < MIN_DOSSIER_SEQUENCE || sequence > MAX_DOSSIER_SEQUENCE) {
    throw DossierSequenceOutOfRange(
      `dossier sequence ${sequence} is outside ${MIN_DOSSIER_SEQUENCE}..${MAX_DOSSIER_SEQUENCE}`,
      { details: { sequence, min: MIN_DOSSIER_SEQUENCE, max: MAX_DOSSIER_SEQUENCE } },
    );
  }
  return `${receptionDayKey(input.unitCode, input.receivedAt)}-${pad(sequence, 4)}`;
}

const dossierCodePattern = new RegExp(`^(${unitCodeSource})-(\\d{2})(\\d{2})(\\d{2})-(\\d{4})$`);

export function parseDossierCode(code: string): DossierCodeParts {
  const invalid = (reason: string) =>
    DossierCodeInvalid(`invalid dossier code ${JSON.stringify(code)}: ${reason}`, {
      details: { code, reason },
    });
  const match = dossierCodePattern.exec(code);
  if (!match) throw invalid('expected {unitCode}-{yyMMdd}-{NNNN}');
  const [, unitCode = '', yy = '', mm = '', dd = '', seq = ''] = match;
  const year = 2000 + Number(yy);
  const month = Number(mm);
  const day = Number(dd);
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCFullYear() !== year || probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) {
    throw invalid(`${yy}${mm}${dd} is not a calendar date`);
  }
  const sequence = Number(seq);
  if (sequence < MIN_DOSSIER_SEQUENCE) throw invalid('sequence starts at 0001');
  return { unitCode, receptionDate: `${year}-${mm}-${dd}`, sequence };
}
