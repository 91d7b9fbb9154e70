/**
 * EAN-13: 13 digits, the last a check digit. Weights alternate 1,3 from the left over the
 * first 12; the check digit brings the weighted sum up to a multiple of 10.
 */
export function isValidEan13(code: string): boolean {
  if (!/^\d{13}$/.test(code)) return false;
  const weighted = [...code.slice(0, 12)].reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return (10 - (weighted % 10)) % 10 === Number(code[12]);
}
