/**
 * What placeOrder needs to know about the variants it sells: whether they are still sold, the
 * VAT rate on the order's date in its store, and the prices that apply to the customer (the
 * variant's list price and tiers, and its segment list's tiers). One statement for a
 * customer without a segment list, three for one with it, whatever the number of lines.
 */
import { Decimal, type EntityManager } from '@comanda/kit';
import type { SellableVariant } from '../domain/place-order.ts';
import { localDate, rateOn, type VatPeriod } from '../domain/vat-schedule.ts';
import type { StoreRow } from '../entities.ts';
import { listTiers } from './price-tiers.ts';

interface VariantFacts {
  id: string;
  sku: string;
  name: string;
  price: string;
  archived: boolean;
  vat_periods: VatPeriod[] | null;
  tiers: { minQuantity: string; unitPrice: string }[] | null;
}

export interface SaleContext {
  store: StoreRow;
  customerId: string | null;
  at: Date;
}

/** The segment list a customer buys from, if they have a segment and it has a list. */
async function segmentListOf(em: EntityManager, customerId: string | null): Promise<string | null> {
  if (!customerId) return null;
  const [row] = await em.execute<{ id: string }[]>(
    'select l.id from customer_price_segment c join price_list l on l.segment = c.segment where c.customer_id = ?',
    [customerId],
  );
  return row?.id ?? null;
}

/** Variants found (others are simply absent: placeOrder reports them as unknown). */
export async function sellableVariants(em: EntityManager, variantIds: readonly string[], sale: SaleContext): Promise<Map<string, SellableVariant>> {
  if (!variantIds.length) return new Map();
  // one statement for the variants with their VAT periods and default tiers
  const rows = await em.execute<VariantFacts[]>(
    `select v.id, v.sku, v.name, v.price::text as price, (v.archived_at is not null or p.archived_at is not null) as archived,
       (select json_agg(json_build_object('validFrom', case when r.valid_from = '-infinity' then null else r.valid_from::text end, 'rate', r.rate::text))
          from variant_vat_rate r where r.variant_id = v.id) as vat_periods,
       (select json_agg(json_build_object('minQuantity', t.min_quantity::text, 'unitPrice', t.unit_price::text))
          from variant_price_tier t where t.variant_id = v.id) as tiers
       from product_variant v join product p on p.id = v.product_id
      where v.id in (${variantIds.map(() => '?').join(', ')})`,
    [...variantIds],
  );
  const day = localDate(sale.at, sale.store.timezone);
  const listId = await segmentListOf(em, sale.customerId);
  const segmentTiers = listId
    ? await listTiers(
        em,
        listId,
        rows.map((r) => r.id),
      )
    : null;
  const variants = new Map<string, SellableVariant>();
  for (const row of rows) {
    const vatRate = rateOn(row.vat_periods ?? [], day);
    if (vatRate === null) throw new Error(`variant ${row.sku} has no VAT rate on ${day}`);
    variants.set(row.id, {
      id: row.id,
      sku: row.sku,
      name: row.name,
      archived: row.archived,
      vatRate: new Decimal(vatRate).toFixed(),
      pricing: {
        listPrice: new Decimal(row.price),
        tiers: (row.tiers ?? []).map((t) => ({ minQuantity: new Decimal(t.minQuantity), unitPrice: new Decimal(t.unitPrice) })),
        segment: listId && segmentTiers ? { priceListId: listId, tiers: segmentTiers.get(row.id) ?? [] } : null,
      },
    });
  }
  return variants;
}
