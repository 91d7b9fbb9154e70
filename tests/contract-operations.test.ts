/**
 * Every query and mutation of the public contract (../shared/contract/operations.graphql) runs
 * through the gateway without errors against the demo data. Subscriptions come with the live
 * issue.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Kind, type OperationDefinitionNode, parse, print } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { demo, eventually, gql, tokenFor } from './support/client.ts';
import { pay, placePosOrder } from './support/flows.ts';

const file = new URL('../../shared/contract/operations.graphql', import.meta.url);
const operations = existsSync(file)
  ? parse(readFileSync(file, 'utf8')).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)
  : [];

describe.skipIf(!operations.length)('the contract operations through the gateway', () => {
  const store = demo.stores[0]!;
  const variant = demo.products[0]!.variants[0]!;
  const company = demo.customers.find((c) => c.kind === 'COMPANY')!;
  const vars: Record<string, () => Promise<Record<string, unknown>>> = {};
  let orderId = '';
  let paymentId = '';

  beforeAll(async () => {
    const order = await placePosOrder({ customerId: company.id });
    orderId = order.id;
    paymentId = (await pay(order.id, order.total.amount, 'CASH')).id;
    await eventually(async () => (await gql('query($id: ID!) { order(id: $id) { status } }', { id: orderId })).data?.order?.status === 'CONFIRMED');
    Object.assign(vars, {
      MyStores: async () => ({}),
      StorePrinters: async () => ({ storeId: store.id }),
      StoreCatalog: async () => ({ storeId: store.id, first: 5 }),
      ScanBarcode: async () => ({ storeId: store.id, barcode: variant.barcode }),
      CreateCustomer: async () => ({ input: { kind: 'PERSON', name: 'Contract Person', email: 'contract@example.ro' } }),
      FindCustomers: async () => ({ search: 'SRL', first: 10 }),
      PlaceOrder: async () => ({
        input: { storeId: store.id, clientOrderId: crypto.randomUUID(), channel: 'POS', lines: [{ variantId: variant.id, quantity: '2' }] },
      }),
      RecordPayment: async () => {
        const o = await placePosOrder();
        await pay(o.id, '0.01', 'CASH'); // waits until payments knows the order
        return { input: { orderId: o.id, idempotencyKey: crypto.randomUUID(), method: 'CASH', amount: '1.00', tendered: '5.00' } };
      },
      RefundPayment: async () => ({ input: { paymentId, idempotencyKey: crypto.randomUUID(), amount: '0.50', reason: 'contract test' } }),
      TransitionOrder: async () => ({ input: { orderId, to: 'PROCESSING' } }),
      OrderDetail: async () => ({ id: orderId }),
      StoreOrders: async () => ({ storeId: store.id, first: 10 }),
      CustomerAccount: async () => ({ id: company.id }),
      StoreDashboard: async () => ({ storeId: store.id }),
      PendingPrintJobs: async () => ({ printerId: store.printerId }),
      AcknowledgePrintJob: async () => ({ input: { jobId: '00000000-0000-7000-8000-000000000000', status: 'PRINTED' } }),
    });
  });

  for (const op of operations.filter((o) => o.operation !== 'subscription')) {
    const name = op.name?.value ?? 'anonymous';
    it(`${name} answers without errors`, async () => {
      const variables = await (vars[name] ?? (async () => ({})))();
      const token =
        name === 'PendingPrintJobs' ? await tokenFor({ role: 'device', printer: demo.stores[0]!.printerId, store: demo.stores[0]!.id }) : undefined;
      const res = await gql(print(op), variables, token ? { token } : {});
      expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
      expect(res.status).toBe(200);
      const root = Object.values(res.data ?? {})[0] as { userErrors?: { code: string }[] } | null;
      if (name === 'AcknowledgePrintJob') expect(root?.userErrors?.[0]?.code).toBe('PRINT_JOB_NOT_FOUND');
      else if (root && 'userErrors' in root) expect(root.userErrors).toEqual([]);
    });
  }
});
