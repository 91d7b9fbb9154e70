/** What the orders integration tests share: tokens, calls through the gateway, fresh catalog rows. */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { demo, gql, tokenFor } from '../../../tests/support/client.ts';

export const pos = demo.stores[0]!;
export const b2b = demo.stores[1]!;

export type Role = 'owner' | 'manager' | 'cashier' | 'accountant' | 'partner';

export const key = () => `test-${randomUUID()}`;

/** A SKU no other test uses. */
export const sku = (prefix = 'T') => `${prefix}-${randomUUID().slice(0, 8)}`.toUpperCase();

/** A valid EAN-13 no other test uses (prefix 200-299: for internal use). */
export function barcode(): string {
  const body = `2${String(Math.floor(Math.random() * 1e11)).padStart(11, '0')}`;
  const weighted = [...body].reduce((acc, d, i) => acc + Number(d) * (i % 2 === 0 ? 1 : 3), 0);
  return `${body}${(10 - (weighted % 10)) % 10}`;
}

/** Through the gateway as a role of the demo tenant; GraphQL errors fail the test. */
export async function call(query: string, variables: Record<string, unknown> = {}, role: Role = 'manager', extra: { store?: string } = {}) {
  const res = await gql(query, variables, { token: await tokenFor({ role, ...extra }) });
  expect(res.errors).toBeUndefined();
  return res.data;
}

export const codes = (payload: { userErrors: { code: string }[] }) => payload.userErrors.map((e) => e.code);

const VARIANT_FIELDS =
  'id sku barcode name archived price { amount currencyCode } vatRate vatRates { rate validFrom validUntil } priceTiers { minQuantity unitPrice }';
export const PRODUCT_FIELDS = `id name archived variants(includeArchived: true) { ${VARIANT_FIELDS} }`;

export const CREATE_PRODUCT = `mutation($input: CreateProductInput!) { createProduct(input: $input) { replayed product { ${PRODUCT_FIELDS} } userErrors { field code message } } }`;
export const UPDATE_VARIANT = `mutation($input: UpdateVariantInput!) { updateVariant(input: $input) { variant { ${VARIANT_FIELDS} } userErrors { field code message } } }`;
export const SCHEDULE_VAT = `mutation($input: ScheduleVatRateInput!) { scheduleVatRate(input: $input) { variant { ${VARIANT_FIELDS} } userErrors { field code message } } }`;
export const SET_TIERS = `mutation($input: SetVariantPriceTiersInput!) { setVariantPriceTiers(input: $input) { variant { ${VARIANT_FIELDS} } userErrors { field code message } } }`;

export interface TestVariant {
  id: string;
  sku: string;
  barcode: string | null;
}

/** A product of its own with one variant per price given (VAT 21 unless said). */
export async function freshProduct(prices: string[], vatRate = '21'): Promise<{ id: string; variants: TestVariant[] }> {
  const data = await call(CREATE_PRODUCT, {
    input: {
      name: `Test product ${randomUUID().slice(0, 6)}`,
      variants: prices.map((price) => ({ sku: sku(), barcode: barcode(), price, vatRate })),
    },
  });
  expect(data.createProduct.userErrors).toEqual([]);
  return data.createProduct.product;
}

export const ORDER_FIELDS = `id number status total { amount } subtotal { amount } discountTotal { amount } taxTotal { amount }
  lines { quantity unitPrice { amount } listPrice { amount } vatRate discount { amount } total { amount } taxAmount { amount } }
  promotions { code kind value amount { amount } released promotion { id timesUsed } }`;
export const PLACE = `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { replayed order { ${ORDER_FIELDS} } userErrors { field code message } notices { field code } } }`;

export async function place(input: Record<string, unknown>, role: Role = 'cashier') {
  const data = await call(PLACE, { input: { storeId: pos.id, clientOrderId: key(), channel: 'POS', ...input } }, role);
  return data.placeOrder;
}
