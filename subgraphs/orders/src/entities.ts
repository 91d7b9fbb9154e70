import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { OrderStatus } from './domain/lifecycle.ts';
import type { OrderChannel } from './domain/place-order.ts';
import type { PromotionKind } from './domain/promotions.ts';

export const Store = defineEntity({
  name: 'Store',
  tableName: 'store',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    name: p.string(),
    currencyCode: p.string(),
    countryCode: p.string(),
    timezone: p.string(),
    pricesIncludeVat: p.boolean(),
    /** unpaid WEB/MOBILE orders are cancelled after this many minutes; null: never (domain/pending-timeout.ts) */
    pendingTimeoutMinutes: p.integer().nullable(),
    orderNumberPrefix: p.string(),
    createdAt: p.datetime(),
  },
});

export const Product = defineEntity({
  name: 'Product',
  tableName: 'product',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    name: p.string(),
    /** no longer sold: kept because order lines point at its variants */
    archivedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const ProductVariant = defineEntity({
  name: 'ProductVariant',
  tableName: 'product_variant',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    productId: p.uuid(),
    position: p.integer(),
    sku: p.string(),
    barcode: p.string().nullable(),
    name: p.string(),
    /** the list price (the default price list's base), in the selling store's currency and price basis */
    price: p.decimal('string'),
    archivedAt: p.datetime().nullable(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export interface VatBreakdownRow {
  rate: string;
  taxableAmount: string;
  taxAmount: string;
}

export const SalesOrder = defineEntity({
  name: 'SalesOrder',
  tableName: 'sales_order',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    storeId: p.uuid(),
    number: p.string(),
    clientOrderId: p.string(),
    /** sha256 of the normalized request: tells a replay from a conflicting reuse of the key */
    requestFingerprint: p.string(),
    channel: p.string().$type<OrderChannel>(),
    status: p.string().$type<OrderStatus>(),
    customerId: p.uuid().nullable(),
    payOnAccount: p.boolean(),
    /** when orders first heard of a payment on it: such an order never times out */
    paymentSeenAt: p.datetime().nullable(),
    note: p.string().nullable(),
    currencyCode: p.string(),
    pricesIncludeVat: p.boolean(),
    subtotal: p.decimal('string'),
    discountTotal: p.decimal('string'),
    taxTotal: p.decimal('string'),
    total: p.decimal('string'),
    vatBreakdown: p.json<VatBreakdownRow[]>(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const OrderLine = defineEntity({
  name: 'OrderLine',
  tableName: 'order_line',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    orderId: p.uuid(),
    position: p.integer(),
    variantId: p.uuid(),
    sku: p.string(),
    name: p.string(),
    quantity: p.decimal('string'),
    unitPrice: p.decimal('string'),
    /** the server's price for the customer and quantity (null on lines from before price lists) */
    listPrice: p.decimal('string').nullable(),
    /** the segment price list that gave listPrice */
    priceListId: p.uuid().nullable(),
    vatRate: p.decimal('string'),
    discount: p.decimal('string'),
    netAmount: p.decimal('string'),
    taxAmount: p.decimal('string'),
    total: p.decimal('string'),
  },
});

export const OrderEvent = defineEntity({
  name: 'OrderEvent',
  tableName: 'order_event',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    orderId: p.uuid(),
    type: p.string(),
    fromStatus: p.string().$type<OrderStatus>().nullable(),
    toStatus: p.string().$type<OrderStatus>().nullable(),
    actor: p.string(),
    reason: p.string().nullable(),
    data: p.json<Record<string, unknown>>().nullable(),
    at: p.datetime(),
  },
});

export const PriceList = defineEntity({
  name: 'PriceList',
  tableName: 'price_list',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    name: p.string(),
    segment: p.string(),
    /** sha256 of the create request: a retried create under the same segment is a replay */
    requestFingerprint: p.string(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const Promotion = defineEntity({
  name: 'Promotion',
  tableName: 'promotion',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    code: p.string(),
    name: p.string(),
    kind: p.string().$type<PromotionKind>(),
    value: p.decimal('string'),
    minOrderAmount: p.decimal('string').nullable(),
    maxDiscount: p.decimal('string').nullable(),
    validFrom: p.datetime().nullable(),
    validUntil: p.datetime().nullable(),
    usageLimit: p.integer().nullable(),
    /** changed only by the guarded claim and release statements (services/promotions.ts) */
    timesUsed: p.integer(),
    stackable: p.boolean(),
    active: p.boolean(),
    /** sha256 of the create request: a retried create under the same code is a replay */
    requestFingerprint: p.string(),
    createdAt: p.datetime(),
    updatedAt: p.datetime(),
  },
});

export const PromotionRedemption = defineEntity({
  name: 'PromotionRedemption',
  tableName: 'promotion_redemption',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    promotionId: p.uuid(),
    orderId: p.uuid(),
    position: p.integer(),
    code: p.string(),
    name: p.string(),
    kind: p.string().$type<PromotionKind>(),
    value: p.decimal('string'),
    amount: p.decimal('string'),
    createdAt: p.datetime(),
    /** the order was cancelled and the use went back to the promotion */
    releasedAt: p.datetime().nullable(),
  },
});

export const OrderNote = defineEntity({
  name: 'OrderNote',
  tableName: 'order_note',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    orderId: p.uuid(),
    text: p.string(),
    author: p.string(),
    idempotencyKey: p.string(),
    createdAt: p.datetime(),
  },
});

export type StoreRow = InferEntity<typeof Store>;
export type ProductRow = InferEntity<typeof Product>;
export type VariantRow = InferEntity<typeof ProductVariant>;
export type OrderRow = InferEntity<typeof SalesOrder>;
export type OrderLineRow = InferEntity<typeof OrderLine>;
export type OrderEventRow = InferEntity<typeof OrderEvent>;
export type PriceListRow = InferEntity<typeof PriceList>;
export type PromotionRow = InferEntity<typeof Promotion>;
export type RedemptionRow = InferEntity<typeof PromotionRedemption>;
export type OrderNoteRow = InferEntity<typeof OrderNote>;

export const entities = [Store, Product, ProductVariant, SalesOrder, OrderLine, OrderEvent, PriceList, Promotion, PromotionRedemption, OrderNote];
