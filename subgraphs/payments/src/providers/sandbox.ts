import { randomUUID } from 'node:crypto';
import { Decimal } from '@comanda/kit';
import type { PaymentMethod } from '../domain/payment.ts';
import {
  type AuthorizeOutcome,
  type AuthorizeRequest,
  type PaymentMetadata,
  type PaymentProvider,
  PROVIDER_PAYMENT_STATUSES,
  type ProviderOutcome,
  type ProviderPaymentStatus,
  ProviderUnavailable,
  type ProviderWebhookEvent,
  type RefundRequest,
  WebhookRejected,
} from './provider.ts';
import { SIGNATURE_HEADER, signatureHeader, verifySignature } from './signature.ts';

/**
 * Magic amounts: the cents of an amount decide the sandbox's answer, like a real gateway's
 * test cards (docs/payments.md).
 *   .51  declined (card_declined)          .52  declined (insufficient_funds)
 *   .53  provider unavailable (timeout): nothing happens, retry later
 *   .54  authorized, but the capture is declined (capture_failed)
 *   .55  asynchronous only: paid, but the webhook never comes (the status poller settles it)
 *   .56  asynchronous only: paid, and the webhook is delivered twice
 * An asynchronous payment with .51, .52 or .54 fails later, through its webhook.
 * Refunds: .51 declined (refund_declined), .53 provider unavailable. Everything else succeeds.
 */
export const SANDBOX_MAGIC_CENTS = {
  declined: 51,
  insufficientFunds: 52,
  unavailable: 53,
  captureFails: 54,
  webhookLost: 55,
  webhookTwice: 56,
} as const;

/** Paid on the customer's phone: the cashier waits for the provider's word. */
export const DEFAULT_ASYNC_METHODS: readonly PaymentMethod[] = ['QR_CODE', 'E_WALLET'];

export interface SandboxOptions {
  webhookSecret: string;
  /** methods whose authorize answers `pending`, settled later by a webhook */
  asyncMethods?: Iterable<PaymentMethod>;
  /** how long the customer takes to confirm on their phone */
  settleAfterMs?: number;
  /** deliveries of one webhook before the sandbox gives up (non-2xx or no answer) */
  deliveryAttempts?: number;
  /** the pause before the first redelivery; it doubles each time */
  redeliveryAfterMs?: number;
}

/** The sandbox forgets the oldest transactions beyond this, as a bounded stand-in for the gateway's books. */
const LEDGER_LIMIT = 10_000;
const DELIVERY_TIMEOUT_MS = 5_000;

interface SandboxTransaction {
  amount: Decimal;
  currency: string;
  async: boolean;
  state: 'pending' | 'authorized' | 'captured' | 'failed' | 'cancelled';
  refunded: Decimal;
  metadata: PaymentMetadata;
  settle?: NodeJS.Timeout;
}

function cents(amount: string): number {
  return new Decimal(amount).times(100).mod(100).abs().toNumber();
}

const FAILS_LATER: ReadonlySet<number> = new Set([
  SANDBOX_MAGIC_CENTS.declined,
  SANDBOX_MAGIC_CENTS.insufficientFunds,
  SANDBOX_MAGIC_CENTS.captureFails,
]);

function remember<V>(map: Map<string, V>, key: string, value: V): void {
  map.set(key, value);
  if (map.size > LEDGER_LIMIT) {
    const oldest = map.keys().next().value;
    if (oldest !== undefined) map.delete(oldest);
  }
}

/**
 * A payment gateway in memory that behaves like a real one: synchronous card payments, and for
 * QR codes and wallets (and cards when asked) a pending payment that the customer completes,
 * after which the sandbox POSTs a signed webhook to our endpoint, redelivering with backoff
 * until it gets a 2xx. Every money-moving call is idempotent on our key.
 */
export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly #webhookSecret: string;
  readonly #asyncMethods: ReadonlySet<PaymentMethod>;
  readonly #settleAfterMs: number;
  readonly #deliveryAttempts: number;
  readonly #redeliveryAfterMs: number;
  readonly #ledger = new Map<string, SandboxTransaction>();
  readonly #refunds = new Map<string, ProviderOutcome>();
  readonly #timers = new Set<NodeJS.Timeout>();
  readonly #deliveries = new AbortController();
  #webhookUrl: string | null = null;

  constructor(options: SandboxOptions) {
    this.#webhookSecret = options.webhookSecret;
    this.#asyncMethods = new Set(options.asyncMethods ?? DEFAULT_ASYNC_METHODS);
    this.#settleAfterMs = options.settleAfterMs ?? 1_000;
    this.#deliveryAttempts = options.deliveryAttempts ?? 5;
    this.#redeliveryAfterMs = options.redeliveryAfterMs ?? 500;
  }

  /** Where webhooks go; until this is set (and after close) the sandbox sends none. */
  deliverWebhooksTo(url: string): void {
    this.#webhookUrl = url;
  }

  close(): void {
    this.#webhookUrl = null;
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers.clear();
    this.#deliveries.abort();
  }

  async authorize(request: AuthorizeRequest): Promise<AuthorizeOutcome> {
    const magic = cents(request.amount);
    if (magic === SANDBOX_MAGIC_CENTS.unavailable) throw new ProviderUnavailable('sandbox: the gateway timed out');
    const reference = `sbx_${request.attemptId}`;
    const known = this.#ledger.get(reference);
    if (known) return { ok: true, reference, pending: known.async };
    const async = this.#asyncMethods.has(request.method);
    if (!async && magic === SANDBOX_MAGIC_CENTS.declined) return { ok: false, declineCode: 'card_declined', reason: 'the card was declined' };
    if (!async && magic === SANDBOX_MAGIC_CENTS.insufficientFunds)
      return { ok: false, declineCode: 'insufficient_funds', reason: 'insufficient funds' };
    const tx: SandboxTransaction = {
      amount: new Decimal(request.amount),
      currency: request.currency,
      async,
      state: async ? 'pending' : 'authorized',
      refunded: new Decimal(0),
      metadata: { ...request.metadata },
    };
    remember(this.#ledger, reference, tx);
    if (async) tx.settle = this.#later(() => this.#customerDecides(reference, tx, magic), this.#settleAfterMs);
    return { ok: true, reference, pending: async };
  }

  async capture(reference: string, amount: string): Promise<ProviderOutcome> {
    const tx = this.#ledger.get(reference);
    if (tx?.state === 'captured' && tx.amount.eq(amount)) return { ok: true, reference };
    if (!tx || tx.state !== 'authorized') return { ok: false, declineCode: 'no_authorization', reason: 'nothing authorized under this reference' };
    if (new Decimal(amount).gt(tx.amount)) return { ok: false, declineCode: 'amount_too_high', reason: 'the capture exceeds the authorization' };
    if (cents(amount) === SANDBOX_MAGIC_CENTS.captureFails) return { ok: false, declineCode: 'capture_failed', reason: 'the capture was declined' };
    tx.state = 'captured';
    tx.amount = new Decimal(amount);
    return { ok: true, reference };
  }

  async cancel(reference: string): Promise<void> {
    const tx = this.#ledger.get(reference);
    if (tx?.state !== 'authorized' && tx?.state !== 'pending') return;
    tx.state = 'cancelled';
    if (tx.settle) this.#forget(tx.settle);
  }

  async refund(reference: string, request: RefundRequest): Promise<ProviderOutcome> {
    const magic = cents(request.amount);
    if (magic === SANDBOX_MAGIC_CENTS.unavailable) throw new ProviderUnavailable('sandbox: the gateway timed out');
    const earlier = this.#refunds.get(request.refundId);
    if (earlier) return earlier;
    const outcome = this.#refund(reference, request, magic);
    if (outcome.ok) remember(this.#refunds, request.refundId, outcome);
    return outcome;
  }

  async status(reference: string): Promise<ProviderPaymentStatus> {
    const tx = this.#ledger.get(reference);
    if (!tx) return 'unknown';
    if (tx.state !== 'captured' || tx.refunded.isZero()) return tx.state;
    return tx.refunded.eq(tx.amount) ? 'refunded' : 'partially_refunded';
  }

  /** The headers the sandbox sends with a body. */
  signWebhook(rawBody: string, at: Date = new Date()): Record<string, string> {
    return { [SIGNATURE_HEADER]: signatureHeader(this.#webhookSecret, rawBody, at) };
  }

  /** A webhook body as the sandbox sends it, with a fresh event id. */
  webhookBody(reference: string, status: ProviderPaymentStatus, metadata: PaymentMetadata): string {
    return JSON.stringify({ id: `evt_${randomUUID()}`, type: `payment.${status}`, reference, status, metadata });
  }

  verifyWebhook(rawBody: Buffer | string, headers: Record<string, string | undefined>, now: Date = new Date()): ProviderWebhookEvent {
    const signedAt = verifySignature(headers[SIGNATURE_HEADER], rawBody, this.#webhookSecret, now);
    let body: { id?: unknown; type?: unknown; reference?: unknown; status?: unknown; metadata?: { tenantId?: unknown; paymentId?: unknown } };
    try {
      body = JSON.parse(rawBody.toString());
    } catch {
      throw new WebhookRejected('malformed', 'the body is not JSON');
    }
    const { id, type, reference, status, metadata } = body ?? {};
    if (typeof id !== 'string' || !id || typeof type !== 'string' || typeof reference !== 'string' || !reference) {
      throw new WebhookRejected('malformed', 'the body lacks id, type or reference');
    }
    if (!PROVIDER_PAYMENT_STATUSES.includes(status as ProviderPaymentStatus)) throw new WebhookRejected('malformed', 'unknown status');
    if (typeof metadata?.tenantId !== 'string' || !metadata.tenantId || typeof metadata.paymentId !== 'string') {
      throw new WebhookRejected('malformed', 'the metadata lacks the tenant or the payment');
    }
    return {
      eventId: id,
      type,
      reference,
      status: status as ProviderPaymentStatus,
      metadata: { tenantId: metadata.tenantId, paymentId: metadata.paymentId },
      signedAt,
    };
  }

  #refund(reference: string, request: RefundRequest, magic: number): ProviderOutcome {
    if (magic === SANDBOX_MAGIC_CENTS.declined) return { ok: false, declineCode: 'refund_declined', reason: 'the refund was declined' };
    const tx = this.#ledger.get(reference);
    // a sandbox restarted with its process has forgotten older captures; the caller's own books still bound the refund
    if (tx) {
      if (tx.state !== 'captured') return { ok: false, declineCode: 'not_captured', reason: 'only captured payments can be refunded' };
      if (tx.refunded.plus(request.amount).gt(tx.amount))
        return { ok: false, declineCode: 'exceeds_captured', reason: 'the refund exceeds the capture' };
      tx.refunded = tx.refunded.plus(request.amount);
    }
    return { ok: true, reference: `sbx_refund_${request.refundId}` };
  }

  #customerDecides(reference: string, tx: SandboxTransaction, magic: number): void {
    if (tx.state !== 'pending') return;
    tx.state = FAILS_LATER.has(magic) ? 'failed' : 'captured';
    if (magic === SANDBOX_MAGIC_CENTS.webhookLost) return;
    const body = this.webhookBody(reference, tx.state, tx.metadata);
    this.#deliver(body, 1);
    if (magic === SANDBOX_MAGIC_CENTS.webhookTwice) this.#deliver(body, 1);
  }

  /** Signed afresh on every attempt (as real gateways do), under the same event id. */
  #deliver(body: string, attempt: number): void {
    const url = this.#webhookUrl;
    if (!url) return;
    const signal = AbortSignal.any([this.#deliveries.signal, AbortSignal.timeout(DELIVERY_TIMEOUT_MS)]);
    fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...this.signWebhook(body) }, body, signal })
      .then(
        async (response) => {
          await response.body?.cancel();
          return response.ok;
        },
        () => false,
      )
      .then((delivered) => {
        if (!delivered && this.#webhookUrl && attempt < this.#deliveryAttempts) {
          this.#later(() => this.#deliver(body, attempt + 1), this.#redeliveryAfterMs * 2 ** (attempt - 1));
        }
      });
  }

  #later(work: () => void, ms: number): NodeJS.Timeout {
    const timer = setTimeout(() => {
      this.#timers.delete(timer);
      work();
    }, ms);
    timer.unref();
    this.#timers.add(timer);
    return timer;
  }

  #forget(timer: NodeJS.Timeout): void {
    clearTimeout(timer);
    this.#timers.delete(timer);
  }
}
