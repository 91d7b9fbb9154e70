import { loadKeys } from '@comanda/gateway';
import { type Identity, type SubgraphRuntime, signIdentity, startSubgraph } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { adminQuery, databaseUrl, demo, eventually, other } from '../../../tests/support/client.ts';
import { createPayments } from '../src/index.ts';
import type { Providers } from '../src/providers/index.ts';
import { sandboxProviders, webhookSecretFromEnv } from '../src/providers/index.ts';
import type { AuthorizeRequest, ProviderPaymentStatus } from '../src/providers/provider.ts';
import { SandboxProvider } from '../src/providers/sandbox.ts';
import { codes, eventTypes, knownOrder, orderFigures, paymentCount, paymentState, RECORD, record } from './support.ts';

/** Signs webhooks as the stack's sandbox does (same secret, from the same environment). */
const stackSandbox = new SandboxProvider({ webhookSecret: webhookSecretFromEnv() });
const metadataOf = (paymentId: string, tenantId = demo.tenantId) => ({ tenantId, paymentId });

function webhookUrl(graphqlUrl: string): string {
  return new URL('/webhooks/sandbox', graphqlUrl).toString();
}

async function deliver(url: string, body: string, headers: Record<string, string>) {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: response.status, body: (await response.json()) as { outcome?: string; error?: string } };
}

const stackWebhooks = () => webhookUrl(inject('subgraphUrls').payments!);
const webhookRows = async (reference: string) =>
  (await adminQuery<{ n: number }>('select count(*)::int as n from payments.provider_webhook where reference = $1', [reference]))[0]!.n;

describe('QR code and e-wallet payments settle through signed webhooks', () => {
  it('a QR payment waits for the customer, and the sandbox webhook captures it', async () => {
    const orderId = await knownOrder('30.00');
    const { payment, userErrors } = await record({ orderId, method: 'QR_CODE', amount: '30.00' });
    expect(userErrors).toEqual([]);
    expect(payment).toMatchObject({ state: 'PENDING', providerReference: `sbx_${payment.id}` });
    expect(await orderFigures(orderId, '30.00')).toMatchObject({ paymentStatus: 'UNPAID', balanceDue: { amount: '30.00' } });
    // pending money still counts against the total
    expect(codes(await record({ orderId, method: 'CASH', amount: '1.00' }))).toEqual(['OVERPAYMENT']);

    await eventually(async () => (await paymentState(payment.id)) === 'CAPTURED');
    expect(await eventTypes(payment.id)).toEqual(['pending', 'captured']);
    const [captured] = await adminQuery(`select data from payments.outbox where aggregate_id = $1 and type like '%.captured.v1'`, [payment.id]);
    expect(captured.data).toMatchObject({
      state: 'CAPTURED',
      amountPaid: '30.00',
      paymentStatus: 'PAID',
      providerReference: payment.providerReference,
    });
    expect(await webhookRows(payment.providerReference)).toBe(1);
    expect(await orderFigures(orderId, '30.00')).toMatchObject({ paymentStatus: 'PAID', amountPaid: { amount: '30.00' } });
  });

  it('a wallet payment the customer declines fails through its webhook and frees the amount', async () => {
    const orderId = await knownOrder('12.51');
    const { payment } = await record({ orderId, method: 'E_WALLET', amount: '12.51' });
    expect(payment.state).toBe('PENDING');
    await eventually(async () => (await paymentState(payment.id)) === 'FAILED');
    expect(await eventTypes(payment.id)).toEqual(['pending', 'failed']);
    expect((await record({ orderId, method: 'CASH', amount: '12.51' })).userErrors).toEqual([]);
  });

  it('a webhook the sandbox delivers twice has one effect', async () => {
    const orderId = await knownOrder('7.56');
    const { payment } = await record({ orderId, method: 'QR_CODE', amount: '7.56' });
    await eventually(async () => (await paymentState(payment.id)) === 'CAPTURED');
    await new Promise((r) => setTimeout(r, 300));
    expect(await eventTypes(payment.id)).toEqual(['pending', 'captured']);
    expect(await webhookRows(payment.providerReference)).toBe(1);
  });
});

describe('POST /webhooks/sandbox', () => {
  /** A QR payment whose own webhook never comes (.55), so every change here is the test's. */
  async function waitingPayment() {
    const orderId = await knownOrder('40.55');
    const { payment } = await record({ orderId, method: 'QR_CODE', amount: '40.55' });
    expect(payment.state).toBe('PENDING');
    return payment as { id: string; providerReference: string };
  }

  async function unchanged(payment: { id: string; providerReference: string }) {
    expect(await paymentState(payment.id)).toBe('PENDING');
    expect(await eventTypes(payment.id)).toEqual(['pending']);
    expect(await webhookRows(payment.providerReference)).toBe(0);
  }

  it('rejects a bad signature, a tampered body and a missing header with 401, and nothing changes', async () => {
    const payment = await waitingPayment();
    const body = stackSandbox.webhookBody(payment.providerReference, 'captured', metadataOf(payment.id));
    const forged = new SandboxProvider({ webhookSecret: 'not-the-secret' }).signWebhook(body);
    expect((await deliver(stackWebhooks(), body, forged)).status).toBe(401);
    const tampered = body.replace('"captured"', '"failed"');
    expect((await deliver(stackWebhooks(), tampered, stackSandbox.signWebhook(body))).status).toBe(401);
    expect((await deliver(stackWebhooks(), body, {})).status).toBe(401);
    await unchanged(payment);
  });

  it('rejects a correctly signed delivery older than 5 minutes as a replay, and nothing changes', async () => {
    const payment = await waitingPayment();
    const body = stackSandbox.webhookBody(payment.providerReference, 'captured', metadataOf(payment.id));
    const replay = await deliver(stackWebhooks(), body, stackSandbox.signWebhook(body, new Date(Date.now() - 301_000)));
    expect(replay).toMatchObject({ status: 400, body: { error: expect.stringMatching(/replay/) } });
    await unchanged(payment);
  });

  it('applies a good delivery once: the same delivery again, or the same news under a new id, changes nothing', async () => {
    const payment = await waitingPayment();
    const body = stackSandbox.webhookBody(payment.providerReference, 'captured', metadataOf(payment.id));
    const headers = stackSandbox.signWebhook(body);
    expect(await deliver(stackWebhooks(), body, headers)).toEqual({ status: 200, body: { received: true, outcome: 'settle' } });
    expect(await deliver(stackWebhooks(), body, headers)).toEqual({ status: 200, body: { received: true, outcome: 'duplicate' } });
    const again = stackSandbox.webhookBody(payment.providerReference, 'captured', metadataOf(payment.id));
    expect((await deliver(stackWebhooks(), again, stackSandbox.signWebhook(again))).body.outcome).toBe('settled');
    expect(await paymentState(payment.id)).toBe('CAPTURED');
    expect(await eventTypes(payment.id)).toEqual(['pending', 'captured']);
    expect(await webhookRows(payment.providerReference)).toBe(2);
  });

  it('takes the tenant from the signed metadata only: another tenant cannot reach the payment', async () => {
    const payment = await waitingPayment();
    const body = stackSandbox.webhookBody(payment.providerReference, 'captured', metadataOf(payment.id, other.tenantId));
    // payments does not know the reference in that tenant: a redelivery is asked for, nothing is recorded
    expect((await deliver(stackWebhooks(), body, stackSandbox.signWebhook(body))).status).toBe(409);
    await unchanged(payment);
  });

  it('answers a reference it does not know with 409 (the payment may not be committed yet) and records nothing', async () => {
    const body = stackSandbox.webhookBody(`sbx_${uuidv7()}`, 'captured', metadataOf(uuidv7()));
    expect((await deliver(stackWebhooks(), body, stackSandbox.signWebhook(body))).status).toBe(409);
    const eventId = JSON.parse(body).id;
    expect((await adminQuery('select 1 from payments.provider_webhook where event_id = $1', [eventId])).length).toBe(0);
  });

  it('refuses what is not a webhook', async () => {
    expect((await fetch(stackWebhooks())).status).toBe(405);
    expect((await fetch(new URL('/webhooks/nobody', stackWebhooks()), { method: 'POST', body: '{}' })).status).toBe(404);
    const big = 'x'.repeat(70_000);
    expect((await deliver(stackWebhooks(), big, stackSandbox.signWebhook(big))).status).toBe(413);
    const notJson = 'hello';
    expect((await deliver(stackWebhooks(), notJson, stackSandbox.signWebhook(notJson))).status).toBe(400);
  });
});

/** A sandbox that counts the calls that reach it. */
class CountingSandbox extends SandboxProvider {
  authorizations = 0;
  statusCalls = 0;
  override authorize(request: AuthorizeRequest) {
    this.authorizations++;
    return super.authorize(request);
  }
  override status(reference: string): Promise<ProviderPaymentStatus> {
    this.statusCalls++;
    return super.status(reference);
  }
}

/**
 * A second payments process of our own, on the test database, with its own providers and a
 * quick status poller. Its reactions stay off (the stack's instance consumes the events).
 */
async function ownInstance(providers: Providers, poller = { staleAfterSeconds: 3600, intervalMs: 60_000, batchSize: 100 }) {
  const keys = await loadKeys(inject('keysDir'));
  const runtime = await startSubgraph(
    { ...createPayments({ providers, poller }), consumes: [] },
    { databaseUrl: databaseUrl(), identitySecret: keys.internalSecret, port: 0, migrated: true },
  );
  const call = async (query: string, variables: Record<string, unknown>) => {
    const identity: Identity = { tenantId: demo.tenantId, userId: 'test', roles: ['manager'], storeIds: null, printerId: null };
    const response = await fetch(runtime.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-comanda-identity': await signIdentity(identity, keys.internalSecret) },
      body: JSON.stringify({ query, variables }),
    });
    return (await response.json()) as { data: any };
  };
  const pay = async (input: Record<string, unknown>) =>
    (await call(RECORD, { input: { idempotencyKey: uuidv7(), ...input } })).data.recordPayment as {
      payment: any;
      userErrors: { code: string; message: string }[];
    };
  return { runtime, pay };
}

describe('the status poller settles payments whose webhook never came', () => {
  const sandbox = new CountingSandbox({ webhookSecret: 'own-secret', settleAfterMs: 50 });
  let own: Awaited<ReturnType<typeof ownInstance>>;
  let runtime: SubgraphRuntime;
  beforeAll(async () => {
    own = await ownInstance(sandboxProviders(sandbox), { staleAfterSeconds: 1, intervalMs: 200, batchSize: 100 });
    runtime = own.runtime;
  });
  afterAll(() => runtime?.stop());

  it('asks the provider about a stale pending payment and applies its answer, idempotently with a late webhook', async () => {
    const orderId = await knownOrder('18.55');
    const { payment } = await own.pay({ orderId, method: 'QR_CODE', amount: '18.55' });
    expect(payment.state).toBe('PENDING');
    await eventually(async () => (await paymentState(payment.id)) === 'CAPTURED', 15_000);
    expect(sandbox.statusCalls).toBeGreaterThan(0);
    expect(await eventTypes(payment.id)).toEqual(['pending', 'captured']);
    expect(await webhookRows(payment.providerReference)).toBe(0);
    const [row] = await adminQuery('select provider_checked_at, captured_at from payments.payment where id = $1', [payment.id]);
    expect(row.provider_checked_at).toBeInstanceOf(Date);

    // the webhook turns up after all: taken note of, nothing changes
    const body = sandbox.webhookBody(payment.providerReference, 'captured', metadataOf(payment.id));
    expect((await deliver(webhookUrl(runtime.url), body, sandbox.signWebhook(body))).body.outcome).toBe('settled');
    expect(await eventTypes(payment.id)).toEqual(['pending', 'captured']);
    expect(await orderFigures(orderId, '18.55')).toMatchObject({ paymentStatus: 'PAID' });
  });
});

describe('the circuit breaker on provider calls', () => {
  const sandbox = new CountingSandbox({ webhookSecret: 'own-secret' });
  let own: Awaited<ReturnType<typeof ownInstance>>;
  beforeAll(async () => {
    own = await ownInstance(
      sandboxProviders(sandbox, { breaker: { failureThreshold: 4, coolDownMs: 60_000 }, retry: { attempts: 2, baseDelayMs: 1, maxDelayMs: 5 } }),
    );
  });
  afterAll(() => own?.runtime.stop());

  it('retries a timing-out provider, opens after repeated failures and then answers PROVIDER_UNAVAILABLE at once', async () => {
    const orderId = await knownOrder('100.00');
    for (let i = 0; i < 2; i++) expect(codes(await own.pay({ orderId, method: 'CARD', amount: '10.53' }))).toEqual(['PROVIDER_UNAVAILABLE']);
    // two attempts per payment reached the provider
    expect(sandbox.authorizations).toBe(4);
    const paused = await own.pay({ orderId, method: 'CARD', amount: '10.00' });
    expect(codes(paused)).toEqual(['PROVIDER_UNAVAILABLE']);
    expect(paused.userErrors[0]!.message).toMatch(/paused/);
    expect(sandbox.authorizations).toBe(4);
    // cash does not need the provider
    expect((await own.pay({ orderId, method: 'CASH', amount: '10.00' })).userErrors).toEqual([]);
    expect(await paymentCount(orderId)).toBe(1);
  });
});
