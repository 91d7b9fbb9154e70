import { afterEach, describe, expect, it } from 'vitest';
import type { PaymentMethod } from '../src/domain/payment.ts';
import { DEFAULT_POLLER, pollerOptionsFromEnv } from '../src/poller.ts';
import { asyncMethodsFromEnv, DEV_WEBHOOK_SECRET, webhookSecretFromEnv } from '../src/providers/index.ts';
import { ProviderUnavailable, WebhookRejected } from '../src/providers/provider.ts';
import { SandboxProvider } from '../src/providers/sandbox.ts';
import { SIGNATURE_HEADER } from '../src/providers/signature.ts';

const metadata = { tenantId: 'demo', paymentId: 'p1' };
const opened: SandboxProvider[] = [];
function sandbox(options: { asyncMethods?: PaymentMethod[]; settleAfterMs?: number; redeliveryAfterMs?: number } = {}) {
  const provider = new SandboxProvider({ webhookSecret: 'test-secret', ...options });
  opened.push(provider);
  return provider;
}
afterEach(() => {
  for (const provider of opened.splice(0)) provider.close();
});
const request = (amount: string, attemptId: string = crypto.randomUUID(), method: PaymentMethod = 'CARD') => ({
  attemptId,
  method,
  amount,
  currency: 'RON',
  metadata,
});

describe('the sandbox gateway', () => {
  it('authorizes and captures ordinary amounts with a reference', async () => {
    const provider = sandbox();
    const auth = await provider.authorize(request('42.00', 'a1'));
    expect(auth).toEqual({ ok: true, reference: 'sbx_a1', pending: false });
    expect(await provider.status('sbx_a1')).toBe('authorized');
    expect(await provider.capture('sbx_a1', '42.00')).toEqual({ ok: true, reference: 'sbx_a1' });
    expect(await provider.status('sbx_a1')).toBe('captured');
  });

  it('answers a repeated attempt, capture or refund as the first one (retries are safe)', async () => {
    const provider = sandbox();
    await provider.authorize(request('50.00', 'a9'));
    expect(await provider.authorize(request('50.00', 'a9'))).toEqual({ ok: true, reference: 'sbx_a9', pending: false });
    await provider.capture('sbx_a9', '50.00');
    expect(await provider.capture('sbx_a9', '50.00')).toEqual({ ok: true, reference: 'sbx_a9' });
    expect(await provider.refund('sbx_a9', { refundId: 'r1', amount: '30.00' })).toMatchObject({ ok: true });
    expect(await provider.refund('sbx_a9', { refundId: 'r1', amount: '30.00' })).toEqual({ ok: true, reference: 'sbx_refund_r1' });
    expect(await provider.status('sbx_a9')).toBe('partially_refunded');
    // only 20.00 is left: a second refund of 30.00 under a new key is refused, the repeat above was not counted
    expect(await provider.refund('sbx_a9', { refundId: 'r2', amount: '30.00' })).toMatchObject({ ok: false, declineCode: 'exceeds_captured' });
  });

  it.each([
    ['10.51', 'card_declined'],
    ['7.52', 'insufficient_funds'],
  ])('declines %s (%s)', async (amount, declineCode) => {
    expect(await sandbox().authorize(request(amount))).toMatchObject({ ok: false, declineCode });
  });

  it('times out on .53', async () => {
    await expect(sandbox().authorize(request('3.53'))).rejects.toBeInstanceOf(ProviderUnavailable);
  });

  it('authorizes .54 but declines its capture, and a cancelled authorization stays uncaptured', async () => {
    const provider = sandbox();
    const auth = await provider.authorize(request('9.54', 'a2'));
    expect(auth.ok).toBe(true);
    expect(await provider.capture('sbx_a2', '9.54')).toMatchObject({ ok: false, declineCode: 'capture_failed' });
    await provider.cancel('sbx_a2');
    expect(await provider.status('sbx_a2')).toBe('cancelled');
    expect(await provider.capture('sbx_a2', '9.54')).toMatchObject({ ok: false });
  });

  it('refunds within the capture, declines .51 refunds and refuses more than captured', async () => {
    const provider = sandbox();
    await provider.authorize(request('100.00', 'a3'));
    await provider.capture('sbx_a3', '100.00');
    expect(await provider.refund('sbx_a3', { refundId: 'r1', amount: '40.00' })).toEqual({ ok: true, reference: 'sbx_refund_r1' });
    expect(await provider.status('sbx_a3')).toBe('partially_refunded');
    expect(await provider.refund('sbx_a3', { refundId: 'r2', amount: '10.51' })).toMatchObject({ ok: false, declineCode: 'refund_declined' });
    expect(await provider.refund('sbx_a3', { refundId: 'r3', amount: '60.01' })).toMatchObject({ ok: false, declineCode: 'exceeds_captured' });
    await provider.refund('sbx_a3', { refundId: 'r4', amount: '60.00' });
    expect(await provider.status('sbx_a3')).toBe('refunded');
    await expect(provider.refund('sbx_a3', { refundId: 'r5', amount: '1.53' })).rejects.toBeInstanceOf(ProviderUnavailable);
  });

  it('does not capture what it never authorized', async () => {
    expect(await sandbox().capture('sbx_nope', '1.00')).toMatchObject({ ok: false, declineCode: 'no_authorization' });
    expect(await sandbox().status('sbx_nope')).toBe('unknown');
  });
});

describe('sandbox webhooks', () => {
  const now = new Date('2025-06-01T12:00:00Z');

  it('accepts a freshly signed webhook', () => {
    const provider = sandbox();
    const body = provider.webhookBody('sbx_x', 'captured', metadata);
    const event = provider.verifyWebhook(body, provider.signWebhook(body, now), now);
    expect(event).toMatchObject({ reference: 'sbx_x', status: 'captured', type: 'payment.captured', metadata, signedAt: now });
    expect(event.eventId).toMatch(/^evt_/);
  });

  it('rejects a tampered body, a foreign secret, a missing header and a replay older than 5 minutes', () => {
    const provider = sandbox();
    const body = provider.webhookBody('sbx_x', 'captured', metadata);
    const headers = provider.signWebhook(body, now);
    expect(() => provider.verifyWebhook(body.replace('captured', 'refunded'), headers, now)).toThrow(WebhookRejected);
    const foreign = new SandboxProvider({ webhookSecret: 'other' }).signWebhook(body, now);
    expect(() => provider.verifyWebhook(body, foreign, now)).toThrow(/does not match/);
    expect(() => provider.verifyWebhook(body, {}, now)).toThrow(/malformed/);
    expect(() => provider.verifyWebhook(body, headers, new Date(now.getTime() + 301_000))).toThrow(/replay/);
    expect(provider.verifyWebhook(body, headers, new Date(now.getTime() + 299_000)).reference).toBe('sbx_x');
    expect(() => provider.verifyWebhook(body, { [SIGNATURE_HEADER]: 't=1,v1=zz' }, now)).toThrow(WebhookRejected);
  });

  it('refuses a signed body it cannot use: not JSON, an unknown status, no tenant', () => {
    const provider = sandbox();
    const kinds = [
      'nope',
      JSON.stringify({ id: 'e', type: 't', reference: 'r', status: 'paid', metadata }),
      provider.webhookBody('r', 'captured', { tenantId: '', paymentId: 'p' }),
    ].map((body) => {
      try {
        provider.verifyWebhook(body, provider.signWebhook(body, now), now);
        return 'accepted';
      } catch (error) {
        return (error as WebhookRejected).kind;
      }
    });
    expect(kinds).toEqual(['malformed', 'malformed', 'malformed']);
  });
});

describe('settings from the environment', () => {
  it('reads the webhook secret, the asynchronous methods and the poller timing, with defaults', () => {
    expect(webhookSecretFromEnv({})).toBe(DEV_WEBHOOK_SECRET);
    expect(webhookSecretFromEnv({ COMANDA_PAYMENTS_WEBHOOK_SECRET: ' s3cret ' })).toBe('s3cret');
    expect(asyncMethodsFromEnv({})).toEqual(['QR_CODE', 'E_WALLET']);
    expect(asyncMethodsFromEnv({ COMANDA_PAYMENTS_SANDBOX_ASYNC: 'card, qr_code,bogus' })).toEqual(['CARD', 'QR_CODE']);
    expect(pollerOptionsFromEnv({})).toEqual(DEFAULT_POLLER);
    expect(pollerOptionsFromEnv({ COMANDA_PAYMENTS_POLL_STALE_SECONDS: '5', COMANDA_PAYMENTS_POLL_INTERVAL_MS: 'soon' })).toMatchObject({
      staleAfterSeconds: 5,
      intervalMs: DEFAULT_POLLER.intervalMs,
    });
  });
});
