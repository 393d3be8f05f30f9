/**
 * Dates for people in Vietnam: `dd/MM/yyyy HH:mm` in Asia/Ho_Chi_Minh, whatever the browser's time zone. Vietnam
 * has had no daylight saving since 1975, so a fixed +07:00 offset is exact and needs no time-zone database.
 */
const VN_OFFSET_MS = 7 * 3_600_000;

const pad = (n: number) => String(n).padStart(2, '0');

function vnParts(iso: string): Date | undefined {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? undefined : new Date(ms + VN_OFFSET_MS);
}

/** `09/03/2026 09:00` for `2026-03-09T02:00:00Z`; an em dash for no date. */
export function formatDateTime(iso: string | null | undefined): string {
  const d = iso ? vnParts(iso) : undefined;
  if (d === undefined) return '—';
  return `${formatDate(iso)} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

/** `09/03/2026` (the Vietnam calendar date of the instant). */
export function formatDate(iso: string | null | undefined): string {
  const d = iso ? vnParts(iso) : undefined;
  if (d === undefined) return '—';
  return `${pad(d.getUTCDate())}/${pad(d.getUTCMonth() + 1)}/${d.getUTCFullYear()}`;
}

/** The Vietnam calendar day of an instant as `yyyy-MM-dd`. */
export function vnDayKey(iso: string): string {
  const d = vnParts(iso);
  return d === undefined ? '' : d.toISOString().slice(0, 10);
}

/** A `datetime-local` value (`yyyy-MM-ddTHH:mm`, read as Vietnam time) → ISO-8601 with +07:00. */
export function localInputToIso(value: string): string | undefined {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(value) ? `${value}:00+07:00` : undefined;
}

/** An instant → the `datetime-local` value showing it in Vietnam time. */
export function isoToLocalInput(iso: string): string {
  const d = vnParts(iso);
  return d === undefined ? '' : d.toISOString().slice(0, 16);
}

/** `87,5 %` in Vietnamese, `87.5%` in English; an em dash when there is no denominator. */
export function formatRate(rate: number | null | undefined, lang: 'vi' | 'en'): string {
  if (rate === null || rate === undefined) return '—';
  const value = (rate * 100).toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: 1 });
  return lang === 'vi' ? `${value} %` : `${value}%`;
}

export function formatNumber(value: number | null | undefined, lang: 'vi' | 'en', digits = 2): string {
  if (value === null || value === undefined) return '—';
  return value.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', { maximumFractionDigits: digits });
}
