import { Decimal, type DecimalInput, DomainError, roundMoney, sum } from '@comanda/kit';

export interface VatLineInput {
  rate: DecimalInput;
  taxableAmount: DecimalInput;
  taxAmount: DecimalInput;
}

/** As stored (jsonb) and sent in events: plain decimal strings, amounts with 2 decimals. */
export interface VatLine {
  rate: string;
  taxableAmount: string;
  taxAmount: string;
}

const MAX_RATE = new Decimal(100);

export function vatTotals(lines: readonly VatLine[]): { taxable: Decimal; tax: Decimal; total: Decimal } {
  const taxable = sum(lines.map((l) => l.taxableAmount));
  const tax = sum(lines.map((l) => l.taxAmount));
  return { taxable, tax, total: taxable.plus(tax) };
}

function decimalOrNull(value: DecimalInput): Decimal | null {
  try {
    const d = new Decimal(value);
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

/**
 * Pure: one line per rate (lines of the same rate merged), ascending by rate, amounts rounded
 * half-up to 2 decimals, and the whole must add up to the document's total exactly: a fiscal
 * document whose VAT lines disagree with its total is refused, not patched.
 */
export function normalizeVatBreakdown(lines: readonly VatLineInput[], total: DecimalInput, field: string[] = ['vatBreakdown']): VatLine[] {
  const byRate = new Map<string, { rate: Decimal; taxable: Decimal; tax: Decimal }>();
  for (const line of lines) {
    const rate = decimalOrNull(line.rate);
    const taxable = decimalOrNull(line.taxableAmount);
    const tax = decimalOrNull(line.taxAmount);
    if (!rate || rate.isNegative() || rate.greaterThan(MAX_RATE))
      throw new DomainError('INVALID_VAT_RATE', 'a VAT rate is a percentage from 0 to 100', field);
    if (!taxable || !tax) throw new DomainError('VAT_BREAKDOWN_MISMATCH', 'a VAT line amount is not a number', field);
    const key = rate.toFixed();
    const entry = byRate.get(key) ?? { rate, taxable: new Decimal(0), tax: new Decimal(0) };
    entry.taxable = entry.taxable.plus(roundMoney(taxable));
    entry.tax = entry.tax.plus(roundMoney(tax));
    byRate.set(key, entry);
  }
  const normalized = [...byRate.values()]
    .sort((a, b) => a.rate.comparedTo(b.rate))
    .map((e) => ({ rate: e.rate.toFixed(), taxableAmount: e.taxable.toFixed(2), taxAmount: e.tax.toFixed(2) }));
  const expected = roundMoney(total);
  const { total: actual } = vatTotals(normalized);
  if (!actual.equals(expected)) {
    throw new DomainError('VAT_BREAKDOWN_MISMATCH', `the VAT breakdown adds up to ${actual.toFixed(2)}, not the total ${expected.toFixed(2)}`, field);
  }
  return normalized;
}
