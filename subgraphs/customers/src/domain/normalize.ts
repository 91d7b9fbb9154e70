/**
 * Match keys: how customers are found and compared regardless of how a field was typed.
 * They are stored beside the fields (kept in step by the entity) so search, import matching and
 * duplicate detection are index lookups, and computed here in one place.
 */

/** Lower case, no diacritics (ș, ş, ă, î ...), dots and apostrophes dropped (S.R.L. -> srl), other punctuation as spaces. */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[.'’`]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function nameKey(name: string): string {
  return fold(name);
}

/** Lower case, without a `+tag` in the local part: ana+shop@example.ro is ana@example.ro. */
export function emailKey(email: string | null | undefined): string | null {
  const trimmed = email?.trim().toLowerCase();
  if (!trimmed) return null;
  const at = trimmed.lastIndexOf('@');
  if (at < 1) return trimmed;
  const local = trimmed.slice(0, at).replace(/\+.*$/, '');
  return `${local || trimmed.slice(0, at)}${trimmed.slice(at)}`;
}

/**
 * Digits only; an international Romanian number (+40 / 0040) becomes the national form
 * (07..), so "+40 721 000 111" and "0721-000-111" are the same phone. Under 6 digits is no key.
 */
export function phoneKey(phone: string | null | undefined): string | null {
  const digits = phoneDigits(phone ?? '');
  return digits.length >= 6 ? digits : null;
}

function phoneDigits(text: string): string {
  const trimmed = text.trim();
  let digits = trimmed.replace(/\D/g, '');
  const international = trimmed.startsWith('+') || digits.startsWith('00');
  if (digits.startsWith('00')) digits = digits.slice(2);
  if (international && digits.startsWith('40')) digits = `0${digits.slice(2)}`;
  return digits;
}

/** A tax id without its country prefix and spacing: RO18547290 and 18547290 are one company. */
export function taxKey(taxId: string | null | undefined): string | null {
  const compact = taxId?.replace(/[\s.-]/g, '').toUpperCase() ?? '';
  const key = compact.replace(/^RO(?=\d)/, '');
  return key || null;
}

/** The digits a search text could be looking for in a phone number (at least 3 of them). */
export function phoneSearchKey(text: string): string | null {
  if (!/^[+\d\s().-]+$/.test(text.trim())) return null;
  const key = phoneDigits(text);
  return key.length >= 3 ? key : null;
}

/** A search text that looks like a tax id (optional RO, 2-10 digits) as its key. */
export function taxSearchKey(text: string): string | null {
  const compact = text.replace(/\s/g, '').toUpperCase();
  return /^(RO)?\d{2,10}$/.test(compact) ? compact.replace(/^RO/, '') : null;
}

/**
 * Legal forms that say nothing about who a company is ("SC Carpatica SRL" is "Carpatica"):
 * Romanian ones first, then a few that foreign customers carry.
 */
const LEGAL_FORMS = new Set([
  'sc',
  'srl',
  'srld',
  'sa',
  'snc',
  'scs',
  'sca',
  'pfa',
  'ii',
  'if',
  'ra',
  'gmbh',
  'ag',
  'ltd',
  'llc',
  'inc',
  'sarl',
  'sas',
  'bv',
  'nv',
  'spa',
  'kft',
]);

/** The words of a name that identify it: folded, legal forms dropped, sorted (word order does not matter). */
export function nameTokens(name: string): string[] {
  const words = fold(name).split(' ').filter(Boolean);
  const meaningful = words.filter((w) => !LEGAL_FORMS.has(w));
  return (meaningful.length ? meaningful : words).sort();
}
