/**
 * The POS in a real browser against the whole stack: signing in, a cash sale with change that
 * ends with the receipt on screen and its print job QUEUED, a reprint, a split payment.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demo, eventually, gql } from '../support/client.ts';
import { launchBrowser, lineCount, newTill, posUrl, scan, screenshot } from './pos.ts';

const store = demo.stores[0]!;
const variants = demo.products.flatMap((p) => p.variants);
// Espresso beans 1kg 89.90 (VAT 11 %) and Paper cups 50 pcs 14.90 (VAT 21 %)
const espresso = variants.find((v) => v.sku === 'DEMO-001-S')!;
const cups = variants.find((v) => v.sku === 'DEMO-011-S')!;

/** the server's decimals, to two places for comparing */
const cents = (amount: string) => Number(amount).toFixed(2);

interface ServerOrder {
  id: string;
  number: string;
  status: string;
  paymentStatus: string;
  total: { amount: string };
  payments: { method: string; state: string; amount: { amount: string }; change: { amount: string } | null }[];
  receipt: { number: string; printJobs: { status: string; copy: boolean; printer: { id: string } }[] } | null;
}

async function orderByNumber(number: string): Promise<ServerOrder> {
  const res = await gql<{ orders: { nodes: ServerOrder[] } }>(
    `query($storeId: ID!) { orders(storeId: $storeId, first: 50) { nodes {
      id number status paymentStatus total { amount }
      payments { method state amount { amount } change { amount } }
      receipt { number printJobs { status copy printer { id } } }
    } } }`,
    { storeId: store.id },
  );
  const order = res.data?.orders.nodes.find((o) => o.number === number);
  if (!order) throw new Error(`no order ${number}: ${JSON.stringify(res.errors ?? res.data?.orders.nodes.map((o) => o.number))}`);
  return order;
}

let browser: Browser;
let page: Page;

beforeAll(async () => {
  browser = await launchBrowser();
  page = (await newTill(browser)).page;
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

describe('POS in the browser: selling', () => {
  it('signs in with the development credentials and opens the till for the chosen store', async () => {
    await page.goto(posUrl());
    await page.getByRole('heading', { name: 'Comanda POS' }).waitFor();
    await screenshot(page, 'sign-in');
    // a wrong password is refused with a message, not a blank screen
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('wrong password');

    await page.getByLabel('Password', { exact: true }).fill('comanda');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('button', { name: new RegExp(store.name) }).waitFor();
    await screenshot(page, 'store-picker');
    expect(await page.getByRole('button', { name: /Comanda Demo/ }).count()).toBe(2);
    await page.getByRole('button', { name: new RegExp(store.name) }).click();
    await page.getByRole('list', { name: 'Products' }).waitFor();
    expect(await page.locator('.topbar').textContent()).toContain(store.name);
    // the printer came with the store (its only receipt printer)
    expect(await page.locator('.topbar').textContent()).toContain(store.printerName);
    // every action has a key: F1 lists them
    await page.keyboard.press('F1');
    await page.getByRole('dialog', { name: 'Keys' }).waitFor();
    await screenshot(page, 'keys');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog', { name: 'Keys' }).waitFor({ state: 'detached' });
  });

  it('a cash sale with change ends with the receipt on screen and a QUEUED print job for the store printer', async () => {
    await scan(page, espresso.barcode);
    await scan(page, cups.barcode);
    await scan(page, cups.barcode);
    // a second scan of the same barcode is one more on its line
    await expect.poll(() => page.getByTestId('cart-qty').nth(1).textContent()).toBe('2');
    expect(await lineCount(page)).toBe(2);
    // 89.90 + 2 x 14.90 = 119.70, VAT 8.91 (11 %) + 5.17 (21 %)
    expect(await page.getByTestId('cart-total').textContent()).toBe('119.70 RON');
    await screenshot(page, 'sale');

    await page.keyboard.press('F9');
    await page.getByTestId('amount').fill('150');
    await page.keyboard.press('Enter');
    expect(await page.getByTestId('change').textContent()).toBe('30.30 RON');
    await screenshot(page, 'payment');
    await page.keyboard.press('Enter');
    await page.getByTestId('receipt').waitFor();
    expect(await page.getByTestId('receipt-change').textContent()).toBe('30.30 RON');
    const number = (await page.getByTestId('order-number').textContent())!;

    // the fiscal receipt and its print job appear on screen as fiscal issues them
    await page.getByTestId('receipt-number').waitFor({ timeout: 20_000 });
    expect(await page.getByTestId('print-status').first().textContent()).toBe('QUEUED');
    await screenshot(page, 'receipt');

    const order = await orderByNumber(number);
    expect(cents(order.total.amount)).toBe('119.70');
    expect(order.paymentStatus).toBe('PAID');
    expect(order.payments.map((p) => [p.method, p.state, cents(p.amount.amount), cents(p.change?.amount ?? '0')])).toEqual([
      ['CASH', 'CAPTURED', '119.70', '30.30'],
    ]);
    expect(order.receipt?.number).toBe(await page.getByTestId('receipt-number').textContent());
    expect(order.receipt?.printJobs).toEqual([{ status: 'QUEUED', copy: false, printer: { id: store.printerId } }]);

    // reprint: a second job, marked copy
    await page.keyboard.press('Alt+R');
    await page.getByTestId('print-job').nth(1).waitFor();
    const again = await eventually(async () => {
      const o = await orderByNumber(number);
      return (o.receipt?.printJobs.length ?? 0) === 2 ? o : null;
    });
    expect(again.receipt?.printJobs.map((j) => [j.status, j.copy])).toEqual([
      ['QUEUED', false],
      ['QUEUED', true],
    ]);
    await page.keyboard.press('Enter');
    await page.getByTestId('scan').waitFor();
    expect(await lineCount(page)).toBe(0);
  });

  it('a split payment: part on the card, the rest in cash', async () => {
    await scan(page, espresso.barcode);
    await page.getByTestId('cart-line').first().waitFor();
    await page.keyboard.press('F9');
    await page.getByTestId('amount').fill('50');
    await page.keyboard.press('Alt+K');
    await expect.poll(() => page.getByTestId('left').textContent()).toBe('39.90');
    // the amount field now holds what is left: Enter takes it in cash
    expect(await page.getByTestId('amount').inputValue()).toBe('39.90');
    await page.keyboard.press('Enter');
    await page.getByTestId('complete').waitFor();
    await page.keyboard.press('Enter');
    await page.getByTestId('receipt').waitFor();
    const number = (await page.getByTestId('order-number').textContent())!;
    await page.getByTestId('receipt-number').waitFor({ timeout: 20_000 });

    const order = await orderByNumber(number);
    expect(order.paymentStatus).toBe('PAID');
    expect(order.payments.map((p) => [p.method, p.state, cents(p.amount.amount)])).toEqual([
      ['CARD', 'CAPTURED', '50.00'],
      ['CASH', 'CAPTURED', '39.90'],
    ]);
    await page.keyboard.press('Enter');
  });

  it('a declined card leaves the order placed and takes another payment for it', async () => {
    // the sandbox declines amounts ending in .51
    await scan(page, cups.barcode);
    await page.getByTestId('cart-line').first().waitFor();
    await page.keyboard.press('F9');
    await page.getByTestId('amount').fill('10.51');
    await page.keyboard.press('Alt+K');
    await page.getByTestId('amount').fill('4.39');
    await page.keyboard.press('Enter');
    await page.getByTestId('complete').click();
    await page.getByTestId('payment-error').waitFor();
    expect(await page.getByTestId('payment-error').textContent()).toContain('PAYMENT_DECLINED');
    // the card tender is gone, the cash one was taken: 10.51 is left to pay
    await expect.poll(() => page.getByTestId('left').textContent()).toBe('10.51');
    await page.getByTestId('amount').fill('20');
    await page.keyboard.press('Enter');
    await page.getByTestId('complete').click();
    await page.getByTestId('receipt').waitFor();
    const order = await orderByNumber((await page.getByTestId('order-number').textContent())!);
    expect(order.paymentStatus).toBe('PAID');
    expect(order.payments.filter((p) => p.state === 'CAPTURED').map((p) => [p.method, cents(p.amount.amount)])).toEqual([
      ['CASH', '4.39'],
      ['CASH', '10.51'],
    ]);
    await page.keyboard.press('Enter');
  });
});
