/**
 * The POS in the browser (Debian's chromium, playwright-core) against the stack in its own
 * process: 100 cash sales of 1-3 scanned items each, keyboard only, as a cashier with a
 * scanner works. Measured inside the app (window.__posTimings, performance.now):
 *   scan-to-cart:   Enter in the scan field -> the line on screen (goal < 50 ms)
 *   pay-to-receipt: Complete -> the receipt on screen, order placed and paid (goal < 300 ms)
 *   pay-to-fiscal:  the receipt on screen -> the fiscal receipt number on it (fiscal issues it
 *                   from the order's confirmed event)
 * Baselines measured in the same run from Node, no browser: the same sale as bare GraphQL
 * (placeOrder, then recordPayment retried while payments has not seen the order yet), and
 * variantByBarcode (what a scan would cost if the till asked the server instead of its
 * in-memory catalog). The last line is JSON.
 */
import { loadKeys, mintToken } from '@comanda/gateway';
import { chromium } from 'playwright-core';
import { demoTenant } from '../../scripts/demo/data.ts';
import { ensurePosBuilt } from '../../scripts/pos-build.ts';
import { startStackProcess } from './stack-process.ts';

const SALES = 100;
const store = demoTenant.stores[0]!;
const variants = demoTenant.products.flatMap((p) => p.variants).filter((v) => v.barcode);

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const summary = (values: number[]) => ({
  n: values.length,
  p50: +percentile(values, 50).toFixed(1),
  p95: +percentile(values, 95).toFixed(1),
  max: +Math.max(...values).toFixed(1),
});

/** a seeded choice of 1-3 items per sale, the same in every run */
function basket(sale: number): typeof variants {
  let seed = 7919 * (sale + 1);
  const next = () => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  return Array.from({ length: 1 + Math.floor(next() * 3) }, () => variants[Math.floor(next() * variants.length)]!);
}

async function graphql(url: string, token: string, query: string, variables: Record<string, unknown>) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: unknown[] };
  if (!body.data) throw new Error(`${res.status} ${JSON.stringify(body.errors)}`);
  return body.data;
}

/** a cashier's token signed with the dev keys the stack process verifies with */
async function cashierToken(): Promise<string> {
  const keys = await loadKeys();
  return mintToken({ tenant: demoTenant.tenantId, role: 'cashier', user: 'bench-cashier@demo' }, keys.privateKey!);
}

/**
 * The same sales as bare GraphQL from Node: placeOrder, then recordPayment (ORDER_NOT_FOUND
 * retried). `pauseMs` between sales paces them like a cashier (scanning, handing over the
 * receipt), so the server's event pipeline is as idle between sales as in the browser run.
 */
async function baseline(gatewayUrl: string, token: string, pauseMs: number) {
  const sales: number[] = [];
  const places: number[] = [];
  const scans: number[] = [];
  for (let i = 0; i < SALES; i++) {
    const items = basket(i + SALES);
    for (const item of items) {
      const started = performance.now();
      await graphql(gatewayUrl, token, 'query($s: ID!, $b: String!) { variantByBarcode(storeId: $s, barcode: $b) { id price { amount } } }', {
        s: store.id,
        b: item.barcode,
      });
      scans.push(performance.now() - started);
    }
    const started = performance.now();
    const placed = await graphql(
      gatewayUrl,
      token,
      'mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { order { id total { amount } } userErrors { code } } }',
      {
        input: {
          storeId: store.id,
          clientOrderId: crypto.randomUUID(),
          channel: 'POS',
          lines: items.map((v) => ({ variantId: v.id, quantity: '1' })),
        },
      },
    );
    places.push(performance.now() - started);
    const order = placed.placeOrder.order;
    for (let wait = 10; ; wait = Math.min(wait * 2, 500)) {
      const paid = await graphql(
        gatewayUrl,
        token,
        'mutation($input: RecordPaymentInput!) { recordPayment(input: $input) { payment { id } userErrors { code } } }',
        {
          input: { orderId: order.id, idempotencyKey: crypto.randomUUID(), method: 'CASH', amount: order.total.amount, tendered: order.total.amount },
        },
      );
      if (paid.recordPayment.payment) break;
      if (paid.recordPayment.userErrors[0]?.code !== 'ORDER_NOT_FOUND') throw new Error(JSON.stringify(paid));
      await new Promise((r) => setTimeout(r, wait));
    }
    sales.push(performance.now() - started);
    await new Promise((r) => setTimeout(r, pauseMs));
  }
  return { pauseMs, sale: summary(sales), place: summary(places), scan: summary(scans) };
}

async function browserSales(gatewayUrl: string, token: string) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    const page = await (await browser.newContext({ viewport: { width: 1366, height: 900 } })).newPage();
    page.setDefaultTimeout(30_000);
    await page.goto(gatewayUrl.replace(/\/graphql$/, '/pos/'));
    await page.getByRole('tab', { name: 'Token' }).click();
    await page.getByLabel('Token', { exact: true }).fill(token);
    await page.getByRole('button', { name: 'Use this token' }).click();
    await page.getByRole('button', { name: new RegExp(store.name) }).click();
    await page.getByRole('list', { name: 'Products' }).waitFor();
    const wall: number[] = [];
    for (let i = 0; i < SALES; i++) {
      const items = basket(i);
      for (const item of items) {
        await page.keyboard.type(item.barcode);
        await page.keyboard.press('Enter');
      }
      // every scan is in the cart (the page's own code: counts the quantities on screen)
      await page.waitForFunction(
        `[...document.querySelectorAll('[data-testid="cart-qty"]')].reduce((a, e) => a + Number(e.textContent), 0) === ${items.length}`,
      );
      const started = performance.now();
      await page.keyboard.press('F9');
      await page.keyboard.press('Enter'); // the amount field holds the total: exact cash
      await page.getByTestId('complete').waitFor();
      await page.keyboard.press('Enter');
      await page.getByTestId('receipt-number').waitFor();
      wall.push(performance.now() - started);
      await page.keyboard.press('Enter');
      await page.getByTestId('scan').and(page.locator(':focus')).waitFor();
    }
    const timings = (await page.evaluate('window.__posTimings')) as Record<'scan' | 'pay' | 'fiscal' | 'place' | 'payment', number[]>;
    return { ...timings, wall };
  } finally {
    await browser.close();
  }
}

export async function run(): Promise<void> {
  await ensurePosBuilt((line) => console.log(`  ${line}`));
  const stack = await startStackProcess('comanda_bench_pos');
  try {
    const token = await cashierToken();
    console.log(`pos: ${SALES} cash sales of 1-3 scanned items, keyboard only, in chromium; baselines from Node`);
    const busy = await baseline(stack.gatewayUrl, token, 0);
    console.log(`  baseline placeOrder+recordPayment (Node, back to back): p50 ${busy.sale.p50} ms, p95 ${busy.sale.p95} ms`);
    const base = await baseline(stack.gatewayUrl, token, 800);
    console.log(
      `  baseline placeOrder+recordPayment (Node, paced 800 ms): p50 ${base.sale.p50} ms, p95 ${base.sale.p95} ms (placeOrder alone p50 ${base.place.p50}, p95 ${base.place.p95})`,
    );
    console.log(`  baseline variantByBarcode (Node):         p50 ${base.scan.p50} ms, p95 ${base.scan.p95} ms`);
    const timings = await browserSales(stack.gatewayUrl, token);
    const scan = summary(timings.scan);
    const pay = summary(timings.pay);
    const fiscal = summary(timings.fiscal);
    const wall = summary(timings.wall);
    const place = summary(timings.place);
    const payment = summary(timings.payment);
    console.log(`  scan-to-cart (in app):    p50 ${scan.p50} ms, p95 ${scan.p95} ms, max ${scan.max} ms (${scan.n} scans; goal p95 < 50)`);
    console.log(`  pay-to-receipt (in app):  p50 ${pay.p50} ms, p95 ${pay.p95} ms, max ${pay.max} ms (goal p95 < 300)`);
    console.log(
      `    of which placeOrder p50 ${place.p50} / p95 ${place.p95} ms, recordPayment until taken p50 ${payment.p50} / p95 ${payment.p95} ms`,
    );
    console.log(`  receipt-to-fiscal number: p50 ${fiscal.p50} ms, p95 ${fiscal.p95} ms`);
    console.log(`  F9 to fiscal number (driven by playwright, wall clock): p50 ${wall.p50} ms, p95 ${wall.p95} ms`);
    const ratios = { payToBaseline: +(pay.p95 / base.sale.p95).toFixed(3), scanToServerLookup: +(scan.p95 / base.scan.p95).toFixed(3) };
    console.log(
      `  pay-to-receipt / bare GraphQL sale p95 ratio ${ratios.payToBaseline}; scan-to-cart / server lookup p95 ratio ${ratios.scanToServerLookup}`,
    );
    console.log(
      JSON.stringify({
        bench: 'pos',
        sales: SALES,
        scanToCart: scan,
        payToReceipt: pay,
        placeOrder: place,
        recordPayment: payment,
        receiptToFiscal: fiscal,
        wall,
        baseline: base,
        baselineBackToBack: busy,
        ratios,
        goalsMet: { scanToCart: scan.p95 < 50, payToReceipt: pay.p95 < 300 },
      }),
    );
  } finally {
    await stack.stop();
  }
}
