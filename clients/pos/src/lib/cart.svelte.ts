/**
 * The sale being rung up: lines, the selected line (keyboard), customer, vouchers, and its
 * totals by the server's rules (quantity tiers, voucher discounts, VAT per line).
 */
import type { CatalogVariant } from './catalog-types.ts';
import { type Fixed, format, parse, percentOf, times2 } from './decimal.ts';
import { tierPrice } from './pricing.ts';
import { type Applied, applyVouchers, ineligibility, type Voucher } from './promotions.ts';
import { cartTotals, type Totals } from './totals.ts';
import { uuidv7 } from './uuid.ts';

export interface CartLine {
  key: string;
  variant: CatalogVariant;
  quantity: string;
  /** a manager's unit price (sent with overridePrice), or null for the server's price */
  override: string | null;
}

export interface CartCustomer {
  id: string;
  name: string;
  kind: string;
  taxId: string | null;
}

export interface Priced {
  totals: Totals;
  /** each line's unit price */
  unitPrices: string[];
  applied: Applied[];
  /** vouchers that do not apply now, with why */
  refused: { code: string; why: string }[];
}

const MAX_QUANTITY = 1_000_000n * 10_000n;

/** the cart's prices: tiers by each variant's total quantity, then eligible vouchers, then VAT */
export function priceCart(lines: CartLine[], vouchers: Voucher[], pricesIncludeVat: boolean, now = new Date()): Priced {
  const byVariant = new Map<string, Fixed>();
  for (const line of lines) byVariant.set(line.variant.id, (byVariant.get(line.variant.id) ?? 0n) + parse(line.quantity));
  const unitPrices = lines.map((line) => line.override ?? tierPrice(line.variant, byVariant.get(line.variant.id)!));
  const gross = lines.map((line, i) => times2(parse(line.quantity), parse(unitPrices[i]!)));
  const subtotal = gross.reduce((a, b) => a + b, 0n);
  const refused = vouchers
    .map((v) => ({ code: v.code, why: ineligibility(v, now, subtotal) }))
    .filter((r): r is { code: string; why: string } => r.why !== null);
  const eligible = vouchers.filter((v) => !refused.some((r) => r.code === v.code));
  const { applied, lineDiscounts } = applyVouchers(eligible, gross);
  const totals = cartTotals(
    lines.map((line, i) => ({
      quantity: line.quantity,
      unitPrice: unitPrices[i]!,
      vatRate: line.variant.vatRate,
      discount: format(lineDiscounts[i]!),
    })),
    pricesIncludeVat,
  );
  return { totals, unitPrices, applied, refused };
}

export class Cart {
  lines = $state<CartLine[]>([]);
  selected = $state(-1);
  customer = $state<CartCustomer | null>(null);
  vouchers = $state<Voucher[]>([]);
  pricesIncludeVat = $state(true);

  priced: Priced = $derived(priceCart(this.lines, this.vouchers, this.pricesIncludeVat));

  get totals(): Totals {
    return this.priced.totals;
  }

  get promotionCodes(): string[] {
    return this.vouchers.map((v) => v.code);
  }

  get isEmpty(): boolean {
    return this.lines.length === 0;
  }

  unitPrice(index: number): string {
    return this.priced.unitPrices[index] ?? this.lines[index]?.variant.price ?? '0';
  }

  /** a scanned or picked variant: one more on its line, or a new line; that line is selected */
  add(variant: CatalogVariant, quantity = '1'): CartLine {
    const index = this.lines.findIndex((l) => l.variant.id === variant.id && l.override === null);
    if (index >= 0) {
      const line = this.lines[index]!;
      line.quantity = format(parse(line.quantity) + parse(quantity), 0);
      this.selected = index;
      return line;
    }
    this.lines.push({ key: uuidv7(), variant, quantity, override: null });
    this.selected = this.lines.length - 1;
    return this.lines[this.selected]!;
  }

  /** quantity: more than 0, at most 1,000,000, 3 decimals; false when refused */
  setQuantity(index: number, quantity: string): boolean {
    const line = this.lines[index];
    if (!line || !/^\d+(\.\d{1,3})?$/.test(quantity.trim())) return false;
    const value = parse(quantity);
    if (value <= 0n || value > MAX_QUANTITY) return false;
    line.quantity = format(value, 0);
    return true;
  }

  step(index: number, by: 1 | -1): void {
    const line = this.lines[index];
    if (!line) return;
    const next = parse(line.quantity) + BigInt(by) * 10_000n;
    if (next <= 0n) this.remove(index);
    else line.quantity = format(next, 0);
  }

  /** a manager's price for this line (the server records the override); false when refused */
  setUnitPrice(index: number, price: string): boolean {
    const line = this.lines[index];
    if (!line || !/^\d+(\.\d{1,2})?$/.test(price.trim())) return false;
    const value = format(parse(price));
    line.override = value === line.variant.price ? null : value;
    return true;
  }

  /** percent off the list price, as an override of the unit price rounded half-up to cents */
  discountPercent(index: number, percent: string): boolean {
    const line = this.lines[index];
    if (!line || !/^\d+(\.\d{1,2})?$/.test(percent.trim())) return false;
    const p = parse(percent);
    if (p <= 0n || p >= 100n * 10_000n) return false;
    const list = parse(line.variant.price);
    return this.setUnitPrice(index, format(list - percentOf(list, p)));
  }

  remove(index: number): void {
    this.lines.splice(index, 1);
    this.selected = this.lines.length ? Math.min(index, this.lines.length - 1) : -1;
  }

  select(by: 1 | -1): void {
    if (!this.lines.length) return;
    this.selected = Math.max(0, Math.min(this.lines.length - 1, (this.selected < 0 ? this.lines.length : this.selected) + by));
  }

  /** null when added; otherwise why not (already there, or it cannot be combined) */
  addVoucher(voucher: Voucher): string | null {
    if (this.vouchers.some((v) => v.code === voucher.code)) return `${voucher.code} is already on this sale.`;
    if (this.vouchers.length && (!voucher.stackable || this.vouchers.some((v) => !v.stackable)))
      return `${voucher.code} cannot be combined with ${this.promotionCodes.join(', ')}.`;
    this.vouchers.push(voucher);
    return null;
  }

  removeVoucher(code: string): void {
    this.vouchers = this.vouchers.filter((v) => v.code !== code);
  }

  clear(): void {
    this.lines = [];
    this.selected = -1;
    this.customer = null;
    this.vouchers = [];
  }
}

export const cart = new Cart();
