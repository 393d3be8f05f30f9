import { z } from 'zod';
import { vnDayKey } from '../lib/format.js';

/**
 * The desk's list of today's dossiers. The API has no "dossiers received at this desk" endpoint (the drill-down is
 * for analysts and deciding units), so the desk keeps what it received on this device, per unit and Vietnam day.
 */
const Entry = z.object({
  dossierId: z.string(),
  dossierCode: z.string(),
  procedureName: z.string(),
  receivedAt: z.string(),
});
export type TodayEntry = z.infer<typeof Entry>;

const keyOf = (unitId: string, day: string) => `onestop.desk.${unitId}.${day}`;

export function todaysDossiers(unitId: string, now = new Date().toISOString()): TodayEntry[] {
  try {
    const raw = localStorage.getItem(keyOf(unitId, vnDayKey(now)));
    const parsed = z.array(Entry).safeParse(raw === null ? [] : JSON.parse(raw));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}

/** Adds a receipt to the list of the day it was received (business time, which the test clock may set). */
export function rememberDossier(unitId: string, entry: TodayEntry): void {
  const day = vnDayKey(entry.receivedAt);
  const list = todaysDossiers(unitId, entry.receivedAt).filter((e) => e.dossierId !== entry.dossierId);
  localStorage.setItem(keyOf(unitId, day), JSON.stringify([entry, ...list]));
}
