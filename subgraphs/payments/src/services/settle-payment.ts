import type { EntityManager, Logger } from '@comanda/kit';
import { summarize } from '../domain/payment.ts';
import { type Settlement, settlementOf } from '../domain/settlement.ts';
import { Payment } from '../entities.ts';
import { publishPaymentRecorded } from '../events.ts';
import type { ProviderPaymentStatus } from '../providers/provider.ts';
import { lockOrderAccount } from './common.ts';

/**
 * Applies what the provider says about a pending payment (from its webhook or the status
 * poller), in the caller's tenant-bound transaction: serialized on the order like every money
 * move, the state change and its event (payment.captured or payment.failed) commit together.
 */
export async function settleProviderPayment(
  tx: EntityManager,
  paymentId: string,
  status: ProviderPaymentStatus,
  log: Logger,
  now: Date = new Date(),
): Promise<Settlement['kind']> {
  const found = await tx.findOneOrFail(Payment, { id: paymentId }, { refresh: true });
  const account = await lockOrderAccount(tx, found.orderId);
  if (!account) throw new Error(`payment ${paymentId} has no order account`);
  const payments = await tx.find(Payment, { orderId: account.orderId }, { refresh: true });
  const payment = payments.find((p) => p.id === paymentId) ?? found;
  const settlement = settlementOf(payment.state, status, now.getTime() - payment.createdAt.getTime());
  payment.providerCheckedAt = now;
  if (settlement.kind === 'settle') {
    payment.state = settlement.state;
    payment.capturedAt = settlement.state === 'CAPTURED' ? now : null;
    payment.updatedAt = now;
  }
  await tx.flush();
  if (settlement.kind === 'settle') await publishPaymentRecorded(tx, payment, account.total, summarize(account.total, payments));
  if (settlement.kind === 'conflict') {
    log.error(
      { paymentId, state: payment.state, providerStatus: status, reference: payment.providerReference },
      'the provider disagrees with a settled payment: reconcile by hand',
    );
  }
  return settlement.kind;
}
