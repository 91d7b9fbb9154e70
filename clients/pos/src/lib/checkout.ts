/** From a paid cart to a queued sale: the ids that make every later send of it idempotent. */
import type { Cart } from './cart.svelte.ts';
import { format } from './decimal.ts';
import type { QueuedSale } from './offline/sale.ts';
import type { Tender } from './payment.ts';
import { uuidv7 } from './uuid.ts';

export interface SaleContext {
  storeId: string;
  currencyCode: string;
  cashier: string;
  online: boolean;
  now?: Date;
}

export function buildSale(cart: Cart, tenders: Tender[], context: SaleContext): QueuedSale {
  const totals = cart.totals;
  const now = (context.now ?? new Date()).toISOString();
  return {
    clientOrderId: uuidv7(),
    storeId: context.storeId,
    currencyCode: context.currencyCode,
    createdAt: now,
    cashier: context.cashier,
    customer: cart.customer ? { id: cart.customer.id, name: cart.customer.name } : null,
    promotionCodes: [...cart.promotionCodes],
    lines: cart.lines.map((line, i) => ({
      variantId: line.variant.id,
      sku: line.variant.sku,
      name: line.variant.name,
      quantity: line.quantity,
      unitPrice: cart.unitPrice(i),
      overridePrice: line.override !== null || undefined,
      vatRate: line.variant.vatRate,
      discount: format(totals.lines[i]!.discount),
      total: format(totals.lines[i]!.total),
    })),
    expected: {
      subtotal: format(totals.subtotal),
      discountTotal: format(totals.discountTotal),
      taxTotal: format(totals.taxTotal),
      total: format(totals.total),
      vat: totals.vat.map((v) => ({ rate: v.rate, taxable: format(v.taxable), tax: format(v.tax) })),
    },
    payments: tenders.map((t) => ({
      idempotencyKey: uuidv7(),
      method: t.method,
      amount: format(t.amount),
      tendered: t.tendered === null ? undefined : format(t.tendered),
      state: 'pending',
    })),
    state: 'queued',
    takenOffline: !context.online,
    attempts: 0,
    updatedAt: now,
  };
}
