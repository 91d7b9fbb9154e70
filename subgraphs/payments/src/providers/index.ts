import { PAYMENT_METHODS, type PaymentMethod } from '../domain/payment.ts';
import type { PaymentProvider } from './provider.ts';
import { type ResilienceOptions, ResilientProvider } from './resilient.ts';
import { DEFAULT_ASYNC_METHODS, SandboxProvider } from './sandbox.ts';

/** The payment providers of one payments process, each wrapped in retries and its circuit breaker. */
export interface Providers {
  /** the provider that card, QR and wallet payments of this method go through */
  forMethod(method: PaymentMethod): PaymentProvider;
  /** by the name kept on each payment (`payment.provider`) and used in webhook paths */
  named(name: string): PaymentProvider | null;
  /** the server listens at `baseUrl`: providers that call back (the sandbox's webhooks) learn where */
  attach(baseUrl: string): void;
  close(): void;
}

/** Development only: a real deployment sets COMANDA_PAYMENTS_WEBHOOK_SECRET. */
export const DEV_WEBHOOK_SECRET = 'comanda-dev-payments-webhook-secret';

export function webhookSecretFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.COMANDA_PAYMENTS_WEBHOOK_SECRET?.trim() || DEV_WEBHOOK_SECRET;
}

/** COMANDA_PAYMENTS_SANDBOX_ASYNC=CARD,QR_CODE,E_WALLET makes those methods asynchronous (default QR_CODE,E_WALLET). */
export function asyncMethodsFromEnv(env: NodeJS.ProcessEnv = process.env): PaymentMethod[] {
  const listed = env.COMANDA_PAYMENTS_SANDBOX_ASYNC?.split(',').map((m) => m.trim().toUpperCase());
  if (!listed) return [...DEFAULT_ASYNC_METHODS];
  return PAYMENT_METHODS.filter((m) => listed.includes(m));
}

export function sandboxProviders(sandbox: SandboxProvider, resilience?: ResilienceOptions): Providers {
  const provider = new ResilientProvider(sandbox, resilience);
  return {
    forMethod: () => provider,
    named: (name) => (name === provider.name ? provider : null),
    attach: (baseUrl) => sandbox.deliverWebhooksTo(new URL(`/webhooks/${sandbox.name}`, baseUrl).toString()),
    close: () => sandbox.close(),
  };
}

/** Card, QR and wallet payments go through the sandbox until a real gateway adapter is configured. */
export function providersFromEnv(env: NodeJS.ProcessEnv = process.env): Providers {
  return sandboxProviders(new SandboxProvider({ webhookSecret: webhookSecretFromEnv(env), asyncMethods: asyncMethodsFromEnv(env) }));
}
