/** A stand-in for the orders and payments API with the server's idempotency rules, and sales to queue. */
import type { Api, UserError } from '../src/lib/graphql/api.ts';
import { OfflineError } from '../src/lib/graphql/api.ts';
import type { QueuedSale } from '../src/lib/offline/sale.ts';
import { uuidv7 } from '../src/lib/uuid.ts';

/**
 * A stand-in for the server with its idempotency rules: one order per clientOrderId, one
 * payment per idempotencyKey, payments learn of an order a little later (ORDER_NOT_FOUND
 * meanwhile), and PRICE_CHANGED for a line whose price is not the list price.
 */
export class FakeServer {
  online = true;
  orders = new Map<string, { id: string; number: string; body: string }>();
  payments = new Map<string, { id: string; orderId: string }>();
  calls: string[] = [];
  listPrice: Record<string, string> = {};
  /** how many recordPayment calls answer ORDER_NOT_FOUND for a new order */
  lag = 0;
  private lagLeft = new Map<string, number>();

  api(): Api {
    const server = this;
    return {
      async query() {
        throw new Error('not used');
      },
      async mutate<T>(document: string, variables: Record<string, unknown> = {}): Promise<T> {
        if (!server.online) throw new OfflineError('offline');
        const input = variables.input as Record<string, any>;
        if (document.includes('placeOrder')) return { placeOrder: server.place(input) } as T;
        return { recordPayment: server.pay(input) } as T;
      },
      subscribe: () => () => {},
      onConnection: () => () => {},
      connected: () => true,
      close() {},
    };
  }

  place(input: Record<string, any>) {
    this.calls.push(`place ${input.clientOrderId}`);
    const userErrors: UserError[] = [];
    input.lines.forEach((line: any, i: number) => {
      const list = this.listPrice[line.variantId];
      if (list && line.unitPrice && !line.overridePrice && list !== line.unitPrice)
        userErrors.push({ field: ['input', 'lines', String(i), 'unitPrice'], message: `price is now ${list}`, code: 'PRICE_CHANGED' });
    });
    if (userErrors.length) return { replayed: false, order: null, userErrors, notices: [] };
    const body = JSON.stringify(input);
    const existing = this.orders.get(input.clientOrderId);
    if (existing) {
      if (existing.body !== body)
        return { replayed: false, order: null, userErrors: [{ message: 'conflict', code: 'IDEMPOTENCY_CONFLICT' }], notices: [] };
      return { replayed: true, order: this.orderOf(existing), userErrors: [], notices: [] };
    }
    const created = { id: uuidv7(), number: `B-${String(this.orders.size + 1).padStart(6, '0')}`, body };
    this.orders.set(input.clientOrderId, created);
    this.lagLeft.set(created.id, this.lag);
    return { replayed: false, order: this.orderOf(created), userErrors: [], notices: [] };
  }

  orderOf(o: { id: string; number: string; body: string }) {
    const input = JSON.parse(o.body);
    // the server's price wins unless a manager overrides it
    const cents = input.lines.reduce(
      (acc: number, l: any) =>
        acc + Math.round(Number(l.quantity) * Number(l.overridePrice ? l.unitPrice : (this.listPrice[l.variantId] ?? l.unitPrice ?? '10.00')) * 100),
      0,
    );
    return { id: o.id, number: o.number, status: 'PENDING', total: { amount: (cents / 100).toFixed(2), currencyCode: 'RON' }, lines: [] };
  }

  pay(input: Record<string, any>) {
    this.calls.push(`pay ${input.idempotencyKey}`);
    const left = this.lagLeft.get(input.orderId) ?? 0;
    if (left > 0) {
      this.lagLeft.set(input.orderId, left - 1);
      return { replayed: false, payment: null, userErrors: [{ message: 'not yet', code: 'ORDER_NOT_FOUND' }] };
    }
    const existing = this.payments.get(input.idempotencyKey);
    if (existing)
      return { replayed: true, payment: { id: existing.id, state: 'CAPTURED', amount: { amount: input.amount }, change: null }, userErrors: [] };
    const payment = { id: uuidv7(), orderId: input.orderId };
    this.payments.set(input.idempotencyKey, payment);
    const change = input.tendered ? (Number(input.tendered) - Number(input.amount)).toFixed(2) : null;
    return {
      replayed: false,
      payment: { id: payment.id, state: 'CAPTURED', amount: { amount: input.amount }, change: change ? { amount: change } : null },
      userErrors: [],
    };
  }
}

export function sale(label: string, price = '10.00', takenOffline = false): QueuedSale {
  return {
    clientOrderId: uuidv7(),
    storeId: 'store-1',
    currencyCode: 'RON',
    createdAt: new Date().toISOString(),
    cashier: label,
    customer: null,
    promotionCodes: [],
    lines: [{ variantId: 'v1', sku: 'SKU', name: 'Thing', quantity: '1', unitPrice: price, vatRate: '11', discount: '0.00', total: price }],
    expected: { subtotal: price, discountTotal: '0.00', taxTotal: '0.99', total: price, vat: [] },
    payments: [{ idempotencyKey: uuidv7(), method: 'CASH', amount: price, tendered: '20.00', state: 'pending' }],
    state: 'queued',
    takenOffline,
    attempts: 0,
    updatedAt: new Date().toISOString(),
  };
}
