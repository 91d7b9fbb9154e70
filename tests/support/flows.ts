/** Steps of the order-to-cash flow through the gateway, shared by the cross-service tests. */
import { demo, eventually, gql } from './client.ts';

export const PLACE_ORDER = `mutation($input: PlaceOrderInput!) {
  placeOrder(input: $input) { replayed order { id number status total { amount currencyCode } } userErrors { code message field } }
}`;

export const RECORD_PAYMENT = `mutation($input: RecordPaymentInput!) {
  recordPayment(input: $input) { replayed payment { id state amount { amount } change { amount } } userErrors { code message } }
}`;

export interface PlacedOrder {
  id: string;
  number: string;
  status: string;
  total: { amount: string; currencyCode: string };
}

export async function placePosOrder(
  options: { token?: string; storeId?: string; customerId?: string | null; lines?: { variantId: string; quantity: string }[] } = {},
): Promise<PlacedOrder> {
  const variants = demo.products.flatMap((p) => p.variants);
  const res = await gql(
    PLACE_ORDER,
    {
      input: {
        storeId: options.storeId ?? demo.stores[0]!.id,
        clientOrderId: crypto.randomUUID(),
        channel: 'POS',
        customerId: options.customerId ?? null,
        lines: options.lines ?? [
          { variantId: variants[0]!.id, quantity: '1' },
          { variantId: variants[10]!.id, quantity: '2' },
        ],
      },
    },
    options.token ? { token: options.token } : {},
  );
  const order = res.data?.placeOrder?.order;
  if (!order) throw new Error(`placeOrder failed: ${JSON.stringify(res)}`);
  return order;
}

/** Payments learns an order from its placed event: retry while it answers ORDER_NOT_FOUND. */
export async function pay(orderId: string, amount: string, method = 'CASH', tendered?: string, options: { token?: string } = {}) {
  return eventually(async () => {
    const res = await gql(
      RECORD_PAYMENT,
      { input: { orderId, idempotencyKey: crypto.randomUUID(), method, amount, tendered } },
      options.token ? { token: options.token } : {},
    );
    const errors = res.data?.recordPayment?.userErrors ?? [];
    if (errors[0]?.code === 'ORDER_NOT_FOUND') return null;
    if (errors.length || !res.data) throw new Error(`recordPayment failed: ${JSON.stringify(res)}`);
    return res.data.recordPayment.payment as { id: string; state: string; amount: { amount: string }; change: { amount: string } | null };
  });
}

export async function orderStatus(orderId: string): Promise<string | undefined> {
  const res = await gql('query($id: ID!) { order(id: $id) { status } }', { id: orderId });
  return res.data?.order?.status;
}

/** A B2B order on account at the Cluj store: credit decides it, fiscal invoices it. */
export async function placeOnAccountOrder(customerId: string, variantId: string, quantity: string): Promise<PlacedOrder> {
  const res = await gql(PLACE_ORDER, {
    input: {
      storeId: demo.stores[1]!.id,
      clientOrderId: crypto.randomUUID(),
      channel: 'B2B',
      customerId,
      payOnAccount: true,
      lines: [{ variantId, quantity }],
    },
  });
  const order = res.data?.placeOrder?.order;
  if (!order) throw new Error(`placeOrder failed: ${JSON.stringify(res)}`);
  return order;
}
