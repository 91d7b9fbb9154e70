import { DomainError, type EntityManager, fingerprint, type Identity, type Payload, requireStore, retryOnConflict, runMutation } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { PROVIDER_METHODS, parseAmount, planRefund, summarize } from '../domain/payment.ts';
import { Payment, type PaymentRow, Refund } from '../entities.ts';
import { publishPaymentRefunded } from '../events.ts';
import { callProvider, checkIdempotencyKey, idempotencyConflict, lockOrderAccount, type PaymentDeps, UUID } from './common.ts';

export interface RefundPaymentInput {
  paymentId: string;
  idempotencyKey: string;
  amount: string;
  reason: string;
}

export type RefundPaymentPayload = Payload<{ payment: PaymentRow }>;

/**
 * Gives back part or all of a captured payment. Provider-backed payments are refunded through
 * the provider inside the transaction, after the refund row has claimed its idempotency key,
 * so a concurrent duplicate never refunds twice.
 */
export async function refundPayment(
  em: EntityManager,
  identity: Identity,
  input: RefundPaymentInput,
  deps: PaymentDeps,
): Promise<RefundPaymentPayload> {
  return retryOnConflict(() => runMutation(em, { payment: null }, (tx) => attempt(tx, identity, input, deps)));
}

async function attempt(tx: EntityManager, identity: Identity, input: RefundPaymentInput, deps: PaymentDeps) {
  const amount = parseAmount(input.amount, ['input', 'amount']);
  const reason = input.reason.trim();
  if (!reason || reason.length > 500)
    throw new DomainError('REFUND_REASON_REQUIRED', 'a refund needs a reason of at most 500 characters', ['input', 'reason']);
  const idempotencyKey = checkIdempotencyKey(input.idempotencyKey);
  const requestFingerprint = fingerprint({ paymentId: input.paymentId.toLowerCase(), amount: amount.toFixed(2), reason });
  const replay = async () => {
    const earlier = await tx.findOne(Refund, { idempotencyKey }, { refresh: true });
    if (!earlier) return null;
    requireStore(identity, earlier.storeId);
    if (earlier.requestFingerprint !== requestFingerprint) throw idempotencyConflict();
    return { payment: await tx.findOneOrFail(Payment, { id: earlier.paymentId }, { refresh: true }) };
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
  const plan = planRefund(payment, amount);
  const now = new Date();
  const refund = tx.create(Refund, {
    id: uuidv7(),
    tenantId: identity.tenantId,
    paymentId: payment.id,
    orderId: payment.orderId,
    storeId: payment.storeId,
    amount: amount.toFixed(2),
    currency: payment.currency,
    reason,
    providerReference: null,
    idempotencyKey,
    requestFingerprint,
    createdBy: identity.userId,
    createdAt: now,
  });
  payment.refundedAmount = plan.refundedAmount.toFixed(2);
  payment.state = plan.state;
  payment.updatedAt = now;
  await tx.flush();

  if (payment.providerReference && PROVIDER_METHODS.has(payment.method)) {
    const reference = payment.providerReference;
    const outcome = await callProvider(
      () => deps.providerFor(payment.method).refund(reference, { refundId: refund.id, amount: refund.amount }),
      ['input', 'amount'],
    );
    if (!outcome.ok) {
      throw new DomainError('REFUND_DECLINED', `the provider declined the refund (${outcome.declineCode}): ${outcome.reason}; nothing was refunded`, [
        'input',
        'amount',
      ]);
    }
    refund.providerReference = outcome.reference;
    await tx.flush();
  }
  await publishPaymentRefunded(tx, payment, refund, account.total, summarize(account.total, payments));
  return { payment };
}
