/**
 * OrderDetail (six subgraphs) through the gateway, against the same orders read straight from
 * the orders subgraph as the baseline, both measured in this run.
 */
import { loadKeys, mintToken } from '@comanda/gateway';
import { signIdentity } from '@comanda/kit';
import { demoTenant } from '../../scripts/demo/data.ts';
import { closedLoop, fmt } from './load.ts';
import { startStackProcess } from './stack-process.ts';

const ORDER_DETAIL = `query OrderDetail($id: ID!) {
  order(id: $id) {
    id number status channel createdAt
    store { id name }
    customer { id name taxId creditProfile { score riskTier limit { amount } available { amount } } }
    lines { quantity variant { sku name stockOnHand } total { amount } }
    total { amount currencyCode } taxTotal { amount }
    paymentStatus amountPaid { amount } balanceDue { amount }
    payments { id method state amount { amount } }
    fulfillmentStatus shipments { id status carrier trackingNumber }
    invoice { id number status eInvoiceStatus vatBreakdown { rate taxableAmount { amount } taxAmount { amount } } }
    receipt { id number printJobs { id status copy } }
    creditReservation { state amount { amount } }
    events { type fromStatus toStatus at }
  }
}`;

const ORDER_ONLY = `query OrderOnly($id: ID!) {
  order(id: $id) {
    id number status channel createdAt store { id name }
    lines { quantity total { amount } } total { amount currencyCode } taxTotal { amount }
    events { type fromStatus toStatus at }
  }
}`;

const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id total { amount } } userErrors { code message } } }`;
const PAY = `mutation($input: RecordPaymentInput!) { recordPayment(input: $input) { payment { id } userErrors { code message } } }`;

async function call(url: string, headers: Record<string, string>, query: string, variables: object) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: unknown[] };
}

export async function run({ seconds, concurrency }: { seconds: number; concurrency: number }): Promise<void> {
  const stack = await startStackProcess('comanda_bench', { separateGateway: true });
  try {
    const keys = await loadKeys();
    const token = await mintToken({ tenant: demoTenant.tenantId, role: 'manager' }, keys.privateKey!);
    const auth = { authorization: `Bearer ${token}` };
    const store = demoTenant.stores[0]!;
    const customers = demoTenant.customers;
    const variants = demoTenant.products.flatMap((p) => p.variants);

    const orderIds: string[] = [];
    for (let i = 0; i < 100; i++) {
      const lines = [0, 1, 2].map((k) => ({ variantId: variants[(i * 3 + k) % variants.length]!.id, quantity: String(1 + (k % 2)) }));
      const placed = await call(stack.gatewayUrl, auth, PLACE, {
        input: {
          storeId: store.id,
          clientOrderId: `bench-${Date.now()}-${i}`,
          channel: 'POS',
          customerId: customers[i % customers.length]!.id,
          lines,
        },
      });
      const order = placed.data?.placeOrder?.order;
      if (!order) throw new Error(`placeOrder failed: ${JSON.stringify(placed)}`);
      orderIds.push(order.id);
      if (i % 2 === 0) {
        // payments learns the order from its placed event; retry until it has
        for (let attempt = 0; attempt < 50; attempt++) {
          const paid = await call(stack.gatewayUrl, auth, PAY, {
            input: {
              orderId: order.id,
              idempotencyKey: `bench-pay-${order.id}`,
              method: 'CASH',
              amount: order.total.amount,
              tendered: order.total.amount,
            },
          });
          if (!paid.data?.recordPayment?.userErrors?.length) break;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    }
    const probe = await call(stack.gatewayUrl, auth, ORDER_DETAIL, { id: orderIds[0] });
    if (probe.errors) throw new Error(`OrderDetail failed: ${JSON.stringify(probe.errors)}`);

    const identity = await signIdentity(
      { tenantId: demoTenant.tenantId, userId: 'bench', roles: ['manager'], storeIds: null, printerId: null },
      keys.internalSecret,
      3600,
    );
    const body = (query: string) => (i: number) => JSON.stringify({ query, variables: { id: orderIds[i % orderIds.length] } });

    console.log(`federated-read: ${orderIds.length} orders, ${concurrency} clients, ${seconds} s each`);
    const baseline = await closedLoop({
      url: stack.subgraphUrls.orders!,
      headers: { 'x-comanda-identity': identity },
      concurrency,
      seconds,
      body: body(ORDER_ONLY),
    });
    console.log(`  baseline (orders subgraph, order only): ${fmt(baseline)}`);
    const gateway = await closedLoop({ url: stack.gatewayUrl, headers: auth, concurrency, seconds, body: body(ORDER_DETAIL) });
    console.log(`  gateway  (OrderDetail, six subgraphs):  ${fmt(gateway)}`);
    const ratio = gateway.rps / baseline.rps;
    console.log(`  gateway/baseline throughput ratio ${ratio.toFixed(3)}; goal >= 300 req/s at p95 < 40 ms`);
    console.log(
      JSON.stringify({
        bench: 'federated-read',
        concurrency,
        seconds,
        gateway: { rps: Math.round(gateway.rps), p50: +gateway.p50.toFixed(2), p95: +gateway.p95.toFixed(2), errors: gateway.errors },
        baseline: { rps: Math.round(baseline.rps), p50: +baseline.p50.toFixed(2), p95: +baseline.p95.toFixed(2), errors: baseline.errors },
        ratio: +ratio.toFixed(3),
      }),
    );
  } finally {
    await stack.stop();
  }
}
