import type { PaymentMethod } from '../domain/payment.ts';
import type { PaymentProvider } from './provider.ts';
import { SandboxProvider } from './sandbox.ts';

export type ProviderFor = (method: PaymentMethod) => PaymentProvider;

/**
 * Card, QR and wallet payments go through the sandbox until a real gateway adapter is configured.
 * The webhook secret only guards the sandbox's own (asynchronous) webhooks.
 */
export function defaultProviders(): ProviderFor {
  const sandbox = new SandboxProvider({ webhookSecret: process.env.PAYMENTS_SANDBOX_WEBHOOK_SECRET ?? 'comanda-sandbox-webhook-secret' });
  return () => sandbox;
}
