import { toEnvelope } from '@comanda/kafka';
import { Decimal } from '@comanda/kit';
import { loadEventCatalog } from '@comanda/schema/events';
import { describe, expect, it } from 'vitest';
import { adminQuery, eventually, gql, other, tokenFor } from '../../../tests/support/client.ts';
import { PLACE_ORDER, RECORD_PAYMENT } from '../../../tests/support/flows.ts';

/**
 * A small day at the counter, through the gateway, in the second tenant's store (no other test
 * sells there, so the shift sees only this day): open, sales (one split cash + card), refunds,
 * cash in and out, close. The Z report must match what happened to the cent.
 */

const STORE = other.stores[0]!;
const VARIANTS = other.products.flatMap((p) => p.variants);
const key = () => crypto.randomUUID();

const SHIFT_FIELDS = `id status openedAt closedAt openedBy openingFloat { amount currencyCode } countedCash { amount }
  printer { id } store { id } cashMovements { kind amount { amount } reason by }
  zReport { number shift { id } salesByMethod { method amount { amount currencyCode } count } grossSales { amount }
    vatBreakdown { rate taxableAmount { amount } taxAmount { amount } } refunds { amount } refundsByMethod { method amount { amount } count }
    netSales { amount } discounts { amount } receiptsCount openingFloat { amount } cashSales { amount } cashRefunds { amount }
    cashIn { amount } cashOut { amount } expectedCash { amount } countedCash { amount } discrepancy { amount currencyCode } generatedAt }`;
const OPEN = `mutation($i: OpenShiftInput!) { openShift(input: $i) { shift { ${SHIFT_FIELDS} } userErrors { code field message } } }`;
const MOVE = `mutation($i: RecordCashMovementInput!) { recordCashMovement(input: $i) {
  shift { id } cashMovement { id kind amount { amount currencyCode } reason } userErrors { code field } } }`;
const CLOSE = `mutation($i: CloseShiftInput!) { closeShift(input: $i) {
  shift { ${SHIFT_FIELDS} } printJob { id status copy receipt { id } printer { id } zReport { number discrepancy { amount } } } userErrors { code field message } } }`;
const REFUND = `mutation($i: RefundPaymentInput!) { refundPayment(input: $i) { refund { id status } userErrors { code message } } }`;

async function as(role: 'manager' | 'cashier' = 'manager') {
  return tokenFor({ role, tenant: other.tenantId, store: STORE.id, user: `${role}-acme` });
}

async function sell(token: string, lines: { variantId: string; quantity: string }[]) {
  const res = await gql(PLACE_ORDER, { input: { storeId: STORE.id, clientOrderId: key(), channel: 'POS', lines } }, { token });
  const order = res.data?.placeOrder?.order;
  if (!order) throw new Error(`placeOrder failed: ${JSON.stringify(res)}`);
  return order as { id: string; total: { amount: string; currencyCode: string } };
}

async function pay(token: string, orderId: string, method: string, amount: string, tendered?: string) {
  return eventually(async () => {
    const res = await gql(RECORD_PAYMENT, { input: { orderId, idempotencyKey: key(), method, amount, tendered } }, { token });
    const errors = res.data?.recordPayment?.userErrors ?? [];
    if (errors[0]?.code === 'ORDER_NOT_FOUND') return null;
    if (errors.length || !res.data) throw new Error(`recordPayment failed: ${JSON.stringify(res)}`);
    return res.data.recordPayment.payment as { id: string; amount: { amount: string }; change: { amount: string } | null };
  });
}

const money = (value: Decimal | string) => new Decimal(value).toFixed(2);

describe('a day at the counter', () => {
  it('opens, sells, refunds, moves cash and closes with a Z report that matches to the cent', async () => {
    const manager = await as('manager');
    const cashier = await as('cashier');
    // a previous run's shift would take these sales: there is none in a fresh database
    expect((await gql(`query($s: ID!) { currentShift(storeId: $s) { id } }`, { s: STORE.id }, { token: cashier })).data.currentShift).toBeNull();

    const openKey = key();
    const openInput = { storeId: STORE.id, printerId: STORE.printerId, openingFloat: '150.00', idempotencyKey: openKey };
    const opened = await gql(OPEN, { i: openInput }, { token: cashier });
    expect(opened.data.openShift.userErrors).toEqual([]);
    const shift = opened.data.openShift.shift;
    expect(shift).toMatchObject({
      status: 'OPEN',
      closedAt: null,
      zReport: null,
      openedBy: 'cashier-acme',
      openingFloat: { amount: '150.00', currencyCode: 'EUR' },
    });
    // the same request again is the same shift; another open of the store is refused
    expect((await gql(OPEN, { i: openInput }, { token: cashier })).data.openShift.shift.id).toBe(shift.id);
    expect((await gql(OPEN, { i: { ...openInput, openingFloat: '1.00' } }, { token: cashier })).data.openShift.userErrors[0].code).toBe(
      'IDEMPOTENCY_CONFLICT',
    );
    expect((await gql(OPEN, { i: { ...openInput, idempotencyKey: key() } }, { token: cashier })).data.openShift.userErrors[0]).toMatchObject({
      code: 'SHIFT_ALREADY_OPEN',
      field: ['input', 'storeId'],
    });

    // three sales: cash with change, cash + card, card
    const a = await sell(cashier, [{ variantId: VARIANTS[0]!.id, quantity: '2' }]);
    const b = await sell(cashier, [
      { variantId: VARIANTS[1]!.id, quantity: '1' },
      { variantId: VARIANTS[2]!.id, quantity: '3' },
    ]);
    const c = await sell(cashier, [{ variantId: VARIANTS[3]!.id, quantity: '1' }]);
    const cashA = await pay(cashier, a.id, 'CASH', a.total.amount, money(new Decimal(a.total.amount).plus('7.35')));
    expect(cashA.change?.amount).toBe('7.35');
    const cashB = await pay(cashier, b.id, 'CASH', '10.00', '10.00');
    const cardB = await pay(cashier, b.id, 'CARD', money(new Decimal(b.total.amount).minus('10.00')));
    const cardC = await pay(cashier, c.id, 'CARD', c.total.amount);

    const orders = [a, b, c];
    const receipts = await eventually(async () => {
      const rows = await adminQuery<{
        order_id: string;
        shift_id: string;
        total: string;
        vat_breakdown: { rate: string; taxableAmount: string; taxAmount: string }[];
      }>('select order_id, shift_id, total, vat_breakdown from fiscal.receipt where order_id = any($1)', [orders.map((o) => o.id)]);
      return rows.length === orders.length ? rows : null;
    }, 20_000);
    expect(receipts.every((r) => r.shift_id === shift.id)).toBe(true);

    // refunds: cash from the first sale, card from the last (both under the approval threshold)
    const refunds = [
      { paymentId: cashA.id, amount: '3.25' },
      { paymentId: cardC.id, amount: '1.10' },
    ];
    for (const r of refunds) {
      const res = await gql(REFUND, { i: { ...r, idempotencyKey: key(), reason: 'changed their mind' } }, { token: manager });
      expect(res.data.refundPayment.userErrors).toEqual([]);
      expect(res.data.refundPayment.refund.status).toBe('COMPLETED');
    }
    await eventually(async () => {
      const rows = await adminQuery('select 1 from fiscal.shift_refund where shift_id = $1', [shift.id]);
      return rows.length === refunds.length;
    }, 20_000);

    const moves = [
      { kind: 'CASH_IN', amount: '40.00', reason: 'more coins' },
      { kind: 'CASH_OUT', amount: '100.00', reason: 'bank drop' },
      { kind: 'CASH_OUT', amount: '2.50', reason: 'stamps' },
    ];
    for (const m of moves) {
      const input = { shiftId: shift.id, ...m, idempotencyKey: key() };
      const res = await gql(MOVE, { i: input }, { token: cashier });
      expect(res.data.recordCashMovement).toMatchObject({
        shift: { id: shift.id },
        cashMovement: { kind: m.kind, amount: { amount: m.amount, currencyCode: 'EUR' } },
        userErrors: [],
      });
      // a retry records nothing new
      const again = await gql(MOVE, { i: input }, { token: cashier });
      expect(again.data.recordCashMovement.cashMovement.id).toBe(res.data.recordCashMovement.cashMovement.id);
    }

    // what the day should add up to, from what the test did
    const total = (o: { total: { amount: string } }) => new Decimal(o.total.amount);
    const cashSales = new Decimal(cashA.amount.amount).plus(cashB.amount.amount);
    const cardSales = new Decimal(cardB.amount.amount).plus(cardC.amount.amount);
    const gross = total(a).plus(total(b)).plus(total(c));
    expect(cashSales.plus(cardSales).equals(gross)).toBe(true);
    const expectedCash = new Decimal('150.00').plus(cashSales).plus('40.00').minus('102.50').minus('3.25');
    const vat = new Map<string, { taxable: Decimal; tax: Decimal }>();
    for (const line of receipts.flatMap((r) => r.vat_breakdown)) {
      const v = vat.get(line.rate) ?? { taxable: new Decimal(0), tax: new Decimal(0) };
      vat.set(line.rate, { taxable: v.taxable.plus(line.taxableAmount), tax: v.tax.plus(line.taxAmount) });
    }
    const placed = await adminQuery<{ discount: string }>(
      `select data->>'discountTotal' as discount from orders.outbox where type = 'comanda.orders.order.placed.v1' and aggregate_id = any($1)`,
      [orders.map((o) => o.id)],
    );
    const discounts = placed.reduce((acc, p) => acc.plus(p.discount ?? 0), new Decimal(0));

    const closeInput = { shiftId: shift.id, countedCash: money(expectedCash.minus('0.40')), idempotencyKey: key() };
    const closed = await gql(CLOSE, { i: closeInput }, { token: cashier });
    expect(closed.data.closeShift.userErrors).toEqual([]);
    const { shift: done, printJob } = closed.data.closeShift;
    expect(done).toMatchObject({ status: 'CLOSED', countedCash: { amount: money(expectedCash.minus('0.40')) } });
    expect(done.cashMovements.map((m: { kind: string; amount: { amount: string } }) => `${m.kind} ${m.amount.amount}`)).toEqual([
      'CASH_IN 40.00',
      'CASH_OUT 100.00',
      'CASH_OUT 2.50',
    ]);
    const z = done.zReport;
    expect(z).toMatchObject({
      number: 1,
      shift: { id: shift.id },
      receiptsCount: 3,
      grossSales: { amount: money(gross) },
      refunds: { amount: '4.35' },
      netSales: { amount: money(gross.minus('4.35')) },
      discounts: { amount: money(discounts) },
      openingFloat: { amount: '150.00' },
      cashSales: { amount: money(cashSales) },
      cashRefunds: { amount: '3.25' },
      cashIn: { amount: '40.00' },
      cashOut: { amount: '102.50' },
      expectedCash: { amount: money(expectedCash) },
      discrepancy: { amount: '-0.40', currencyCode: 'EUR' },
    });
    expect(z.salesByMethod).toEqual([
      { method: 'CARD', amount: { amount: money(cardSales), currencyCode: 'EUR' }, count: 2 },
      { method: 'CASH', amount: { amount: money(cashSales), currencyCode: 'EUR' }, count: 2 },
    ]);
    expect(z.refundsByMethod).toEqual([
      { method: 'CARD', amount: { amount: '1.10' }, count: 1 },
      { method: 'CASH', amount: { amount: '3.25' }, count: 1 },
    ]);
    expect(z.vatBreakdown).toEqual(
      [...vat.entries()]
        .sort(([x], [y]) => Number(x) - Number(y))
        .map(([rate, v]) => ({ rate, taxableAmount: { amount: money(v.taxable) }, taxAmount: { amount: money(v.tax) } })),
    );

    // the Z report's job waits for the shift's printer, as the print daemon sees it
    expect(printJob).toMatchObject({
      status: 'QUEUED',
      copy: false,
      receipt: null,
      printer: { id: STORE.printerId },
      zReport: { number: 1, discrepancy: { amount: '-0.40' } },
    });
    const daemon = await tokenFor({ role: 'device', tenant: other.tenantId, printer: STORE.printerId, store: STORE.id });
    const pending = await gql(
      `query($p: ID!) { pendingPrintJobs(printerId: $p) { id zReport { number grossSales { amount } shift { id } } } }`,
      { p: STORE.printerId },
      { token: daemon },
    );
    expect(pending.errors).toBeUndefined();
    expect(pending.data.pendingPrintJobs.find((j: { id: string }) => j.id === printJob.id)).toMatchObject({
      zReport: { number: 1, grossSales: { amount: money(gross) }, shift: { id: shift.id } },
    });

    // after the close: a replay is the same close, nothing else changes the shift
    const replay = await gql(CLOSE, { i: closeInput }, { token: cashier });
    expect(replay.data.closeShift).toMatchObject({ shift: { id: shift.id, zReport: { number: 1 } }, printJob: { id: printJob.id }, userErrors: [] });
    expect((await gql(CLOSE, { i: { ...closeInput, countedCash: '1.00' } }, { token: cashier })).data.closeShift.userErrors[0].code).toBe(
      'IDEMPOTENCY_CONFLICT',
    );
    expect((await gql(CLOSE, { i: { ...closeInput, idempotencyKey: key() } }, { token: cashier })).data.closeShift.userErrors[0].code).toBe(
      'SHIFT_NOT_OPEN',
    );
    const late = await gql(
      MOVE,
      { i: { shiftId: shift.id, kind: 'CASH_IN', amount: '1.00', reason: 'late', idempotencyKey: key() } },
      { token: cashier },
    );
    expect(late.data.recordCashMovement).toMatchObject({ shift: null, userErrors: [{ code: 'SHIFT_NOT_OPEN', field: ['input', 'shiftId'] }] });
    expect((await gql(`query($s: ID!) { currentShift(storeId: $s) { id } }`, { s: STORE.id }, { token: cashier })).data.currentShift).toBeNull();
    const read = await gql(`query($id: ID!) { shift(id: $id) { zReport { expectedCash { amount } } } }`, { id: shift.id }, { token: manager });
    expect(read.data.shift.zReport.expectedCash.amount).toBe(money(expectedCash));

    // the shift's events, valid against their schemas, in order
    const catalog = loadEventCatalog();
    const events = await adminQuery(
      'select position, id, tenant_id, store_id, aggregate_id, sequence, type, data, traceparent, occurred_at from fiscal.outbox where aggregate_id = $1 order by sequence',
      [shift.id],
    );
    const envelopes = events.map((row) => toEnvelope('fiscal', row));
    expect(envelopes.map((e) => e.type.split('.')[3])).toEqual([
      'opened',
      'cash_movement_recorded',
      'cash_movement_recorded',
      'cash_movement_recorded',
      'closed',
    ]);
    expect(envelopes.map((e) => catalog.validate(e))).toEqual(envelopes.map(() => null));
    expect(envelopes.at(-1)!.data).toMatchObject({ zNumber: 1, zReport: { expectedCash: money(expectedCash), discrepancy: '-0.40' } });
  });

  it('refuses bad input with codes and writes nothing', async () => {
    const cashier = await as('cashier');
    const open = (input: Record<string, unknown>) =>
      gql(OPEN, { i: { storeId: STORE.id, printerId: STORE.printerId, openingFloat: '10', idempotencyKey: key(), ...input } }, { token: cashier });
    expect((await open({ openingFloat: '-1' })).data.openShift.userErrors[0]).toMatchObject({
      code: 'INVALID_AMOUNT',
      field: ['input', 'openingFloat'],
    });
    expect((await open({ openingFloat: '1.001' })).data.openShift.userErrors[0].code).toBe('INVALID_AMOUNT');
    expect((await open({ printerId: crypto.randomUUID() })).data.openShift.userErrors[0].code).toBe('PRINTER_NOT_FOUND');
    const move = await gql(
      MOVE,
      { i: { shiftId: crypto.randomUUID(), kind: 'CASH_IN', amount: '1', reason: 'x', idempotencyKey: key() } },
      { token: cashier },
    );
    expect(move.data.recordCashMovement.userErrors[0].code).toBe('SHIFT_NOT_FOUND');
    const close = await gql(CLOSE, { i: { shiftId: 'nope', countedCash: '1', idempotencyKey: key() } }, { token: cashier });
    expect(close.data.closeShift.userErrors[0].code).toBe('SHIFT_NOT_FOUND');
    // another tenant's token does not see this store at all
    const demoCashier = await tokenFor({ role: 'cashier' });
    const foreign = await gql(
      OPEN,
      { i: { storeId: STORE.id, printerId: STORE.printerId, openingFloat: '1', idempotencyKey: key() } },
      { token: demoCashier },
    );
    expect(foreign.data?.openShift?.shift ?? null).toBeNull();
    expect(await adminQuery(`select 1 from fiscal.shift where opening_float in (10, 1) and tenant_id = $1`, [other.tenantId])).toEqual([]);
  });
});
