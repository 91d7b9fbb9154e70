import type { PaymentMethod } from '../domain/payment.ts';

/**
 * A payment gateway (card acquirer, QR or wallet provider) behind one interface, so the real
 * adapters and the sandbox are interchangeable. Amounts travel as decimal strings.
 */
export interface PaymentProvider {
  readonly name: string;
  /** reserves the money; `attemptId` is unique per attempt, so a retried attempt never reuses a reference */
  authorize(request: AuthorizeRequest): Promise<ProviderOutcome>;
  capture(reference: string, amount: string): Promise<ProviderOutcome>;
  /** releases an authorization that will not be captured */
  cancel(reference: string): Promise<void>;
  refund(reference: string, request: RefundRequest): Promise<ProviderOutcome>;
  status(reference: string): Promise<ProviderPaymentStatus>;
  /** checks an incoming webhook's signature and age; throws WebhookRejected otherwise */
  verifyWebhook(rawBody: string, headers: Record<string, string | undefined>, now?: Date): ProviderWebhookEvent;
}

export interface AuthorizeRequest {
  attemptId: string;
  method: PaymentMethod;
  amount: string;
  currency: string;
}

export interface RefundRequest {
  refundId: string;
  amount: string;
}

export type ProviderOutcome = { ok: true; reference: string } | { ok: false; declineCode: string; reason: string };

export type ProviderPaymentStatus = 'authorized' | 'captured' | 'cancelled' | 'partially_refunded' | 'refunded' | 'unknown';

export interface ProviderWebhookEvent {
  /** the provider's event id: deliveries are deduplicated by it */
  eventId: string;
  type: string;
  reference: string;
  status: ProviderPaymentStatus;
  occurredAt: Date;
}

/** The provider did not answer (timeout, 5xx): nothing happened, the client may retry. */
export class ProviderUnavailable extends Error {
  override name = 'ProviderUnavailable';
}

export class WebhookRejected extends Error {
  override name = 'WebhookRejected';
}
