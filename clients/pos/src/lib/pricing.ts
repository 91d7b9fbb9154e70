/**
 * The unit price the server will charge for a variant at a quantity: the highest quantity tier
 * of the default price list the variant's total quantity in the order reaches, else the list
 * price (subgraphs/orders domain/price-tiers.ts). Customer segment lists are the server's
 * alone: a sale for such a customer is priced by the server and the till shows its total
 * (TOTAL_CHANGED) before taking money.
 */
import type { CatalogVariant } from './catalog-types.ts';
import { type Fixed, format, parse } from './decimal.ts';

export function tierPrice(variant: Pick<CatalogVariant, 'price' | 'tiers'>, quantity: Fixed): string {
  let best: { minQuantity: Fixed; unitPrice: string } | null = null;
  for (const tier of variant.tiers ?? []) {
    const minQuantity = parse(tier.minQuantity);
    if (minQuantity <= quantity && (!best || minQuantity > best.minQuantity)) best = { minQuantity, unitPrice: tier.unitPrice };
  }
  return best ? format(parse(best.unitPrice)) : variant.price;
}
