import { describe, expect, it } from 'vitest';
import { ProviderUnavailable, WebhookRejected } from '../src/providers/provider.ts';
import { SANDBOX_SIGNATURE_HEADER, SandboxProvider } from '../src/providers/sandbox.ts';

const sandbox = () => new SandboxProvider({ webhookSecret: 'test-secret' });
const request = (amount: string, attemptId: string = crypto.randomUUID()) => ({ attemptId, method: 'CARD' as const, amount, currency: 'RON' });

describe('the sandbox gateway', () => {
  it('authorizes and captures ordinary amounts with a reference', async () => {
    const provider = sandbox();
    const auth = await provider.authorize(request('42.00', 'a1'));
    expect(auth).toEqual({ ok: true, reference: 'sbx_a1' });
    expect(await provider.status('sbx_a1')).toBe('authorized');
    expect(await provider.capture('sbx_a1', '42.00')).toEqual({ ok: true, reference: 'sbx_a1' });
    expect(await provider.status('sbx_a1')).toBe('captured');
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
    const body = provider.webhookBody('sbx_x', 'captured');
    const event = provider.verifyWebhook(body, provider.signWebhook(body, now), now);
    expect(event).toMatchObject({ reference: 'sbx_x', status: 'captured', type: 'payment.captured' });
    expect(event.eventId).toMatch(/^evt_/);
  });

  it('rejects a tampered body, a foreign secret, a missing header and a replay older than 5 minutes', () => {
    const provider = sandbox();
    const body = provider.webhookBody('sbx_x', 'captured');
    const headers = provider.signWebhook(body, now);
    expect(() => provider.verifyWebhook(body.replace('captured', 'refunded'), headers, now)).toThrow(WebhookRejected);
    const foreign = new SandboxProvider({ webhookSecret: 'other' }).signWebhook(body, now);
    expect(() => provider.verifyWebhook(body, foreign, now)).toThrow(/bad signature/);
    expect(() => provider.verifyWebhook(body, {}, now)).toThrow(/malformed/);
    expect(() => provider.verifyWebhook(body, headers, new Date(now.getTime() + 301_000))).toThrow(/stale/);
    expect(provider.verifyWebhook(body, headers, new Date(now.getTime() + 299_000)).reference).toBe('sbx_x');
    expect(() => provider.verifyWebhook(body, { [SANDBOX_SIGNATURE_HEADER]: 't=1,v1=zz' }, now)).toThrow(WebhookRejected);
  });
});
