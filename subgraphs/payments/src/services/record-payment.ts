import { DomainError, type EntityManager, fingerprint, type Identity, type Payload, requireStore, retryOnConflict, runMutation } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { type PaymentMethod, type PaymentPlan, planPayment, summarize, validatePaymentRequest } from '../domain/payment.ts';
import { Payment, type PaymentRow } from '../entities.ts';
import { publishPaymentRecorded } from '../events.ts';
import type { PaymentProvider } from '../providers/provider.ts';
import { callProvider, checkIdempotencyKey, idempotencyConflict, lockOrderAccount, type PaymentDeps } from './common.ts';

export interface RecordPaymentInput {
  orderId: string;
  idempotencyKey: string;
  method: PaymentMethod;
  amount: string;
  tendered?: string | null;
}

export type RecordPaymentPayload = Payload<{ payment: PaymentRow; replayed: boolean }> & { replayed: boolean };

/**
 * What the provider holds for an attempt whose transaction may still fail: captured money to
 * give back, or a pending payment to call off.
 */
interface Charge {
  provider: PaymentProvider;
  reference: string;
  amount: string;
  pending: boolean;
}

/**
 * Records a payment on an order: validates, serializes on the order, charges through the
 * provider where the method needs one, and writes the payment and its event in one transaction.
 * A replay under the same key returns the first payment.
 */
export async function recordPayment(
  em: EntityManager,
  identity: Identity,
  input: RecordPaymentInput,
  deps: PaymentDeps,
): Promise<RecordPaymentPayload> {
  return retryOnConflict(async () => {
    const charges: Charge[] = [];
    try {
      const result = await runMutation(em, { payment: null, replayed: null }, (tx) => attempt(tx, identity, input, deps, charges));
      if (result.userErrors.length) await reverse(charges, deps);
      // replayed is non-null in the schema: a failed request replayed nothing
      return { ...result, replayed: result.replayed ?? false };
    } catch (error) {
      await reverse(charges, deps);
      throw error;
    }
  });
}

async function attempt(tx: EntityManager, identity: Identity, input: RecordPaymentInput, deps: PaymentDeps, charges: Charge[]) {
  const request = validatePaymentRequest(input);
  const idempotencyKey = checkIdempotencyKey(input.idempotencyKey);
  const requestFingerprint = fingerprint({
    orderId: input.orderId.toLowerCase(),
    method: request.method,
    amount: request.amount.toFixed(2),
    tendered: request.tendered?.toFixed(2) ?? null,
  });
  const replay = async () => {
    const earlier = await tx.findOne(Payment, { idempotencyKey }, { refresh: true });
    if (!earlier) return null;
    requireStore(identity, earlier.storeId);
    if (earlier.requestFingerprint !== requestFingerprint) throw idempotencyConflict();
    return { payment: earlier, replayed: true };
  };

  const first = await replay();
  if (first) return first;
  const account = await lockOrderAccount(tx, input.orderId);
  if (!account) {
    throw new DomainError('ORDER_NOT_FOUND', 'payments does not know this order (yet): a just-placed order arrives within seconds, retry', [
      'input',
      'orderId',
    ]);
  }
  requireStore(identity, account.storeId);
  // an identical request may have committed while this one waited for the lock
  const raced = await replay();
  if (raced) return raced;

  if (request.method === 'ON_ACCOUNT' && !account.customerId) {
    throw new DomainError('ON_ACCOUNT_NEEDS_CUSTOMER', 'an on-account payment needs an order with a customer', ['input', 'method']);
  }
  const existing = await tx.find(Payment, { orderId: account.orderId }, { refresh: true });
  const plan = planPayment(request, account.total, existing);
  const now = new Date();
  const provider = plan.viaProvider ? deps.providers.forMethod(plan.method) : null;
  const payment = tx.create(Payment, {
    id: uuidv7(),
    tenantId: identity.tenantId,
    orderId: account.orderId,
    storeId: account.storeId,
    method: plan.method,
    state: plan.state,
    amount: plan.amount.toFixed(2),
    refundedAmount: '0',
    currency: account.currency,
    tendered: plan.tendered?.toFixed(2) ?? null,
    change: plan.change?.toFixed(2) ?? null,
    provider: provider?.name ?? null,
    providerReference: null,
    idempotencyKey,
    requestFingerprint,
    createdBy: identity.userId,
    createdAt: now,
    capturedAt: plan.state === 'CAPTURED' ? now : null,
    updatedAt: now,
  });
  // the insert claims the idempotency key before any money moves: a concurrent twin waits here, then replays
  await tx.flush();
  if (provider) {
    const charged = await charge(provider, payment, plan, charges);
    payment.providerReference = charged.reference;
    if (charged.pending) {
      payment.state = 'PENDING';
      payment.capturedAt = null;
    }
    await tx.flush();
  }
  await publishPaymentRecorded(tx, payment, account.total, summarize(account.total, [...existing, payment]));
  return { payment, replayed: false };
}

/** Authorizes and captures; a provider that answers `pending` (QR, wallet) settles later through its webhook. */
async function charge(
  provider: PaymentProvider,
  payment: PaymentRow,
  plan: PaymentPlan,
  charges: Charge[],
): Promise<{ reference: string; pending: boolean }> {
  const amount = plan.amount.toFixed(2);
  const field = ['input', 'amount'];
  const authorized = await callProvider(
    () =>
      provider.authorize({
        attemptId: payment.id,
        method: plan.method,
        amount,
        currency: payment.currency,
        metadata: { tenantId: payment.tenantId, paymentId: payment.id },
      }),
    field,
  );
  if (!authorized.ok) throw declined(authorized.declineCode, authorized.reason);
  const reference = authorized.reference;
  if (authorized.pending) {
    charges.push({ provider, reference, amount, pending: true });
    return { reference, pending: true };
  }
  const captured = await callProvider(() => provider.capture(reference, amount), field).catch(async (error: unknown) => {
    await provider.cancel(reference).catch(() => {});
    throw error;
  });
  if (!captured.ok) {
    await provider.cancel(reference).catch(() => {});
    throw declined(captured.declineCode, captured.reason);
  }
  charges.push({ provider, reference, amount, pending: false });
  return { reference, pending: false };
}

function declined(code: string, reason: string): DomainError {
  return new DomainError('PAYMENT_DECLINED', `the payment was declined (${code}): ${reason}; nothing was charged`, ['input', 'amount']);
}

/** The transaction did not commit after the provider took the money (or opened a payment): undo it there. */
async function reverse(charges: Charge[], deps: PaymentDeps): Promise<void> {
  for (const c of charges.splice(0)) {
    const undo = c.pending
      ? c.provider.cancel(c.reference).then(() => ({ ok: true }))
      : c.provider.refund(c.reference, { refundId: uuidv7(), amount: c.amount });
    const outcome = await undo.catch((error: unknown) => error);
    if (outcome instanceof Error || !(outcome as { ok: boolean }).ok) {
      deps.log.error(
        { reference: c.reference, amount: c.amount, pending: c.pending, outcome },
        'a provider payment was not recorded and could not be undone: reconcile by hand',
      );
    }
  }
}
