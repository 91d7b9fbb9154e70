/**
 * Imports the catalog from CSV (domain/product-import.ts has the rules; the customers import is
 * the pattern). Every row is checked on its own, so bad rows are reported (line, code, message,
 * column) and the good ones still go in; importing the same file twice changes nothing the
 * second time. One import per tenant runs at a time. A dry run does all of it in a transaction
 * that is rolled back.
 */
import { Decimal, type EntityManager, type Payload, runMutation } from '@comanda/kit';
import { LockMode } from '@mikro-orm/core';
import { MAX_VARIANTS } from '../domain/catalog.ts';
import {
  checkRow,
  type ImportRow,
  missingForNew,
  parseProductCsv,
  productKey,
  type RowProblem,
  repeatedSkus,
  variantChanges,
} from '../domain/product-import.ts';
import { earliestChangeDate, rateOn } from '../domain/vat-schedule.ts';
import { Product, type ProductRow, ProductVariant, type VariantRow } from '../entities.ts';
import { publishProduct } from '../events.ts';
import { type CatalogActor, insertProduct, insertVariant, productSnapshot } from './catalog-writes.ts';
import { storeTimezones, vatPeriodsOf } from './vat-rates.ts';

export interface ImportProductsInput {
  csv: string;
  /** check and report without writing anything */
  dryRun?: boolean | null;
}

export type ImportAction = 'CREATED' | 'UPDATED' | 'UNCHANGED';

export interface ProductImportReport {
  dryRun: boolean;
  rows: number;
  created: number;
  updated: number;
  unchanged: number;
  rejected: number;
  /** the variant is null in a dry run for rows that would be created */
  accepted: { row: number; action: ImportAction; variantId: string | null }[];
  problems: RowProblem[];
  ignoredColumns: string[];
}

/** Carries a dry run's report out of the transaction it rolls back. */
class DryRunDone extends Error {
  readonly report: ProductImportReport;
  constructor(report: ProductImportReport) {
    super('dry run');
    this.report = report;
  }
}

export async function importProducts(
  em: EntityManager,
  actor: CatalogActor,
  input: ImportProductsInput,
): Promise<Payload<{ report: ProductImportReport }>> {
  const dryRun = input.dryRun === true;
  try {
    return await runMutation(em, { report: null }, async (tx) => {
      const report = await run(tx, actor, input.csv, dryRun);
      if (dryRun) throw new DryRunDone(report);
      return { report };
    });
  } catch (error) {
    if (error instanceof DryRunDone) return { report: error.report, userErrors: [] };
    throw error;
  }
}

const list = (values: readonly unknown[]) => values.map(() => '?').join(', ');

/** The catalog as the file's rows need it, read once and locked. */
async function catalogFor(tx: EntityManager, rows: readonly ImportRow[]) {
  const skus = [...new Set(rows.map((r) => r.sku))];
  const ids = skus.length
    ? (await tx.execute<{ id: string }[]>(`select id from product_variant where upper(sku) in (${list(skus)})`, skus)).map((r) => r.id)
    : [];
  const variants = ids.length ? await tx.find(ProductVariant, { id: { $in: ids } }, { refresh: true }) : [];
  const names = [...new Set(rows.flatMap((r) => (r.productName ? [productKey(r.productName)] : [])))];
  const named = names.length
    ? await tx.execute<{ id: string; key: string }[]>(
        `select id, lower(trim(name)) as key from product where archived_at is null and lower(trim(name)) in (${list(names)})`,
        names,
      )
    : [];
  const productIds = [...new Set([...variants.map((v) => v.productId), ...named.map((p) => p.id)])];
  // the products are the event aggregates: lock them, in id order
  const products = productIds.length
    ? await tx.find(Product, { id: { $in: productIds } }, { orderBy: { id: 'asc' }, lockMode: LockMode.PESSIMISTIC_WRITE, refresh: true })
    : [];
  const barcodes = [...new Set(rows.flatMap((r) => (r.barcode ? [r.barcode] : [])))];
  const owners = barcodes.length
    ? await tx.execute<{ id: string; barcode: string }[]>(
        `select id, barcode from product_variant where archived_at is null and barcode in (${list(barcodes)})`,
        barcodes,
      )
    : [];
  const today = earliestChangeDate(await storeTimezones(tx), new Date());
  const periods = await vatPeriodsOf(
    tx,
    variants.map((v) => v.id),
  );
  const counts = productIds.length
    ? await tx.execute<{ product_id: string; n: string }[]>(
        `select product_id, count(*) as n from product_variant where product_id in (${list(productIds)}) group by product_id`,
        productIds,
      )
    : [];
  return {
    variantBySku: new Map(variants.map((v) => [v.sku.toUpperCase(), v])),
    productsByName: named.reduce((map, p) => map.set(p.key, [...(map.get(p.key) ?? []), p.id]), new Map<string, string[]>()),
    products: new Map(products.map((p) => [p.id, p])),
    barcodeOwner: new Map(owners.map((o) => [o.barcode, o.id])),
    rateToday: (variantId: string) => rateOn(periods.get(variantId) ?? [], today),
    variantCount: new Map(counts.map((c) => [c.product_id, Number(c.n)])),
  };
}

async function run(tx: EntityManager, actor: CatalogActor, csv: string, dryRun: boolean): Promise<ProductImportReport> {
  const parsed = parseProductCsv(csv);
  await tx.execute('select pg_advisory_xact_lock(hashtext(?))', [`comanda:orders:import:${actor.tenantId}`]);
  const outcomes = parsed.rows.map((row) => checkRow(row, parsed.headers));
  const valid = outcomes.flatMap((o) => (o.ok ? [o.row] : []));
  const repeated = repeatedSkus(valid, parsed.headers);
  const catalog = await catalogFor(tx, valid);
  const column = (c: keyof typeof parsed.headers) => parsed.headers[c] ?? null;

  const report: ProductImportReport = {
    dryRun,
    rows: parsed.rows.length,
    created: 0,
    updated: 0,
    unchanged: 0,
    rejected: 0,
    accepted: [],
    problems: [],
    ignoredColumns: parsed.ignoredColumns,
  };
  const reject = (problems: RowProblem[]) => {
    report.rejected++;
    report.problems.push(...problems);
  };
  const createdProducts = new Map<string, ProductRow>();
  const touched = new Set<string>();

  for (const outcome of outcomes) {
    if (!outcome.ok) {
      reject(outcome.problems);
      continue;
    }
    const row = outcome.row;
    const problem = (code: string, message: string, c: keyof typeof parsed.headers | null) =>
      reject([{ line: row.line, code, message, column: c ? column(c) : null }]);
    const duplicate = repeated.get(row.line);
    if (duplicate) {
      reject([duplicate]);
      continue;
    }
    const existing = catalog.variantBySku.get(row.sku);
    const barcodeOwner = row.barcode ? catalog.barcodeOwner.get(row.barcode) : undefined;
    if (row.barcode && barcodeOwner !== undefined && barcodeOwner !== existing?.id) {
      problem('BARCODE_TAKEN', `another variant already has barcode ${row.barcode}`, 'barcode');
      continue;
    }

    if (existing) {
      if (existing.archivedAt) {
        problem('VARIANT_ARCHIVED', `${existing.sku} is archived: restore it before importing it`, 'sku');
        continue;
      }
      const rate = catalog.rateToday(existing.id);
      if (row.vatRate !== null && rate !== null && !new Decimal(rate).eq(row.vatRate)) {
        problem(
          'VAT_RATE_DIFFERS',
          `${existing.sku} is sold at ${new Decimal(rate).toFixed()}% VAT today; change it with a start date (scheduleVatRate)`,
          'vatRate',
        );
        continue;
      }
      const changes = variantChanges({ name: existing.name, barcode: existing.barcode ?? null, price: existing.price }, row);
      if (row.barcode) catalog.barcodeOwner.set(row.barcode, existing.id);
      if (!Object.keys(changes).length) {
        report.unchanged++;
        report.accepted.push({ row: row.line, action: 'UNCHANGED', variantId: existing.id });
        continue;
      }
      if (changes.barcode && existing.barcode) catalog.barcodeOwner.delete(existing.barcode);
      Object.assign(existing, changes, { updatedAt: new Date() });
      touched.add(existing.productId);
      report.updated++;
      report.accepted.push({ row: row.line, action: 'UPDATED', variantId: existing.id });
      continue;
    }

    const missing = missingForNew(row, parsed.headers);
    if (missing.length) {
      reject(missing);
      continue;
    }
    const key = productKey(row.productName!);
    const matches = catalog.productsByName.get(key) ?? [];
    if (matches.length > 1) {
      problem('AMBIGUOUS_PRODUCT', `${matches.length} products are named "${row.productName}": add the variant with addVariant`, 'product');
      continue;
    }
    let product = matches[0] ? catalog.products.get(matches[0]) : createdProducts.get(key);
    const count = product ? (catalog.variantCount.get(product.id) ?? 0) : 0;
    if (count >= MAX_VARIANTS) {
      problem('TOO_MANY_VARIANTS', `a product has at most ${MAX_VARIANTS} variants`, 'product');
      continue;
    }
    if (!product) {
      product = insertProduct(tx, actor, row.productName!);
      createdProducts.set(key, product);
      await tx.flush();
    }
    const variant: VariantRow = await insertVariant(tx, actor, product.id, count, {
      sku: row.sku,
      barcode: row.barcode,
      name: row.variantName ?? product.name,
      price: row.price!,
      vatRate: row.vatRate!,
    });
    catalog.variantCount.set(product.id, count + 1);
    catalog.variantBySku.set(row.sku, variant);
    if (row.barcode) catalog.barcodeOwner.set(row.barcode, variant.id);
    if (createdProducts.get(key) !== product) touched.add(product.id);
    report.created++;
    report.accepted.push({ row: row.line, action: 'CREATED', variantId: dryRun ? null : variant.id });
  }

  await tx.flush();
  const created = new Set([...createdProducts.values()].map((p) => p.id));
  for (const product of createdProducts.values()) await publishProduct(tx, actor.tenantId, 'created', await productSnapshot(tx, product));
  for (const id of [...touched].filter((id) => !created.has(id)).sort()) {
    const product = catalog.products.get(id);
    if (!product) continue;
    product.updatedAt = new Date();
    await tx.flush();
    await publishProduct(tx, actor.tenantId, 'updated', await productSnapshot(tx, product));
  }
  return report;
}
