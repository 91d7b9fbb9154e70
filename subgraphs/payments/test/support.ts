/** Helpers shared by the payments integration tests (the stack is tests/support's). */
import type { EventEnvelope, Identity } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { adminQuery, demo, subgraphGql, withSubgraphEm } from '../../../tests/support/client.ts';
import { orderAccountHandler, payments } from '../src/index.ts';

export const STORE = demo.stores[0]!.id;

export function placedEvent(tenantId: string, data: Record<string, unknown>): EventEnvelope {
  return {
    specversion: '1.0',
    id: uuidv7(),
    source: 'orders',
    type: 'comanda.orders.order.placed.v1',
    subject: String(data.orderId),
    time: new Date().toISOString(),
    tenantid: tenantId,
    storeid: String(data.storeId),
    sequence: 1,
    traceparent: null,
    datacontenttype: 'application/json',
    data,
  };
}

/** An order payments has heard of, as if orders had published order.placed. */
export async function knownOrder(total: string, options: { storeId?: string; customerId?: string | null; tenantId?: string } = {}): Promise<string> {
  const orderId = uuidv7();
  const tenantId = options.tenantId ?? demo.tenantId;
  const event = placedEvent(tenantId, {
    orderId,
    storeId: options.storeId ?? STORE,
    channel: 'POS',
    customerId: options.customerId ?? null,
    currency: 'RON',
    total,
    payOnAccount: false,
  });
  await withSubgraphEm(payments, tenantId, (em) => orderAccountHandler.handle(em, event));
  return orderId;
}

export const RECORD = `mutation($input: RecordPaymentInput!) {
  recordPayment(input: $input) {
    replayed
    payment { id method state amount { amount currencyCode } change { amount } providerReference order { id } }
    userErrors { field message code }
  }
}`;

export const REFUND = `mutation($input: RefundPaymentInput!) {
  refundPayment(input: $input) {
    payment { id state amount { amount } refundedAmount { amount } refunds { amount { amount } reason } }
    refund { id status amount { amount } reason requestedBy approvedBy providerReference }
    userErrors { field message code }
  }
}`;

export const ORDER_FIELDS = `query($r: [_Any!]!) { _entities(representations: $r) { ... on Order { id paymentStatus amountPaid { amount currencyCode } balanceDue { amount } payments { method state amount { amount } } } } }`;

/** Straight to the payments subgraph with a signed identity (a demo manager unless told). */
export const payments$ = (query: string, variables: Record<string, unknown>, identity: Partial<Identity> = {}) =>
  subgraphGql('payments', query, variables, identity);

/** The payload, or the GraphQL errors when there is none (authorization). */
export async function record(input: Record<string, unknown>, identity?: Partial<Identity>) {
  const res = await payments$(RECORD, { input: { idempotencyKey: uuidv7(), ...input } }, identity);
  if (!res.data?.recordPayment && !res.errors) throw new Error(`no payload: ${JSON.stringify(res)}`);
  return res.data?.recordPayment ?? res;
}

export async function refund(input: Record<string, unknown>, identity?: Partial<Identity>) {
  const res = await payments$(REFUND, { input: { idempotencyKey: uuidv7(), reason: 'customer returned it', ...input } }, identity);
  if (!res.data?.refundPayment && !res.errors) throw new Error(`no payload: ${JSON.stringify(res)}`);
  return res.data?.refundPayment ?? res;
}

export async function orderFigures(orderId: string, total: string) {
  const res = await subgraphGql('payments', ORDER_FIELDS, {
    r: [{ __typename: 'Order', id: orderId, total: { amount: total, currencyCode: 'RON' } }],
  });
  return res.data._entities[0];
}

export const codes = (payload: { userErrors: { code: string }[] }) => payload.userErrors.map((e) => e.code);

export const paymentCount = async (orderId: string) =>
  (await adminQuery('select count(*)::int as n from payments.payment where order_id = $1', [orderId]))[0].n;

/** The types of the events a payment published, in order. */
export const eventTypes = async (paymentId: string) =>
  (await adminQuery<{ type: string }>('select type from payments.outbox where aggregate_id = $1 order by sequence', [paymentId])).map((e) =>
    e.type.replace(/^comanda\.payments\.payment\.|\.v1$/g, ''),
  );

export const paymentState = async (paymentId: string) =>
  (await adminQuery<{ state: string }>('select state from payments.payment where id = $1', [paymentId]))[0]?.state;
