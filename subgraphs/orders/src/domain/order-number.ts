/** Human order numbers: a per-store prefix and a gap-free counter, e.g. B-000042. */
export function formatOrderNumber(prefix: string, sequence: number): string {
  return `${prefix}-${String(sequence).padStart(6, '0')}`;
}

/**
 * A default prefix from a store's name: the initial of its last word that is a word rather
 * than a code (so "Demo Cluj B2B" gives C), accents folded. Stores can change it later.
 */
export function defaultOrderNumberPrefix(storeName: string): string {
  const words = storeName
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .split(/\s+/)
    .filter((w) => /[a-z]/.test(w));
  const initial = words.at(-1)?.[0]?.toUpperCase() ?? 'S';
  return /^[A-Z0-9]$/.test(initial) ? initial : 'S';
}
