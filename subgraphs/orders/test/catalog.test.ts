import { randomUUID } from 'node:crypto';
import { toEnvelope } from '@comanda/kafka';
import { loadEventCatalog } from '@comanda/schema/events';
import { describe, expect, it } from 'vitest';
import { adminQuery, demo, gql, other, tokenFor } from '../../../tests/support/client.ts';
import { localDate } from '../src/domain/vat-schedule.ts';
import {
  barcode,
  CREATE_PRODUCT,
  call,
  codes,
  freshProduct,
  key,
  PRODUCT_FIELDS,
  place,
  pos,
  SCHEDULE_VAT,
  SET_TIERS,
  sku,
  UPDATE_VARIANT,
} from './support.ts';

const catalog = loadEventCatalog();

async function productEvents(productId: string) {
  const rows = await adminQuery(
    `select position, id, tenant_id, store_id, aggregate_id, sequence, type, data, traceparent, occurred_at from orders.outbox where aggregate_id = $1 order by sequence`,
    [productId],
  );
  return rows.map((row) => toEnvelope('orders', row));
}

const dayAfter = (date: string, days: number) => new Date(Date.parse(`${date}T12:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('creating products', () => {
  it('creates a product with its variants, normalized, and publishes product.created with all of it', async () => {
    const code = barcode();
    const data = await call(CREATE_PRODUCT, {
      input: {
        name: '  Filter coffee 500g ',
        variants: [
          { sku: sku('fc').toLowerCase(), barcode: code, price: '34.90', vatRate: '11.00' },
          { sku: sku('FC'), name: 'Filter coffee 500g (decaf)', price: '36.5', vatRate: '11' },
        ],
      },
    });
    const { product } = data.createProduct;
    expect(data.createProduct.userErrors).toEqual([]);
    expect(product.name).toBe('Filter coffee 500g');
    expect(product.variants.map((v: any) => [v.sku === v.sku.toUpperCase(), v.name, v.price, v.vatRate, v.vatRates])).toEqual([
      [true, 'Filter coffee 500g', { amount: '34.90', currencyCode: 'RON' }, '11', [{ rate: '11', validFrom: null, validUntil: null }]],
      [true, 'Filter coffee 500g (decaf)', { amount: '36.50', currencyCode: 'RON' }, '11', [{ rate: '11', validFrom: null, validUntil: null }]],
    ]);
    const scanned = await call(
      `query($s: ID!, $b: String!) { variantByBarcode(storeId: $s, barcode: $b) { id } }`,
      { s: pos.id, b: code },
      'cashier',
    );
    expect(scanned.variantByBarcode.id).toBe(product.variants[0].id);

    const events = await productEvents(product.id);
    expect(events.map((e) => e.type)).toEqual(['comanda.orders.product.created.v1']);
    expect(catalog.validate(events[0]!)).toBeNull();
    expect(events[0]!.data).toMatchObject({
      productId: product.id,
      name: 'Filter coffee 500g',
      variants: [{ barcode: code, price: '34.9' }, { barcode: null }],
    });
  });

  it('replays a create retried under the same key, and refuses another body under it', async () => {
    const idempotencyKey = key();
    const input = { name: 'Tea 100g', idempotencyKey, variants: [{ sku: sku(), price: '12', vatRate: '11' }] };
    const first = (await call(CREATE_PRODUCT, { input })).createProduct;
    const again = (await call(CREATE_PRODUCT, { input })).createProduct;
    expect(again).toMatchObject({ replayed: true, product: { id: first.product.id }, userErrors: [] });
    const other = (await call(CREATE_PRODUCT, { input: { ...input, name: 'Green tea 100g' } })).createProduct;
    expect(other).toMatchObject({ product: null, userErrors: [{ code: 'IDEMPOTENCY_CONFLICT' }] });
    expect(await productEvents(first.product.id)).toHaveLength(1);
  });

  it('keeps SKUs unique in the tenant whatever their case, and barcodes unique among variants sold', async () => {
    const existing = demo.products[0]!.variants[0]!;
    const taken = (
      await call(CREATE_PRODUCT, { input: { name: 'Copy', variants: [{ sku: existing.sku.toLowerCase(), price: '1', vatRate: '21' }] } })
    ).createProduct;
    expect(taken).toMatchObject({ product: null, userErrors: [{ code: 'SKU_TAKEN', field: ['input', 'variants', '0', 'sku'] }] });
    const sameCode = (
      await call(CREATE_PRODUCT, { input: { name: 'Copy', variants: [{ sku: sku(), barcode: existing.barcode, price: '1', vatRate: '21' }] } })
    ).createProduct;
    expect(codes(sameCode)).toEqual(['BARCODE_TAKEN']);
    // another tenant's SKUs are no concern of this one
    const acme = await gql(
      CREATE_PRODUCT,
      { input: { name: 'Acme copy', variants: [{ sku: existing.sku, price: '1', vatRate: '21' }] } },
      { token: await tokenFor({ role: 'manager', tenant: other.tenantId }) },
    );
    expect(acme.data?.createProduct.userErrors).toEqual([]);
  });

  it('reports every bad field at once and writes nothing', async () => {
    const name = `Nothing ${randomUUID()}`;
    const res = (
      await call(CREATE_PRODUCT, {
        input: {
          name,
          variants: [
            { sku: 'bad sku', barcode: '5901234123450', price: '-1', vatRate: '100' },
            { sku: 'SAME-1', price: '1', vatRate: '21' },
            { sku: 'same-1', price: '1', vatRate: '21' },
          ],
        },
      })
    ).createProduct;
    expect(res.userErrors.map((e: { code: string; field: string[] }) => `${e.code}@${e.field.join('.')}`)).toEqual([
      'INVALID_SKU@input.variants.0.sku',
      'INVALID_BARCODE@input.variants.0.barcode',
      'INVALID_PRICE@input.variants.0.price',
      'INVALID_VAT_RATE@input.variants.0.vatRate',
      'DUPLICATE_SKU@input.variants.2.sku',
    ]);
    expect(codes((await call(CREATE_PRODUCT, { input: { name: ' ', variants: [] } })).createProduct)).toEqual(['NAME_REQUIRED', 'NO_VARIANTS']);
    expect(await adminQuery('select id from orders.product where name = $1', [name])).toEqual([]);
  });

  it('is for managers and owners', async () => {
    const input = { name: 'Nope', variants: [{ sku: sku(), price: '1', vatRate: '21' }] };
    for (const role of ['cashier', 'accountant', 'partner'] as const) {
      const res = await gql(CREATE_PRODUCT, { input }, { token: await tokenFor({ role }) });
      expect(res.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    }
  });
});

describe('changing the catalog', () => {
  it('updates a variant, archives it (not sold, barcode free again) and restores it', async () => {
    const product = await freshProduct(['10.00']);
    const variant = product.variants[0]!;
    const updated = (await call(UPDATE_VARIANT, { input: { variantId: variant.id, price: '12.5', name: 'Renamed' } })).updateVariant;
    expect(updated.variant).toMatchObject({ price: { amount: '12.50' }, name: 'Renamed' });
    const sale = await place({ lines: [{ variantId: variant.id, quantity: '2', unitPrice: '12.50' }] });
    expect(sale.order.total.amount).toBe('25.00');

    expect((await call(UPDATE_VARIANT, { input: { variantId: variant.id, archived: true } })).updateVariant.variant.archived).toBe(true);
    const refused = await place({ lines: [{ variantId: variant.id, quantity: '1' }] });
    expect(refused).toMatchObject({ order: null, userErrors: [{ code: 'VARIANT_ARCHIVED', field: ['input', 'lines', '0', 'variantId'] }] });
    const scan = await call(`query($s: ID!, $b: String!) { variantByBarcode(storeId: $s, barcode: $b) { id } }`, { s: pos.id, b: variant.barcode });
    expect(scan.variantByBarcode).toBeNull();
    // the barcode is free for a new article; the old one cannot come back with it
    const successor = (
      await call(CREATE_PRODUCT, { input: { name: 'Successor', variants: [{ sku: sku(), barcode: variant.barcode, price: '1', vatRate: '21' }] } })
    ).createProduct;
    expect(successor.userErrors).toEqual([]);
    expect(codes((await call(UPDATE_VARIANT, { input: { variantId: variant.id, archived: false } })).updateVariant)).toEqual(['BARCODE_TAKEN']);
    const restored = (await call(UPDATE_VARIANT, { input: { variantId: variant.id, archived: false, barcode: null } })).updateVariant;
    expect(restored.variant).toMatchObject({ archived: false, barcode: null });

    const events = await productEvents(product.id);
    expect(events.map((e) => e.type.split('.')[3])).toEqual(['created', 'updated', 'updated', 'updated']);
    for (const event of events) expect(catalog.validate(event)).toBeNull();
  });

  it('hides archived products from the listing but keeps them on their orders', async () => {
    const product = await freshProduct(['5.00']);
    const sale = await place({ lines: [{ variantId: product.variants[0]!.id, quantity: '1' }] });
    const archive = await call(
      `mutation($input: UpdateProductInput!) { updateProduct(input: $input) { product { id archived } userErrors { code } } }`,
      { input: { productId: product.id, archived: true } },
    );
    expect(archive.updateProduct.product.archived).toBe(true);
    const search = (all: boolean) =>
      call(`query($s: ID!, $t: String, $a: Boolean) { products(storeId: $s, search: $t, includeArchived: $a) { nodes { id } } }`, {
        s: pos.id,
        t: product.variants[0]!.sku,
        a: all,
      });
    expect((await search(false)).products.nodes).toEqual([]);
    expect((await search(true)).products.nodes).toEqual([{ id: product.id }]);
    expect(codes(await place({ lines: [{ variantId: product.variants[0]!.id, quantity: '1' }] }))).toEqual(['VARIANT_ARCHIVED']);
    const order = await call(`query($id: ID!) { order(id: $id) { lines { variant { id sku product { id archived } } } } }`, { id: sale.order.id });
    expect(order.order.lines[0].variant).toEqual({
      id: product.variants[0]!.id,
      sku: product.variants[0]!.sku,
      product: { id: product.id, archived: true },
    });
  });

  it('refuses a SKU another variant has and a variant that does not exist', async () => {
    const product = await freshProduct(['1.00', '2.00']);
    const [a, b] = product.variants;
    expect((await call(UPDATE_VARIANT, { input: { variantId: a!.id, sku: b!.sku.toLowerCase() } })).updateVariant).toMatchObject({
      variant: null,
      userErrors: [{ code: 'SKU_TAKEN', field: ['input', 'sku'] }],
    });
    expect(codes((await call(UPDATE_VARIANT, { input: { variantId: randomUUID(), price: '1' } })).updateVariant)).toEqual(['VARIANT_NOT_FOUND']);
    expect(codes((await call(UPDATE_VARIANT, { input: { variantId: 'nope', price: '1' } })).updateVariant)).toEqual(['VARIANT_NOT_FOUND']);
  });

  it('adds a variant to a product, once per key', async () => {
    const product = await freshProduct(['3.00']);
    const ADD = `mutation($input: AddVariantInput!) { addVariant(input: $input) { replayed variant { id sku product { id variants { id } } } userErrors { code } } }`;
    const input = { productId: product.id, idempotencyKey: key(), variant: { sku: sku(), price: '4', vatRate: '11' } };
    const first = (await call(ADD, { input })).addVariant;
    expect(first.variant.product.variants).toHaveLength(2);
    const again = (await call(ADD, { input })).addVariant;
    expect(again).toMatchObject({ replayed: true, variant: { id: first.variant.id } });
    expect(codes((await call(ADD, { input: { ...input, productId: randomUUID(), idempotencyKey: key() } })).addVariant)).toEqual([
      'PRODUCT_NOT_FOUND',
    ]);
  });
});

describe('VAT rates with validity dates', () => {
  const today = () => localDate(new Date(), pos.timezone);

  it('schedules a change, shows the periods, withdraws it, and refuses the past', async () => {
    const product = await freshProduct(['10.00'], '19');
    const variant = product.variants[0]!;
    const from = dayAfter(today(), 30);
    const scheduled = (await call(SCHEDULE_VAT, { input: { variantId: variant.id, rate: '21', validFrom: from } })).scheduleVatRate;
    expect(scheduled.userErrors).toEqual([]);
    expect(scheduled.variant.vatRate).toBe('19');
    expect(scheduled.variant.vatRates).toEqual([
      { rate: '19', validFrom: null, validUntil: from },
      { rate: '21', validFrom: from, validUntil: null },
    ]);
    expect(
      codes((await call(SCHEDULE_VAT, { input: { variantId: variant.id, rate: '21', validFrom: dayAfter(today(), -1) } })).scheduleVatRate),
    ).toEqual(['VAT_RATE_IN_PAST']);
    expect(codes((await call(SCHEDULE_VAT, { input: { variantId: variant.id, rate: '121', validFrom: 'tomorrow' } })).scheduleVatRate)).toEqual([
      'INVALID_VAT_RATE',
      'INVALID_DATE',
    ]);
    const CANCEL = `mutation($input: CancelVatRateChangeInput!) { cancelVatRateChange(input: $input) { variant { vatRates { rate validFrom } } userErrors { code } } }`;
    expect((await call(CANCEL, { input: { variantId: variant.id, validFrom: from } })).cancelVatRateChange.variant.vatRates).toEqual([
      { rate: '19', validFrom: null },
    ]);
    expect(codes((await call(CANCEL, { input: { variantId: variant.id, validFrom: from } })).cancelVatRateChange)).toEqual(['VAT_CHANGE_NOT_FOUND']);
    expect(codes((await call(CANCEL, { input: { variantId: variant.id, validFrom: today() } })).cancelVatRateChange)).toEqual(['VAT_RATE_IN_FORCE']);
  });

  it('prices an order with the rate in force on its day in its store', async () => {
    const product = await freshProduct(['121.00'], '19');
    const variant = product.variants[0]!;
    // history written as if the change had been scheduled earlier: 9% since last week, 5% from next month
    await adminQuery(`insert into orders.variant_vat_rate (tenant_id, variant_id, valid_from, rate) values ($1, $2, $3, 9), ($1, $2, $4, 5)`, [
      demo.tenantId,
      variant.id,
      dayAfter(today(), -7),
      dayAfter(today(), 30),
    ]);
    const sale = await place({ lines: [{ variantId: variant.id, quantity: '1' }] });
    expect(sale.order.lines[0]).toMatchObject({ vatRate: '9', total: { amount: '121.00' }, taxAmount: { amount: '9.99' } }); // 121 x 9/109
    // a change that starts today applies at once
    const now = (await call(SCHEDULE_VAT, { input: { variantId: variant.id, rate: '21', validFrom: today() } })).scheduleVatRate;
    expect(now.variant.vatRate).toBe('21');
    const later = await place({ lines: [{ variantId: variant.id, quantity: '1' }] });
    expect(later.order.lines[0]).toMatchObject({ vatRate: '21', taxAmount: { amount: '21.00' } });
    // the first order keeps the rate it was sold at
    const first = await call(`query($id: ID!) { order(id: $id) { lines { vatRate } } }`, { id: sale.order.id });
    expect(first.order.lines[0].vatRate).toBe('9');
  });
});

describe('quantity tiers of the default list', () => {
  it('sells from a tier on by the total quantity of the variant in the order', async () => {
    const product = await freshProduct(['10.00']);
    const variant = product.variants[0]!;
    const set = (
      await call(SET_TIERS, {
        input: {
          variantId: variant.id,
          tiers: [
            { minQuantity: '10', unitPrice: '9' },
            { minQuantity: '50', unitPrice: '8.5' },
          ],
        },
      })
    ).setVariantPriceTiers;
    expect(set.variant.priceTiers).toEqual([
      { minQuantity: '10', unitPrice: '9' },
      { minQuantity: '50', unitPrice: '8.5' },
    ]);
    const few = await place({ lines: [{ variantId: variant.id, quantity: '9' }] });
    expect(few.order.lines[0].unitPrice.amount).toBe('10.00');
    const split = await place({
      lines: [
        { variantId: variant.id, quantity: '6' },
        { variantId: variant.id, quantity: '4', unitPrice: '9' },
      ],
    });
    expect(split.order.lines.map((l: any) => [l.unitPrice.amount, l.listPrice.amount])).toEqual([
      ['9.00', '9.00'],
      ['9.00', '9.00'],
    ]);
    expect(
      codes((await call(SET_TIERS, { input: { variantId: variant.id, tiers: [{ minQuantity: '0', unitPrice: '1' }] } })).setVariantPriceTiers),
    ).toEqual(['INVALID_QUANTITY']);
  });
});

describe('importing the catalog from CSV', () => {
  const IMPORT = `mutation($input: ImportProductsInput!) { importProducts(input: $input) {
    report { dryRun rows created updated unchanged rejected accepted { row action variant { id sku price { amount } product { name } } } problems { row code column message } ignoredColumns }
    userErrors { code field message } } }`;

  it('creates, updates and rejects row by row, reports why, and changes nothing the second time', async () => {
    const existing = await freshProduct(['10.00']);
    const known = existing.variants[0]!;
    const [a, b, c] = [sku('IM'), sku('IM'), sku('IM')];
    const productName = `Imported ${randomUUID().slice(0, 6)}`;
    const ean = barcode();
    const csv = [
      'Cod;Denumire;Varianta;EAN;Pret;TVA;Furnizor',
      `${a};${productName};Small;${ean};12,50;21%;ACME`,
      `${b};${productName};Large;;15;21;ACME`,
      `${known.sku};;;;11.00;;`,
      `${c};;;;9;21;`,
      `${a};${productName};Again;;1;21;`,
      `bad sku;${productName};;123;x;21;`,
      `${known.sku.toLowerCase()}2;Other;;;1;0.5.5;`,
    ].join('\n');

    const dry = (await call(IMPORT, { input: { csv, dryRun: true } })).importProducts;
    expect(dry.report).toMatchObject({ dryRun: true, rows: 7, created: 2, updated: 1, rejected: 4 });
    expect(dry.report.accepted.filter((r: any) => r.action === 'CREATED').map((r: any) => r.variant)).toEqual([null, null]);
    expect(await adminQuery('select id from orders.product_variant where sku = $1', [a])).toEqual([]);

    const { report } = (await call(IMPORT, { input: { csv } })).importProducts;
    expect(report).toMatchObject({ dryRun: false, rows: 7, created: 2, updated: 1, unchanged: 0, rejected: 4, ignoredColumns: ['Furnizor'] });
    expect(report.accepted.map((r: any) => [r.row, r.action, r.variant.sku, r.variant.price.amount])).toEqual([
      [2, 'CREATED', a, '12.50'],
      [3, 'CREATED', b, '15.00'],
      [4, 'UPDATED', known.sku, '11.00'],
    ]);
    expect(report.accepted[0].variant.product.name).toBe(productName);
    expect(report.problems.map((p: any) => [p.row, p.code, p.column])).toEqual([
      [5, 'PRODUCT_NAME_REQUIRED', 'Denumire'],
      [6, 'DUPLICATE_SKU', 'Cod'],
      [7, 'INVALID_SKU', 'Cod'],
      [7, 'INVALID_BARCODE', 'EAN'],
      [7, 'INVALID_PRICE', 'Pret'],
      [8, 'INVALID_VAT_RATE', 'TVA'],
    ]);
    // both new variants are one new product
    const [row] = await adminQuery('select count(distinct product_id)::int as n from orders.product_variant where sku = any($1)', [[a, b]]);
    expect(row.n).toBe(1);

    const again = (await call(IMPORT, { input: { csv } })).importProducts.report;
    expect(again).toMatchObject({ created: 0, updated: 0, unchanged: 3, rejected: 4 });
  });

  it('refuses a VAT rate that differs from today’s and a barcode another variant has', async () => {
    const product = await freshProduct(['10.00']);
    const v = product.variants[0]!;
    const other = demo.products[1]!.variants[0]!;
    const csv = `sku,price,vat,barcode\n${v.sku},10,11,\n${v.sku.toLowerCase()}X,1,21,${other.barcode}\n`;
    const { report } = (await call(IMPORT, { input: { csv } })).importProducts;
    expect(report.problems.map((p: any) => [p.row, p.code])).toEqual([
      [2, 'VAT_RATE_DIFFERS'],
      [3, 'BARCODE_TAKEN'],
    ]);
  });

  it('refuses a file it cannot read as a whole', async () => {
    const refused = async (csv: string) => (await call(IMPORT, { input: { csv } })).importProducts;
    expect(await refused('name,price\nMug,1\n')).toMatchObject({ report: null, userErrors: [{ code: 'MISSING_COLUMN', field: ['input', 'csv'] }] });
    expect(codes(await refused(`sku\n${'A\n'.repeat(1001)}`))).toEqual(['IMPORT_TOO_LARGE']);
    expect(codes(await refused('sku,name\n"A,unclosed\n'))).toEqual(['INVALID_CSV']);
  });
});

describe('reading', () => {
  it('finds a product by id and lists its archived variants only when asked', async () => {
    const product = await freshProduct(['1.00', '2.00']);
    await call(UPDATE_VARIANT, { input: { variantId: product.variants[1]!.id, archived: true } });
    const read = await call(
      `query($id: ID!) { product(id: $id) { id live: variants { id } all: variants(includeArchived: true) { id archived } } }`,
      { id: product.id },
    );
    expect(read.product.live).toEqual([{ id: product.variants[0]!.id }]);
    expect(read.product.all.map((v: any) => v.archived)).toEqual([false, true]);
    expect((await call(`query($id: ID!) { product(id: $id) { ${PRODUCT_FIELDS} } }`, { id: 'nope' })).product).toBeNull();
  });
});
