import { createHmac, timingSafeEqual } from 'node:crypto';
import { WebhookRejected } from './provider.ts';

/**
 * Webhook signatures in the scheme Stripe made common: the header is `t=<unix seconds>,v1=<hex>`
 * where the hex is HMAC-SHA256(secret, `<t>.<raw body>`). Signing the timestamp with the body
 * lets the receiver refuse old deliveries (replays) without keeping every event id forever.
 */

/** A delivery signed longer ago than this (or this far in the future) is refused as a possible replay. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export const SIGNATURE_HEADER = 'comanda-signature';

function hmac(secret: string, timestamp: number, rawBody: Buffer | string): Buffer {
  return createHmac('sha256', secret).update(`${timestamp}.`).update(rawBody).digest();
}

export function signatureHeader(secret: string, rawBody: Buffer | string, at: Date): string {
  const timestamp = Math.floor(at.getTime() / 1000);
  return `t=${timestamp},v1=${hmac(secret, timestamp, rawBody).toString('hex')}`;
}

/**
 * Checks the header against the raw bytes received and returns when they were signed. The
 * signature is checked before the age, so a forged header never gets a more specific answer.
 * Several `v1` entries may be present (a sender rotating its secret signs with both).
 */
export function verifySignature(
  header: string | undefined,
  rawBody: Buffer | string,
  secret: string,
  now: Date,
  toleranceSeconds: number = WEBHOOK_TOLERANCE_SECONDS,
): Date {
  let timestamp: number | null = null;
  const signatures: Buffer[] = [];
  for (const part of (header ?? '').split(',')) {
    const [key, value] = part.trim().split('=', 2);
    if (key === 't' && value && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && value && /^[0-9a-f]{64}$/.test(value)) signatures.push(Buffer.from(value, 'hex'));
  }
  if (timestamp === null || !signatures.length) throw new WebhookRejected('signature', 'missing or malformed signature header');
  const expected = hmac(secret, timestamp, rawBody);
  // every candidate is compared, so the time taken does not tell which one (if any) matched
  let matched = false;
  for (const signature of signatures) matched = timingSafeEqual(expected, signature) || matched;
  if (!matched) throw new WebhookRejected('signature', 'the signature does not match the body');
  if (Math.abs(now.getTime() / 1000 - timestamp) > toleranceSeconds) {
    throw new WebhookRejected('stale', `signed more than ${toleranceSeconds} s from now: refused as a possible replay`);
  }
  return new Date(timestamp * 1000);
}
