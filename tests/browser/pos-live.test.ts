/**
 * Live screens: one till shows the orders board and another the dashboard while a second till
 * and an API client sell; both update without a reload (OrderBoard, LiveDashboard over
 * graphql-ws through the gateway).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo } from '../support/client.ts';
import { pay, placePosOrder } from '../support/flows.ts';
import { launchBrowser, newTill, payCash, scan, screenshot, signInWithPassword } from './pos.ts';

const variants = demo.products.flatMap((p) => p.variants);

let browser: Browser;
let board: Page;
let seller: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  board = (await newTill(browser)).page;
  seller = (await newTill(browser)).page;
  await signInWithPassword(board, 'manager');
  await signInWithPassword(seller, 'cashier');
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('POS in the browser: live board and dashboard', () => {
  it('the orders board shows another till’s sale as it is placed, paid and receipted', async () => {
    await board.keyboard.press('Alt+2');
    await board.getByTestId('board-status').filter({ hasText: 'Live' }).waitFor();
    await board.getByText('Loading orders…').waitFor({ state: 'detached' });

    await scan(seller, variants[2]!.barcode);
    await seller.getByTestId('cart-line').first().waitFor();
    await payCash(seller, '200');
    const number = (await seller.getByTestId('order-number').textContent())!;

    const row = board.locator(`[data-testid="board-row"][data-number="${number}"]`);
    await row.waitFor();
    // the later events of the same order update its row: paid, confirmed, its fiscal receipt
    await expect.poll(() => row.textContent(), { timeout: 20_000 }).toMatch(/CONFIRMED.*PAID.*BF-/);
    expect(await board.locator(`[data-number="${number}"]`).count()).toBe(1);
    await seller.keyboard.press('Enter');

    // an order placed by another client (the API) appears too, first as PENDING and UNPAID
    const order = await placePosOrder({ lines: [{ variantId: variants[4]!.id, quantity: '3' }] });
    const apiRow = board.locator(`[data-testid="board-row"][data-number="${order.number}"]`);
    await apiRow.waitFor();
    expect(await apiRow.textContent()).toContain('UNPAID');
    await pay(order.id, order.total.amount);
    await expect.poll(() => apiRow.textContent(), { timeout: 20_000 }).toContain('PAID');
    await screenshot(board, 'orders-board');
  });

  it('the dashboard counts a sale made while it is on screen', async () => {
    await board.keyboard.press('Alt+3');
    const orders = board.getByTestId('kpi-orders');
    await orders.waitFor();
    const before = Number(await orders.textContent());
    const receiptsBefore = Number(await board.getByTestId('kpi-receipts').textContent());

    await scan(seller, variants[6]!.barcode);
    await seller.getByTestId('cart-line').first().waitFor();
    await payCash(seller, '100');
    await seller.getByTestId('receipt-number').waitFor({ timeout: 20_000 });
    await seller.keyboard.press('Enter');

    // other test files may sell in the same store meanwhile: at least this sale more
    await expect.poll(async () => Number(await orders.textContent()), { timeout: 20_000 }).toBeGreaterThan(before);
    await expect.poll(async () => Number(await board.getByTestId('kpi-receipts').textContent()), { timeout: 20_000 }).toBeGreaterThan(receiptsBefore);
    expect(await board.getByTestId('sales-chart').getAttribute('aria-label')).toMatch(/busiest/);
    await screenshot(board, 'dashboard');
  });
});
