/**
 * Exact decimal arithmetic for the till: amounts, prices and quantities are bigints in units
 * of 1/10,000 (four decimals, like numeric(18,4) on the server), rounded half-up (away from
 * zero) to two decimals where the server rounds, so the cart shows the totals the server will
 * compute. No float ever holds an amount.
 */
export type Fixed = bigint;

const SCALE = 10_000n;
const PATTERN = /^(-)?(\d+)(?:\.(\d{1,4}))?$/;

export function isDecimal(text: string): boolean {
  return PATTERN.test(text.trim());
}

/** "12.5" -> 125000n; throws on anything that is not a plain decimal with at most 4 places */
export function parse(text: string | number): Fixed {
  const match = PATTERN.exec(String(text).trim());
  if (!match) throw new Error(`not a decimal: ${text}`);
  const [, minus, whole = '0', fraction = ''] = match;
  const value = BigInt(whole) * SCALE + BigInt(fraction.padEnd(4, '0'));
  return minus ? -value : value;
}

/** rounds num / den half-up (away from zero) to a whole number */
export function divRound(num: bigint, den: bigint): bigint {
  if (den === 0n) throw new Error('division by zero');
  const negative = num < 0n !== den < 0n;
  const n = num < 0n ? -num : num;
  const d = den < 0n ? -den : den;
  const q = (n * 2n + d) / (d * 2n);
  return negative ? -q : q;
}

/** half-up to two decimals */
export function round2(value: Fixed): Fixed {
  return divRound(value, 100n) * 100n;
}

/** quantity x price, rounded half-up to two decimals */
export function times2(a: Fixed, b: Fixed): Fixed {
  return divRound(a * b, SCALE * 100n) * 100n;
}

/** value x percent / 100, rounded half-up to two decimals */
export function percentOf(value: Fixed, percent: Fixed): Fixed {
  return divRound(value * percent, SCALE * 100n * 100n) * 100n;
}

/** the VAT inside a VAT-inclusive amount: value x rate / (100 + rate), half-up to two decimals */
export function vatIncluded(value: Fixed, rate: Fixed): Fixed {
  return divRound(value * rate, (100n * SCALE + rate) * 100n) * 100n;
}

/** 125000n -> "12.50" (two decimals unless more are needed, up to four) */
export function format(value: Fixed, minDecimals = 2): string {
  const negative = value < 0n;
  const abs = negative ? -value : value;
  const whole = abs / SCALE;
  let fraction = (abs % SCALE).toString().padStart(4, '0');
  while (fraction.length > minDecimals && fraction.endsWith('0')) fraction = fraction.slice(0, -1);
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** for the screen: 1234.5 -> "1,234.50" */
export function display(value: Fixed): string {
  const [whole = '0', fraction = '00'] = format(value).split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  return `${negative ? '-' : ''}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${fraction}`;
}

export function sum(values: Fixed[]): Fixed {
  return values.reduce((a, b) => a + b, 0n);
}

export function max(a: Fixed, b: Fixed): Fixed {
  return a > b ? a : b;
}

export function min(a: Fixed, b: Fixed): Fixed {
  return a < b ? a : b;
}

export const ZERO: Fixed = 0n;
