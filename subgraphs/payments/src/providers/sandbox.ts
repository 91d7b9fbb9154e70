import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import { Decimal } from '@comanda/kit';
import {
  type AuthorizeRequest,
  type PaymentProvider,
  type ProviderOutcome,
  type ProviderPaymentStatus,
  ProviderUnavailable,
  type ProviderWebhookEvent,
  type RefundRequest,
  WebhookRejected,
} from './provider.ts';

/**
 * Magic amounts: the cents of an amount decide the sandbox's answer, like a real gateway's
 * test cards (documented in docs/errors.md under payments).
 *   .51  authorization declined (card_declined)
 *   .52  authorization declined (insufficient_funds)
 *   .53  provider unavailable (timeout): nothing happens, retry later
 *   .54  authorized, but the capture is declined (capture_failed); the authorization is released
 * Refunds: .51 declined (refund_declined), .53 provider unavailable. Everything else succeeds.
 */
export const SANDBOX_MAGIC_CENTS = { declined: 51, insufficientFunds: 52, unavailable: 53, captureFails: 54 } as const;

export const SANDBOX_SIGNATURE_HEADER = 'comanda-sandbox-signature';
/** Webhooks older than this are replays and are rejected. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;
/** The sandbox forgets the oldest transactions beyond this, as a bounded stand-in for the gateway's books. */
const LEDGER_LIMIT = 10_000;

interface SandboxTransaction {
  amount: Decimal;
  currency: string;
  state: 'authorized' | 'captured' | 'cancelled';
  refunded: Decimal;
}

function cents(amount: string): number {
  return new Decimal(amount).times(100).mod(100).abs().toNumber();
}

function sign(secret: string, timestamp: number, rawBody: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex');
}

export class SandboxProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly #webhookSecret: string;
  readonly #ledger = new Map<string, SandboxTransaction>();

  constructor(options: { webhookSecret: string }) {
    this.#webhookSecret = options.webhookSecret;
  }

  async authorize(request: AuthorizeRequest): Promise<ProviderOutcome> {
    const magic = cents(request.amount);
    if (magic === SANDBOX_MAGIC_CENTS.unavailable) throw new ProviderUnavailable('sandbox: the gateway timed out');
    if (magic === SANDBOX_MAGIC_CENTS.declined) return { ok: false, declineCode: 'card_declined', reason: 'the card was declined' };
    if (magic === SANDBOX_MAGIC_CENTS.insufficientFunds) return { ok: false, declineCode: 'insufficient_funds', reason: 'insufficient funds' };
    const reference = `sbx_${request.attemptId}`;
    this.#remember(reference, { amount: new Decimal(request.amount), currency: request.currency, state: 'authorized', refunded: new Decimal(0) });
    return { ok: true, reference };
  }

  async capture(reference: string, amount: string): Promise<ProviderOutcome> {
    const tx = this.#ledger.get(reference);
    if (!tx || tx.state !== 'authorized') return { ok: false, declineCode: 'no_authorization', reason: 'nothing authorized under this reference' };
    if (new Decimal(amount).gt(tx.amount)) return { ok: false, declineCode: 'amount_too_high', reason: 'the capture exceeds the authorization' };
    if (cents(amount) === SANDBOX_MAGIC_CENTS.captureFails) return { ok: false, declineCode: 'capture_failed', reason: 'the capture was declined' };
    tx.state = 'captured';
    tx.amount = new Decimal(amount);
    return { ok: true, reference };
  }

  async cancel(reference: string): Promise<void> {
    const tx = this.#ledger.get(reference);
    if (tx?.state === 'authorized') tx.state = 'cancelled';
  }

  async refund(reference: string, request: RefundRequest): Promise<ProviderOutcome> {
    const magic = cents(request.amount);
    if (magic === SANDBOX_MAGIC_CENTS.unavailable) throw new ProviderUnavailable('sandbox: the gateway timed out');
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

  async status(reference: string): Promise<ProviderPaymentStatus> {
    const tx = this.#ledger.get(reference);
    if (!tx) return 'unknown';
    if (tx.state !== 'captured' || tx.refunded.isZero()) return tx.state;
    return tx.refunded.eq(tx.amount) ? 'refunded' : 'partially_refunded';
  }

  /** What the sandbox sends: `t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.body">`. */
  signWebhook(rawBody: string, at: Date = new Date()): Record<string, string> {
    const timestamp = Math.floor(at.getTime() / 1000);
    return { [SANDBOX_SIGNATURE_HEADER]: `t=${timestamp},v1=${sign(this.#webhookSecret, timestamp, rawBody)}` };
  }

  verifyWebhook(rawBody: string, headers: Record<string, string | undefined>, now: Date = new Date()): ProviderWebhookEvent {
    const header = headers[SANDBOX_SIGNATURE_HEADER];
    const fields = new Map((header ?? '').split(',').map((kv) => kv.split('=', 2) as [string, string]));
    const timestamp = Number(fields.get('t'));
    const signature = fields.get('v1') ?? '';
    if (!Number.isInteger(timestamp) || !/^[0-9a-f]{64}$/.test(signature)) throw new WebhookRejected('missing or malformed signature');
    const expected = Buffer.from(sign(this.#webhookSecret, timestamp, rawBody), 'hex');
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) throw new WebhookRejected('bad signature');
    if (Math.abs(now.getTime() / 1000 - timestamp) > WEBHOOK_TOLERANCE_SECONDS) throw new WebhookRejected('stale webhook (possible replay)');
    let body: { id?: unknown; type?: unknown; reference?: unknown; status?: unknown };
    try {
      body = JSON.parse(rawBody) as typeof body;
    } catch {
      throw new WebhookRejected('the body is not JSON');
    }
    if (typeof body.id !== 'string' || typeof body.type !== 'string' || typeof body.reference !== 'string' || typeof body.status !== 'string') {
      throw new WebhookRejected('the body lacks id, type, reference or status');
    }
    return {
      eventId: body.id,
      type: body.type,
      reference: body.reference,
      status: body.status as ProviderPaymentStatus,
      occurredAt: new Date(timestamp * 1000),
    };
  }

  /** A webhook body the sandbox would send for a reference (tests, and the asynchronous flow to come). */
  webhookBody(reference: string, status: ProviderPaymentStatus): string {
    return JSON.stringify({ id: `evt_${randomUUID()}`, type: `payment.${status}`, reference, status });
  }

  #remember(reference: string, tx: SandboxTransaction): void {
    this.#ledger.set(reference, tx);
    if (this.#ledger.size > LEDGER_LIMIT) {
      const oldest = this.#ledger.keys().next().value;
      if (oldest !== undefined) this.#ledger.delete(oldest);
    }
  }
}
