import { Decimal, DomainError } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import {
  addPurchase,
  cancellationOf,
  NO_ACTIVITY,
  type Purchase,
  parseActivityFilter,
  purchaseOfPlaced,
  spentList,
  storesTouchedToday,
  summarize,
} from '../src/domain/activity.ts';

const STORE_A = '0f9a5bb1-8d57-5442-9b38-891cdc1839ec';
const STORE_B = '1c2d3e4f-8d57-5442-9b38-891cdc1839ec';

let n = 0;
function purchase(at: string, total: string, overrides: Partial<Purchase> = {}): Purchase {
  n += 1;
  return {
    orderId: `00000000-0000-7000-8000-${String(n).padStart(12, '0')}`,
    storeId: STORE_A,
    placedAt: new Date(at),
    total: new Decimal(total),
    currency: 'RON',
    ...overrides,
  };
}

function permutations<T>(items: T[]): T[][] {
  if (items.length <= 1) return [items];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('the purchase projection', () => {
  it('counts orders, sums spend exactly per currency, and keeps the first and last purchase with their store', () => {
    const march = purchase('2026-03-01T09:00:00Z', '0.10', { storeId: STORE_B });
    const april = purchase('2026-04-01T09:00:00Z', '0.20');
    const may = purchase('2026-05-01T09:00:00Z', '99.99', { currency: 'EUR', storeId: STORE_B });
    const a = summarize([april, may, march]);
    expect(a.ordersCount).toBe(3);
    // 0.1 + 0.2 in floats is 0.30000000000000004
    expect(spentList(a)).toEqual([
      { currency: 'EUR', amount: '99.99' },
      { currency: 'RON', amount: '0.30' },
    ]);
    expect(a.first).toEqual({ at: march.placedAt, storeId: STORE_B, orderId: march.orderId });
    expect(a.last).toEqual({ at: may.placedAt, storeId: STORE_B, orderId: may.orderId });
  });

  it('gives the same figures whatever order the purchases arrive in (orders are not ordered among themselves)', () => {
    const purchases = [
      purchase('2026-01-05T10:00:00Z', '10.00'),
      purchase('2026-01-03T10:00:00Z', '20.50', { storeId: STORE_B }),
      purchase('2026-01-09T10:00:00Z', '5.25'),
      purchase('2026-01-01T10:00:00Z', '1.00', { currency: 'EUR' }),
    ];
    const expected = summarize(purchases);
    for (const order of permutations(purchases)) {
      const folded = order.reduce(addPurchase, NO_ACTIVITY);
      expect(folded.ordersCount).toBe(expected.ordersCount);
      expect(spentList(folded)).toEqual(spentList(expected));
      expect(folded.first).toEqual(expected.first);
      expect(folded.last).toEqual(expected.last);
    }
  });

  it('breaks a tie between two purchases at the same instant by order id, the same way every time', () => {
    const a = purchase('2026-02-02T12:00:00Z', '1.00', { orderId: '00000000-0000-7000-8000-00000000000a', storeId: STORE_A });
    const b = purchase('2026-02-02T12:00:00Z', '1.00', { orderId: '00000000-0000-7000-8000-00000000000b', storeId: STORE_B });
    for (const order of [
      [a, b],
      [b, a],
    ]) {
      const s = summarize(order);
      expect(s.first?.storeId).toBe(STORE_A);
      expect(s.last?.storeId).toBe(STORE_B);
    }
  });

  it('has nothing for a customer without purchases', () => {
    expect(summarize([])).toEqual(NO_ACTIVITY);
    expect(spentList(NO_ACTIVITY)).toEqual([]);
  });

  it('names the stores whose today a merge can change: those with a purchase in the last 48 hours', () => {
    const now = new Date('2026-06-10T12:00:00Z');
    const purchases = [
      purchase('2026-06-10T11:00:00Z', '1.00', { storeId: STORE_B }),
      purchase('2026-06-08T12:00:00Z', '1.00', { storeId: STORE_A }), // exactly 48 h ago: Kiribati's today can start then
      purchase('2026-06-08T11:59:59Z', '1.00', { storeId: '2c2d3e4f-8d57-5442-9b38-891cdc1839ec' }),
    ];
    expect(storesTouchedToday(purchases, now)).toEqual([STORE_A, STORE_B].sort());
    expect(storesTouchedToday([], now)).toEqual([]);
  });
});

describe("orders' events", () => {
  const placed = {
    orderId: 'A1B2C3D4-0000-7000-8000-000000000001',
    storeId: STORE_A,
    customerId: 'B1B2C3D4-0000-7000-8000-000000000002',
    total: '106.40',
    currency: 'RON',
    createdAt: '2026-11-23T10:24:38.058Z',
  };

  it('makes a purchase of an order placed with a customer, ids in lower case', () => {
    expect(purchaseOfPlaced(placed)).toEqual({
      orderId: placed.orderId.toLowerCase(),
      customerId: placed.customerId.toLowerCase(),
      storeId: STORE_A,
      placedAt: new Date(placed.createdAt),
      total: new Decimal('106.40'),
      currency: 'RON',
    });
  });

  it('makes none of an order without a customer', () => {
    expect(purchaseOfPlaced({ ...placed, customerId: null })).toBeNull();
  });

  it('refuses a malformed event (retried, then dead-lettered) rather than counting something wrong', () => {
    expect(() => purchaseOfPlaced({ ...placed, total: 106.4 })).toThrow(/data\.total/);
    expect(() => purchaseOfPlaced({ ...placed, customerId: 'nobody' })).toThrow(/data\.customerId/);
    expect(() => purchaseOfPlaced({ ...placed, createdAt: 'yesterday' })).toThrow(/data\.createdAt/);
    expect(() => cancellationOf({ ...placed, currency: 'lei' })).toThrow(/data\.currency/);
  });

  it('reads a cancellation, with or without a customer', () => {
    expect(cancellationOf({ ...placed, customerId: null })).toMatchObject({
      orderId: placed.orderId.toLowerCase(),
      customerId: null,
      currency: 'RON',
    });
  });
});

describe('the behaviour filters of the search', () => {
  it('takes orders, spend and last purchase bounds', () => {
    const after = new Date('2026-01-01T00:00:00Z');
    const before = new Date('2026-02-01T00:00:00Z');
    const f = parseActivityFilter({
      minOrders: 2,
      minSpent: { amount: '100.50', currencyCode: 'RON' },
      lastPurchaseAfter: after,
      lastPurchaseBefore: before,
    });
    expect(f.minOrders).toBe(2);
    expect(f.minSpent?.amount.toFixed(2)).toBe('100.50');
    expect(f.minSpent?.currency).toBe('RON');
    expect(f).toMatchObject({ lastPurchaseAfter: after, lastPurchaseBefore: before });
  });

  it('treats "at least 0" as no filter (everyone, also customers who never bought)', () => {
    expect(parseActivityFilter({ minOrders: 0, minSpent: { amount: '0', currencyCode: 'RON' } })).toEqual({
      minOrders: null,
      minSpent: null,
      lastPurchaseAfter: null,
      lastPurchaseBefore: null,
    });
  });

  it('refuses impossible filters with INVALID_FILTER, every problem at once', () => {
    try {
      parseActivityFilter({
        minOrders: -1,
        minSpent: { amount: '1.005', currencyCode: 'RON' },
        lastPurchaseAfter: new Date('2026-02-01T00:00:00Z'),
        lastPurchaseBefore: new Date('2026-01-01T00:00:00Z'),
      });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).errors.map((e) => [e.code, e.field?.join('.')])).toEqual([
        ['INVALID_FILTER', 'filter.minOrders'],
        ['INVALID_FILTER', 'filter.minSpent.amount'],
        ['INVALID_FILTER', 'filter.lastPurchaseBefore'],
      ]);
    }
    expect(() => parseActivityFilter({ minSpent: { amount: '-5', currencyCode: 'RON' } })).toThrow(DomainError);
  });
});
