import { defineEntity, type InferEntity, p } from '@mikro-orm/core';
import type { PaymentMethod, PaymentState } from './domain/payment.ts';
import type { RefundStatus } from './domain/refund.ts';

/**
 * What payments knows of an order, learned from orders' order.placed event (payments never
 * reads the orders schema). Keyed per tenant: offline POS clients make their own order ids,
 * so one tenant's id must not block or reveal another's.
 */
export const OrderAccount = defineEntity({
  name: 'OrderAccount',
  tableName: 'order_account',
  properties: {
    tenantId: p.string().primary(),
    orderId: p.uuid().primary(),
    storeId: p.uuid(),
    currency: p.string(),
    total: p.decimal('string'),
    channel: p.string(),
    customerId: p.uuid().nullable(),
    payOnAccount: p.boolean(),
    placedAt: p.datetime(),
  },
});

export const Payment = defineEntity({
  name: 'Payment',
  tableName: 'payment',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    orderId: p.uuid(),
    storeId: p.uuid(),
    method: p.string().$type<PaymentMethod>(),
    state: p.string().$type<PaymentState>(),
    /** applied to the order (for cash: without the change) */
    amount: p.decimal('string'),
    refundedAmount: p.decimal('string'),
    currency: p.string(),
    tendered: p.decimal('string').nullable(),
    change: p.decimal('string').fieldName('change_amount').nullable(),
    provider: p.string().nullable(),
    providerReference: p.string().nullable(),
    idempotencyKey: p.string(),
    requestFingerprint: p.string(),
    createdBy: p.string(),
    createdAt: p.datetime(),
    capturedAt: p.datetime().nullable(),
    updatedAt: p.datetime(),
    /** when the status poller last asked the provider about a pending payment */
    providerCheckedAt: p.datetime().nullable(),
  },
});

export const Refund = defineEntity({
  name: 'Refund',
  tableName: 'refund',
  properties: {
    id: p.uuid().primary(),
    tenantId: p.string(),
    paymentId: p.uuid(),
    orderId: p.uuid(),
    storeId: p.uuid(),
    amount: p.decimal('string'),
    currency: p.string(),
    status: p.string().$type<RefundStatus>(),
    reason: p.string(),
    providerReference: p.string().nullable(),
    idempotencyKey: p.string(),
    requestFingerprint: p.string(),
    /** who asked for it */
    createdBy: p.string(),
    createdAt: p.datetime(),
    approvedBy: p.string().nullable(),
    rejectedBy: p.string().nullable(),
    rejectionReason: p.string().nullable(),
    decidedAt: p.datetime().nullable(),
    /** when the money went back: what the day's collected cash counts */
    completedAt: p.datetime().nullable(),
  },
});

export type OrderAccountRow = InferEntity<typeof OrderAccount>;
export type PaymentRow = InferEntity<typeof Payment>;
export type RefundRow = InferEntity<typeof Refund>;
export const entities = [OrderAccount, Payment, Refund];
