import { type Logger, runPeriodically, tenantEm } from '@comanda/kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import { Payment } from './entities.ts';
import type { Providers } from './providers/index.ts';
import { CircuitOpen, type ProviderPaymentStatus, ProviderUnavailable } from './providers/provider.ts';
import { settleProviderPayment } from './services/settle-payment.ts';

/**
 * Settles provider payments whose webhook never came: every `intervalMs`, payments PENDING at a
 * provider for longer than `staleAfterSeconds` (since creation or the last check) get their
 * status fetched and applied exactly like a webhook, so the two may race harmlessly.
 */
export interface PollerOptions {
  staleAfterSeconds: number;
  intervalMs: number;
  /** payments per pass; the oldest-checked first, so none starves */
  batchSize: number;
}

export const DEFAULT_POLLER: PollerOptions = { staleAfterSeconds: 60, intervalMs: 10_000, batchSize: 100 };

function positive(text: string | undefined, fallback: number): number {
  const value = Number(text);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/** COMANDA_PAYMENTS_POLL_STALE_SECONDS and COMANDA_PAYMENTS_POLL_INTERVAL_MS tune it. */
export function pollerOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): PollerOptions {
  return {
    staleAfterSeconds: positive(env.COMANDA_PAYMENTS_POLL_STALE_SECONDS, DEFAULT_POLLER.staleAfterSeconds),
    intervalMs: positive(env.COMANDA_PAYMENTS_POLL_INTERVAL_MS, DEFAULT_POLLER.intervalMs),
    batchSize: DEFAULT_POLLER.batchSize,
  };
}

/** One pass over every tenant; returns how many payments it settled. */
export async function pollOnce(orm: MikroORM, providers: Providers, log: Logger, options: PollerOptions): Promise<number> {
  // the one cross-tenant read: a SECURITY DEFINER function that lists ids only (migration 0002)
  const stale = await orm.em
    .fork()
    .execute<{ tenant_id: string; payment_id: string }[]>('select tenant_id, payment_id from stale_provider_payments(?, ?)', [
      Math.ceil(options.staleAfterSeconds),
      options.batchSize,
    ]);
  let settled = 0;
  const paused = new Set<string>();
  for (const { tenant_id: tenantId, payment_id: paymentId } of stale) {
    const em = tenantEm(orm, tenantId);
    const payment = await em.findOne(Payment, { id: paymentId });
    if (payment?.state !== 'PENDING' || !payment.provider || !payment.providerReference || paused.has(payment.provider)) continue;
    const provider = providers.named(payment.provider);
    let status: ProviderPaymentStatus = 'pending';
    if (!provider) {
      log.error({ paymentId, provider: payment.provider }, 'status poll: the payment names a provider this process does not have');
    } else {
      try {
        status = await provider.status(payment.providerReference);
      } catch (error) {
        if (!(error instanceof ProviderUnavailable)) throw error;
        log.warn({ paymentId, provider: payment.provider, err: error }, 'status poll: the provider did not answer');
        // an open circuit answers the provider's other payments the same way: skip them until the next pass
        if (error instanceof CircuitOpen) paused.add(payment.provider);
        continue;
      }
    }
    // a status call holds no lock; the settlement re-reads the payment under the order's lock
    if ((await em.transactional((tx) => settleProviderPayment(tx, paymentId, status, log))) === 'settle') settled++;
  }
  return settled;
}

/** Starts the loop; the stopper waits for a pass in progress. */
export function startPoller(orm: MikroORM, providers: Providers, log: Logger, options: PollerOptions): () => Promise<void> {
  const pass = async () => {
    const settled = await pollOnce(orm, providers, log, options);
    if (settled) log.info({ settled }, 'status poll settled payments whose webhook never came');
  };
  return runPeriodically(pass, { intervalMs: options.intervalMs, log, what: 'status poll' });
}
