/**
 * The till keeps selling without a network: three cash sales while offline (context.setOffline),
 * a reload while still offline (the service worker serves the app, IndexedDB keeps the queue),
 * then back online: the queue replays in order and the server has exactly three orders, each
 * paid once.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminQuery, demo, eventually } from '../support/client.ts';
import { launchBrowser, newTill, payCash, scan, screenshot, signInWithToken } from './pos.ts';

const variants = demo.products.flatMap((p) => p.variants);
const goods = [variants[0]!, variants[5]!, variants[12]!];

let browser: Browser;
let context: BrowserContext;
let page: Page;
// this till's orders are the ones whose placement the test's own user made
const user = `offline-${crypto.randomUUID().slice(0, 8)}@demo`;

/** the clientOrderIds in the till's IndexedDB queue, oldest first (the script runs in the page) */
async function queuedIds(): Promise<string[]> {
  return page.evaluate(`new Promise((resolve, reject) => {
    const open = indexedDB.open('comanda-pos');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const all = open.result.transaction('sales').objectStore('sales').getAll();
      all.onsuccess = () => resolve(all.result.filter((s) => s.state !== 'done').map((s) => s.clientOrderId));
      all.onerror = () => reject(all.error);
    };
  })`);
}

async function serverOrders(): Promise<{ id: string; client_order_id: string; number: string; status: string }[]> {
  return adminQuery(
    `select o.id, o.client_order_id, o.number, o.status from orders.sales_order o
      where exists (select 1 from orders.order_event e where e.order_id = o.id and e.type = 'placed' and e.actor = $1)
      order by o.number`,
    [user],
  );
}

beforeAll(async () => {
  browser = await launchBrowser();
  ({ context, page } = await newTill(browser));
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('POS in the browser: offline', () => {
  it('queues three sales offline, keeps them across a reload, and replays them once when back online', async () => {
    await signInWithToken(page, { user });
    // the service worker has the app (its files precached) before the network goes away
    await page.waitForFunction('navigator.serviceWorker.controller !== null', null, { timeout: 20_000 });

    await context.setOffline(true);
    await page.getByTestId('connectivity').filter({ hasText: 'Offline' }).waitFor();
    for (const variant of goods) {
      await scan(page, variant.barcode!);
      await page.getByTestId('cart-line').first().waitFor();
      await payCash(page, '500');
      await page.getByTestId('receipt-queued').waitFor();
      if (variant === goods[0]) await screenshot(page, 'receipt-offline');
      await page.keyboard.press('Enter');
      await page.getByTestId('scan').waitFor();
    }
    await expect.poll(() => page.getByTestId('queue-count').textContent()).toContain('Queue 3');
    const ids = await queuedIds();
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(3);
    expect(await serverOrders()).toEqual([]);

    // a reload without a network: the app comes from the service worker, the queue from IndexedDB
    await page.reload();
    await page.getByTestId('queue-count').waitFor();
    await expect.poll(() => page.getByTestId('queue-count').textContent()).toContain('Queue 3');
    expect(await queuedIds()).toEqual(ids);
    await page.keyboard.press('Alt+5');
    await page.getByTestId('queued-sale').nth(2).waitFor();
    await screenshot(page, 'queue-offline');
    expect(await serverOrders()).toEqual([]);

    await context.setOffline(false);
    await expect.poll(() => page.getByTestId('queue-count').textContent(), { timeout: 30_000 }).toContain('Queue 0');
    await page.getByText('Nothing is waiting').waitFor();

    // exactly three orders, in the order they were taken, each paid once in cash
    const orders = await serverOrders();
    expect(orders.map((o) => o.client_order_id)).toEqual(ids);
    const payments = await adminQuery<{ order_id: string; n: number }>(
      'select order_id, count(*)::int as n from payments.payment where order_id = any($1::uuid[]) group by order_id',
      [orders.map((o) => o.id)],
    );
    expect(payments.map((p) => p.n)).toEqual([1, 1, 1]);
    await eventually(async () => ((await serverOrders()).every((o) => o.status !== 'PENDING') ? true : null), 20_000);

    // another reload and another pass change nothing: every sale was sent once
    await page.reload();
    await page.getByTestId('queue-count').waitFor();
    await page.getByRole('button', { name: 'Send now' }).isVisible();
    await new Promise((r) => setTimeout(r, 1000));
    expect((await serverOrders()).map((o) => o.client_order_id)).toEqual(ids);
  });
});
