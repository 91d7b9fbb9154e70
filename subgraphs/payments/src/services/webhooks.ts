import { type Logger, tenantEm } from '@comanda/kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Settlement } from '../domain/settlement.ts';
import { Payment } from '../entities.ts';
import type { ProviderWebhookEvent } from '../providers/provider.ts';
import { settleProviderPayment } from './settle-payment.ts';

export type WebhookOutcome = Settlement['kind'] | 'duplicate' | 'unknown_payment';

class UnknownPayment extends Error {}

/**
 * Applies a verified webhook once. The tenant comes from the metadata the provider echoes, which
 * is trusted only because the signature checked out; from there on RLS scopes everything. The
 * event id is recorded in the same transaction as the change, so a redelivery finds it and
 * changes nothing, and a delivery that fails (or names a payment not committed yet) records
 * nothing and may come again.
 */
export async function receiveWebhook(orm: MikroORM, provider: string, event: ProviderWebhookEvent, log: Logger): Promise<WebhookOutcome> {
  try {
    return await tenantEm(orm, event.metadata.tenantId).transactional(async (tx) => {
      // the provider waits on the answer: better a quick 503 and a redelivery than a long wait on a busy order
      await tx.execute(`set local lock_timeout = '2s'`);
      const inserted = await tx.execute(
        `insert into provider_webhook (provider, event_id, tenant_id, reference, status) values (?, ?, ?, ?, ?)
         on conflict do nothing returning event_id`,
        [provider, event.eventId, event.metadata.tenantId, event.reference, event.status],
      );
      if (!inserted.length) return 'duplicate';
      const payment = await tx.findOne(Payment, { provider, providerReference: event.reference }, { refresh: true });
      if (!payment) throw new UnknownPayment();
      return settleProviderPayment(tx, payment.id, event.status, log);
    });
  } catch (error) {
    if (error instanceof UnknownPayment) return 'unknown_payment';
    throw error;
  }
}
