/**
 * Tenders of one sale: cash (what the customer hands over; the change is what is left above
 * what the sale still owes), card for any part of what is owed, and both together (split).
 */
import { type Fixed, min, sum } from './decimal.ts';

export type TenderMethod = 'CASH' | 'CARD';

export interface Tender {
  method: TenderMethod;
  /** applied to the sale */
  amount: Fixed;
  /** cash: handed over (amount + change) */
  tendered: Fixed | null;
}

export function paid(tenders: Tender[]): Fixed {
  return sum(tenders.map((t) => t.amount));
}

export function remaining(due: Fixed, tenders: Tender[]): Fixed {
  const left = due - paid(tenders);
  return left > 0n ? left : 0n;
}

export function change(tenders: Tender[]): Fixed {
  return sum(tenders.map((t) => (t.tendered === null ? 0n : t.tendered - t.amount)));
}

export type TenderResult = { ok: true; tender: Tender } | { ok: false; error: string };

export function cashTender(due: Fixed, tenders: Tender[], handed: Fixed): TenderResult {
  const left = remaining(due, tenders);
  if (left <= 0n) return { ok: false, error: 'Nothing is left to pay.' };
  if (handed <= 0n) return { ok: false, error: 'Enter the cash the customer handed over.' };
  if (handed % 100n !== 0n) return { ok: false, error: 'Cash has at most 2 decimals.' };
  return { ok: true, tender: { method: 'CASH', amount: min(handed, left), tendered: handed } };
}

export function cardTender(due: Fixed, tenders: Tender[], amount: Fixed | null = null): TenderResult {
  const left = remaining(due, tenders);
  if (left <= 0n) return { ok: false, error: 'Nothing is left to pay.' };
  const value = amount ?? left;
  if (value <= 0n) return { ok: false, error: 'Enter the amount to charge to the card.' };
  if (value % 100n !== 0n) return { ok: false, error: 'Amounts have at most 2 decimals.' };
  if (value > left) return { ok: false, error: 'A card pays at most what is left to pay.' };
  return { ok: true, tender: { method: 'CARD', amount: value, tendered: null } };
}

/** quick cash buttons: exact, then the next round notes above it */
export function cashSuggestions(left: Fixed): Fixed[] {
  if (left <= 0n) return [];
  const unit = 10_000n;
  const out = new Set<Fixed>([left]);
  for (const note of [5n, 10n, 20n, 50n, 100n, 200n, 500n]) {
    const step = note * unit;
    const rounded = ((left + step - 1n) / step) * step;
    if (rounded > left) out.add(rounded);
    if (out.size >= 4) break;
  }
  return [...out];
}
