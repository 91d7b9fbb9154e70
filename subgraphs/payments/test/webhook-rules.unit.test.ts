import { describe, expect, it } from 'vitest';
import type { PaymentState } from '../src/domain/payment.ts';
import { type Settlement, settlementOf, UNKNOWN_GIVE_UP_MS } from '../src/domain/settlement.ts';
import type { ProviderPaymentStatus, WebhookRejection } from '../src/providers/provider.ts';
import { WebhookRejected } from '../src/providers/provider.ts';
import { signatureHeader, verifySignature, WEBHOOK_TOLERANCE_SECONDS } from '../src/providers/signature.ts';

const secret = 'whsec_test';
const body = '{"id":"evt_1","status":"captured"}';
const signedAt = new Date('2026-01-10T10:00:00Z');
const later = (seconds: number) => new Date(signedAt.getTime() + seconds * 1000);

function rejection(work: () => unknown): WebhookRejection | 'accepted' {
  try {
    work();
    return 'accepted';
  } catch (error) {
    if (error instanceof WebhookRejected) return error.kind;
    throw error;
  }
}

describe('webhook signatures', () => {
  it('are HMAC-SHA256 over "t.body", hex, in a t=...,v1=... header', () => {
    // computed independently: printf '1768039200.<body>' | openssl dgst -sha256 -hmac whsec_test
    const header = signatureHeader(secret, body, signedAt);
    expect(header).toBe('t=1768039200,v1=e5e628bc86df83f18641d527c36ff13fc6b43364b129a04ffff24de5e4d3dcfd');
    expect(verifySignature(header, Buffer.from(body), secret, signedAt)).toEqual(signedAt);
  });

  it('refuse a changed body, another secret, a missing or garbled header', () => {
    const header = signatureHeader(secret, body, signedAt);
    expect(rejection(() => verifySignature(header, body.replace('captured', 'refunded'), secret, signedAt))).toBe('signature');
    expect(rejection(() => verifySignature(header, body, 'another', signedAt))).toBe('signature');
    expect(rejection(() => verifySignature(undefined, body, secret, signedAt))).toBe('signature');
    expect(rejection(() => verifySignature('v1=abc', body, secret, signedAt))).toBe('signature');
    expect(rejection(() => verifySignature(header.replace('t=1768039200', 't=1768039201'), body, secret, signedAt))).toBe('signature');
  });

  it('refuse a replay older than 5 minutes (and a timestamp as far ahead), once the signature is right', () => {
    const header = signatureHeader(secret, body, signedAt);
    expect(WEBHOOK_TOLERANCE_SECONDS).toBe(300);
    expect(rejection(() => verifySignature(header, body, secret, later(300)))).toBe('accepted');
    expect(rejection(() => verifySignature(header, body, secret, later(301)))).toBe('stale');
    expect(rejection(() => verifySignature(header, body, secret, later(-301)))).toBe('stale');
    // a forged signature on an old delivery is a signature problem, not a replay
    expect(rejection(() => verifySignature(header, body, 'another', later(3600)))).toBe('signature');
  });

  it('accept any of several v1 signatures (a sender rotating its secret)', () => {
    const old = signatureHeader('old-secret', body, signedAt).split(',')[1];
    const header = `${signatureHeader(secret, body, signedAt)},${old}`;
    expect(rejection(() => verifySignature(header, body, secret, signedAt))).toBe('accepted');
    expect(rejection(() => verifySignature(header, body, 'old-secret', signedAt))).toBe('accepted');
  });
});

describe('settling a pending payment from the provider (webhook or poller, in any order, any number of times)', () => {
  const kind = (state: PaymentState, status: ProviderPaymentStatus, pendingForMs = 0): Settlement => settlementOf(state, status, pendingForMs);

  it.each([
    ['captured', 'CAPTURED'],
    ['partially_refunded', 'CAPTURED'],
    ['refunded', 'CAPTURED'],
    ['failed', 'FAILED'],
    ['cancelled', 'FAILED'],
  ] as const)("moves PENDING to the provider's verdict (%s -> %s)", (status, state) => {
    expect(kind('PENDING', status)).toEqual({ kind: 'settle', state });
  });

  it('waits while the customer has not decided, and gives up on a payment the provider never heard of after an hour', () => {
    expect(kind('PENDING', 'pending')).toEqual({ kind: 'wait' });
    expect(kind('PENDING', 'authorized')).toEqual({ kind: 'wait' });
    expect(kind('PENDING', 'unknown', UNKNOWN_GIVE_UP_MS - 1)).toEqual({ kind: 'wait' });
    expect(kind('PENDING', 'unknown', UNKNOWN_GIVE_UP_MS)).toEqual({ kind: 'settle', state: 'FAILED' });
  });

  it('changes nothing once settled: a duplicate or late delivery that agrees is a no-op', () => {
    expect(kind('CAPTURED', 'captured')).toEqual({ kind: 'settled' });
    expect(kind('PARTIALLY_REFUNDED', 'captured')).toEqual({ kind: 'settled' });
    expect(kind('FAILED', 'failed')).toEqual({ kind: 'settled' });
    expect(kind('FAILED', 'cancelled')).toEqual({ kind: 'settled' });
    expect(kind('CAPTURED', 'pending')).toEqual({ kind: 'settled' });
    expect(kind('CAPTURED', 'unknown', UNKNOWN_GIVE_UP_MS * 2)).toEqual({ kind: 'settled' });
  });

  it('flags a provider that contradicts a settled payment instead of overwriting it', () => {
    expect(kind('FAILED', 'captured')).toEqual({ kind: 'conflict' });
    expect(kind('CAPTURED', 'failed')).toEqual({ kind: 'conflict' });
    expect(kind('CANCELLED', 'captured')).toEqual({ kind: 'conflict' });
  });
});
