/** Checks the till makes before asking the server (which checks again). */

/** EAN-13: 12 digits and a check digit (weights 1, 3 alternating from the left). */
export function isEan13(code: string): boolean {
  if (!/^\d{13}$/.test(code)) return false;
  const sum = [...code.slice(0, 12)].reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return (10 - (sum % 10)) % 10 === Number(code[12]);
}

/**
 * Romanian CUI/CIF: an optional RO, 2-10 digits, the last a check digit: the others left-padded
 * to 9, times 7,5,3,2,1,7,5,3,2, summed, x10, mod 11, 10 -> 0.
 */
export function isRomanianCui(taxId: string): boolean {
  const match = /^(?:RO)?\s*(\d{2,10})$/i.exec(taxId.trim());
  if (!match) return false;
  const digits = match[1]!;
  const body = digits.slice(0, -1).padStart(9, '0');
  const weights = [7, 5, 3, 2, 1, 7, 5, 3, 2];
  const sum = [...body].reduce((acc, d, i) => acc + Number(d) * weights[i]!, 0);
  return ((sum * 10) % 11) % 10 === Number(digits.at(-1));
}
