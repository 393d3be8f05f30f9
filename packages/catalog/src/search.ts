/**
 * Accent-insensitive matching for Vietnamese: "ho tich" finds "Hộ tịch". NFD splits most letters into a base
 * letter and combining marks, which are dropped; đ/Đ is a letter of its own (no decomposition), so it is mapped
 * to d explicitly.
 */
export function foldVietnamese(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replaceAll('đ', 'd')
    .replace(/\s+/g, ' ')
    .trim();
}

/** True when every word of `query` occurs in `haystack`, ignoring case and diacritics. An empty query matches. */
export function matchesQuery(haystack: string, query: string): boolean {
  const folded = foldVietnamese(haystack);
  return foldVietnamese(query)
    .split(' ')
    .filter((word) => word !== '')
    .every((word) => folded.includes(word));
}
