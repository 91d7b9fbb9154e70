import { calendarDay } from '@comanda/kit';
import { v7 as uuidv7 } from 'uuid';
import { describe, expect, it } from 'vitest';
import { demo, subgraphGql, withSubgraphEm } from '../../../tests/support/client.ts';
import { fiscal, issueReceipt } from '../src/index.ts';

/**
 * StoreMetrics.receiptsToday counts the calendar day in the store's timezone, not UTC's: a store
 * of its own (nothing else issues there) with receipts just either side of its local midnight.
 */
const STORE = uuidv7();
const ZONE = 'Europe/Bucharest';

const receiptAt = (issuedAt: Date) =>
  withSubgraphEm(fiscal, demo.tenantId, (em) =>
    issueReceipt(em, {
      orderId: uuidv7(),
      storeId: STORE,
      currency: 'RON',
      total: '4.49',
      vatBreakdown: [{ rate: '11', taxableAmount: '4.05', taxAmount: '0.44' }],
      lines: [{ name: 'Mineral water 2L', sku: 'DEMO-004-S', quantity: '1', unitPrice: '4.49', total: '4.49', vatRate: '11' }],
      payments: [{ method: 'CASH', amount: '4.49' }],
      issuedAt,
      timezone: ZONE,
    }),
  );

async function receiptsToday(timezone: string): Promise<number> {
  const res = await subgraphGql('fiscal', `query($r: [_Any!]!) { _entities(representations: $r) { ... on StoreMetrics { receiptsToday } } }`, {
    r: [{ __typename: 'StoreMetrics', storeId: STORE, timezone }],
  });
  expect(res.errors).toBeUndefined();
  return res.data._entities[0].receiptsToday;
}

describe("StoreMetrics.receiptsToday is today in the store's timezone", () => {
  it('counts from local midnight to local midnight', async () => {
    const { from, to } = calendarDay(new Date(), ZONE);
    // Bucharest is ahead of UTC: its midnight is the evening before in UTC, so these two sit on the same UTC date
    await receiptAt(new Date(from.getTime() - 1_000));
    await receiptAt(new Date(from.getTime() + 1_000));
    await receiptAt(new Date(Math.min(Date.now(), to.getTime() - 1_000)));
    expect(await receiptsToday(ZONE)).toBe(2);
    // the same receipts seen from UTC: the one just before Bucharest's midnight is already today there
    const utc = calendarDay(new Date(), 'UTC');
    const inUtcToday = [from.getTime() - 1_000, from.getTime() + 1_000, Math.min(Date.now(), to.getTime() - 1_000)].filter(
      (t) => t >= utc.from.getTime() && t < utc.to.getTime(),
    ).length;
    expect(await receiptsToday('UTC')).toBe(inUtcToday);
  });

  it('is zero for a store without receipts and refuses stores outside the token', async () => {
    const res = await subgraphGql('fiscal', `query($r: [_Any!]!) { _entities(representations: $r) { ... on StoreMetrics { receiptsToday } } }`, {
      r: [{ __typename: 'StoreMetrics', storeId: uuidv7(), timezone: ZONE }],
    });
    expect(res.data._entities[0].receiptsToday).toBe(0);
    const cashier = await subgraphGql(
      'fiscal',
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on StoreMetrics { receiptsToday } } }`,
      { r: [{ __typename: 'StoreMetrics', storeId: STORE, timezone: ZONE }] },
      { roles: ['cashier'], storeIds: [demo.stores[0]!.id] },
    );
    expect(cashier.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
