import { describe, expect, it } from 'vitest';
import { adminQuery, demo, eventually, gql } from '../../../tests/support/client.ts';
import { placePosOrder, RECORD_PAYMENT } from '../../../tests/support/flows.ts';
import { parseReceiptQrPayload } from '../src/domain/receipt-qr.ts';

/**
 * Receipt numbers through the whole flow: 200 POS sales at once through the gateway (placeOrder,
 * recordPayment), each receipt issued by the event reactions. Numbers are gap-free per store and
 * year: whatever else runs beside this test, the store's receipts are numbered 1..N.
 */
const STORE = demo.stores[0]!;
const SALES = 200;

const RECEIPT = `query($id: ID!) { order(id: $id) { receipt {
  id number qrPayload total { amount currencyCode } issuedAt store { id } printJobs { id copy status printer { id } }
} } }`;
const REPRINT = `mutation($i: ReprintReceiptInput!) { reprintReceipt(input: $i) { printJob { id copy status receipt { id } } userErrors { code } } }`;

/** flows.ts's pay, with room for 200 sales' events to reach payments on a busy machine */
async function pay(orderId: string, amount: string, method: string) {
  return eventually(async () => {
    const res = await gql(RECORD_PAYMENT, { input: { orderId, idempotencyKey: crypto.randomUUID(), method, amount } });
    const errors = res.data?.recordPayment?.userErrors ?? [];
    if (errors[0]?.code === 'ORDER_NOT_FOUND') return null;
    if (errors.length || !res.data) throw new Error(`recordPayment failed: ${JSON.stringify(res)}`);
    return res.data.recordPayment.payment as { id: string };
  }, 120_000);
}

describe('receipt numbers under 200 concurrent sales', () => {
  it('numbers every receipt once, without gaps or duplicates', { timeout: 180_000 }, async () => {
    const orders = await Promise.all(
      Array.from({ length: SALES }, async () => {
        const order = await placePosOrder({ storeId: STORE.id });
        await pay(order.id, order.total.amount, 'CARD');
        return order;
      }),
    );
    const ids = orders.map((o) => o.id);
    const receipts = await eventually(async () => {
      const rows = await adminQuery<{ order_id: string; number: string; seq: number; year: number }>(
        'select order_id, number, seq, year from fiscal.receipt where order_id = any($1)',
        [ids],
      );
      return rows.length === SALES ? rows : null;
    }, 120_000);
    expect(new Set(receipts.map((r) => r.order_id)).size).toBe(SALES);
    expect(new Set(receipts.map((r) => r.number)).size).toBe(SALES);
    for (const r of receipts) expect(r.number).toBe(`BF-${r.year}-${String(r.seq).padStart(6, '0')}`);

    // the store's whole series for the year: a contiguous 1..N (a number is held by its counter row until commit,
    // so a reader never sees N+1 committed while N is not)
    const year = receipts[0]!.year;
    const series = await adminQuery<{ seq: number }>(
      'select seq from fiscal.receipt where tenant_id = $1 and store_id = $2 and year = $3 order by seq',
      [demo.tenantId, STORE.id, year],
    );
    expect(series.map((r) => r.seq)).toEqual(series.map((_, i) => i + 1));
    const ours = new Set(receipts.map((r) => r.seq));
    expect(series.filter((r) => ours.has(r.seq))).toHaveLength(SALES);
  });

  it('shows the receipt with its QR payload, and reprints it as a COPY job through the gateway', { timeout: 120_000 }, async () => {
    const order = await placePosOrder({ storeId: STORE.id });
    await pay(order.id, order.total.amount, 'CASH');
    const receipt = await eventually(async () => (await gql(RECEIPT, { id: order.id })).data?.order?.receipt, 90_000);
    expect(parseReceiptQrPayload(receipt.qrPayload)).toEqual({
      storeId: STORE.id,
      number: receipt.number,
      issuedAt: new Date(`${receipt.issuedAt.slice(0, 19)}Z`),
      total: receipt.total.amount,
      currency: receipt.total.currencyCode,
    });
    expect(receipt.printJobs).toEqual([{ id: expect.any(String), copy: false, status: 'QUEUED', printer: { id: STORE.printerId } }]);

    const reprint = await gql(REPRINT, { i: { receiptId: receipt.id } });
    expect(reprint.data.reprintReceipt).toMatchObject({ printJob: { copy: true, status: 'QUEUED', receipt: { id: receipt.id } }, userErrors: [] });
    const after = (await gql(RECEIPT, { id: order.id })).data.order.receipt;
    expect(after.printJobs.map((j: { copy: boolean }) => j.copy)).toEqual([false, true]);
    // a copy encodes the same sale: the receipt did not change
    expect(after.qrPayload).toBe(receipt.qrPayload);
  });
});
