/** Lower case without Vietnamese diacritics (đ → d): "Hộ tịch" and "ho tich" compare equal. */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase();
}

/**
 * The area a unit belongs to, as intake judges cross-boundary receipt: a commune or province is its own area;
 * a centre or department belongs to its parent's.
 */
export function areaOf(unit: { id: string; kind: string; parentId: string | null }): string {
  return unit.kind === 'commune' || unit.kind === 'province' ? unit.id : (unit.parentId ?? unit.id);
}
