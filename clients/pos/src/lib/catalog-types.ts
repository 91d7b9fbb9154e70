/** One sellable variant as the till keeps it (prices as decimal strings). */
export interface CatalogVariant {
  id: string;
  sku: string;
  barcode: string | null;
  name: string;
  productName: string;
  price: string;
  currencyCode: string;
  vatRate: string;
  stockOnHand: string;
  /** quantity tiers of the default price list, lowest first */
  tiers?: { minQuantity: string; unitPrice: string }[];
}

export interface CatalogSnapshot {
  storeId: string;
  fetchedAt: string;
  variants: CatalogVariant[];
}
