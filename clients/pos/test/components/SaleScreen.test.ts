import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import { IDBFactory } from 'fake-indexeddb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { app } from '../../src/lib/app.svelte.ts';
import { cart } from '../../src/lib/cart.svelte.ts';
import { catalog } from '../../src/lib/catalog.svelte.ts';
import type { Api } from '../../src/lib/graphql/api.ts';
import { handleKey } from '../../src/lib/keys.ts';
import { resetDatabase } from '../../src/lib/offline/db.ts';
import { session } from '../../src/lib/session.svelte.ts';
import SaleScreen from '../../src/screens/SaleScreen.svelte';

const PRODUCTS = [
  {
    id: 'p1',
    name: 'Espresso beans 1kg',
    variants: [
      {
        id: 'v1',
        sku: 'DEMO-001-S',
        barcode: '5941000000001',
        name: 'Espresso beans 1kg',
        vatRate: '11',
        price: { amount: '89.90', currencyCode: 'RON' },
        stockOnHand: '200',
      },
    ],
  },
  {
    id: 'p2',
    name: 'Paper cups 50 pcs',
    variants: [
      {
        id: 'v2',
        sku: 'DEMO-011-S',
        barcode: '5941001000000',
        name: 'Paper cups 50 pcs',
        vatRate: '21',
        price: { amount: '14.90', currencyCode: 'RON' },
        stockOnHand: '130',
      },
    ],
  },
];

const asked: string[] = [];
const api: Api = {
  async query<T>(document: string, variables?: Record<string, unknown>): Promise<T> {
    asked.push(`${document.match(/query (\w+)/)?.[1]} ${JSON.stringify(variables)}`);
    if (document.includes('StoreCatalog')) return { products: { nodes: PRODUCTS, pageInfo: { hasNextPage: false, endCursor: null } } } as T;
    if (document.includes('ScanBarcode')) return { variantByBarcode: null } as T;
    throw new Error(`unexpected ${document}`);
  },
  mutate: async () => {
    throw new Error('not in these tests');
  },
  subscribe: () => () => {},
  onConnection: () => () => {},
  connected: () => true,
  close() {},
};

async function scanCode(code: string) {
  const input = screen.getByTestId('scan') as HTMLInputElement;
  await fireEvent.input(input, { target: { value: code } });
  await fireEvent.submit(input.form!);
}

beforeEach(async () => {
  globalThis.indexedDB = new IDBFactory();
  resetDatabase();
  asked.length = 0;
  app.override = api;
  session.data = {
    token: 'x.y.z',
    claims: { tenant: 'demo', user: 'cashier@demo', roles: ['cashier'], stores: null, printer: null, expiresAt: Date.now() + 60_000 },
    store: { id: 's1', name: 'Demo', currencyCode: 'RON', countryCode: 'RO', timezone: 'Europe/Bucharest', pricesIncludeVat: true },
    printer: null,
  };
  cart.clear();
  await catalog.open(api, 's1');
  // App.svelte's window handler
  window.addEventListener('keydown', handleKey);
});

afterEach(() => {
  app.override = null;
  window.removeEventListener('keydown', handleKey);
});

describe('the sale screen', () => {
  it('a scanned barcode puts its product in the cart; a second scan is one more; totals with VAT by rate', async () => {
    render(SaleScreen);
    await scanCode('5941000000001');
    await scanCode('5941001000000');
    await scanCode('5941001000000');
    await waitFor(() => expect(screen.getAllByTestId('cart-line')).toHaveLength(2));
    await waitFor(() => expect(screen.getAllByTestId('cart-qty').map((e) => e.textContent)).toEqual(['1', '2']));
    expect(screen.getByTestId('cart-total').textContent).toBe('119.70 RON');
    expect(screen.getByText('VAT 11% on 80.99').nextElementSibling?.textContent).toBe('8.91');
    expect(screen.getByText('VAT 21% on 24.63').nextElementSibling?.textContent).toBe('5.17');
    // known barcodes never went to the server
    expect(asked.filter((a) => a.startsWith('ScanBarcode'))).toEqual([]);
  });

  it('says so when a barcode has a wrong check digit, or no product has it', async () => {
    render(SaleScreen);
    await scanCode('5941000000002');
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/not a valid EAN-13/));
    await scanCode('5941999000006');
    await waitFor(() => expect(screen.getByRole('status').textContent).toMatch(/No product with barcode 5941999000006/));
    expect(asked.filter((a) => a.startsWith('ScanBarcode'))).toHaveLength(1);
    expect(screen.queryAllByTestId('cart-line')).toHaveLength(0);
  });

  it('keyboard: F9 opens the payment for the cart, Delete removes the selected line', async () => {
    render(SaleScreen);
    await scanCode('5941000000001');
    await waitFor(() => screen.getByTestId('cart-line'));
    await fireEvent.keyDown(window, { key: 'F9' });
    await waitFor(() => expect(screen.getByTestId('due').textContent).toBe('89.90 RON'));
    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('payment-dialog')).toBeNull());
    await fireEvent.keyDown(document.body, { key: 'Delete' });
    await waitFor(() => expect(screen.queryAllByTestId('cart-line')).toHaveLength(0));
  });
});
