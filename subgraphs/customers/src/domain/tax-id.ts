/**
 * Romanian company tax id (CUI/CIF): optional RO prefix, 2-10 digits, the last one a check
 * digit. The other digits, left-padded to 9, are weighted 7,5,3,2,1,7,5,3,2; the sum times 10
 * mod 11 is the check digit, 10 counting as 0.
 */
const WEIGHTS = [7, 5, 3, 2, 1, 7, 5, 3, 2];

export type TaxIdCheck = { ok: true; normalized: string } | { ok: false; reason: string };

export function checkRomanianCui(input: string): TaxIdCheck {
  const compact = input.replace(/\s+/g, '').toUpperCase();
  const digits = compact.startsWith('RO') ? compact.slice(2) : compact;
  if (!/^\d{2,10}$/.test(digits)) return { ok: false, reason: 'a CUI is 2 to 10 digits, optionally after RO' };
  const body = digits.slice(0, -1).padStart(9, '0');
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * (WEIGHTS[i] ?? 0), 0);
  const check = ((sum * 10) % 11) % 10;
  if (check !== Number(digits.at(-1))) return { ok: false, reason: 'the CUI check digit does not match' };
  return { ok: true, normalized: compact };
}
