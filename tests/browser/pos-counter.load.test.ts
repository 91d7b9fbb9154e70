/**
 * At the counter: a voucher the server created takes its discount off the sale on screen and on
 * the order; a customer looked up or created on the spot (CUI checked) is on the order; a shift
 * opened with a float, a cash movement, a sale and the close with counted cash give the Z report.
 *
 * In the `load` project: a shift's Z report counts every cash sale of its store, so it needs a
 * stack no other test file sells on while it runs (in the shared integration stack its store's
 * screen timed out under the other files' load).
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cui } from '../../scripts/demo/data.ts';
import { demo, gql } from '../support/client.ts';
import { launchBrowser, newTill, payCash, scan, screenshot, signInWithPassword } from './pos.ts';

const variants = demo.products.flatMap((p) => p.variants);
const espresso = variants.find((v) => v.sku === 'DEMO-001-S')!;
const cents = (amount: string) => Number(amount).toFixed(2);

let browser: Browser;
let page: Page;

async function orderByNumber(storeId: string, number: string) {
  const res = await gql<{ orders: { nodes: any[] } }>(
    `query($storeId: ID!) { orders(storeId: $storeId, first: 50) { nodes {
      number total { amount } discountTotal { amount } customer { id name taxId } promotions { code amount { amount } }
    } } }`,
    { storeId },
  );
  const order = res.data?.orders.nodes.find((o) => o.number === number);
  if (!order) throw new Error(`no order ${number}: ${JSON.stringify(res)}`);
  return order;
}

beforeAll(async () => {
  browser = await launchBrowser();
  page = (await newTill(browser)).page;
  await signInWithPassword(page, 'cashier');
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('POS in the browser: at the counter', () => {
  it('a voucher: checked with the server, its discount on screen, on the order and the receipt', async () => {
    const code = `TEN${Date.now().toString(36).toUpperCase()}`;
    const created = await gql(
      'mutation($input: CreatePromotionInput!) { createPromotion(input: $input) { promotion { code } userErrors { code message } } }',
      { input: { code, name: '10 % off', kind: 'PERCENTAGE', value: '10' } },
    );
    expect(created.data?.createPromotion.userErrors).toEqual([]);

    await scan(page, espresso.barcode);
    await scan(page, espresso.barcode);
    await expect.poll(() => page.getByTestId('cart-qty').first().textContent()).toBe('2');

    await page.keyboard.press('F8');
    await page.getByTestId('voucher-code').fill('NOSUCHCODE');
    await page.keyboard.press('Enter');
    await page.getByText('There is no voucher NOSUCHCODE.').waitFor();
    await page.getByTestId('voucher-code').fill(code.toLowerCase());
    await page.keyboard.press('Enter');
    await page.getByTestId('voucher').waitFor();
    // 10 % of 179.80
    expect(await page.getByTestId('voucher').textContent()).toContain('−17.98');
    expect(await page.getByTestId('cart-total').textContent()).toBe('161.82 RON');
    await screenshot(page, 'sale-voucher');

    await payCash(page, '200');
    expect(await page.getByTestId('receipt-change').textContent()).toBe('38.18 RON');
    const order = await orderByNumber(demo.stores[0]!.id, (await page.getByTestId('order-number').textContent())!);
    expect(cents(order.total.amount)).toBe('161.82');
    expect(cents(order.discountTotal.amount)).toBe('17.98');
    expect(order.promotions.map((p: any) => [p.code, cents(p.amount.amount)])).toEqual([[code, '17.98']]);
    await page.keyboard.press('Enter');
  });

  it('a customer: found by name, or created on the spot with its CUI checked, is on the order', async () => {
    await page.keyboard.press('F4');
    await page.getByLabel('Name, email, phone or CUI').fill('carpatica');
    await page.getByRole('button', { name: /Carpatica Distribuție SRL/ }).click();
    expect(await page.getByTestId('customer-button').textContent()).toContain('Carpatica');

    // another customer instead: a company that is not in the register yet
    await page.keyboard.press('F4');
    await page.getByTestId('customer-dialog').waitFor();
    await page.keyboard.press('Alt+N');
    await page.getByLabel('Company').check();
    const name = `Test Tools ${Date.now()} SRL`;
    await page.getByLabel('Name', { exact: true }).fill(name);
    await page.getByLabel(/^CUI/).fill('12345678');
    await page.getByTestId('cui-error').waitFor();
    await screenshot(page, 'customer-create');
    const taxId = cui(String(1_000_000 + Math.floor(Math.random() * 8_000_000)));
    await page.getByLabel(/^CUI/).fill(taxId);
    expect(await page.getByTestId('cui-error').count()).toBe(0);
    await page.getByRole('button', { name: /Create and use/ }).click();
    await expect.poll(() => page.getByTestId('customer-button').textContent()).toContain(name);

    await scan(page, espresso.barcode);
    await page.getByTestId('cart-line').first().waitFor();
    await payCash(page, '100');
    const order = await orderByNumber(demo.stores[0]!.id, (await page.getByTestId('order-number').textContent())!);
    expect(order.customer).toMatchObject({ name, taxId });
    await page.keyboard.press('Enter');
  });

  it('a shift: a float, cash out, a sale, the close with counted cash gives the Z report', async () => {
    // the Cluj store: no other test sells there for cash, so the Z report's figures are this test's
    const cluj = demo.stores[1]!;
    await page.getByRole('button', { name: 'Store', exact: true }).click();
    await page.getByRole('button', { name: new RegExp(cluj.name) }).click();
    await page.getByRole('list', { name: 'Products' }).waitFor();
    await page.keyboard.press('Alt+4');
    await page.getByTestId('float').fill('200');
    await page.getByTestId('open-shift').click();
    await page.getByTestId('shift-status').waitFor();

    await page.getByRole('radio', { name: /Out/ }).check();
    await page.getByTestId('move-amount').fill('50');
    await page.getByTestId('move-reason').fill('bank drop');
    await page.getByTestId('record-movement').click();
    await page.getByTestId('cash-movement').waitFor();
    expect(await page.getByTestId('moved').textContent()).toBe('-50.00 RON');
    await screenshot(page, 'shift');

    // a cash sale in the shift (net prices at this store: 89.90 + 11 % VAT = 99.79)
    await page.keyboard.press('Alt+1');
    await scan(page, variants.find((v) => v.sku === 'DEMO-001-S')!.barcode);
    await page.getByTestId('cart-line').first().waitFor();
    expect(await page.getByTestId('cart-total').textContent()).toBe('99.79 RON');
    await payCash(page, '100');
    await page.getByTestId('receipt-number').waitFor({ timeout: 20_000 });
    await page.keyboard.press('Enter');

    // expected: 200 + 99.79 - 50 = 249.79; the drawer is 1.00 short
    await page.keyboard.press('Alt+4');
    await page.getByTestId('counted').fill('248.79');
    await page.getByTestId('close-shift').click();
    await page.getByTestId('z-report').waitFor();
    expect(await page.getByTestId('z-gross').textContent()).toBe('99.79 RON');
    expect(await page.getByTestId('z-expected').textContent()).toBe('249.79');
    expect(await page.getByTestId('z-counted').textContent()).toBe('248.79');
    expect(await page.getByTestId('z-discrepancy').textContent()).toBe('-1.00 RON');
    expect(await page.getByTestId('z-print-status').textContent()).toContain('QUEUED');
    await screenshot(page, 'z-report');
    // no shift is open any more: the next one can be opened
    await page.getByTestId('open-shift').waitFor();
  });
});
