import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { OrderStatus } from './domain/lifecycle.ts';
import type { OrderChannel } from './domain/place-order.ts';

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
    /** unpaid WEB/MOBILE orders are cancelled after this many minutes */
    pendingTimeoutMinutes: p.integer(),
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
    createdAt: p.datetime(),
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
    price: p.decimal('string'),
    vatRate: p.decimal('string'),
    createdAt: p.datetime(),
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

export type StoreRow = InferEntity<typeof Store>;
export type ProductRow = InferEntity<typeof Product>;
export type VariantRow = InferEntity<typeof ProductVariant>;
export type OrderRow = InferEntity<typeof SalesOrder>;
export type OrderLineRow = InferEntity<typeof OrderLine>;
export type OrderEventRow = InferEntity<typeof OrderEvent>;

export const entities = [Store, Product, ProductVariant, SalesOrder, OrderLine, OrderEvent];
