import { DomainError, type EntityManager, fingerprint, type UserError } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { formatOrderNumber } from '../domain/order-number.ts';
import {
  describeOverrides,
  fingerprintBody,
  type PlaceOrderInput,
  priceLines,
  replayDecision,
  UUID,
  validateOrderRequest,
} from '../domain/place-order.ts';
import { applyPromotions, checkCodes } from '../domain/promotions.ts';
import { orderAmounts } from '../domain/totals.ts';
import { OrderEvent, OrderLine, type OrderRow, SalesOrder, Store, type StoreRow } from '../entities.ts';
import { publishOrderPlaced } from '../events.ts';
import { sellableVariants } from './pricing.ts';
import { claimUses, promotionsByCodes, recordRedemptions } from './promotions.ts';

export interface OrderPlacer {
  tenantId: string;
  actor: string;
  /** managers and owners may sell at the till below or above the list price */
  mayOverridePrice: boolean;
}

/** A type, not an interface: runMutation wants a plain record. */
export type PlacedOrder = {
  order: OrderRow;
  replayed: boolean;
  notices: UserError[];
};

/** The next number of a store; the row lock holds concurrent placements until this one commits, so no gaps. */
async function nextOrderNumber(em: EntityManager, tenantId: string, store: StoreRow): Promise<string> {
  const row = await em.execute<{ last_number: string }>(
    `insert into order_number_counter (tenant_id, store_id, last_number) values (?, ?, 1)
     on conflict (tenant_id, store_id) do update set last_number = order_number_counter.last_number + 1
     returning last_number`,
    [tenantId, store.id],
    'get',
  );
  return formatOrderNumber(store.orderNumberPrefix, Number(row.last_number));
}

/**
 * Places an order in the caller's transaction. A retry under the same clientOrderId returns the
 * first order; when two identical requests race, the loser hits the unique key, and the caller's
 * retryOnConflict reruns this and finds the winner.
 */
export async function placeOrder(em: EntityManager, placer: OrderPlacer, input: PlaceOrderInput): Promise<PlacedOrder> {
  if (!UUID.test(input.storeId)) throw new DomainError('UNKNOWN_STORE', `no store ${input.storeId}`, ['input', 'storeId']);
  const request = validateOrderRequest(input);
  const requestFingerprint = fingerprint(fingerprintBody(request));

  const existing = await em.findOne(SalesOrder, { storeId: request.storeId, clientOrderId: request.clientOrderId });
  const decision = replayDecision(existing?.requestFingerprint ?? null, requestFingerprint);
  if (existing && decision === 'replay') return { order: existing, replayed: true, notices: [] };
  if (decision === 'conflict') {
    throw new DomainError('IDEMPOTENCY_CONFLICT', `clientOrderId ${request.clientOrderId} was already used for a different order`, [
      'input',
      'clientOrderId',
    ]);
  }

  const store = await em.findOne(Store, { id: request.storeId });
  if (!store) throw new DomainError('UNKNOWN_STORE', `no store ${request.storeId}`, ['input', 'storeId']);

  const now = new Date();
  const variantIds = [...new Set(request.lines.map((l) => l.variantId))];
  const variants = await sellableVariants(em, variantIds, { store, customerId: request.customerId, at: now });
  const priced = priceLines(request, variants, { mayOverridePrice: placer.mayOverridePrice });

  // promotions are checked on the subtotal before any discount, then take their share of each line
  const undiscounted = orderAmounts(
    priced.lines.map((l) => ({ quantity: l.quantity, unitPrice: l.unitPrice, vatRate: l.variant.vatRate })),
    store.pricesIncludeVat,
  );
  const found = await promotionsByCodes(em, request.promotionCodes);
  const promotionErrors = checkCodes(request.promotionCodes, found, now, undiscounted.subtotal);
  if (promotionErrors.length) throw DomainError.many(promotionErrors);
  const promotions = applyPromotions(
    request.promotionCodes.map((code) => found.get(code)!),
    undiscounted.lines.map((l) => l.gross),
  );
  const amounts = orderAmounts(
    priced.lines.map((l, i) => ({ quantity: l.quantity, unitPrice: l.unitPrice, vatRate: l.variant.vatRate, discount: promotions.lineDiscounts[i] })),
    store.pricesIncludeVat,
  );
  // the exact usage limit: claimed before the store's number row, so an exhausted code waits on no one
  await claimUses(em, promotions.applied, request.promotionCodes);

  const id = uuidv7();
  const order = em.create(SalesOrder, {
    id,
    tenantId: placer.tenantId,
    storeId: store.id,
    // the real number is taken last (below); until the commit nobody sees this one
    number: `~${id}`,
    clientOrderId: request.clientOrderId,
    requestFingerprint,
    channel: request.channel,
    status: 'PENDING',
    customerId: request.customerId,
    payOnAccount: request.payOnAccount,
    paymentSeenAt: null,
    note: request.note,
    currencyCode: store.currencyCode,
    pricesIncludeVat: store.pricesIncludeVat,
    subtotal: amounts.subtotal.toFixed(2),
    discountTotal: amounts.discountTotal.toFixed(2),
    taxTotal: amounts.taxTotal.toFixed(2),
    total: amounts.total.toFixed(2),
    vatBreakdown: amounts.vatBreakdown.map((b) => ({
      rate: b.rate.toFixed(),
      taxableAmount: b.taxableAmount.toFixed(2),
      taxAmount: b.taxAmount.toFixed(2),
    })),
    createdAt: now,
    updatedAt: now,
  });
  const lines = priced.lines.map((line, position) => {
    const computed = amounts.lines[position];
    if (!computed) throw new Error('totals lost a line');
    return em.create(OrderLine, {
      id: uuidv7(),
      tenantId: placer.tenantId,
      orderId: order.id,
      position,
      variantId: line.variant.id,
      sku: line.variant.sku,
      name: line.variant.name,
      quantity: line.quantity.toFixed(),
      unitPrice: line.unitPrice.toFixed(),
      listPrice: line.listPrice.toFixed(),
      priceListId: line.priceListId,
      vatRate: line.variant.vatRate,
      discount: computed.discount.toFixed(2),
      netAmount: computed.netAmount.toFixed(2),
      taxAmount: computed.taxAmount.toFixed(2),
      total: computed.total.toFixed(2),
    });
  });
  em.create(OrderEvent, {
    id: uuidv7(),
    tenantId: placer.tenantId,
    orderId: order.id,
    type: 'placed',
    fromStatus: null,
    toStatus: 'PENDING',
    actor: placer.actor,
    reason: describeOverrides(priced.overrides),
    data: priced.overrides.length ? { priceOverrides: priced.overrides } : null,
    at: now,
  });
  const redemptions = recordRedemptions(em, order, promotions.applied);
  // Flushing here makes a lost race (unique clientOrderId) fail before the number is taken.
  await em.flush();
  // Every placement in the store waits for the number row until this transaction commits, so
  // it is taken last: after it, only the number and the outbox row are written.
  order.number = await nextOrderNumber(em, placer.tenantId, store);
  await em.flush();
  await publishOrderPlaced(em, order, lines, priced.overrides, redemptions);
  return { order, replayed: false, notices: priced.notices };
}
