/**
 * The little decimal arithmetic a ticket needs (sums, rounding, comparing rates), exact, on
 * BigInt: amounts arrive as decimal strings and no float ever touches them.
 */

export interface Dec {
  /** the value times 10^scale */
  units: bigint;
  scale: number;
}

const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?$/;

export function parseDecimal(text: string): Dec {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new Error(`not a decimal: ${JSON.stringify(text)}`);
  const fraction = m[3] ?? '';
  const units = BigInt(m[2]! + fraction);
  return { units: m[1] ? -units : units, scale: fraction.length };
}

const pow10 = (n: number): bigint => 10n ** BigInt(n);

function rescale(d: Dec, scale: number): bigint {
  return scale >= d.scale ? d.units * pow10(scale - d.scale) : d.units / pow10(d.scale - scale);
}

/** Half-up (away from zero on .5), the rounding the server uses for money. */
export function round(d: Dec, scale: number): Dec {
  if (scale >= d.scale) return { units: rescale(d, scale), scale };
  const divisor = pow10(d.scale - scale);
  const negative = d.units < 0n;
  const abs = negative ? -d.units : d.units;
  const rounded = (abs + divisor / 2n) / divisor;
  return { units: negative ? -rounded : rounded, scale };
}

export function subtract(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) - rescale(b, scale), scale };
}

export function add(a: Dec, b: Dec): Dec {
  const scale = Math.max(a.scale, b.scale);
  return { units: rescale(a, scale) + rescale(b, scale), scale };
}

export function format(d: Dec): string {
  const negative = d.units < 0n;
  const digits = (negative ? -d.units : d.units).toString().padStart(d.scale + 1, '0');
  const whole = d.scale ? digits.slice(0, -d.scale) : digits;
  const fraction = d.scale ? `.${digits.slice(-d.scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}

/** An amount as printed: two decimals. */
export const formatAmount = (amount: string): string => format(round(parseDecimal(amount), 2));

/** A quantity as printed: no trailing zeros (1, 0.25, 1.5). */
export function formatQuantity(quantity: string): string {
  const text = format(parseDecimal(quantity));
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

export function sumAmounts(amounts: readonly string[]): string {
  return format(round(amounts.map(parseDecimal).reduce(add, { units: 0n, scale: 0 }), 2));
}

export function compare(a: string, b: string): number {
  const diff = subtract(parseDecimal(a), parseDecimal(b)).units;
  return diff < 0n ? -1 : diff > 0n ? 1 : 0;
}
