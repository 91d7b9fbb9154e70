import { randomUUID } from 'node:crypto';
import { calendarDay, Decimal } from '@comanda/kit';
import { describe, expect, it } from 'vitest';
import { adminQuery, demo } from '../../../tests/support/client.ts';
import { call, freshProduct, place } from './support.ts';

const ZONE = 'Pacific/Honolulu'; // UTC-10 all year: its day and the UTC day are never the same day

describe("a store's metrics for today", () => {
  it("count the calendar day in the store's timezone, not in UTC", async () => {
    const storeId = randomUUID();
    await adminQuery(
      `insert into orders.store (id, tenant_id, name, currency_code, country_code, timezone, prices_include_vat, order_number_prefix)
       values ($1, $2, 'Honolulu test store', 'USD', 'US', $3, true, 'H')`,
      [storeId, demo.tenantId, ZONE],
    );
    const product = await freshProduct(['10.00', '25.00']);
    const sell = async (variant: number, quantity: string) =>
      (await place({ storeId, lines: [{ variantId: product.variants[variant]!.id, quantity }] })).order as { id: string; total: { amount: string } };
    const [startOfDay, lastNight, cancelled, oldOpen, now] = [
      await sell(0, '1'),
      await sell(1, '1'),
      await sell(0, '3'),
      await sell(1, '2'),
      await sell(0, '2'),
    ];
    const { from } = calendarDay(new Date(), ZONE);
    const at = async (id: string, when: Date) => adminQuery('update orders.sales_order set created_at = $2 where id = $1', [id, when]);
    await at(startOfDay.id, new Date(from.getTime() + 30_000));
    await at(lastNight.id, new Date(from.getTime() - 30_000)); // in UTC terms often "today": it must not count
    await at(oldOpen.id, new Date(from.getTime() - 3 * 86_400_000));
    await call(`mutation($id: ID!) { transitionOrder(input: { orderId: $id, to: CANCELLED, reason: "test" }) { userErrors { code } } }`, {
      id: cancelled.id,
    });

    const metrics = (
      await call(`query($s: ID!) { storeMetrics(storeId: $s) { storeId timezone ordersToday salesToday { amount currencyCode } openOrders } }`, {
        s: storeId,
      })
    ).storeMetrics;
    expect(metrics).toEqual({
      storeId,
      timezone: ZONE,
      ordersToday: 2,
      salesToday: { amount: new Decimal(startOfDay.total.amount).plus(now.total.amount).toFixed(2), currencyCode: 'USD' },
      openOrders: 4,
    });
  });
});
