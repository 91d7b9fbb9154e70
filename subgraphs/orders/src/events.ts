/**
 * What orders publishes, one topic per aggregate (comanda.orders.<aggregate>.v1):
 *   order.placed     the full order: lines, totals, VAT breakdown, promotions (credit, logistics, fiscal react)
 *   order.confirmed | order.processing | order.completed | order.cancelled
 *                    a transition: from, to, reason, actor, and what reactors route on
 *   order.note_added a note on an order
 *   product.created | product.updated        the whole product as it is now (catalog mirrors)
 *   price_list.created | price_list.updated | price_list.deleted
 *   promotion.created | promotion.updated    the promotion as it is now
 *   store.updated    a store's selling settings changed
 *   customer_pricing.segment_changed         the price segment a customer buys in
 * Amounts are strings with 2 decimals, quantities, rates and list prices plain decimals.
 * What it consumes is in reactions.ts.
 */
import { Decimal, type EntityManager, formatMoney, recordEvent } from '@comanda/kit';
import { type OrderStatus, transitionEventName } from './domain/lifecycle.ts';
import type { PriceOverride } from './domain/place-order.ts';
import type { VatPeriod } from './domain/vat-schedule.ts';
import type { OrderLineRow, OrderNoteRow, OrderRow, PriceListRow, PromotionRow, RedemptionRow, StoreRow } from './entities.ts';

export const SUBGRAPH = 'orders';
export const ORDER_AGGREGATE = 'order';

const plain = (value: string) => new Decimal(value).toFixed();

export async function publishOrderPlaced(
  em: EntityManager,
  order: OrderRow,
  lines: readonly OrderLineRow[],
  overrides: readonly PriceOverride[],
  redemptions: readonly RedemptionRow[],
): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: ORDER_AGGREGATE,
    aggregateId: order.id,
    event: 'placed',
    tenantId: order.tenantId,
    storeId: order.storeId,
    data: {
      orderId: order.id,
      number: order.number,
      clientOrderId: order.clientOrderId,
      storeId: order.storeId,
      channel: order.channel,
      status: order.status,
      customerId: order.customerId,
      payOnAccount: order.payOnAccount,
      currency: order.currencyCode,
      pricesIncludeVat: order.pricesIncludeVat,
      lines: lines.map((l) => ({
        lineId: l.id,
        variantId: l.variantId,
        sku: l.sku,
        name: l.name,
        quantity: plain(l.quantity),
        unitPrice: plain(l.unitPrice),
        vatRate: plain(l.vatRate),
        discount: formatMoney(l.discount),
        netAmount: formatMoney(l.netAmount),
        taxAmount: formatMoney(l.taxAmount),
        total: formatMoney(l.total),
      })),
      subtotal: formatMoney(order.subtotal),
      discountTotal: formatMoney(order.discountTotal),
      taxTotal: formatMoney(order.taxTotal),
      total: formatMoney(order.total),
      vatBreakdown: order.vatBreakdown,
      priceOverrides: overrides,
      // what discountTotal is made of, for receipts and the Z report
      promotions: redemptions.map((r) => ({
        promotionId: r.promotionId,
        code: r.code,
        name: r.name,
        kind: r.kind,
        value: plain(r.value),
        amount: formatMoney(r.amount),
      })),
      createdAt: order.createdAt.toISOString(),
    },
  });
}

export interface TransitionFacts {
  from: OrderStatus;
  to: OrderStatus;
  reason: string | null;
  actor: string;
}

export async function publishOrderTransition(em: EntityManager, order: OrderRow, facts: TransitionFacts): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: ORDER_AGGREGATE,
    aggregateId: order.id,
    event: transitionEventName(facts.to),
    tenantId: order.tenantId,
    storeId: order.storeId,
    data: {
      orderId: order.id,
      number: order.number,
      storeId: order.storeId,
      customerId: order.customerId,
      channel: order.channel,
      payOnAccount: order.payOnAccount,
      from: facts.from,
      to: facts.to,
      reason: facts.reason,
      actor: facts.actor,
      total: formatMoney(order.total),
      currency: order.currencyCode,
    },
  });
}

export async function publishOrderNote(em: EntityManager, order: OrderRow, note: OrderNoteRow): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: ORDER_AGGREGATE,
    aggregateId: order.id,
    event: 'note_added',
    tenantId: order.tenantId,
    storeId: order.storeId,
    data: { orderId: order.id, storeId: order.storeId, noteId: note.id, text: note.text, author: note.author, at: note.createdAt.toISOString() },
  });
}

/** A product as the catalog has it now: what product.created and product.updated carry. */
export interface ProductSnapshot {
  productId: string;
  name: string;
  archived: boolean;
  variants: {
    variantId: string;
    sku: string;
    barcode: string | null;
    name: string;
    price: string;
    archived: boolean;
    vatRates: VatPeriod[];
    priceTiers: { minQuantity: string; unitPrice: string }[];
  }[];
}

export async function publishProduct(em: EntityManager, tenantId: string, event: 'created' | 'updated', product: ProductSnapshot): Promise<void> {
  await recordEvent(em, SUBGRAPH, { aggregateType: 'product', aggregateId: product.productId, event, tenantId, data: { ...product } });
}

export async function publishPriceList(
  em: EntityManager,
  list: PriceListRow,
  event: 'created' | 'updated' | 'deleted',
  changedVariantIds: readonly string[] = [],
): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'price_list',
    aggregateId: list.id,
    event,
    tenantId: list.tenantId,
    data: { priceListId: list.id, name: list.name, segment: list.segment, changedVariantIds: [...changedVariantIds] },
  });
}

const nullablePlain = (value: string | null) => (value === null ? null : plain(value));

export async function publishPromotion(em: EntityManager, promotion: PromotionRow, event: 'created' | 'updated'): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'promotion',
    aggregateId: promotion.id,
    event,
    tenantId: promotion.tenantId,
    data: {
      promotionId: promotion.id,
      code: promotion.code,
      name: promotion.name,
      kind: promotion.kind,
      value: plain(promotion.value),
      minOrderAmount: nullablePlain(promotion.minOrderAmount ?? null),
      maxDiscount: nullablePlain(promotion.maxDiscount ?? null),
      validFrom: promotion.validFrom?.toISOString() ?? null,
      validUntil: promotion.validUntil?.toISOString() ?? null,
      usageLimit: promotion.usageLimit ?? null,
      stackable: promotion.stackable,
      active: promotion.active,
    },
  });
}

export async function publishStoreSettings(em: EntityManager, store: StoreRow, changed: readonly string[]): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'store',
    aggregateId: store.id,
    event: 'updated',
    tenantId: store.tenantId,
    storeId: store.id,
    data: {
      storeId: store.id,
      changed: [...changed],
      pricesIncludeVat: store.pricesIncludeVat,
      pendingOrderTimeoutMinutes: store.pendingTimeoutMinutes ?? null,
    },
  });
}

export async function publishCustomerSegment(
  em: EntityManager,
  tenantId: string,
  change: { customerId: string; segment: string | null; previous: string | null; actor: string },
): Promise<void> {
  await recordEvent(em, SUBGRAPH, {
    aggregateType: 'customer_pricing',
    aggregateId: change.customerId,
    event: 'segment_changed',
    tenantId,
    data: { ...change },
  });
}
