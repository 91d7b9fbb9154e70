import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@comanda/kit';
import type { MikroORM } from '@mikro-orm/postgresql';
import type { Providers } from './providers/index.ts';
import { type ProviderWebhookEvent, WebhookRejected } from './providers/provider.ts';
import { receiveWebhook, type WebhookOutcome } from './services/webhooks.ts';

/** Provider events are small; anything bigger is not one. */
const MAX_WEBHOOK_BYTES = 64 * 1024;
const PATH = /^\/webhooks\/([a-z0-9_-]{1,40})$/;

class TooLarge extends Error {}

/** The bytes as sent: the signature is over them, not over a re-serialized parse. */
async function rawBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_WEBHOOK_BYTES) throw new TooLarge();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function headersOf(req: IncomingMessage): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]));
}

function reply(res: ServerResponse, status: number, body: Record<string, unknown>, headers: Record<string, string> = {}): true {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
  return true;
}

const REJECTION_STATUS = { signature: 401, stale: 400, malformed: 400 } as const;

/** 2xx tells the provider to stop delivering; anything else makes it deliver again later. */
const OUTCOME_STATUS: Record<WebhookOutcome, number> = {
  settle: 200,
  settled: 200,
  wait: 200,
  conflict: 200,
  duplicate: 200,
  // the payment's own transaction may not have committed yet: ask for a redelivery
  unknown_payment: 409,
};

const isLockTimeout = (error: unknown) =>
  (error as { code?: string }).code === '55P03' || (error as { cause?: { code?: string } }).cause?.code === '55P03';

/**
 * `POST /webhooks/<provider>`: no internal identity here, the provider's signature is the
 * authentication. Verified over the raw body before anything else is read or written; one short
 * transaction, no calls out, so the answer is quick.
 */
export function webhookRoutes(providers: Providers, log: Logger) {
  return async (req: IncomingMessage, res: ServerResponse, orm: MikroORM): Promise<boolean> => {
    const match = PATH.exec(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!match) return false;
    const provider = providers.named(match[1]!);
    if (!provider) return reply(res, 404, { error: 'no such provider' });
    if (req.method !== 'POST') return reply(res, 405, { error: 'POST only' }, { allow: 'POST' });
    let body: Buffer;
    try {
      body = await rawBody(req);
    } catch (error) {
      if (error instanceof TooLarge) return reply(res, 413, { error: 'body too large' });
      throw error;
    }
    let event: ProviderWebhookEvent;
    try {
      event = provider.verifyWebhook(body, headersOf(req));
    } catch (error) {
      if (!(error instanceof WebhookRejected)) throw error;
      log.warn({ provider: provider.name, reason: error.message }, 'webhook rejected');
      return reply(res, REJECTION_STATUS[error.kind], { error: error.message });
    }
    const at = { provider: provider.name, eventId: event.eventId, reference: event.reference, status: event.status, tenant: event.metadata.tenantId };
    let outcome: WebhookOutcome;
    try {
      outcome = await receiveWebhook(orm, provider.name, event, log);
    } catch (error) {
      if (!isLockTimeout(error)) throw error;
      log.warn(at, 'webhook: the order is busy; asked for a redelivery');
      return reply(res, 503, { error: 'busy, deliver again' }, { 'retry-after': '5' });
    }
    log.info({ ...at, outcome }, 'webhook received');
    return reply(res, OUTCOME_STATUS[outcome], { received: true, outcome });
  };
}
