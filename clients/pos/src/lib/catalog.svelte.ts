/**
 * The store's catalog on the till: read from the server in pages, kept in IndexedDB, indexed by
 * barcode. A scan is a lookup in memory (no round trip), which is what keeps scan-to-cart in
 * the low milliseconds and lets the till sell offline; a barcode the till does not know yet is
 * asked of the server (variantByBarcode).
 */
import type { CatalogSnapshot, CatalogVariant } from './catalog-types.ts';
import type { Api } from './graphql/api.ts';
import { SCAN_BARCODE, STORE_CATALOG } from './graphql/operations.ts';
import { database } from './offline/db.ts';

interface ProductNode {
  id: string;
  name: string;
  variants: {
    id: string;
    sku: string;
    barcode: string | null;
    name: string;
    vatRate: string;
    price: { amount: string; currencyCode: string };
    stockOnHand: string;
    priceTiers?: { minQuantity: string; unitPrice: string }[];
  }[];
}

interface CatalogPage {
  products: { nodes: ProductNode[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } };
}

interface ScanResult {
  variantByBarcode: (ProductNode['variants'][number] & { product: { name: string } }) | null;
}

const PAGE = 250;
const MAX_PAGES = 40;

function toVariant(productName: string, v: ProductNode['variants'][number]): CatalogVariant {
  return {
    id: v.id,
    sku: v.sku,
    barcode: v.barcode,
    name: v.name,
    productName,
    price: v.price.amount,
    currencyCode: v.price.currencyCode,
    vatRate: v.vatRate,
    stockOnHand: v.stockOnHand,
    tiers: v.priceTiers ?? [],
  };
}

/** lowercase, without diacritics: "București" matches "bucuresti" */
export function fold(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .toLowerCase();
}

export function searchVariants(variants: CatalogVariant[], query: string, limit = 60): CatalogVariant[] {
  const words = fold(query).split(/\s+/).filter(Boolean);
  if (!words.length) return variants.slice(0, limit);
  return variants.filter((v) => words.every((w) => fold(`${v.name} ${v.sku} ${v.barcode ?? ''}`).includes(w))).slice(0, limit);
}

export class Catalog {
  variants = $state.raw<CatalogVariant[]>([]);
  status = $state<'empty' | 'loading' | 'ready' | 'error'>('empty');
  error = $state<string | null>(null);
  fetchedAt = $state<string | null>(null);
  private byBarcode = new Map<string, CatalogVariant>();
  private storeId: string | null = null;

  /** the cached copy first (instant, offline), then the server's when it answers */
  async open(api: Api, storeId: string): Promise<void> {
    if (this.storeId !== storeId) this.set([], null);
    this.storeId = storeId;
    const cached = await (await database()).get('catalog', storeId);
    if (cached && this.storeId === storeId) this.set(cached.variants, cached.fetchedAt);
    await this.refresh(api);
  }

  async refresh(api: Api): Promise<void> {
    const storeId = this.storeId;
    if (!storeId) return;
    if (!this.variants.length) this.status = 'loading';
    try {
      const variants: CatalogVariant[] = [];
      let after: string | null = null;
      for (let page = 0; page < MAX_PAGES; page++) {
        const data: CatalogPage = await api.query<CatalogPage>(STORE_CATALOG, { storeId, first: PAGE, after });
        for (const product of data.products.nodes) for (const v of product.variants) variants.push(toVariant(product.name, v));
        if (!data.products.pageInfo.hasNextPage) break;
        after = data.products.pageInfo.endCursor;
      }
      if (this.storeId !== storeId) return;
      const snapshot: CatalogSnapshot = { storeId, fetchedAt: new Date().toISOString(), variants };
      await (await database()).put('catalog', snapshot);
      this.set(variants, snapshot.fetchedAt);
      this.error = null;
    } catch (error) {
      // offline with a cached catalog is normal; without one the grid says why it is empty
      this.error = (error as Error).message;
      this.status = this.variants.length ? 'ready' : 'error';
    }
  }

  /** the variant with this barcode: from memory, else from the server (then remembered) */
  async scan(api: Api | null, barcode: string): Promise<CatalogVariant | null> {
    const known = this.byBarcode.get(barcode);
    if (known) return known;
    if (!api || !this.storeId) return null;
    const { variantByBarcode: v } = await api.query<ScanResult>(SCAN_BARCODE, { storeId: this.storeId, barcode });
    if (!v) return null;
    const variant = toVariant(v.product.name, v);
    this.set([...this.variants, variant], this.fetchedAt);
    return variant;
  }

  lookup(barcode: string): CatalogVariant | undefined {
    return this.byBarcode.get(barcode);
  }

  private set(variants: CatalogVariant[], fetchedAt: string | null): void {
    this.variants = variants;
    this.fetchedAt = fetchedAt;
    this.byBarcode = new Map(variants.filter((v) => v.barcode).map((v) => [v.barcode!, v]));
    this.status = variants.length ? 'ready' : fetchedAt ? 'ready' : this.status;
  }
}

export const catalog = new Catalog();
