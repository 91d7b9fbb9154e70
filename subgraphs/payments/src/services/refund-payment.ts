import {
  Decimal,
  DomainError,
  type EntityManager,
  fingerprint,
  type Identity,
  type Payload,
  requireStore,
  retryOnConflict,
  runMutation,
  sum,
} from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { PROVIDER_METHODS, parseAmount, planRefund, summarize } from '../domain/payment.ts';
import { checkDecision, checkReason, needsApproval, REFUND_APPROVAL_THRESHOLD, type RefundDecision } from '../domain/refund.ts';
import { type OrderAccountRow, Payment, type PaymentRow, Refund, type RefundRow } from '../entities.ts';
import { publishPaymentRefunded, publishRefundRejected, publishRefundRequested } from '../events.ts';
import { callProvider, checkIdempotencyKey, idempotencyConflict, lockOrderAccount, type PaymentDeps, UUID } from './common.ts';

export interface RefundPaymentInput {
  paymentId: string;
  idempotencyKey: string;
  amount: string;
  reason: string;
}

export type RefundPaymentPayload = Payload<{ payment: PaymentRow; refund: RefundRow }>;

/**
 * Gives back part or all of a captured payment. Up to the approval threshold the money goes
 * back at once (through the provider for provider-backed payments, inside the transaction and
 * after the refund row has claimed its idempotency key, so a concurrent duplicate never refunds
 * twice). Above it the refund is only recorded, PENDING_APPROVAL, holding its share of the
 * payment until an owner or manager decides (decideRefund).
 */
export async function refundPayment(
  em: EntityManager,
  identity: Identity,
  input: RefundPaymentInput,
  deps: PaymentDeps,
): Promise<RefundPaymentPayload> {
  return retryOnConflict(() => runMutation(em, { payment: null, refund: null }, (tx) => attempt(tx, identity, input, deps)));
}

/** The sum of a payment's refunds that wait for a decision, except `exceptId`. */
async function awaitingApproval(tx: EntityManager, paymentId: string, exceptId?: string): Promise<Decimal> {
  const waiting = await tx.find(Refund, { paymentId, status: 'PENDING_APPROVAL' }, { refresh: true });
  return sum(waiting.filter((r) => r.id !== exceptId).map((r) => r.amount));
}

async function attempt(tx: EntityManager, identity: Identity, input: RefundPaymentInput, deps: PaymentDeps) {
  const amount = parseAmount(input.amount, ['input', 'amount']);
  const reason = checkReason(input.reason);
  const idempotencyKey = checkIdempotencyKey(input.idempotencyKey);
  const requestFingerprint = fingerprint({ paymentId: input.paymentId.toLowerCase(), amount: amount.toFixed(2), reason });
  const replay = async () => {
    const earlier = await tx.findOne(Refund, { idempotencyKey }, { refresh: true });
    if (!earlier) return null;
    requireStore(identity, earlier.storeId);
    if (earlier.requestFingerprint !== requestFingerprint) throw idempotencyConflict();
    return { payment: await tx.findOneOrFail(Payment, { id: earlier.paymentId }, { refresh: true }), refund: earlier };
  };

  const first = await replay();
  if (first) return first;
  const notFound = new DomainError('PAYMENT_NOT_FOUND', 'there is no such payment', ['input', 'paymentId']);
  const found = UUID.test(input.paymentId) ? await tx.findOne(Payment, { id: input.paymentId }, { refresh: true }) : null;
  if (!found) throw notFound;
  requireStore(identity, found.storeId);
  const account = await lockOrderAccount(tx, found.orderId);
  if (!account) throw notFound;
  const raced = await replay();
  if (raced) return raced;

  const payments = await tx.find(Payment, { orderId: account.orderId }, { refresh: true });
  const payment = payments.find((p) => p.id === found.id);
  if (!payment) throw notFound;
  const plan = planRefund(payment, amount, await awaitingApproval(tx, payment.id));
  const approval = needsApproval(amount);
  const now = new Date();
  const refund = tx.create(Refund, {
    id: uuidv7(),
    tenantId: identity.tenantId,
    paymentId: payment.id,
    orderId: payment.orderId,
    storeId: payment.storeId,
    amount: amount.toFixed(2),
    currency: payment.currency,
    status: approval ? 'PENDING_APPROVAL' : 'COMPLETED',
    reason,
    providerReference: null,
    idempotencyKey,
    requestFingerprint,
    createdBy: identity.userId,
    createdAt: now,
    approvedBy: null,
    rejectedBy: null,
    rejectionReason: null,
    decidedAt: null,
    completedAt: approval ? null : now,
  });
  if (approval) {
    await tx.flush();
    await publishRefundRequested(tx, payment, refund, REFUND_APPROVAL_THRESHOLD);
    return { payment, refund };
  }
  payment.refundedAmount = plan.refundedAmount.toFixed(2);
  payment.state = plan.state;
  payment.updatedAt = now;
  await tx.flush();
  await payBack(tx, account, payments, payment, refund, deps, ['input', 'amount']);
  return { payment, refund };
}

/** Through the provider where the money came from one (keyed by the refund's id, so a retry never pays twice); then the event. */
async function payBack(
  tx: EntityManager,
  account: OrderAccountRow,
  payments: PaymentRow[],
  payment: PaymentRow,
  refund: RefundRow,
  deps: PaymentDeps,
  field: string[],
): Promise<void> {
  if (payment.providerReference && PROVIDER_METHODS.has(payment.method)) {
    const reference = payment.providerReference;
    const outcome = await callProvider(
      () => deps.providers.forMethod(payment.method).refund(reference, { refundId: refund.id, amount: new Decimal(refund.amount).toFixed(2) }),
      field,
    );
    if (!outcome.ok) {
      throw new DomainError(
        'REFUND_DECLINED',
        `the provider declined the refund (${outcome.declineCode}): ${outcome.reason}; nothing was refunded`,
        field,
      );
    }
    refund.providerReference = outcome.reference;
    await tx.flush();
  }
  await publishPaymentRefunded(tx, payment, refund, account.total, summarize(account.total, payments));
}

export interface DecideRefundInput {
  refundId: string;
  /** for a rejection: why (kept with the refund) */
  reason?: string | null;
}

/**
 * Approves (pays back, COMPLETED) or rejects (REJECTED, nothing moves) a refund awaiting
 * approval. Serialized on the order like every money move; the same decision again returns the
 * refund as it is. A provider that declines or does not answer leaves the refund waiting.
 */
export async function decideRefund(
  em: EntityManager,
  identity: Identity,
  decision: RefundDecision,
  input: DecideRefundInput,
  deps: PaymentDeps,
): Promise<RefundPaymentPayload> {
  return runMutation(em, { payment: null, refund: null }, async (tx) => {
    const rejectionReason = decision === 'REJECT' ? checkReason(input.reason ?? '') : null;
    const notFound = new DomainError('REFUND_NOT_FOUND', 'there is no such refund', ['input', 'refundId']);
    const found = UUID.test(input.refundId) ? await tx.findOne(Refund, { id: input.refundId }, { refresh: true }) : null;
    if (!found) throw notFound;
    requireStore(identity, found.storeId);
    const account = await lockOrderAccount(tx, found.orderId);
    if (!account) throw notFound;
    const refund = await tx.findOneOrFail(Refund, { id: found.id }, { refresh: true });
    const payments = await tx.find(Payment, { orderId: account.orderId }, { refresh: true });
    const payment = payments.find((p) => p.id === refund.paymentId);
    if (!payment) throw notFound;
    const facts = { status: refund.status, requestedBy: refund.createdBy, approvedBy: refund.approvedBy ?? null };
    if (checkDecision(facts, decision, identity.userId) === 'repeat') return { payment, refund };

    const now = new Date();
    if (decision === 'REJECT') {
      refund.decidedAt = now;
      refund.status = 'REJECTED';
      refund.rejectedBy = identity.userId;
      refund.rejectionReason = rejectionReason;
      await tx.flush();
      await publishRefundRejected(tx, payment, refund);
      return { payment, refund };
    }
    // read before changing anything: the refreshing read would reset unsaved changes
    const plan = planRefund(payment, new Decimal(refund.amount), await awaitingApproval(tx, payment.id, refund.id));
    refund.decidedAt = now;
    refund.status = 'COMPLETED';
    refund.approvedBy = identity.userId;
    refund.completedAt = now;
    payment.refundedAmount = plan.refundedAmount.toFixed(2);
    payment.state = plan.state;
    payment.updatedAt = now;
    await tx.flush();
    await payBack(tx, account, payments, payment, refund, deps, ['input', 'refundId']);
    return { payment, refund };
  });
}
