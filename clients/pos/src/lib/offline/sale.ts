/**
 * A sale as the till queues it, and how one is sent: placeOrder under the till's own
 * clientOrderId, then each payment under its own idempotencyKey, in the order taken. Both keys
 * are made when the cashier completes the sale, so sending it again (after a lost answer, a
 * reload, a day offline) is recognised by the server and never makes a second order or charge.
 */

import { parse } from '../decimal.ts';
import { type Api, OfflineError, type UserError } from '../graphql/api.ts';
import { PLACE_ORDER, RECORD_PAYMENT } from '../graphql/operations.ts';
import { endTiming, startTiming } from '../timings.ts';

export type PaymentMethod = 'CASH' | 'CARD';

export interface QueuedPayment {
  idempotencyKey: string;
  method: PaymentMethod;
  /** applied to the order */
  amount: string;
  /** cash: what the customer handed over */
  tendered?: string;
  state: 'pending' | 'done' | 'failed';
  paymentId?: string;
  change?: string;
  error?: UserError;
}

export interface SaleLine {
  variantId: string;
  sku: string;
  name: string;
  quantity: string;
  /**
   * the price the customer was shown. Sent when the sale was taken offline, so a price that
   * changed meanwhile is refused (PRICE_CHANGED) rather than charged silently; '' once the
   * cashier accepted the server's price. Online, the server's price wins and a total that
   * differs from the till's stops the sale before any payment (TOTAL_CHANGED).
   */
  unitPrice: string;
  /** a manager's price (sent with overridePrice: the server refuses it from a cashier) */
  overridePrice?: boolean;
  vatRate: string;
  discount: string;
  total: string;
}

export interface ServerOrder {
  id: string;
  number: string;
  status: string;
  total: { amount: string; currencyCode: string };
  taxTotal: { amount: string };
  subtotal: { amount: string };
  discountTotal: { amount: string };
  lines: {
    quantity: string;
    vatRate: string;
    unitPrice: { amount: string };
    discount: { amount: string };
    total: { amount: string };
    variant: { id: string; sku: string; name: string };
  }[];
}

export type SaleState = 'queued' | 'placed' | 'done' | 'conflict';

/**
 * order: not placed (nothing written); total: placed, but its total is not what the till
 * showed, so no payment was sent; payment: placed, a payment was refused
 */
export interface Conflict {
  stage: 'order' | 'total' | 'payment';
  errors: UserError[];
  at: string;
}

export interface QueuedSale {
  /** IndexedDB key: the queue's order */
  seq?: number;
  clientOrderId: string;
  storeId: string;
  currencyCode: string;
  createdAt: string;
  /** who took it (the token's subject) */
  cashier: string;
  customer: { id: string; name: string } | null;
  promotionCodes: string[];
  lines: SaleLine[];
  /** the till's totals when the sale was completed */
  expected: { subtotal: string; discountTotal: string; taxTotal: string; total: string; vat: { rate: string; taxable: string; tax: string }[] };
  payments: QueuedPayment[];
  state: SaleState;
  /** was the till offline when the sale was completed */
  takenOffline: boolean;
  order?: ServerOrder;
  /** the server placed it already (a replay of an earlier attempt whose answer was lost) */
  replayed?: boolean;
  notices?: UserError[];
  conflict?: Conflict;
  /** the cashier took the server's total (re-tendered, or recorded what was collected) */
  acceptTotal?: boolean;
  attempts: number;
  lastError?: string;
  updatedAt: string;
}

export interface PlaceOrderResult {
  placeOrder: { replayed: boolean; order: ServerOrder | null; userErrors: UserError[]; notices: UserError[] };
}

export interface RecordPaymentResult {
  recordPayment: {
    replayed: boolean;
    payment: { id: string; state: string; amount: { amount: string }; change: { amount: string } | null } | null;
    userErrors: UserError[];
  };
}

export interface SendOptions {
  save: (sale: QueuedSale) => Promise<void>;
  /** how long to wait for payments to learn of a just-placed order (ORDER_NOT_FOUND) */
  orderArrivalMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** thrown when the payments service has not learnt of the order in time: send again later */
export class NotYetKnown extends Error {}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function placeOrderInput(sale: QueuedSale): Record<string, unknown> {
  return {
    storeId: sale.storeId,
    clientOrderId: sale.clientOrderId,
    channel: 'POS',
    customerId: sale.customer?.id ?? null,
    promotionCodes: sale.promotionCodes.length ? sale.promotionCodes : null,
    lines: sale.lines.map((line) => ({
      variantId: line.variantId,
      quantity: line.quantity,
      ...(line.overridePrice
        ? { unitPrice: line.unitPrice, overridePrice: true }
        : sale.takenOffline && line.unitPrice
          ? { unitPrice: line.unitPrice }
          : {}),
    })),
  };
}

function touch(sale: QueuedSale): QueuedSale {
  sale.updatedAt = new Date().toISOString();
  return sale;
}

async function recordPayment(
  api: Api,
  sale: QueuedSale,
  payment: QueuedPayment,
  options: SendOptions,
): Promise<RecordPaymentResult['recordPayment']> {
  const sleep = options.sleep ?? defaultSleep;
  const deadline = Date.now() + (options.orderArrivalMs ?? 30_000);
  // payments learns of an order from its placed event, a few milliseconds after placeOrder answered
  for (let wait = 10; ; wait = Math.min(wait * 2, 500)) {
    const result = await api.mutate<RecordPaymentResult>(RECORD_PAYMENT, {
      input: {
        orderId: sale.order!.id,
        idempotencyKey: payment.idempotencyKey,
        method: payment.method,
        amount: payment.amount,
        tendered: payment.method === 'CASH' ? (payment.tendered ?? payment.amount) : null,
      },
    });
    const answer = result.recordPayment;
    if (answer.userErrors[0]?.code !== 'ORDER_NOT_FOUND') return answer;
    if (Date.now() > deadline) throw new NotYetKnown(`payments does not know order ${sale.order!.number} yet`);
    await sleep(wait);
  }
}

/**
 * Sends what is left of one sale and saves each step, so a reload in the middle goes on where it
 * stopped. Ends in `done`, or in `conflict` when the server refused something (the sale then
 * waits for the cashier); throws OfflineError / AuthError / NotYetKnown to be tried again.
 */
export async function sendSale(api: Api, sale: QueuedSale, options: SendOptions): Promise<QueuedSale> {
  if (sale.state === 'done' || sale.state === 'conflict') return sale;
  sale.attempts += 1;
  try {
    if (sale.state === 'queued') {
      const placing = startTiming();
      const { placeOrder } = await api.mutate<PlaceOrderResult>(PLACE_ORDER, { input: placeOrderInput(sale) });
      endTiming('place', placing);
      if (placeOrder.userErrors.length || !placeOrder.order) {
        sale.state = 'conflict';
        sale.conflict = { stage: 'order', errors: placeOrder.userErrors, at: new Date().toISOString() };
        await options.save(touch(sale));
        return sale;
      }
      sale.order = placeOrder.order;
      sale.replayed = placeOrder.replayed;
      sale.notices = placeOrder.notices;
      sale.state = 'placed';
      await options.save(touch(sale));
    }
    const total = sale.order!.total.amount;
    if (!sale.acceptTotal && parse(total) !== parse(sale.expected.total) && sale.payments.every((p) => p.state === 'pending')) {
      const message = `the server's total is ${total} ${sale.currencyCode}, the till showed ${sale.expected.total}`;
      sale.state = 'conflict';
      sale.conflict = { stage: 'total', errors: [{ field: null, message, code: 'TOTAL_CHANGED' }], at: new Date().toISOString() };
      await options.save(touch(sale));
      return sale;
    }
    for (const payment of sale.payments) {
      if (payment.state !== 'pending') continue;
      const paying = startTiming();
      const answer = await recordPayment(api, sale, payment, options);
      endTiming('payment', paying);
      if (answer.userErrors.length || !answer.payment) {
        payment.state = 'failed';
        payment.error = answer.userErrors[0];
        sale.state = 'conflict';
        sale.conflict = { stage: 'payment', errors: answer.userErrors, at: new Date().toISOString() };
        await options.save(touch(sale));
        return sale;
      }
      payment.state = 'done';
      payment.paymentId = answer.payment.id;
      payment.change = answer.payment.change?.amount;
      await options.save(touch(sale));
    }
    sale.state = 'done';
    sale.lastError = undefined;
    await options.save(touch(sale));
    return sale;
  } catch (error) {
    sale.lastError = error instanceof OfflineError ? 'offline' : (error as Error).message;
    await options.save(touch(sale));
    throw error;
  }
}
