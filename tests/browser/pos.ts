/**
 * Driving the POS in Debian's chromium with playwright-core, against the stack the integration
 * global setup started (the gateway serves the built POS at /pos). The POS is built first when
 * clients/pos/dist is missing or older than its sources.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { ensurePosBuilt } from '../../scripts/pos-build.ts';
import { demo, gatewayUrl, tokenFor } from '../support/client.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SHOTS = fileURLToPath(new URL('../../docs/screenshots/', import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  await ensurePosBuilt();
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

export const posUrl = (): string => gatewayUrl().replace(/\/graphql$/, '/pos/');

export async function newTill(browser: Browser): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1366, height: 900 } });
  const page = await context.newPage();
  // generous: the stack under test is shared with other test files, and slow when they load it
  page.setDefaultTimeout(30_000);
  return { context, page };
}

/** the password form, as a cashier of npm start would sign in */
export async function signInWithPassword(page: Page, user = 'cashier', storeName = demo.stores[0]!.name): Promise<void> {
  await page.goto(posUrl());
  await page.getByLabel('User', { exact: true }).fill(user);
  await page.getByLabel('Password', { exact: true }).fill(process.env.COMANDA_DEV_PASSWORD ?? 'comanda');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await pickStore(page, storeName);
}

/** the token form; the user name makes this till's orders recognisable in the database */
export async function signInWithToken(
  page: Page,
  options: { user: string; role?: 'cashier' | 'manager' },
  storeName = demo.stores[0]!.name,
): Promise<void> {
  const token = await tokenFor({ role: options.role ?? 'cashier', user: options.user });
  await page.goto(posUrl());
  await page.getByRole('tab', { name: 'Token' }).click();
  await page.getByLabel('Token', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Use this token' }).click();
  await pickStore(page, storeName);
}

async function pickStore(page: Page, storeName: string): Promise<void> {
  await page.getByRole('button', { name: new RegExp(storeName) }).click();
  await page.getByTestId('scan').waitFor();
  // the catalog is on the till before the first scan
  await page.getByRole('list', { name: 'Products' }).waitFor();
}

/** a keyboard-wedge scanner: the digits, then Enter, into the focused scan field */
export async function scan(page: Page, barcode: string): Promise<void> {
  await page.keyboard.press('F2');
  await page.keyboard.type(barcode);
  await page.keyboard.press('Enter');
}

export async function lineCount(page: Page): Promise<number> {
  return page.getByTestId('cart-line').count();
}

/** F9, the cash the customer handed over, Enter (cash tender), Enter (complete) */
export async function payCash(page: Page, handed: string): Promise<void> {
  await page.keyboard.press('F9');
  await page.getByTestId('amount').fill(handed);
  await page.keyboard.press('Enter');
  await page.getByTestId('complete').waitFor({ state: 'visible' });
  await page.keyboard.press('Enter');
  await page.getByTestId('receipt').waitFor();
}

/** POS_SCREENSHOTS=1 writes docs/screenshots/<name>.png (the README shows them) */
export async function screenshot(page: Page, name: string): Promise<void> {
  if (process.env.POS_SCREENSHOTS !== '1') return;
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}${name}.png` });
}
