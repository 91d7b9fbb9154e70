/**
 * What orders publishes (aggregate `order`, topic comanda.orders.order.v1):
 *   order.placed     the full order: lines, totals, VAT breakdown (credit, logistics, fiscal react)
 *   order.confirmed | order.processing | order.completed | order.cancelled
 *                    a transition: from, to, reason, actor, and what reactors route on
 * Amounts are strings with 2 decimals, quantities and rates plain decimals.
 * It consumes nothing yet: automatic transitions (payment captured, shipment delivered) call
 * `transitionOrder` from services/order-lifecycle.ts once those events exist.
 */
import { Decimal, type EntityManager, formatMoney, recordEvent } from '@comanda/kit';
import { type OrderStatus, transitionEventName } from './domain/lifecycle.ts';
import type { PriceOverride } from './domain/place-order.ts';
import type { OrderLineRow, OrderRow } from './entities.ts';

export const SUBGRAPH = 'orders';
export const ORDER_AGGREGATE = 'order';

const plain = (value: string) => new Decimal(value).toFixed();

export async function publishOrderPlaced(
  em: EntityManager,
  order: OrderRow,
  lines: readonly OrderLineRow[],
  overrides: readonly PriceOverride[],
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
