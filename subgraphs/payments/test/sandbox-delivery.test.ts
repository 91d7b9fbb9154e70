import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PaymentMethod } from '../src/domain/payment.ts';
import { SandboxProvider } from '../src/providers/sandbox.ts';
import { SIGNATURE_HEADER } from '../src/providers/signature.ts';

/** The sandbox's own webhook deliveries, to a local endpoint (network I/O, so not a unit test). */

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
const request = (amount: string, attemptId: string, method: PaymentMethod) => ({ attemptId, method, amount, currency: 'RON', metadata });

/** A local endpoint that records what the sandbox POSTs and answers with the given statuses in turn. */
async function receiver(statuses: number[] = []) {
  const received: { body: string; signature: string | undefined }[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ body: Buffer.concat(chunks).toString('utf8'), signature: req.headers[SIGNATURE_HEADER] as string | undefined });
    res.writeHead(statuses.shift() ?? 200);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/sandbox`;
  return { url, received, close: () => new Promise((resolve) => server.close(resolve)) };
}

async function until(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('the sandbox, asynchronous (QR code, e-wallet; cards when asked)', () => {
  it('answers pending, then the customer pays and a signed webhook with our metadata arrives', async () => {
    const endpoint = await receiver();
    const provider = sandbox({ settleAfterMs: 20 });
    provider.deliverWebhooksTo(endpoint.url);
    expect(await provider.authorize(request('25.00', 'q1', 'QR_CODE'))).toEqual({ ok: true, reference: 'sbx_q1', pending: true });
    expect(await provider.status('sbx_q1')).toBe('pending');
    await until(() => endpoint.received.length === 1);
    const [delivery] = endpoint.received;
    const event = provider.verifyWebhook(delivery!.body, { [SIGNATURE_HEADER]: delivery!.signature });
    expect(event).toMatchObject({ reference: 'sbx_q1', status: 'captured', type: 'payment.captured', metadata });
    expect(await provider.status('sbx_q1')).toBe('captured');
    await endpoint.close();
  });

  it('makes cards asynchronous when asked, and fails a declined one through its webhook', async () => {
    const endpoint = await receiver();
    const provider = sandbox({ asyncMethods: ['CARD'], settleAfterMs: 10 });
    provider.deliverWebhooksTo(endpoint.url);
    expect(await provider.authorize(request('10.51', 'c1', 'CARD'))).toMatchObject({ ok: true, pending: true });
    expect(await provider.authorize(request('10.00', 'w1', 'E_WALLET'))).toMatchObject({ ok: true, pending: false });
    await until(() => endpoint.received.length === 1);
    expect(JSON.parse(endpoint.received[0]!.body)).toMatchObject({ reference: 'sbx_c1', status: 'failed' });
    expect(await provider.status('sbx_c1')).toBe('failed');
    await endpoint.close();
  });

  it('redelivers until it gets a 2xx, under the same event id', async () => {
    const endpoint = await receiver([500, 409]);
    const provider = sandbox({ settleAfterMs: 10, redeliveryAfterMs: 10 });
    provider.deliverWebhooksTo(endpoint.url);
    await provider.authorize(request('5.00', 'q2', 'QR_CODE'));
    await until(() => endpoint.received.length === 3);
    await new Promise((r) => setTimeout(r, 100));
    expect(endpoint.received).toHaveLength(3);
    expect(new Set(endpoint.received.map((d) => JSON.parse(d.body).id)).size).toBe(1);
    await endpoint.close();
  });

  it('loses the webhook of .55 (status still tells), delivers .56 twice, and sends nothing for a cancelled payment', async () => {
    const endpoint = await receiver();
    const provider = sandbox({ settleAfterMs: 10 });
    provider.deliverWebhooksTo(endpoint.url);
    await provider.authorize(request('1.55', 'lost', 'QR_CODE'));
    await provider.authorize(request('1.56', 'twice', 'QR_CODE'));
    await provider.authorize(request('1.00', 'called-off', 'QR_CODE'));
    await provider.cancel('sbx_called-off');
    await until(() => endpoint.received.length === 2);
    await new Promise((r) => setTimeout(r, 100));
    expect(endpoint.received.map((d) => JSON.parse(d.body).reference)).toEqual(['sbx_twice', 'sbx_twice']);
    expect(await provider.status('sbx_lost')).toBe('captured');
    expect(await provider.status('sbx_called-off')).toBe('cancelled');
    await endpoint.close();
  });
});
