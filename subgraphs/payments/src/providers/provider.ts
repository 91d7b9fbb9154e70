import type { PaymentMethod } from '../domain/payment.ts';

/**
 * A payment gateway (card acquirer, QR or wallet provider) behind one interface, so the real
 * adapters and the sandbox are interchangeable. Amounts travel as decimal strings.
 *
 * Every call that moves money carries our own key (`attemptId`, `refundId`) and the provider
 * must treat a repeat of it as the same request: that is what makes retries safe.
 */
export interface PaymentProvider {
  readonly name: string;
  /**
   * Reserves the money (card) or opens a payment the customer completes on their phone (QR,
   * wallet: `pending`, settled later by a webhook or the status poller).
   */
  authorize(request: AuthorizeRequest): Promise<AuthorizeOutcome>;
  capture(reference: string, amount: string): Promise<ProviderOutcome>;
  /** releases an authorization or a pending payment that will not be captured */
  cancel(reference: string): Promise<void>;
  refund(reference: string, request: RefundRequest): Promise<ProviderOutcome>;
  status(reference: string): Promise<ProviderPaymentStatus>;
  /** checks an incoming webhook's signature and age; throws WebhookRejected otherwise */
  verifyWebhook(rawBody: Buffer | string, headers: Record<string, string | undefined>, now?: Date): ProviderWebhookEvent;
}

/** What we hand the provider at authorize and it echoes in every webhook about the payment. */
export interface PaymentMetadata {
  tenantId: string;
  paymentId: string;
}

export interface AuthorizeRequest {
  attemptId: string;
  method: PaymentMethod;
  amount: string;
  currency: string;
  metadata: PaymentMetadata;
}

export interface RefundRequest {
  refundId: string;
  amount: string;
}

export type Declined = { ok: false; declineCode: string; reason: string };
export type ProviderOutcome = { ok: true; reference: string } | Declined;
export type AuthorizeOutcome = { ok: true; reference: string; pending: boolean } | Declined;

export type ProviderPaymentStatus = 'pending' | 'authorized' | 'captured' | 'failed' | 'cancelled' | 'partially_refunded' | 'refunded' | 'unknown';

export const PROVIDER_PAYMENT_STATUSES: readonly ProviderPaymentStatus[] = [
  'pending',
  'authorized',
  'captured',
  'failed',
  'cancelled',
  'partially_refunded',
  'refunded',
  'unknown',
];

export interface ProviderWebhookEvent {
  /** the provider's event id: deliveries are deduplicated by it */
  eventId: string;
  type: string;
  reference: string;
  status: ProviderPaymentStatus;
  metadata: PaymentMetadata;
  /** when the provider signed it */
  signedAt: Date;
}

/** The provider did not answer (timeout, 5xx): nothing happened, the client may retry. */
export class ProviderUnavailable extends Error {
  override name = 'ProviderUnavailable';
}

/** Calls to a failing provider are paused: answered at once, without trying. */
export class CircuitOpen extends ProviderUnavailable {
  override name = 'CircuitOpen';
  readonly retryAfterMs: number;
  constructor(provider: string, retryAfterMs: number) {
    super(`${provider}: calls are paused after repeated failures; next try in ${Math.ceil(retryAfterMs / 1000)} s`);
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Why a webhook was refused: a missing or wrong signature (401), a signature older than the
 * tolerance, i.e. a possible replay (400), or a signed body we cannot read (400).
 */
export type WebhookRejection = 'signature' | 'stale' | 'malformed';

export class WebhookRejected extends Error {
  override name = 'WebhookRejected';
  readonly kind: WebhookRejection;
  constructor(kind: WebhookRejection, message: string) {
    super(message);
    this.kind = kind;
  }
}
